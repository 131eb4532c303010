"""LLM mode: a tool-calling agent over any OpenAI-compatible model, checked after generation.

See :mod:`assistant.llm.agent` for the checks and the shape of :meth:`AgentAnswerer.stream`.
"""

from assistant.llm.agent import AgentAnswerer, StreamItem
from assistant.llm.grounding import AnswerJsonParser, CitationValidator, ModelAnswer, verbatim_span
from assistant.llm.streaming import AnswerFieldStreamer
from assistant.llm.tools import ClauseSearchTool, EligibilityCheckTool, ToolLedger

__all__ = [
    "AgentAnswerer",
    "AnswerFieldStreamer",
    "AnswerJsonParser",
    "CitationValidator",
    "ClauseSearchTool",
    "EligibilityCheckTool",
    "ModelAnswer",
    "StreamItem",
    "ToolLedger",
    "verbatim_span",
]
