"""Facts of the general vocabulary from what applicants say: places at any level, qualifications (and their
negation), loosely said amounts, counts, ratios, credit, tax place, dates in every common form."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.eligibility import ApplicantProfile, FactExtractor, ProgrammeVocabulary


@pytest.fixture(scope="module")
def fx() -> FactExtractor:
    return FactExtractor()


@pytest.mark.parametrize("question, expected", [
    ("我们是2023年在雄安新区注册的企业，营收3000万，有2项发明专利，是科技型中小企业",
     {"registered_city": "雄安新区", "registered_date": "2023", "annual_revenue_wan": 3000.0,
      "invention_patent_count": 2, "qualifications_held": ["tech_sme"], "entity_type": "enterprise"}),
    ("我们不是高新技术企业，没有失信记录", {"qualifications_not_held": ["high_tech_enterprise"],
                                             "dishonest_listed": False}),
    ("营收三千多万", {"annual_revenue_wan": 3000.0}),
    ("营业收入3千万", {"annual_revenue_wan": 3000.0}),
    ("注册资本0.3亿", {"registered_capital_wan": 3000.0}),
    ("研发费用200万元，研发人员35人，员工120人", {"rd_expense_wan": 200.0, "rd_staff_count": 35,
                                                 "employee_count": 120}),
    ("研发投入强度大概6%", {"rd_expense_ratio": 6.0}),
    ("公司注册、纳税都在雄县", {"registered_district": "雄县", "tax_place": "雄县"}),
    ("2022年被税务局认定偷税处罚过", {"serious_violation": True}),
    ("近两年没有违法违规和失信记录", {"serious_violation": False, "dishonest_listed": False}),
    ("成立于2023.5.1", {"registered_date": "2023-05-01"}),
    ("2023-05-01注册的公司", {"registered_date": "2023-05-01"}),
    ("2023年5月注册的公司", {"registered_date": "2023-05"}),
    ("去年注册的企业", {"registered_date": "2023"}),
    ("我们是容城的企业，已被认定为专精特新中小企业", {"registered_district": "容城县",
                                                      "qualifications_held": ["specialized_sme"]}),
])
def test_general_facts(question: str, expected: dict[str, Any], fx: FactExtractor) -> None:
    facts = fx.run(question).facts
    for key, value in expected.items():
        assert facts.get(key) == value, (key, facts)
    ApplicantProfile.from_facts(facts)  # every extracted fact validates


def test_a_qualification_asked_for_is_not_held(fx: FactExtractor) -> None:
    facts = fx.run("我们能申请高新技术企业认定吗？").facts
    assert "high_tech_enterprise" not in (facts.get("qualifications_held") or [])


def test_the_programme_list_is_input_data(fx: FactExtractor) -> None:
    vocab = ProgrammeVocabulary.from_data({"aliases": [{"pattern": "雄安工坊", "ids": ["xa-workshop"]}]})
    ex = FactExtractor(programmes=vocab).run("我们能报雄安工坊试点产品吗")
    assert ex.programme_id == "xa-workshop"
    assert fx.run("我们能报雄安工坊试点产品吗").programme_id is None


@pytest.mark.parametrize("question, expected", [
    ("我们去年已被认定为省级工业设计中心了，还要申报吗", {"recognitions": ["省级工业设计中心"]}),
    ("我们被一家上市公司控股70%", {"related_to_recognized_enterprise": True}),
    ("我们被一家高新技术企业持股30%", {"related_to_recognized_enterprise": False}),
    ("2023年因为漏税被税务局处罚过", {"recent_administrative_penalty": True}),
    ("2019年被海关罚款过一次", {"recent_administrative_penalty": False}),
    ("生产线设备是2023年5月购置的，已经投入使用", {"equipment_purchase_date": "2023-05",
                                                 "equipment_in_use": True}),
    ("我们是做羽绒服的工厂", {"industry": "羽绒服"}),
    ("2022年9月新招了5名雄县户籍的工人，签了2年劳动合同", {"hire_date": "2022-09", "hire_hukou_place": "雄县",
                                                     "labour_contract_months": 24}),
    ("2022年7月在银行提款了一笔贷款，一直正常纳税", {"loan_date": "2022-07", "tax_compliant": True}),
])
def test_facts_of_the_grown_vocabulary(question: str, expected: dict[str, Any], fx: FactExtractor) -> None:
    facts = fx.run(question).facts
    for key, value in expected.items():
        assert facts.get(key) == value, (key, facts)
    ApplicantProfile.from_facts(facts)  # every extracted fact is a valid profile value
