"""Answering: offline cited composer, coverage gate (refusals), sessions, and the pipeline service."""

from assistant.answer.composer import CitedAnswerComposer
from assistant.answer.coverage import CoverageGate
from assistant.answer.service import AnswerService, clean_question
from assistant.answer.session import FollowUpResolver, Session

__all__ = ["AnswerService", "CitedAnswerComposer", "CoverageGate", "FollowUpResolver", "Session", "clean_question"]
