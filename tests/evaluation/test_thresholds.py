"""The release gate: minimums, latency maximums, per-dataset sections, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.evaluation.thresholds import ThresholdGate

ROOT = Path(__file__).resolve().parents[2]

GOOD = {"k": 5, "evidence_at_k": 0.97, "fact_recall": 0.95, "verdict_accuracy": 1.0, "refusal_accuracy": 1.0,
        "citation_validity": 1.0, "latency_p95_ms": 80.0, "ragas": {"rouge_score": 0.4},
        "baseline": {"k": 5, "evidence_at_k": 0.5, "fact_recall": 0.3}}


def gate(tmp_path: Path, text: str, dataset: str | None = None) -> ThresholdGate:
    p = tmp_path / "t.yaml"
    p.write_text(text, encoding="utf-8")
    return ThresholdGate(p, dataset)


def test_project_thresholds_file_is_valid_and_strict_for_dev() -> None:
    g = ThresholdGate(ROOT / "evals" / "thresholds.yaml", "dev")
    assert g.limits == {"evidence_at_5": 0.95, "fact_recall": 0.90, "verdict_accuracy": 1.0,
                        "refusal_accuracy": 1.0, "citation_validity": 1.0}
    assert g.run(GOOD) == []
    misses = g.run({**GOOD, "fact_recall": 0.899, "verdict_accuracy": 0.8})
    assert [m.metric for m in misses] == ["fact_recall", "verdict_accuracy"]
    assert "fact_recall=0.899" in misses[0].describe() and "0.9" in misses[0].describe()


def test_dataset_section_overrides_default(tmp_path: Path) -> None:
    text = "default:\n  fact_recall: 0.99\nextra:\n  fact_recall: 0.5\n"
    assert gate(tmp_path, text, "extra").run(GOOD) == []
    assert [m.metric for m in gate(tmp_path, text, "dev").run(GOOD)] == ["fact_recall"]


def test_latency_is_an_upper_bound_and_ragas_baseline_keys(tmp_path: Path) -> None:
    g = gate(tmp_path, "default:\n  latency_p95_ms: 50\n  ragas.rouge_score: 0.5\n"
                       "  baseline.evidence_at_5: 0.4\n")
    misses = {m.metric: m for m in g.run(GOOD)}
    assert set(misses) == {"latency_p95_ms", "ragas.rouge_score"}
    assert misses["latency_p95_ms"].upper


def test_evidence_threshold_only_checked_at_its_k(tmp_path: Path) -> None:
    g = gate(tmp_path, "default:\n  evidence_at_5: 0.99\n")
    assert [m.metric for m in g.run(GOOD)] == ["evidence_at_5"]
    assert g.run({**GOOD, "k": 3}) == []


def test_missing_metric_is_a_miss(tmp_path: Path) -> None:
    misses = gate(tmp_path, "default:\n  ragas.faithfulness: 0.5\n").run(GOOD)
    assert misses[0].value is None and "无" in misses[0].describe()


@pytest.mark.parametrize("text", ["default: [1, 2]\n", "default:\n  fact_recall: high\n", "- a\n",
                                  "default:\n  fact_recall: true\n", "default: {a: [\n"])
def test_bad_files_raise_config_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError):
        gate(tmp_path, text)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="不存在"):
        ThresholdGate(tmp_path / "nope.yaml")
