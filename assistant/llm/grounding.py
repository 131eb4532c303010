"""Checks on the model's final answer: the JSON shape, citations against the clauses retrieved in this run,
and rulings that did not come from the checker."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from assistant.errors import LLMError
from assistant.models import Chunk, Citation

_WS = re.compile(r"\s+")
_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")
# quote marks and ellipses a model wraps around a quote; they are not part of the notice text
_QUOTE_EDGES = "\"'“”‘’「」『』《》…. 　\n\t"
# rulings on an applicant; "是否符合" (asking, not ruling) is not one
_POSITIVE_RULING = re.compile(
    r"(?<![不否])符合(申报)?(条件|要求|资格)|(?<![不])(可以|能够|能)申报|具备申报资格|有资格申报")
_NEGATIVE_RULING = re.compile(r"不符合|不(可以|能够|能)申报|无法申报|不具备申报资格|没有资格申报|无资格申报")


class CitedQuote(BaseModel):
    """One citation as the model gives it."""

    clause_id: str = ""
    quote: str = ""


class ModelAnswer(BaseModel):
    """The final answer the system prompt asks for."""

    answer: str
    found: bool = True
    citations: list[CitedQuote] = Field(default_factory=list)


class AnswerJsonParser:
    """Parses the model's final message into :class:`ModelAnswer`.

    Args:
        max_answer_chars: a longer ``answer`` is treated as a failure (runaway generation).
    """

    def __init__(self, max_answer_chars: int = 1500) -> None:
        if max_answer_chars < 1:
            raise ValueError(f"max_answer_chars must be ≥ 1, got {max_answer_chars!r}")
        self.max_answer_chars = max_answer_chars

    def run(self, content: str) -> ModelAnswer:
        """The parsed answer.

        Raises:
            LLMError: not a JSON object of the agreed shape, or an answer over the limit.
        """
        text = _FENCE.sub("", content.strip())
        start, end = text.find("{"), text.rfind("}")
        if start < 0 or end <= start:
            raise LLMError("模型没有按约定返回 JSON 格式的回答")
        try:
            data = json.loads(text[start:end + 1])
            parsed = ModelAnswer.model_validate(data)
        except (json.JSONDecodeError, ValidationError):
            raise LLMError("模型返回的 JSON 格式不正确") from None
        if len(parsed.answer) > self.max_answer_chars:
            raise LLMError(f"模型回答过长（{len(parsed.answer)} 字，上限 {self.max_answer_chars} 字）")
        parsed.answer = parsed.answer.strip()
        if parsed.found and not parsed.answer:
            raise LLMError("模型返回了空回答")
        return parsed


@dataclass
class GroundedCitations:
    """Citations that survived validation, and how many were dropped."""

    citations: list[Citation] = field(default_factory=list)
    chunk_ids: list[str] = field(default_factory=list)
    dropped: int = 0


class CitationValidator:
    """Keeps a citation only when its clause was retrieved in this run and its quote is in that clause.

    The comparison ignores whitespace; the kept quote is the clause's own text (original spacing), so what
    reaches the output is verbatim notice text even when the model re-spaced it.

    Args:
        min_quote_chars: shorter quotes ("的", "万元") ground nothing and are dropped.
        max_citations: at most this many citations are kept.
    """

    def __init__(self, min_quote_chars: int = 4, max_citations: int = 6) -> None:
        if min_quote_chars < 1:
            raise ValueError(f"min_quote_chars must be ≥ 1, got {min_quote_chars!r}")
        if max_citations < 1:
            raise ValueError(f"max_citations must be ≥ 1, got {max_citations!r}")
        self.min_quote_chars = min_quote_chars
        self.max_citations = max_citations

    def run(self, cited: Iterable[CitedQuote], clauses: Mapping[str, Chunk]) -> GroundedCitations:
        """The valid citations (notice title and section from the clause), in the model's order."""
        out = GroundedCitations()
        seen: set[tuple[str, str]] = set()
        for c in cited:
            chunk = clauses.get(c.clause_id.strip())
            quote = verbatim_span(c.quote, chunk.text, self.min_quote_chars) if chunk else None
            if chunk is None or quote is None:
                out.dropped += 1
                continue
            key = (chunk.chunk_id, quote)
            if key in seen or len(out.citations) >= self.max_citations:
                continue
            seen.add(key)
            out.citations.append(Citation(notice=chunk.title, section=chunk.section, quote=quote))
            out.chunk_ids.append(chunk.chunk_id)
        return out


def verbatim_span(quote: str, text: str, min_chars: int = 1) -> str | None:
    """The span of ``text`` equal to ``quote`` up to whitespace, or None when the quote is not in it."""
    core = _WS.sub("", quote.strip(_QUOTE_EDGES))
    if len(core) < min_chars:
        return None
    positions = [i for i, ch in enumerate(text) if not ch.isspace()]
    squashed = "".join(text[i] for i in positions)
    at = squashed.find(core)
    if at < 0:
        return None
    return text[positions[at]:positions[at + len(core) - 1] + 1]


def stated_rulings(answer: str) -> set[str]:
    """The rulings an answer states about the applicant: ``eligible`` and/or ``ineligible``."""
    out: set[str] = set()
    if _NEGATIVE_RULING.search(answer):
        out.add("ineligible")
    if _POSITIVE_RULING.search(_NEGATIVE_RULING.sub("", answer)):
        out.add("eligible")
    return out


def ruling_allowed(stated: set[str], verdicts: set[str]) -> bool:
    """True when every stated ruling is one the checker gave (for some programme asked about)."""
    return stated <= verdicts


def combine_verdicts(verdicts: Iterable[str]) -> Any:
    """One verdict over several programmes: as the offline composer does (all agree, else needs_info)."""
    vs = set(verdicts)
    if vs == {"ineligible"}:
        return "ineligible"
    if vs == {"eligible"}:
        return "eligible"
    return "needs_info" if vs else None


def tool_eligibility(rulings: list[dict[str, Any]]) -> dict[str, Any]:
    """The record's ``eligibility`` field from ``check_eligibility`` results."""
    questions: list[str] = []
    for r in rulings:
        for q in r.get("questions", []) or []:
            if isinstance(q, str) and q not in questions:
                questions.append(q)
    return {"verdict": combine_verdicts(r["verdict"] for r in rulings), "results": rulings,
            "questions": questions}


def record_verdicts(eligibility: Mapping[str, Any] | None) -> set[str]:
    """Every verdict an eligibility field holds (overall and per programme)."""
    if not eligibility:
        return set()
    out = {eligibility.get("verdict")}
    out |= {r.get("verdict") for r in eligibility.get("results", []) or [] if isinstance(r, Mapping)}
    return {v for v in out if isinstance(v, str)}
