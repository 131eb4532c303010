"""Rules: every quote verbatim in its corpus file, references well-formed, drift check, checker logic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.eligibility import (
    ApplicantProfile,
    EligibilityChecker,
    RuleDriftCheck,
    list_programmes,
    load_rules,
)
from assistant.eligibility.rules import load_rule_file
from assistant.errors import RuleError

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"

PROGRAMME_IDS = {
    "lyg-2024-key-rd-industry", "lyg-2024-key-rd-social", "lyg-2024-transfer", "lyg-2024-capacity-4101",
    "lyg-2024-capacity-4201", "lyg-2024-capacity-4202", "lyg-2024-capacity-4301", "lyg-2024-soft-science",
    "lyg-2024-intl-6101", "lyg-2024-intl-6201", "lyg-2024-intl-6301", "lyg-2024-intl-6302",
    "lyg-2024-intl-6401", "lyg-2024-intl-6402", "lyg-2024-basic-youth", "lyg-2024-basic-general",
    "js-2024-intl-bilateral", "js-2024-intl-country", "js-2024-intl-belt-road", "js-2024-intl-hmt",
    "js-2024-intl-transfer-agency", "js-2024-intl-offshore", "nt-2023-frontier",
}
NOTICES = {
    "lyg-2024-industry": "2024年度市重点研发计划（产业前瞻与关键技术）项目指南",
    "lyg-2024-social": "2024年度市重点研发计划（社会发展）项目指南",
    "lyg-2024-transfer": "2024年度市科技成果转化计划项目指南",
    "lyg-2024-capacity": "2024年度市创新能力建设计划项目指南",
    "lyg-2024-soft": "2024年度市政策引导类计划（软科学研究）项目指南",
    "lyg-2024-intl": "2024年度市政策引导类计划（国际科技合作/港澳台科技合作、引进外国人才）项目指南",
    "lyg-2024-basic": "2024年度市基础研究计划项目指南",
    "js-2024-intl": "关于组织申报2024年度省科技计划专项资金（国际科技合作/港澳台科技合作计划）项目的通知",
    "nt-2023-frontie"
        "r": "关于印发《2023年度南通市重点研发计划（前瞻性技术创新专项）项目指南》及组织申报项目的通知",
}
JS_HEADER = ["江苏省科学技术厅", "江苏省财政厅文件", "苏科资发〔2024〕21号"]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_catalogue_is_complete() -> None:
    assert {p["id"] for p in list_programmes()} == PROGRAMME_IDS


@pytest.mark.parametrize("crit", load_rules().criteria(), ids=lambda c: c.id)
def test_quote_found_verbatim_in_corpus(crit) -> None:  # type: ignore[no-untyped-def]
    text = (CORPUS / crit.reference.file).read_text(encoding="utf-8")
    assert _squash(crit.reference.quote) in _squash(text)
    assert crit.reference.notice == NOTICES[crit.reference.notice_id]
    for part in crit.reference.section.split(" > "):  # every heading of the path is in the file
        label = part[:-1] if part.endswith(".") else part
        assert label and label in _squash(text), part
    assert not any(h in _squash(crit.reference.quote) for h in JS_HEADER)  # never across the page header


def test_every_programme_has_a_hard_or_advisory_criterion() -> None:
    for prog in load_rules().programmes.values():
        assert any(c.kind in ("hard", "advisory") for c in prog.criteria), prog.id


def test_drift_check_flags_vanished_quote() -> None:
    texts = {p.name: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")}
    check = RuleDriftCheck()
    assert check.run(texts) == []
    name = "lianyungang-2024-municipal-programme-guides.txt"
    # a re-ingested guide where the 赣榆区 exclusion was reworded, and the lines re-broken elsewhere
    changed = texts[name].replace("（不含赣榆区）", "（含赣榆区）").replace("。", "。\n \n")
    drifted = check.run({name: changed})
    assert "lyg-ind-region" in drifted and "lyg-ind-legal-person" in drifted
    assert all(d.startswith("lyg-") for d in drifted)
    assert "nt-investment" not in check.run({name: changed})  # files not re-ingested are not judged


def test_unknown_programme_names_list_command() -> None:
    with pytest.raises(RuleError, match="shenbao check --list"):
        EligibilityChecker().run("no-such-programme", ApplicantProfile())


def test_bad_rule_file_is_a_rule_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("file: x.txt\nnotice_id: x\nnotice: X\nprogrammes:\n  - id: p\n    title: P\n    criteri"
        "a:\n"
                   "      - {id: c, kind: hard, description: d, facts: [nope], condition: is_true,"
                   " reference: {section: s, quote: q}}\n", encoding="utf-8")
    with pytest.raises(RuleError, match="nope"):
        load_rule_file(bad)
    bad.write_text("file: x.txt\nnotice_id: x\nnotice: X\nprogrammes:\n  - id: p\n    title: P\n    criteri"
        "a:\n"
                   "      - {id: c, kind: hard, description: d, condition: no_such_condition,"
                   " reference: {section: s, quote: q}}\n", encoding="utf-8")
    with pytest.raises(RuleError, match="no_such_condition"):
        load_rule_file(bad)


def test_needs_info_asks_exactly_the_missing_facts() -> None:
    result = EligibilityChecker().run("lyg-2024-basic-youth",
        ApplicantProfile.from_facts({"degree": "doctor"}))
    assert result.verdict == "needs_info"
    assert result.missing_facts == ["gender", "birth_year"]
    assert result.questions == [ApplicantProfile.missing_fact_question("gender"),
                                ApplicantProfile.missing_fact_question("birth_year")]
    assert result.questions[0].startswith("性别：")  # the fact is asked for by its Chinese name


def test_result_json_shape() -> None:
    res = EligibilityChecker().run("lyg-2024-key-rd-industry",
                                   ApplicantProfile.from_facts({"registered_district": "赣榆区"}))
    data = res.to_json()
    assert data["verdict"] == "ineligible" and data["failing"] == ["lyg-ind-region"]
    crit = next(c for c in data["criteria"] if c["id"] == "lyg-ind-region")
    assert crit["reference"]["section"] == "三、申报要求 > 2."
    assert "不含赣榆区" in crit["reference"]["quote"]
    assert {c["kind"] for c in data["criteria"]} <= {"hard", "advisory", "reminder"}


def test_advisory_never_makes_ineligible() -> None:
    facts = {"entity_type": "enterprise", "registered_district": "海州区", "registered_date": "2020-01-01",
             "independent_legal_person": True, "ongoing_projects": [], "has_own_ip": True,
             "annual_revenue_wan": 10, "profitable": False}
    res = EligibilityChecker().run("lyg-2024-transfer", ApplicantProfile.from_facts(facts))
    assert res.verdict == "needs_info" and not res.failing
    assert {c.id for c in res.criteria if c.status == "not_met"} == {"lyg-tr-revenue", "lyg-tr-profitable"}
