"""Our metrics agree with the official scorer (shared/eval/score.py) on the same files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.evaluation.dataset import load_dataset
from assistant.evaluation.metrics import corpus_text, evidence_hit, score
from assistant.evaluation.thresholds import ThresholdGate
from tests.conftest import SHARED

SCORER = SHARED / "eval" / "score.py"
KEYS = ("evidence_at_k", "fact_recall", "verdict_accuracy", "refusal_accuracy", "citation_validity")


def official(gold: Path, results: Path, corpus: Path, *extra: str) -> tuple[dict[str, str], set[str], int]:
    """Run the official scorer: its printed metrics, its misses, its exit code."""
    proc = subprocess.run([sys.executable, str(SCORER), str(gold), str(results), str(corpus), *extra],
                          capture_output=True, text=True, timeout=60)
    values, misses = {}, set()
    for line in proc.stdout.splitlines():
        if line.startswith("misses: "):
            misses = set(line[len("misses: "):].split())
        elif ": " in line and not line.startswith(("PASS", "SHORT")):
            k, v = line.split(": ", 1)
            values[k] = v
    return values, misses, proc.returncode


def our_misses(metrics: dict) -> set[str]:
    """Our per-item misses spelled as the official scorer spells them."""
    out = set()
    for d in metrics["detail"]:
        for m in d["misses"]:
            if m == "no-result":
                continue
            kind, _, rest = m.partition(":")
            out.add(f"{kind}:{d['id']}" + (f":{rest}" if rest else ""))
    return out


pytestmark = pytest.mark.skipif(not SCORER.exists(), reason="official scorer not present")


def test_same_numbers_and_misses_as_official(gold_file: Path, results_file: Path, tiny_corpus: Path) -> None:
    items = load_dataset(gold_file)
    records = [json.loads(x) for x in results_file.read_text(encoding="utf-8").splitlines()]
    ours = score(items, records, corpus_text(tiny_corpus), k=5)
    theirs, their_misses, _ = official(gold_file, results_file, tiny_corpus)
    for key in KEYS:
        assert f"{ours[key]:.3f}" == theirs[key], key
    assert str(ours["citations"]) == theirs["citations"]
    assert f"{ours['latency_p50_ms']:.3f}" == theirs["latency_p50_ms"]
    assert f"{ours['latency_p95_ms']:.3f}" == theirs["latency_p95_ms"]
    assert our_misses(ours) == their_misses
    # the synthetic file exercises every branch: exact values pinned too
    assert ours["evidence_at_k"] == pytest.approx(3 / 4)  # g2 quote only at rank 6; g6 has no record
    assert ours["fact_recall"] == pytest.approx(5 / 5)
    assert ours["verdict_accuracy"] == 1.0
    assert ours["refusal_accuracy"] == pytest.approx(4 / 6)  # g5 refused wrongly, g6 missing
    assert ours["citation_validity"] == pytest.approx(2 / 4)  # invented quote and empty quote
    assert ours["answered"] == 5


@pytest.mark.parametrize("k", [1, 6])
def test_agrees_at_other_k(gold_file: Path, results_file: Path, tiny_corpus: Path, k: int) -> None:
    items = load_dataset(gold_file)
    records = [json.loads(x) for x in results_file.read_text(encoding="utf-8").splitlines()]
    ours = score(items, records, corpus_text(tiny_corpus), k=k)
    theirs, _, _ = official(gold_file, results_file, tiny_corpus, "--k", str(k))
    assert f"{ours['evidence_at_k']:.3f}" == theirs["evidence_at_k"]


def test_gate_and_official_exit_code_agree(gold_file: Path, results_file: Path, tiny_corpus: Path,
                                           tmp_path: Path) -> None:
    items = load_dataset(gold_file)
    good = [json.loads(x) for x in results_file.read_text(encoding="utf-8").splitlines()]
    # make every item pass: refuse g4 only, valid citations, record for g6
    for r in good:
        r["citations"] = [c for c in r["citations"] if c["quote"] and "编造" not in c["quote"]]
        r["refused"] = r["id"] == "g4"
        r["contexts"] = [*r["contexts"][-1:], *r["contexts"][:-1]]
    good.append({"id": "g6", "answer": "x", "contexts": ["每个项目最高资助 100 万元"], "refused": False,
                 "citations": [], "latency_ms": 1.0})
    for r in good:
        if r["id"] == "g3":
            r["contexts"] = ["网上申报截止时间为2024年5月31日17:00。联系电话：85805561。"]
    path = tmp_path / "good.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in good), encoding="utf-8")
    thresholds = tmp_path / "t.yaml"
    thresholds.write_text("default:\n  evidence_at_5: 0.95\n  fact_recall: 0.9\n  verdict_accuracy: 1.0\n"
                          "  refusal_accuracy: 1.0\n  citation_validity: 1.0\n", encoding="utf-8")
    gate = ThresholdGate(thresholds)
    metrics = score(items, good, corpus_text(tiny_corpus))
    _, _, code = official(gold_file, path, tiny_corpus)
    assert code == 0 and gate.run(metrics) == []
    bad = score(items, [json.loads(x) for x in results_file.read_text(encoding="utf-8").splitlines()],
                corpus_text(tiny_corpus))
    _, _, code = official(gold_file, results_file, tiny_corpus)
    assert code == 1
    assert {m.metric for m in gate.run(bad)} == {"evidence_at_5", "refusal_accuracy", "citation_validity"}


def test_evidence_is_whitespace_insensitive_and_needs_every_quote() -> None:
    assert evidence_hit(["最高 资助"], ["每个项目最高\n资助100万元"], k=5)
    assert not evidence_hit(["最高资助", "截止时间"], ["每个项目最高资助"], k=5)
    assert not evidence_hit(["截止时间"], ["a", "截止时间"], k=1)


def test_corpus_text_walks_subdirs_and_only_notices(tiny_corpus: Path) -> None:
    text = corpus_text(tiny_corpus)
    assert "网上申报截止时间" in text
    assert "只有txt/md计入" not in text and not re.search(r"\s", text)
