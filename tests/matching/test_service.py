"""MatchService on the fixture notices: one profile file per verdict kind, the order, the groups, and the promise
that an ``ineligible`` row rests only on a clause a known fact contradicts."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.errors import InputError
from assistant.matching import MatchService, read_profile_file
from tests.matching.conftest import DAY, PROFILES

RD = "研发投入补助"  # the open call of the fixtures
NT = "科技成果转化"  # the closed call
POLICY = "孵化器"


def _row(report: Any, words: str) -> Any:
    return next(r for r in report.rows if words in r.notice_title)


def test_a_profile_meeting_every_hard_rule_is_eligible_and_listed_first(match_world: Any) -> None:
    report = match_world.service().run(read_profile_file(PROFILES / "eligible.json"), today=DAY)
    row = _row(report, RD)
    assert row.verdict == "eligible"
    assert report.rows[0] is row
    assert row.group == "open" and row.status_label == "申报中·剩余19天"
    assert row.rules == "draft" and "草稿" in row.rules_label
    assert not row.failing and not row.missing


def test_a_contradicted_date_rules_out_with_the_clause_and_the_fact_that_contradicts_it(match_world: Any) -> None:
    report = match_world.service().run(read_profile_file(PROFILES / "ineligible.json"), today=DAY)
    row = _row(report, RD)
    assert row.verdict == "ineligible"
    (clause,) = row.failing
    assert "2025年6月30日前" in clause.quote and clause.section
    (fact,) = clause.facts
    assert fact["fact"] == "registered_date" and fact["value"] == "2025-09-01"
    assert "ineligible.json" in fact["source"]


def test_missing_facts_give_needs_info_naming_each_fact_with_its_question(match_world: Any) -> None:
    report = match_world.service().run(read_profile_file(PROFILES / "needs_info.json"), today=DAY)
    row = _row(report, RD)
    assert row.verdict == "needs_info"
    names = {m.fact for m in row.missing}
    assert {"registered_date", "rd_expense_wan", "qualifications_held", "independent_legal_person"} <= names
    assert all("？" in m.question and m.label for m in row.missing)
    assert not row.failing


def test_the_company_record_rules_only_on_what_it_states(match_world: Any) -> None:
    sp = read_profile_file(PROFILES / "record.txt")
    report = match_world.service().run(sp, today=DAY)
    rd = _row(report, RD)
    assert rd.verdict == "needs_info"
    assert [m.fact for m in rd.missing] == ["rd_expense_wan"]  # the record states everything else
    nt = _row(report, NT)
    assert nt.group == "closed" and nt.verdict == "ineligible"
    (clause,) = nt.failing
    assert "南通市" in clause.quote
    assert any("注册地址" in f["source"] for f in clause.facts)
    assert report.demoted == 0


def test_needs_info_rows_are_ordered_by_how_few_facts_are_missing(match_world: Any) -> None:
    report = match_world.service().run({"entity_type": "enterprise"}, today=DAY)
    missing = [len(r.missing) for r in report.rows if r.group == "closed" and r.verdict == "needs_info"]
    assert missing == sorted(missing)
    groups = [r.group for r in report.rows]
    assert groups == sorted(groups, key=["open", "no_deadline", "closed", "policy"].index)


def test_policies_are_listed_apart_and_open_only_keeps_open_calls(match_world: Any) -> None:
    svc = match_world.service()
    report = svc.run(read_profile_file(PROFILES / "eligible.json"), today=DAY)
    policy = _row(report, POLICY)
    assert policy.group == "policy" and policy.note.startswith("长期政策，按细则申请")
    assert policy.conditions and all(c.quote for c in policy.conditions)
    only = svc.run(read_profile_file(PROFILES / "eligible.json"), today=DAY, open_only=True)
    assert {r.group for r in only.rows} == {"open"}
    assert _row(svc.run({}, today="2026-12-21"), RD).group == "closed"


def test_a_follow_up_fact_changes_the_verdict_and_the_report_says_so(match_world: Any) -> None:
    svc = match_world.service()
    before = svc.run(read_profile_file(PROFILES / "record.txt"), today=DAY)
    after = svc.run(read_profile_file(PROFILES / "record.txt").merged({"rd_expense_wan": 120}, "对话"), today=DAY)
    assert _row(after, RD).verdict == "eligible"
    changes = after.changes_since(before)
    assert any(RD in c and "需补充信息 → 符合" in c for c in changes)


def test_a_failing_rule_that_reads_no_known_fact_never_rules_out(match_world: Any) -> None:
    from assistant.eligibility import EligibilityChecker
    from assistant.eligibility.rules import RuleBook, load_rule_data

    (prog,) = load_rule_data({
        "file": "x.txt", "notice_id": "x", "notice": "某通知", "programmes": [{"id": "x", "title": "某项目", "criteria": [{
            "id": "x-kind", "kind": "hard", "description": "须为高校", "facts": ["rd_expense_wan"],
            "condition": "value_in", "params": {"fact": "entity_type", "allowed": ["university"]},
            "reference": {"section": "一、", "quote": "须为高校"}}]}]})
    from assistant.catalogue.registry import NoticeRecord, NoticeRegistry

    registry = NoticeRegistry([NoticeRecord(notice_id="x", file="x.txt", title="某通知", kind="call")])
    report = MatchService(registry=registry, checker=EligibilityChecker(RuleBook({"x": prog}))).run(
        {"entity_type": "enterprise"}, today=DAY)
    (row,) = report.rows
    assert row.verdict == "needs_info" and report.demoted == 1
    assert [m.fact for m in row.missing] == ["rd_expense_wan"]


def test_a_programme_without_rules_is_unchecked_never_eligible(match_world: Any) -> None:
    from assistant.catalogue.registry import NoticeRecord, NoticeRegistry

    registry = NoticeRegistry([NoticeRecord(notice_id="none", file="n.txt", title="无规则的通知", kind="call")])
    (row,) = MatchService(registry=registry, checker=match_world.checker).run({}, today=DAY).rows
    assert row.verdict == "unchecked" and row.rules == "none" and "原文" in row.note


@pytest.mark.parametrize("bad", ["2026/13/01", "明天"])
def test_a_bad_date_is_refused_in_chinese(match_world: Any, bad: str) -> None:
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        match_world.service().run({}, today=bad)


def test_exports_hold_every_row(match_world: Any) -> None:
    report = match_world.service().run(read_profile_file(PROFILES / "ineligible.json"), today=DAY)
    csv_text = report.to_csv()
    assert csv_text.startswith("\ufeff分组,通知,项目")
    assert csv_text.count("\n") == len(report.rows) + 1
    md = report.to_markdown()
    assert "2025年6月30日前" in md and "ineligible.json" in md
    assert report.to_json()["groups"]["open"][0]["verdict"] == "ineligible"


def test_drafted_rules_that_left_a_clause_unread_never_say_eligible(match_world: Any) -> None:
    from assistant.catalogue.registry import NoticeRecord, NoticeRegistry
    from assistant.eligibility import EligibilityChecker
    from assistant.eligibility.rules import RuleBook, load_rule_data

    ref = {"section": "一、申报条件", "quote": "注册时间为2024年1月1日前，有较强的科技研发能力"}
    (prog,) = load_rule_data({
        "file": "y.txt", "notice_id": "y", "notice": "某通知", "status": "draft",
        "programmes": [{"id": "y", "title": "某项目", "criteria": [
            {"id": "y-legal", "kind": "hard", "description": "须具有独立法人资格", "facts": ["independent_legal_person"],
             "condition": "is_true", "params": {"fact": "independent_legal_person"}, "reference": ref},
            {"id": "y-unread", "kind": "reminder", "description": "需自行确认：" + ref["quote"], "reference": ref}]}]})
    registry = NoticeRegistry([NoticeRecord(notice_id="y", file="y.txt", title="某通知", kind="call")])
    (row,) = MatchService(registry=registry, checker=EligibilityChecker(RuleBook({"y": prog}))).run(
        {"independent_legal_person": True}, today=DAY).rows
    assert row.verdict == "needs_info" and "未能自动核对" in row.note
    (m,) = row.missing
    assert m.fact == "confirmed_criteria" and ref["quote"] in m.question
