"""Matching an applicant against every programme of the catalogue ("我们能申报哪些项目？").

``MatchService().run(profile)`` runs the deterministic eligibility checker over every programme of every
``call`` notice (and lists ``policy`` notices apart), with each notice's status on the day asked; the
profile comes from JSON facts, the form, the chat or a pasted company record (``profile_reader``), each fact
with its source.
"""

from assistant.matching.profile_reader import (
    CompanyRecordReader,
    FactSource,
    SourcedProfile,
    profile_from_facts,
    read_profile_file,
    read_profile_text,
)
from assistant.matching.report import ClauseRef, MatchReport, MissingFact, ProgrammeMatch
from assistant.matching.service import MatchService

__all__ = [
    "ClauseRef",
    "CompanyRecordReader",
    "FactSource",
    "MatchReport",
    "MatchService",
    "MissingFact",
    "ProgrammeMatch",
    "SourcedProfile",
    "profile_from_facts",
    "read_profile_file",
    "read_profile_text",
]
