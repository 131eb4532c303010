"""The company-record reader: facts only from what a line states, each with its line; JSON facts; bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import InputError, ProfileError
from assistant.matching import CompanyRecordReader, read_profile_file, read_profile_text
from tests.conftest import SHARED
from tests.matching.conftest import PROFILES

HUAQING = SHARED / "corpus-xiongan" / "company_xiongan_huaqing.txt"


def test_each_fact_of_a_record_shows_the_line_it_came_from() -> None:
    sp = read_profile_file(PROFILES / "record.txt")
    known = sp.profile.known()
    assert known["registered_date"] == "2024-03-15"
    assert known["registered_district"] == "容城县" and known["registered_city"] == "雄安新区"
    assert set(known["qualifications_held"]) == {"high_tech_enterprise", "tech_sme", "sme"}
    assert known["entity_type"] == "enterprise" and known["independent_legal_person"] is True
    lines = (PROFILES / "record.txt").read_text(encoding="utf-8").splitlines()
    for fact in ("registered_date", "registered_city", "qualifications_held", "organization_name"):
        src = sp.source_of(fact)
        assert src is not None and src.line is not None
        assert lines[src.line - 1].strip() in src.text


def test_a_qualification_the_record_does_not_mention_stays_unknown() -> None:
    sp = read_profile_text("企业名称：某某科技有限公司\n成立日期：2020-05-06\n企业规模：小微企业")
    assert sp.profile.qualifications_not_held is None
    assert sp.profile.qualifications_held == ["sme"]


def test_a_record_stating_no_qualification_says_none_held() -> None:
    sp = read_profile_text("企业名称：某某科技有限公司\n资质：无\n高新技术企业：否")
    assert "high_tech_enterprise" in (sp.profile.qualifications_not_held or [])
    assert sp.profile.qualifications_held is None


def test_registered_capital_is_not_taken_for_paid_in_capital() -> None:
    sp = read_profile_text("企业名称：某某科技有限公司\n注册资本：360万人民币\n实缴资本：100万人民币")
    assert sp.profile.registered_capital_wan == 100
    assert any("认缴" in reason for text, reason in sp.unused if text.startswith("注册资本"))


def test_a_branch_is_not_an_independent_legal_person() -> None:
    sp = read_profile_text("某某科技有限公司南通分公司\n成立日期：2021-01-01")
    assert sp.profile.independent_legal_person is False


@pytest.mark.skipif(not HUAQING.exists(), reason="shared Xiong'an corpus not present")
def test_the_shared_company_record() -> None:
    sp = read_profile_file(HUAQING)
    known = sp.profile.known()
    assert known["registered_city"] == "雄安新区" and known["registered_date"] == "2025-01-21"
    assert known["qualifications_held"] == ["sme"]
    assert "dishonest_listed" not in known  # 经营风险 0条 is not a statement about the blacklists
    assert all(f["source"] for f in sp.facts_json())


def test_json_files_read_as_facts(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"registered_place": "南通市", "rd_expense_wan": 80}), encoding="utf-8")
    sp = read_profile_file(path)
    assert sp.profile.registered_city == "南通市"
    assert sp.source_of("rd_expense_wan").origin == "JSON 文件 p.json"  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "error", "words"), [
    ("", InputError, "企业信息为空"),
    ("你好\n今天天气不错", InputError, "未能从企业信息中识别"),
    ('{"registered_place": ', InputError, "不是合法的 JSON"),
    ('{"colour": "red"}', ProfileError, "未知的申请人信息字段"),
    ("成立日期：2020-02-30\n企业名称：某某科技有限公司", None, None),
])
def test_bad_input_gets_a_chinese_message(text: str, error: type[Exception] | None, words: str | None) -> None:
    if error is None:  # an impossible date is not read, the rest is
        sp = read_profile_text(text)
        assert sp.profile.registered_date is None and ("成立日期：2020-02-30", "无法识别该值") in sp.unused
        return
    with pytest.raises(error, match=words):
        read_profile_text(text)


def test_the_reader_refuses_a_table_without_its_parts() -> None:
    with pytest.raises(ValueError, match="labels"):
        CompanyRecordReader(table={"name_suffixes": {}, "ignored": {}})
