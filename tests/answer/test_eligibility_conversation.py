"""Eligibility over a conversation (real seed index): facts accumulate across turns, a needs_info ruling asks
for the missing facts by their Chinese names, and a ruling on draft rules says so."""

from __future__ import annotations

from typing import Any

from assistant.answer.session import Session


def test_facts_accumulate_and_missing_facts_are_asked_by_name(corpus_service: Any) -> None:
    session = Session()
    first = corpus_service.ask("我是女性博士，能申报连云港青年科技人才项目吗？", session, use_llm=False)
    assert first.verdict == "needs_info"
    assert session.facts.get("degree") == "doctor"
    asked = first.eligibility["questions"]
    assert any(q.startswith("出生年份：") for q in asked)
    second = corpus_service.ask("我1990年出生的", session, use_llm=False)
    assert session.facts.get("degree") == "doctor" and session.facts.get("birth_year") == 1990
    assert second.verdict in ("eligible", "needs_info", "ineligible")
    assert second.eligibility is not None
