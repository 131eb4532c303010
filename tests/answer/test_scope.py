"""scope_programmes: an eligibility question is ruled only on programmes of the notice it is about."""

from __future__ import annotations

from typing import Any

from assistant.answer.scope import scope_programmes
from assistant.answer.session import Session
from assistant.catalogue.registry import NoticeRecord, NoticeRegistry
from assistant.eligibility.rules import RuleBook, load_rule_data
from assistant.models import Chunk, RetrievedClause


def _chunk(doc: str, pos: int, section: str, text: str) -> Chunk:
    return Chunk(chunk_id=f"{doc}-{pos}", doc_id=doc, title=doc, section_path=(section,), text=text, position=pos,
                 source=f"{doc}.md", metadata={})


def _programme(notice: str, pid: str, title: str, section: str) -> dict[str, Any]:
    return {"id": pid, "title": title, "criteria": [{
        "id": f"{pid}-c", "kind": "hard", "description": "须在本地注册", "facts": ["registered_place"],
        "condition": "is_true", "params": {"fact": "independent_legal_person"}, "status": "draft",
        "reference": {"section": section, "quote": "独立法人"}}]}


def _book() -> RuleBook:
    progs = []
    for notice, items in {
        "xa-2024": [("xa-2024-p1", "企业技术改造项目", "（一）企业技术改造项目"),
                    ("xa-2024-p2", "企业数字化转型项目", "（二）企业数字化转型项目")],
        "xa-2022": [("xa-2022-p1", "企业技术改造项目", "（一）企业技术改造项目")],
        "lyg-2024": [("lyg-2024-p1", "市重点研发计划", "二、申报条件")],
    }.items():
        progs += load_rule_data({"file": f"{notice}.md", "notice_id": notice, "notice": f"《{notice}》通知",
                                 "programmes": [_programme(notice, *i) for i in items]})
    return RuleBook({p.id: p for p in progs})


def _registry() -> NoticeRegistry:
    return NoticeRegistry([
        NoticeRecord(notice_id="xa-2024", file="xa-2024.md", title="2024年技改通知", region="雄安新区", kind="call",
                     year=2024),
        NoticeRecord(notice_id="xa-2022", file="xa-2022.md", title="2022年技改通知", region="雄安新区", kind="call",
                     year=2022),
        NoticeRecord(notice_id="lyg-2024", file="lyg-2024.md", title="连云港通知", region="连云港市", kind="call",
                     year=2024),
        NoticeRecord(notice_id="xa-2024-2", file="xa-2024.md", title="申报书", kind="call", parent="xa-2024"),
    ])


def _retrieved(*items: tuple[str, str]) -> list[RetrievedClause]:
    return [RetrievedClause(_chunk(doc, i, section, "条款"), 1.0 / (i + 1)) for i, (doc, section) in enumerate(items)]


def test_a_question_naming_no_programme_is_ruled_on_the_best_match_of_the_top_notice_and_says_which() -> None:
    retrieved = _retrieved(("xa-2024", "（二）企业数字化转型项目"), ("xa-2022", "（一）企业技术改造项目"))
    scope = scope_programmes("我们是雄县的企业，能申报吗？", Session(), _registry(), retrieved, _book())
    assert scope.programme_ids == ["xa-2024-p2"]
    assert scope.notice_id == "xa-2024"
    assert "企业数字化转型项目" in scope.note


def test_the_programme_the_question_names_wins_within_the_notice() -> None:
    retrieved = _retrieved(("xa-2024", "（二）企业数字化转型项目"))
    scope = scope_programmes("我们想报企业技术改造项目，可以吗？", Session(), _registry(), retrieved, _book())
    assert scope.programme_ids == ["xa-2024-p1"]


def test_an_attachment_clause_counts_for_its_notice() -> None:
    retrieved = _retrieved(("xa-2024-2", "一、基本情况"))
    scope = scope_programmes("我们能报吗？", Session(), _registry(), retrieved, _book())
    assert scope.programme_ids and scope.programme_ids[0].startswith("xa-2024-")


def test_a_notice_of_another_city_is_never_ruled_on() -> None:
    retrieved = _retrieved(("lyg-2024", "二、申报条件"), ("xa-2024", "（一）企业技术改造项目"))
    scope = scope_programmes("我们是容城县的企业，能申报吗？", Session(), _registry(), retrieved, _book())
    assert scope.programme_ids == ["xa-2024-p1"]
    assert "lyg-2024" not in scope.considered


def test_a_year_the_question_names_picks_that_years_notice() -> None:
    retrieved = _retrieved(("xa-2024", "（一）企业技术改造项目"), ("xa-2022", "（一）企业技术改造项目"))
    scope = scope_programmes("2022年度的技改项目我们能申报吗？", Session(), _registry(), retrieved, _book())
    assert scope.programme_ids == ["xa-2022-p1"]


def test_no_notice_with_rules_in_view_gives_no_programme() -> None:
    retrieved = _retrieved(("other", "一、"))
    assert scope_programmes("我们能报吗？", Session(), _registry(), retrieved, _book()).programme_ids == []
