"""The whole eval run on a fake answerer: files written, multi-turn order, baseline side by side, gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.answer import Session
from assistant.evaluation.dataset import load_dataset
from assistant.evaluation.pipeline import EvalPipeline
from assistant.evaluation.plots import PlotWriter
from assistant.evaluation.ragas_scorer import RagasScorer
from assistant.evaluation.thresholds import ThresholdGate
from assistant.models import AnswerRecord, Citation
from tests.evaluation.conftest import RESULTS


class ScriptedAnswerer:
    """Answers each question with the record of RESULTS for its item; remembers sessions and questions."""

    def __init__(self, by_question: dict[str, dict[str, Any]], fail: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.by_question = by_question
        self.fail = fail
        self.calls: list[tuple[str, Session]] = []

    def ask(self, question: str, session: Session) -> AnswerRecord:
        from assistant.errors import InputError

        self.calls.append((question, session))  # kept alive: compared by identity
        session.history.append((question, None))
        if question in self.fail:
            raise InputError("问题为空")
        r = self.by_question.get(question, {"answer": "（前序轮次）"})
        return AnswerRecord(answer=r["answer"], citations=[Citation(**c) for c in r.get("citations", [])],
                            contexts=list(r.get("contexts", [])), verdict=r.get("verdict"),
                            refused=bool(r.get("refused")), latency_ms=12.5 * len(session.history))


@pytest.fixture
def items(gold_file: Path):  # type: ignore[no-untyped-def]
    return load_dataset(gold_file)


@pytest.fixture
def ours(items):  # type: ignore[no-untyped-def]
    by_id = {r["id"]: r for r in RESULTS}
    return ScriptedAnswerer({g.question: by_id[g.id] for g in items if g.id in by_id})


@pytest.fixture
def baseline(items):  # type: ignore[no-untyped-def]
    # the "baseline" answers everything with a fixed unhelpful clause and never refuses
    junk = {"answer": "根据公告：每个项目最高资助 100 万元。", "contexts": ["每个项目最高资助 100 万元。"],
            "citations": [{"notice": "n", "section": "", "quote": "每个项目最高资助 100 万元。"}]}
    return ScriptedAnswerer({g.question: junk for g in items})


def test_full_run_writes_everything(tmp_path: Path, items, ours, baseline, tiny_corpus: Path,  # type: ignore[no-untyped-def]
                                    gold_file: Path) -> None:
    gate_file = Path(__file__).resolve().parents[2] / "evals" / "thresholds.yaml"
    out = tmp_path / "out"
    ticks: dict[str, int] = {}

    def progress(label: str, total: int):  # type: ignore[no-untyped-def]
        ticks[label] = 0

        def tick(n: int) -> None:
            ticks[label] += n
        return tick

    run = EvalPipeline(ours, tiny_corpus, baseline=baseline, scorer=RagasScorer(),
                       gate=ThresholdGate(gate_file, "gold"), plots=PlotWriter()).run(
        items, gold_file, out, progress=progress)
    assert ticks == {"ours": len(items), "baseline": len(items), "ragas": 2}

    # a warm-up question (own session) precedes the timed run of each answerer
    assert ours.calls[0][0] == baseline.calls[0][0] == "申报条件有哪些？"
    assert all(c[1] is not ours.calls[0][1] for c in ours.calls[1:])
    # multi-turn: the earlier turn is asked first, in the same session as the scored question
    q = [c for c in ours.calls if c[0] in ("连云港的联系电话是多少？", "那南通的呢？")]
    assert [c[0] for c in q] == ["连云港的联系电话是多少？", "那南通的呢？"] and q[0][1] is q[1][1]

    recs = [json.loads(x) for x in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in recs] == [g.id for g in items]
    assert recs[4]["latency_ms"] == 25.0  # the second question of its session
    assert (out / "baseline" / "results.jsonl").exists()
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["refusal_accuracy"] == pytest.approx(5 / 6)  # g5 refused wrongly (g6 answered here)
    assert metrics["baseline"]["refusal_accuracy"] == pytest.approx(5 / 6)
    assert metrics["baseline"]["verdict_accuracy"] == 0.0
    assert metrics["ragas"]["rouge_score"] > 0 and "rouge_score" in metrics["baseline"]["ragas"]
    assert metrics["thresholds"]["passed"] is False
    assert {m.metric for m in run.misses} >= {"refusal_accuracy", "citation_validity"}
    for p in ("plots/scores_by_kind.png", "plots/latency_hist.png", "plots/baseline_vs_ours.png"):
        assert p in run.plots and (out / p).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| evidence@5 |" in report and "baseline (naive)" in report and "阈值未通过" in report
    detail = report.split("## 逐题详情")[1]
    # failures first: g2 (evidence, citation) and g5 (refusal) come before the passing g1/g4
    order = [detail.index(f"### {i} ") for i in ("g2", "g5", "g1", "g4")]
    assert order == sorted(order)
    assert "前序第 1 轮：连云港的联系电话是多少？" in detail
    assert "缺失：无" in detail and "evidence@5：✗" in detail


def test_rejected_question_is_recorded_not_fatal(tmp_path: Path, items, ours, tiny_corpus: Path,  # type: ignore[no-untyped-def]
                                                 gold_file: Path) -> None:
    ours.fail = {items[1].question}
    run = EvalPipeline(ours, tiny_corpus).run(items, gold_file, tmp_path / "o")
    rec = next(r for r in run.records if r["id"] == items[1].id)
    assert rec["error"] == "问题为空" and rec["answer"] == ""
    assert "evidence" in run.metrics["detail"][1]["misses"]
    assert run.misses is None and not (tmp_path / "o" / "plots").exists()


def test_report_compares_with_previous_run(tmp_path: Path, items, ours, tiny_corpus: Path,  # type: ignore[no-untyped-def]
                                           gold_file: Path) -> None:
    first = EvalPipeline(ours, tiny_corpus, warmup=None).run(items, gold_file, tmp_path / "a")
    # g1 regresses (answer loses its must_include), g5 is fixed (no longer refuses)
    ours.by_question[items[0].question] = {**ours.by_question[items[0].question], "answer": "不能。"}
    ours.by_question[items[4].question] = {**ours.by_question[items[4].question], "refused": False}
    EvalPipeline(ours, tiny_corpus, warmup=None).run(items, gold_file, tmp_path / "b", previous=first.metrics)
    report = (tmp_path / "b" / "report.md").read_text(encoding="utf-8")
    section = report.split("## 与上次运行相比")[1].split("## 按题型")[0]
    assert "- g1：fact:不含赣榆区（上次：通过）" in section
    assert "已修复的题目（1）：g5" in section
    assert "| 事实召回 fact recall | 0.833 | 0.667 | -0.167 ⚠ |" in section
