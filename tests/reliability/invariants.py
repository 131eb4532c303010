"""Invariants every answer record must hold, whatever the input (shared by the reliability tests)."""

from __future__ import annotations

import re
from functools import cache

from assistant.models import AnswerRecord
from tests.conftest import ROOT

VERDICTS = {"eligible", "ineligible", "needs_info"}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def squash(text: str) -> str:
    """Text without any whitespace (quotes are compared whitespace-insensitively)."""
    return re.sub(r"\s+", "", text)


@cache
def corpus_text() -> str:
    """Every bundled notice, squashed."""
    return "".join(squash(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "corpus").glob("*.txt")))


def is_chinese_message(text: str) -> bool:
    """A user-facing message written in Chinese (at least a few CJK characters)."""
    return len(_CJK.findall(text)) >= 4


def check_record(record: AnswerRecord, corpus: str | None = None) -> None:
    """Assert the record invariants: refused ⇒ no verdict; verdict ⇒ a checker ruling behind it;
    every citation quote is verbatim corpus text (whitespace-insensitive); the answer is non-empty text."""
    corpus = corpus_text() if corpus is None else corpus
    assert isinstance(record.answer, str) and record.answer.strip()
    assert record.verdict is None or record.verdict in VERDICTS
    if record.refused:
        assert record.verdict is None, "a refusal must not carry a ruling"
    if record.verdict is not None:
        assert record.eligibility, "a verdict must come with the checker's ruling"
        assert record.eligibility.get("verdict") == record.verdict
    for c in record.citations:
        assert squash(c.quote) and squash(c.quote) in corpus, f"citation not verbatim: {c.quote[:60]!r}"
