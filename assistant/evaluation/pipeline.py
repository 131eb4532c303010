"""One eval run end to end: answer (ours, optionally the baseline), score, gate, plot, report."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant.answer import Session
from assistant.errors import ShenbaoError
from assistant.evaluation.dataset import GoldItem
from assistant.evaluation.metrics import corpus_text, norm, score
from assistant.evaluation.plots import PlotWriter
from assistant.evaluation.ragas_scorer import RagasScorer
from assistant.evaluation.report import EvalRun, ReportWriter
from assistant.evaluation.runner import Answerer, EvalRunner
from assistant.evaluation.thresholds import ThresholdGate

Progress = Callable[[str, int], Callable[[int], None]]
"""``progress(label, total)`` returns the per-item tick of a new progress bar."""


def index_sources_text(data_dir: Path) -> str | None:
    """Every file of the index of ``data_dir`` as ingested, whitespace removed; None when not kept."""
    from assistant.index.store import IndexSnapshot

    try:
        snapshot = IndexSnapshot.load(data_dir)
    except ShenbaoError:
        return None
    texts = snapshot.source_texts(data_dir)
    if not texts or len(texts) < len(snapshot.sources):
        return None  # an index written before texts were kept: fall back to the corpus dir
    return "".join(norm(t) for _, t in sorted(texts.items()))


class EvalPipeline:
    """Runs and scores a gold set, writing results.jsonl, metrics.json, report.md and plots.

    Args:
        service: our answerer (``AnswerService``).
        corpus_dir: the notices citations are checked against when ``sources_text`` is not given.
        k: evidence@k.
        baseline: the naive baseline (built) or None.
        scorer: ragas scorer (None: no ragas metrics).
        gate: threshold gate (None: no gate).
        report: report writer; plots: plot writer (None: no plots).
        warmup: a question asked (and discarded) before timing, so the first item's latency does not
            include loading the index, jieba and the model (None: no warm-up).
        sources_text: the text of every file in the index, whitespace removed (see :func:`index_sources_text`):
            citations are checked against what was ingested, wherever it came from.
    """

    def __init__(self, service: Answerer, corpus_dir: Path, k: int = 5, baseline: Answerer | None = None,
                 scorer: RagasScorer | None = None, gate: ThresholdGate | None = None,
                 report: ReportWriter | None = None, plots: PlotWriter | None = None,
                 warmup: str | None = "申报条件有哪些？", sources_text: str | None = None) -> None:
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        self.service = service
        self.corpus_dir = corpus_dir
        self.k = k
        self.baseline = baseline
        self.scorer = scorer
        self.gate = gate
        self.report = report or ReportWriter()
        self.plots = plots
        self.warmup = warmup
        self.sources_text = sources_text

    def _warm(self, answerer: Answerer) -> None:
        if self.warmup:
            # a warm-up failure shows up again, per item, in the run itself
            with contextlib.suppress(ShenbaoError):
                answerer.ask(self.warmup, Session())

    def run(self, items: Sequence[GoldItem], dataset: Path, out_dir: Path,
            progress: Progress | None = None, previous: dict[str, Any] | None = None) -> EvalRun:
        """Answer, score and write everything into ``out_dir``; the returned run says what the gate missed.

        ``previous`` (an earlier run's metrics.json) adds a what-got-worse section to the report.
        """
        t0 = time.perf_counter()

        def bar(label: str) -> Callable[[int], None] | None:
            return progress(label, len(items)) if progress else None

        corpus = self.sources_text if self.sources_text is not None else corpus_text(self.corpus_dir)
        self._warm(self.service)
        records = EvalRunner(self.service).run(items, out_dir, progress=bar("ours"))
        metrics = score(items, records, corpus, k=self.k)
        base_records: list[dict[str, Any]] = []
        base_metrics: dict[str, Any] | None = None
        if self.baseline is not None:
            self._warm(self.baseline)
            base_records = EvalRunner(self.baseline).run(items, out_dir / "baseline",
                                                         progress=bar("baseline"))
            base_metrics = score(items, base_records, corpus, k=self.k)
        ragas: dict[str, dict[str, float]] = {}
        base_ragas: dict[str, dict[str, float]] = {}
        if self.scorer is not None:
            tick = progress("ragas", 2 if base_metrics is not None else 1) if progress else None
            ours = self.scorer.run(items, records)
            ragas, metrics["ragas"] = ours.per_item, ours.means
            if tick:
                tick(1)
            if base_metrics is not None:
                theirs = self.scorer.run(items, base_records)
                base_ragas, base_metrics["ragas"] = theirs.per_item, theirs.means
                if tick:
                    tick(1)
            for d in metrics["detail"]:
                d["ragas"] = ragas.get(d["id"], {})
        if base_metrics is not None:
            metrics["baseline"] = base_metrics
        run = EvalRun(dataset=dataset, items=items, records=records, metrics=metrics, ragas=ragas,
                      baseline_records=base_records, baseline_ragas=base_ragas, previous=previous)
        if self.gate is not None:
            run.misses = self.gate.run(metrics)
            metrics["thresholds"] = {"file": str(self.gate.path), "limits": self.gate.limits,
                                     "passed": not run.misses,
                                     "missed": [m.describe() for m in run.misses]}
        if self.plots is not None:
            run.plots = self.plots.run(run, out_dir)
        run.seconds = time.perf_counter() - t0
        metrics["seconds"] = round(run.seconds, 2)
        metrics["dataset"] = str(dataset)
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2),
                                              encoding="utf-8")
        self.report.run(run, out_dir)
        return run
