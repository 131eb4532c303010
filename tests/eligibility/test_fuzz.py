"""Hypothesis fuzzing over the extractor and the checker."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.eligibility import ApplicantProfile, EligibilityChecker, FactExtractor, load_rules
from assistant.eligibility.checker import VERDICTS

PROGRAMMES = sorted(load_rules().programmes)
WORDS = [
    "赣榆区", "海州区", "东海县", "徐圩新区", "开发区", "南通", "苏州", "上海", "以色列",
    "新加坡", "香港", "企业", "高校", "研究所", "没有", "无", "未", "不",
    "在研", "市科技成果转化", "揭榜挂帅", "省科技计划", "博士", "硕士", "高级职称", "男", "女",
    "1990年", "2023年5月", "2022-12", "去年", "90后", "35岁", "150万元", "1.2亿元", "%",
    "授权发明专利", "独立法人", "双创计划", "外籍", "牵头", "参与", "一带一路", "能申报吗？", "，",
    "。", "重点国别", "前瞻性", "青年项目", "4202", "6401", "同时申报", "市重点研发计划", "贯标",
    "工作许可",
]

_checker = EligibilityChecker()
_fx = FactExtractor()


def _check_result(pid: str, profile: ApplicantProfile) -> None:
    res = _checker.run(pid, profile)
    assert res.verdict in VERDICTS
    if res.verdict == "ineligible":
        assert res.failing and all(c.reference.quote for c in res.failing)
    if res.verdict == "needs_info":
        assert res.questions
    if res.verdict == "eligible":
        assert all(c.status == "met" for c in res.criteria if c.kind in ("hard", "advisory"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS), max_size=14).map("".join) | st.text(max_size=80))
def test_extractor_then_checker_never_raises(question: str) -> None:
    ex = _fx.run(question)
    profile = ApplicantProfile.from_facts(ex.facts)  # the extractor only produces valid facts
    for pid in ([ex.programme_id] if ex.programme_id else ex.programme_candidates) or PROGRAMMES[:3]:
        _check_result(pid, profile)


_VALUES = {
    "entity_type": st.sampled_from(["enterprise", "university", "research_institute", "individual", "other"]),
    "registered_district": st.sampled_from(["赣榆区", "海州区", "连云区", "灌云县", "徐圩新区", "崇川区",
        "江宁区"]),
    "registered_date": st.dates(dt.date(1990, 1, 1), dt.date(2024, 12, 31)).map(str) | st.sampled_from(
        ["2022", "2023-01", "2024-06"]),
    "independent_legal_person": st.booleans(),
    "ongoing_projects": st.lists(st.sampled_from(["city_transfer", "provincial_st", "other", "city_jiebang"]),
                                 max_size=2),
    "rd_investment_wan": st.floats(0, 1000, allow_nan=False),
    "degree": st.sampled_from(["doctor", "master", "not_doctor"]),
    "professional_title": st.sampled_from(["senior", "intermediate", "not_senior"]),
    "gender": st.sampled_from(["male", "female"]),
    "birth_year": st.integers(1960, 2005),
    "age": st.integers(20, 60),
    "partner_country": st.sampled_from(["新加坡", "德国", "以色列", "泰国"]),
    "partner_region": st.sampled_from(["hong_kong", "taiwan"]),
    "nationality": st.sampled_from(["foreign", "chinese"]),
    "selected_talent_programmes": st.lists(st.sampled_from(["江苏省双创计划", "花果山英才计划", "某省百人计划"]), max_size=1),
    "tech_service_revenue_share": st.floats(0, 100, allow_nan=False),
    "has_granted_invention_patent_3y": st.booleans(),
    "has_own_ip": st.booleans(),
    "local_arrival_date": st.sampled_from(["2022-12", "2023-01-01", "2023"]),
    "overseas_institution_date": st.sampled_from(["2022-12-31", "2023-01", "2024-06-30"]),
    "offshore_institution_type": st.sampled_from(["rd_institution", "incubator"]),
}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PROGRAMMES), st.fixed_dictionaries({}, optional=_VALUES))
def test_checker_over_random_profiles(pid: str, facts: dict) -> None:
    _check_result(pid, ApplicantProfile.from_facts(facts))
