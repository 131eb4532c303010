"""The release gate in CI: the dev set, offline, through `shenbao eval`, must meet evals/thresholds.yaml."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from assistant.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_dev_set_passes_its_thresholds_offline(corpus_settings, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHENBAO_DATA_DIR", str(corpus_settings.data_dir))
    monkeypatch.setenv("SHENBAO_EMBED_CACHE", str(corpus_settings.embed_cache_path))
    out = tmp_path / "eval"
    t0 = time.perf_counter()
    code = main(["eval", "--dataset", str(ROOT / "evals" / "datasets" / "dev.jsonl"), "--out", str(out),
                 "--thresholds", str(ROOT / "evals" / "thresholds.yaml")])
    elapsed = time.perf_counter() - t0
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert code == 0, metrics
    results = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(results) == 42
    assert elapsed < 120, f"dev eval took {elapsed:.0f} s"
