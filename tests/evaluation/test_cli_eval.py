"""``shenbao eval`` argument handling that needs no index."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.cli import main


def test_llm_metrics_without_key_exit_2_in_chinese(gold_file: Path, tmp_path: Path, env_data_dir: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["eval", "--dataset", str(gold_file), "--out", str(tmp_path / "o"), "--llm-metrics"])
    err = capsys.readouterr().err
    assert code == 2
    assert "OPENAI_API_KEY" in err and "--llm-metrics" in err and "错误：" in err
    assert not (tmp_path / "o").exists() and not env_data_dir.exists()  # failed before any work


def test_bad_threshold_file_and_k(gold_file: Path, tmp_path: Path, env_data_dir: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "t.yaml"
    bad.write_text("default:\n  fact_recall: lots\n", encoding="utf-8")
    assert main(["eval", "--dataset", str(gold_file), "--out", str(tmp_path / "o"),
                 "--thresholds", str(bad)]) == 2
    assert "不是数字" in capsys.readouterr().err
    assert main(["eval", "--dataset", str(gold_file), "--out", str(tmp_path / "o"), "--k", "0"]) == 2
    assert "--k" in capsys.readouterr().err


def test_unknown_baseline_rejected(gold_file: Path, tmp_path: Path) -> None:
    assert main(["eval", "--dataset", str(gold_file), "--out", str(tmp_path), "--baseline", "fancy"]) == 2


def test_merged_datasets_must_not_share_ids(gold_file: Path, tmp_path: Path, env_data_dir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--dataset", str(gold_file), str(gold_file), "--out", str(tmp_path / "o")]) == 2
    assert "重复的 id" in capsys.readouterr().err
