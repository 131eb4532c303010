"""``shenbao match --profile FILE``: JSON facts or a pasted record, over a real index whose rules were drafted by
``shenbao rules draft``; JSON, text, Markdown and CSV; bad input exits 2 with a Chinese message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from tests.matching.conftest import DAY, PROFILES


@pytest.fixture
def env(match_index: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SHENBAO_DATA_DIR", str(match_index.data_dir))
    monkeypatch.setenv("SHENBAO_CORPUS_DIR", str(match_index.corpus_dir))
    return match_index


def test_json_output_per_verdict_kind(env: Any, capsys: pytest.CaptureFixture[str]) -> None:
    for name, verdict in (("eligible.json", "eligible"), ("ineligible.json", "ineligible"),
                          ("needs_info.json", "needs_info"), ("record.txt", "needs_info")):
        assert main(["match", "--profile", str(PROFILES / name), "--json", "--date", DAY]) == 0
        out = json.loads(capsys.readouterr().out)
        (row,) = [r for r in out["groups"]["open"] if "研发投入补助" in r["notice_title"]]
        assert row["verdict"] == verdict, name
        assert row["status_label"] == "申报中·剩余19天" and row["rules"] == "draft"
    assert out["facts"] and all(f["source"].startswith("企业信息 record.txt") for f in out["facts"])


def test_open_only_text_markdown_and_csv(env: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", "--profile", str(PROFILES / "ineligible.json"), "--open-only", "--date", DAY]) == 0
    text = capsys.readouterr().out
    assert "[不符合]" in text and "2025年6月30日前" in text and "往期" not in text
    assert main(["match", "--profile", str(PROFILES / "needs_info.json"), "--markdown", "--date", DAY]) == 0
    md = capsys.readouterr().out
    assert md.startswith("# 可申报项目匹配（2026-12-01）") and "## 长期政策，按细则申请" in md
    assert main(["match", "--profile", str(PROFILES / "needs_info.json"), "--csv", "--date", DAY]) == 0
    assert capsys.readouterr().out.startswith("\ufeff分组,通知,项目")


@pytest.mark.parametrize(("content", "words"), [
    ('{"registered_date": "去年"}', "registered_date"),
    ("", "企业信息为空"),
])
def test_bad_profiles_exit_2_in_chinese(env: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        content: str, words: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(content, encoding="utf-8")
    assert main(["match", "--profile", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and words in err and "Traceback" not in err


def test_a_missing_file_and_a_bad_date(env: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", "--profile", "/no/such/file.json"]) == 2
    assert "无法读取申请人信息文件" in capsys.readouterr().err
    assert main(["match", "--profile", str(PROFILES / "eligible.json"), "--date", "12/01"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_no_index_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SHENBAO_DATA_DIR", str(tmp_path / "empty"))
    assert main(["match", "--profile", str(PROFILES / "eligible.json")]) == 2
    assert "shenbao ingest" in capsys.readouterr().err
