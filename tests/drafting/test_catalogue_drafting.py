"""Drafting over the notice catalogue: programmes and ids from NoticeRegistry, attachments, policy measures,
lazy drafting cached in the data dir, and the shortcut (免申即享) rules the checker honours."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.catalogue.registry import NoticeRecord, NoticeRegistry
from assistant.drafting import ProgrammeRef, RuleDrafter
from assistant.drafting.auto import CatalogueDraftRunner
from assistant.drafting.registry import catalogue_programmes
from assistant.drafting.store import DraftRuleStore
from assistant.eligibility import ApplicantProfile, EligibilityChecker
from assistant.eligibility.rules import load_rules
from assistant.models import Chunk
from tests.drafting.conftest import make_chunk


def _registry() -> NoticeRegistry:
    call = NoticeRecord(notice_id="doc-x", file="notice.md", title="关于申报某计划的通知", region="雄安新区",
                        kind="call", year=2024, programmes=[
                            {"id": "doc-x-p1", "name": "龙头型科技骨干企业", "conditions_heading": "（一）龙头型科技骨干企业"},
                            {"id": "doc-x-p2", "name": "高速成长型科技骨干企业",
                             "conditions_heading": "（二）高速成长型科技骨干企业"}])
    attachment = NoticeRecord(notice_id="doc-x-2", file="notice.md", title="申报书", kind="call",
                              parent="doc-x")
    policy = NoticeRecord(notice_id="doc-p", file="policy.md", title="支持某产业发展的若干措施", region="雄安新区",
                          kind="policy", year=2024)
    event = NoticeRecord(notice_id="doc-e", file="event.md", title="关于举办培训的通知", kind="event")
    return NoticeRegistry([call, attachment, policy, event])


def _chunks() -> list[Chunk]:
    x, p, e = "doc-x", "doc-p", "doc-e"
    return [
        make_chunk(x, 0, ("一、征集对象", "（一）龙头型科技骨干企业"), "1.近三年平均研发投入强度不低于5%；"),
        make_chunk(x, 1, ("一、征集对象", "（二）高速成长型科技骨干企业"), "1.近三年平均研发投入强度不低于10%；"),
        make_chunk("doc-x-2", 0, ("二、申报条件",), "申请企业必须是在雄安新区辖区内进行登记注册的企业法人；"),
        make_chunk(p, 0, ("一、支持创新", "（一）"), "（一）支持平台建设。对在雄安新区新设立的研发机构，给予最高100万元补贴。"),
        make_chunk(p, 1, ("二、支持落地", "（二）"),
                   "（二）支持龙头企业落地。对在雄安新区新设立且实缴注册资本在1000万元以上的企业，给予开办补贴。"),
        make_chunk(p, 2, ("三、其他事项", "（一）"), "（一）本政策自印发之日起施行。"),
        make_chunk(e, 0, ("一、培训内容",), "申报单位须为企业。"),
    ]


def test_programmes_and_ids_come_from_the_catalogue() -> None:
    notices = {n.notice_id: n for n in catalogue_programmes(_registry(), _chunks())}
    assert set(notices) == {"doc-x", "doc-p"}  # an event is not drafted, an attachment goes with its notice
    call = notices["doc-x"]
    assert [p.id for p in call.programmes] == ["doc-x-p1", "doc-x-p2"]
    assert {c.doc_id for c in call.chunks} == {"doc-x", "doc-x-2"}
    assert call.programmes[0].region == "雄安新区" and call.programmes[0].year == 2024


def test_each_programme_gets_only_its_own_heading_clauses_and_the_shared_ones() -> None:
    call = next(n for n in catalogue_programmes(_registry(), _chunks()) if n.notice_id == "doc-x")
    by_prog = {p.id: RuleDrafter().run(call.chunks, p, call.programmes).criteria for p in call.programmes}
    thresholds = {pid: {c["params"].get("threshold") for c in crits if c.get("condition") == "at_least"}
                  for pid, crits in by_prog.items()}
    assert thresholds == {"doc-x-p1": {5}, "doc-x-p2": {10}}
    for crits in by_prog.values():  # the attachment's condition applies to both
        assert any(c.get("condition") == "registered_in_area" for c in crits)


def test_a_policy_with_several_measures_drafts_each_measure_as_a_programme() -> None:
    policy = next(n for n in catalogue_programmes(_registry(), _chunks()) if n.notice_id == "doc-p")
    assert [p.id for p in policy.programmes] == ["doc-p-p1", "doc-p-p2"]
    second = RuleDrafter().run(policy.chunks, policy.programmes[1], policy.programmes).criteria
    assert any(c.get("condition") == "at_least" and c["params"] == {"fact": "registered_capital_wan",
                                                                    "threshold": 1000} for c in second)
    first = RuleDrafter().run(policy.chunks, policy.programmes[0], policy.programmes).criteria
    assert not any(c.get("params", {}).get("fact") == "registered_capital_wan" for c in first)


def test_drafting_is_lazy_cached_and_redone_when_the_file_changes(tmp_path: Path) -> None:
    store = DraftRuleStore(tmp_path / "rules")
    runner = CatalogueDraftRunner(store, seed_ids=[])
    notices = catalogue_programmes(_registry(), _chunks(), {"notice.md": "a", "policy.md": "b"})
    first = runner.run(notices)
    assert {s.notice_id for s in first} == {"doc-x", "doc-p"}
    assert store.notices() == ["doc-p", "doc-x"]
    assert runner.run(notices) == []  # nothing changed: nothing redrafted
    changed = catalogue_programmes(_registry(), _chunks(), {"notice.md": "a2", "policy.md": "b"})
    assert [s.notice_id for s in runner.run(changed)] == ["doc-x"]
    book = load_rules(data_rules_dir=tmp_path / "rules")
    assert {"doc-x-p1", "doc-x-p2", "doc-p-p2"} <= set(book.programmes)


def test_a_reviewed_rule_survives_a_redraft(tmp_path: Path) -> None:
    store = DraftRuleStore(tmp_path / "rules")
    runner = CatalogueDraftRunner(store, seed_ids=[])
    notices = catalogue_programmes(_registry(), _chunks(), {"notice.md": "a"})
    runner.run(notices)
    rule = next(r for r in store.rows("doc-x") if r["condition"] == "at_least")
    store.accept("doc-x", rule["id"], "张三")
    runner.run(notices, force=True)
    row = next(r for r in store.rows("doc-x") if r["id"] == rule["id"])
    assert row["status"] == "reviewed" and row["reviewed_by"] == "张三" and row["reviewed_at"]


@pytest.mark.parametrize("sentence, condition, params", [
    ("（五）实行“免申即享”，已被认定为省级工业诊所的机构自动认定为新区工业诊所。", "holds_recognition",
     {"names": ["省级工业诊所"], "level": "省级"}),
    ("已被认定为河北省省级“专精特新”中小企业的新区企业，可“免申即享”直接纳入培育库。", "holds_qualification",
     {"kinds": ["specialized_sme"]}),
])
def test_a_shortcut_clause_becomes_a_sufficient_rule(sentence: str, condition: str, params: dict) -> None:
    readings = RuleDrafter().read(sentence, ProgrammeRef("p", "某项目", "n", region="雄安新区", year=2024))
    assert [(r.condition, r.params, r.kind) for r in readings] == [(condition, params, "sufficient")]


def test_a_met_shortcut_settles_open_criteria_but_not_a_failing_one(notice_chunks: list[Chunk]) -> None:
    from assistant.eligibility.rules import RuleBook, load_rule_data

    chunks = [*notice_chunks, make_chunk("doc-x", 9, ("二、申报条件", "6."),
                                         "6.已被认定为省级工业诊所的企业，实行免申即享，自动认定。")]
    prog = ProgrammeRef("doc-x", "某计划", "doc-x", region="雄安新区", year=2024)
    data = RuleDrafter().run(chunks, prog).to_rule_file("notice.md", "某通知")
    book = RuleBook({p.id: p for p in load_rule_data(data)})
    checker = EligibilityChecker(book)
    held = {"recognitions": ["省级工业诊所"]}
    assert checker.run("doc-x", ApplicantProfile.from_facts(held)).verdict == "eligible"
    assert checker.run("doc-x", ApplicantProfile.from_facts({}),).verdict == "needs_info"
    outside = {**held, "registered_place": "保定市", "tax_place": "保定市"}
    assert checker.run("doc-x", ApplicantProfile.from_facts(outside)).verdict == "ineligible"
