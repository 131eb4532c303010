"""RuleDrafter, the condition-clause finder and the validator on a small notice and on single clauses."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.drafting import DraftValidator, ProgrammeRef, RuleDrafter, find_condition_clauses
from assistant.eligibility import ApplicantProfile, EligibilityChecker
from assistant.eligibility.rules import DRAFT_NOTE, RuleBook, load_rule_data
from assistant.models import Chunk


def _rules(chunks: list[Chunk], prog: ProgrammeRef) -> list[dict[str, Any]]:
    return RuleDrafter().run(chunks, prog).criteria


def test_finder_keeps_condition_sections_and_drops_materials_and_procedure(notice_chunks: list[Chunk]) -> None:
    texts = [c.text for c in find_condition_clauses(notice_chunks)]
    assert any("登记注册和纳税" in t for t in texts)
    assert not any("营业执照" in t for t in texts)
    assert not any("报送材料" in t for t in texts)
    assert not any("人工智能" in t for t in texts)


def test_clauses_become_typed_rules_with_verbatim_quotes(notice_chunks: list[Chunk],
                                                         programme: ProgrammeRef) -> None:
    rules = _rules(notice_chunks, programme)
    sigs = {(r.get("condition"), tuple(sorted((r.get("params") or {}).items()))) for r in rules
            if not any(isinstance(v, list) for v in (r.get("params") or {}).values())}
    assert ("registered_in_area", (("area", "雄安新区"),)) in sigs
    assert ("place_in_area", (("area", "雄安新区"), ("fact", "tax_place"))) in sigs
    assert ("at_least", (("fact", "rd_expense_wan"), ("threshold", 300))) in sigs
    assert ("at_least", (("fact", "rd_staff_count"), ("threshold", 30))) in sigs
    text = "".join(c.text for c in notice_chunks)
    for r in rules:
        assert r["reference"]["quote"] in text
        assert r["status"] == "draft"


def test_a_clause_no_reader_understands_becomes_a_reminder(notice_chunks: list[Chunk],
                                                            programme: ProgrammeRef) -> None:
    rem = [r for r in _rules(notice_chunks, programme) if r["kind"] == "reminder"]
    assert any(r["description"] == f"需自行确认：{r['reference']['quote']}" and "技术创新机制" in r["description"]
               for r in rem)


def test_a_threshold_with_alternatives_is_not_certain(notice_chunks: list[Chunk], programme: ProgrammeRef) -> None:
    rev = [r for r in _rules(notice_chunks, programme) if (r.get("params") or {}).get("fact") == "annual_revenue_wan"]
    assert rev and all(r["certain"] is False for r in rev)


def test_drafts_pass_the_validator_and_the_loader(notice_chunks: list[Chunk], programme: ProgrammeRef) -> None:
    result = RuleDrafter().run(notice_chunks, programme)
    report = DraftValidator(notice_chunks).run(result.to_rule_file("notice.md", "关于申报某计划的通知"))
    assert not report.dropped and report.kept == len(result.criteria)
    assert load_rule_data(report.rule_file)


def test_validator_drops_a_quote_not_in_the_notice(notice_chunks: list[Chunk], programme: ProgrammeRef) -> None:
    rule_file = RuleDrafter().run(notice_chunks, programme).to_rule_file("notice.md", "n")
    rule_file["programmes"][0]["criteria"][0]["reference"]["quote"] = "通知里没有的一句话"
    report = DraftValidator(notice_chunks).run(rule_file)
    assert report.dropped and report.dropped[0][1] == "引文不在通知原文中"


def test_validator_drops_unknown_conditions_and_bad_params(notice_chunks: list[Chunk],
                                                           programme: ProgrammeRef) -> None:
    rule_file = RuleDrafter().run(notice_chunks, programme).to_rule_file("notice.md", "n")
    crits = [c for c in rule_file["programmes"][0]["criteria"] if c.get("condition")]
    crits[0]["condition"] = "no_such_condition"
    crits[1]["params"] = {"fact": "rd_expense_wan", "threshold": "三百"}
    report = DraftValidator(notice_chunks).run(rule_file)
    assert {cid for cid, _ in report.dropped} == {crits[0]["id"], crits[1]["id"]}


def _book(notice_chunks: list[Chunk], programme: ProgrammeRef) -> RuleBook:
    rule_file = RuleDrafter().run(notice_chunks, programme).to_rule_file("notice.md", "关于申报某计划的通知")
    return RuleBook({p.id: p for p in load_rule_data(rule_file)})


def test_checker_rules_on_draft_rules_and_says_so(notice_chunks: list[Chunk], programme: ProgrammeRef) -> None:
    res = EligibilityChecker(_book(notice_chunks, programme)).run(
        "doc-x", ApplicantProfile.from_facts({"registered_place": "保定", "rd_expense_wan": 400}))
    assert res.verdict == "ineligible"
    assert res.draft_note == DRAFT_NOTE and res.to_json()["draft_note"] == DRAFT_NOTE


def test_an_uncertain_draft_rule_never_rules_out(notice_chunks: list[Chunk], programme: ProgrammeRef) -> None:
    facts = {"registered_place": "容城", "tax_place": "容城", "entity_type": "企业", "independent_legal_person": True,
             "rd_expense_wan": 400, "rd_staff_count": 40, "annual_revenue_wan": 500, "dishonest_listed": False}
    res = EligibilityChecker(_book(notice_chunks, programme)).run("doc-x", ApplicantProfile.from_facts(facts))
    assert res.verdict == "needs_info"
    assert any("营业收入在1000万元以上" in q for q in res.questions)


@pytest.mark.parametrize("sentence, condition, params", [
    ("申报单位须为2022年12月31日前在江苏省注册的独立法人机构。", "date_before",
     {"fact": "registered_date", "date": "2022-12-31", "inclusive": True}),
    ("申报企业应为2023年1月1日前在本市注册的企业。", "date_before",
     {"fact": "registered_date", "date": "2023-01-01", "inclusive": False}),
    ("项目牵头单位应为在市辖区（不含赣榆区）内注册的法人单位。", "registered_in_city_districts_excluding",
     {"city": "连云港市", "excluded": ["赣榆区"], "admin_kinds": ["district", "zone"]}),
    ("新招用在新区三县注册的企业员工。", "registered_in_area", {"area": "雄安新区三县"}),
    ("3.通过河北省“创新型中小企业”评定；", "holds_qualification", {"kinds": ["innovative_sme"]}),
    ("上年度研发费用总额不低于100万元，且占营业收入总额比重不低于3%。", "at_least",
     {"fact": "rd_expense_ratio", "threshold": 3}),
    ("对在新区新设立且实缴注册资本在1000万元以上的企业。", "at_least", {"fact": "registered_capital_wan", "threshold": 1000}),
    ("有在研省科技计划项目的企业，不得申报本年度省科技计划项目。", "not_holding",
     {"fact": "ongoing_projects", "kinds": ["provincial_st", "provincial_transfer", "provincial_jiebang_saima",
                                             "provincial_intl"]}),
    ("申报单位为高校、科研机构的，须联合至少1家连云港企业参与。", "partner_company_in", {"area": "连云港市"}),
])
def test_single_clauses(sentence: str, condition: str, params: dict[str, Any]) -> None:
    prog = ProgrammeRef("p", "p", "n", region="雄安新区" if "新区" in sentence else "连云港市", year=2024)
    readings = RuleDrafter().read(sentence, prog)
    assert any(r.condition == condition and r.params == params for r in readings), \
        [(r.condition, r.params) for r in readings]


def test_an_exemption_is_not_a_condition() -> None:
    prog = ProgrammeRef("p", "p", "n", region="雄安新区", year=2024)
    assert RuleDrafter().read("疏解单位申报平台的，不受注册地址和独立法人资格条件限制；", prog) == []


def test_programme_scoping_by_marker_lines() -> None:
    from tests.drafting.conftest import make_chunk

    chunks = [make_chunk("d", 0, ("三、申报条件",), "6101 甲类合作项目：说明。\n以企业为主体申报。"),
              make_chunk("d", 1, ("三、申报条件",), "6201 乙类研发项目：说明。\n以高校为主体申报。"),
              make_chunk("d", 2, ("四、申报要求",), "申报单位须具有独立法人资格。")]
    a = ProgrammeRef("a", "某市2024年度计划 6101 甲类合作项目", "d", region="连云港市")
    b = ProgrammeRef("b", "某市2024年度计划 6201 乙类研发项目", "d", region="连云港市")
    ra = {(r.get("condition"), str(r.get("params"))) for r in RuleDrafter().run(chunks, a, [a, b]).criteria}
    assert ("value_in", str({"fact": "entity_type", "allowed": ["enterprise"]})) in ra
    assert ("value_in", str({"fact": "entity_type", "allowed": ["university"]})) not in ra
    assert ("is_true", str({"fact": "independent_legal_person"})) in ra


@pytest.mark.parametrize("sentence, readings", [
    ("在2022年5月1日至2022年12月31日期间新招用本地户籍人员的，给予补贴。",
     [("date_on_or_after", {"fact": "hire_date", "date": "2022-05-01"}),
      ("date_before", {"fact": "hire_date", "date": "2022-12-31", "inclusive": True})]),
    ("对于2022年4月29日至2022年12月31日之间发生的新增贷款，给予贴息。",
     [("date_on_or_after", {"fact": "loan_date", "date": "2022-04-29"}),
      ("date_before", {"fact": "loan_date", "date": "2022-12-31", "inclusive": True})]),
    ("需与劳动者签订6个月以上期限劳动合同。", [("at_least", {"fact": "labour_contract_months", "threshold": 6})]),
    ("申报项目实施地在新区，并已开工建设。",
     [("place_in_area", {"fact": "project_place", "area": "雄安新区"}), ("is_true", {"fact": "project_started"})]),
    ("企业2024年4月1日前三年内不得发生因违反海关、税收有关法律法规的行政处罚行为。",
     [("is_false", {"fact": "recent_administrative_penalty"})]),
    ("设备购置时间应在2023年3月2日以后。",
     [("date_on_or_after", {"fact": "equipment_purchase_date", "date": "2023-03-02"})]),
    ("生产产品在首批三类产品（衬衫、西服、皮鞋）范围内。",
     [("text_matches_any", {"fact": "industry", "keywords": ["衬衫", "西服", "皮鞋"]})]),
])
def test_clauses_of_the_grown_vocabulary(sentence: str, readings: list[tuple[str, dict[str, Any]]]) -> None:
    got = [(r.condition, r.params) for r in RuleDrafter().read(
        sentence, ProgrammeRef("p", "某项目", "n", region="雄安新区", year=2024))]
    for expected in readings:
        assert expected in got, got


def test_alternatives_under_a_heading_form_a_group_met_by_any_one() -> None:
    from tests.drafting.conftest import make_chunk

    head = ("二、申报条件", "（三）财务指标应满足下列条件之一：")
    chunks = [make_chunk("doc-a", 0, ("二、申报条件", "（一）"), "（一）申请企业须在新区注册。"),
              make_chunk("doc-a", 1, (*head, "1."), "1.上年度营业收入不低于5000万元；"),
              make_chunk("doc-a", 2, (*head, "2."), "2.近两年研发投入合计不低于4000万元；")]
    prog = ProgrammeRef("doc-a", "某库", "doc-a", region="雄安新区", year=2024)
    data = RuleDrafter().run(chunks, prog).to_rule_file("a.md", "某通知")
    alts = [c for c in data["programmes"][0]["criteria"] if c.get("any_of")]
    assert len(alts) == 2 and len({c["any_of"] for c in alts}) == 1 and not any(c["certain"] for c in alts)
    checker = EligibilityChecker(RuleBook({p.id: p for p in load_rule_data(data)}))
    base = {"registered_place": "容城县"}
    one = ApplicantProfile.from_facts({**base, "annual_revenue_wan": 6000, "rd_investment_wan": 100})
    assert checker.run("doc-a", one).verdict == "eligible"
    none = ApplicantProfile.from_facts({**base, "annual_revenue_wan": 100, "rd_investment_wan": 100})
    assert checker.run("doc-a", none).verdict == "needs_info"  # alternatives are never certain enough to rule out
    assert checker.run("doc-a", ApplicantProfile.from_facts({"registered_place": "保定市"})).verdict == "ineligible"
