"""The match in the chat, through AnswerService.ask: ask → needs_info → supply a fact → the verdict changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.answer import AnswerService, Session
from assistant.matching.chat import asks_for_match
from tests.conftest import make_settings


@pytest.fixture
def chat(tmp_path: Path, match_world: Any) -> AnswerService:
    """The offline answer service whose match runs over the fixture notices (no index needed for the match)."""
    service = AnswerService(make_settings(tmp_path / "data"), use_llm=False)
    service.matcher = match_world.service  # type: ignore[method-assign]
    return service


@pytest.mark.parametrize(("question", "asks"), [
    ("我们能申报哪些项目？", True),
    ("我公司是高新技术企业，能申报哪些项目？", True),
    ("有哪些项目适合我们申报？", True),
    ("我们可以申请什么政策", True),
    ("有哪些项目正在申报？", False),  # about the catalogue, not the applicant
    ("赣榆区的企业能申报连云港市产业前瞻与关键技术项目吗？", False),
])
def test_match_questions_are_recognised(question: str, asks: bool) -> None:
    assert asks_for_match(question) is asks


def test_ask_then_supply_a_fact_changes_the_verdict(chat: AnswerService) -> None:
    session = Session()
    first = chat.ask("我们是南通市注册的独立法人企业，能申报哪些项目？", session)
    assert first.verdict is None and first.eligibility and first.eligibility["match"]
    nt = next(r for r in first.eligibility["results"] if "科技成果转化" in r["notice"])
    assert nt["verdict"] == "needs_info"
    assert any("发明专利" in q for q in nt["questions"])
    assert "有效发明专利数" in first.answer or "发明专利" in first.answer
    rd = next(r for r in first.eligibility["results"] if "研发投入补助" in r["notice"])
    assert rd["verdict"] == "ineligible"
    # the clause that rules it out is quoted and cited, with the stated fact it contradicts
    assert any("雄安新区" in c.quote for c in first.citations)
    assert "与您的" in first.answer

    second = chat.ask("我们有2项发明专利", session)
    assert second.answer.startswith("根据您补充的信息重新匹配，变化如下")
    assert "需补充信息 → 符合" in second.answer and "科技成果转化" in second.answer
    nt2 = next(r for r in second.eligibility["results"] if "科技成果转化" in r["notice"])  # type: ignore[index]
    assert nt2["verdict"] == "eligible"
    assert session.facts["invention_patent_count"] == 2


def test_a_statement_without_a_match_before_is_not_a_match_turn(chat: AnswerService) -> None:
    session = Session()
    matched = chat._match_turn("我们有2项发明专利", session, chat.extractor.run("我们有2项发明专利"))
    assert matched is None and session.match is None
