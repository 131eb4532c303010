"""Profile validation, the `shenbao check` CLI and the check_eligibility tool."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.eligibility import ApplicantProfile
from assistant.errors import ProfileError


def test_unknown_key_is_rejected_in_chinese() -> None:
    with pytest.raises(ProfileError, match="未知的申请人信息字段：foo"):
        ApplicantProfile.from_facts({"foo": 1})


@pytest.mark.parametrize(("facts", "field"), [
    ({"entity_type": "外星人"}, "entity_type"),
    ({"registered_date": "2023年13月"}, "registered_date"),
    ({"rd_investment_wan": -5}, "rd_investment_wan"),
    ({"gender": "x"}, "gender"),
    ({"registered_city": "南通", "registered_district": "赣榆区"}, "registered_district"),
])
def test_bad_values_name_the_field(facts: dict, field: str) -> None:
    with pytest.raises(ProfileError, match=field) as info:
        ApplicantProfile.from_facts(facts)
    assert "请" in str(info.value)


def test_chinese_labels_and_normalisation() -> None:
    p = ApplicantProfile.from_facts({"entity_type": "公司", "registered_district": "赣榆", "degree": "博士",
                                     "registered_dat"
                                         "e": "2022-1"
                                             "2", "partner_country": "香港", "birth_date": "1990-05-01"})
    assert p.entity_type == "enterprise" and p.degree == "doctor"
    assert (p.registered_district, p.registered_city, p.registered_province) == ("赣榆区", "连云港市",
        "江苏省")
    assert p.registered_date == "2022-12" and p.birth_date == dt.date(1990, 5, 1)
    assert p.partner_region == "hong_kong" and p.partner_country is None
    schema = {f["name"]: f for f in ApplicantProfile.form_schema()}
    assert schema["entity_type"]["label"] == "单位类型" and schema["entity_type"]["type"] == "choice"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_check_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "check", "--programme", "lyg-2024-key-rd-industry",
                        "--facts", '{"registered_district": "赣榆区"}')
    assert code == 0 and "不符合" in out and "不含赣榆区" in out
    code, out, _ = _run(capsys, "check", "--programme", "nt-2023-frontier", "--facts",
        '{"entity_type": "企业"}',
                        "--json")
    data = json.loads(out)
    assert code == 0 and data["verdict"] == "needs_info" and data["questions"]


def test_cli_facts_from_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "facts.json"
    f.write_text(json.dumps({"gender": "男", "birth_year": 1990, "degree": "博士"}, ensure_ascii=False),
        "utf-8")
    code, out, _ = _run(capsys, "check", "--programme", "lyg-2024-basic-youth", "--facts", f"@{f}", "--json")
    assert code == 0 and json.loads(out)["verdict"] == "eligible"


@pytest.mark.parametrize(("argv", "needle"), [
    (["check", "--programme", "lyg-2024-transfer", "--facts", "{bad"], "不是合法的 JSON"),
    (["check", "--programme", "nope", "--facts", "{}"], "shenbao check --list"),
    (["check", "--programme", "lyg-2024-transfer", "--facts", '{"colour": "red"}'], "未知的申请人信息字段"),
    (["check", "--programme", "lyg-2024-transfer", "--facts", "@/no/such/file.json"], "无法读取"),
    (["check"], "--programme"),
])
def test_cli_errors_exit_2_in_chinese(argv: list[str], needle: str,
    capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert err.startswith("错误：") and needle in err and "Traceback" not in err


def test_cli_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "check", "--list", "--json")
    assert code == 0 and len(json.loads(out)) == 23
    code, out, _ = _run(capsys, "check", "--list")
    assert code == 0 and "nt-2023-frontier" in out


def test_tool_schema_from_profile_and_result() -> None:
    from assistant.eligibility.tool import make_eligibility_tool

    tool = make_eligibility_tool()
    assert tool.name == "check_eligibility"
    assert set(tool.args) == {"programme_id", *ApplicantProfile.model_fields}
    data = json.loads(tool.invoke({"programme_id": "nt-2023-frontier", "rd_investment_wan": 150}))
    assert data["verdict"] == "ineligible" and data["failing"] == ["nt-investment"]
    err = json.loads(tool.invoke({"programme_id": "nope"}))
    assert "shenbao check --list" in err["error"]
