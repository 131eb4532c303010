"""PNG plots of an eval run (matplotlib, headless Agg backend).

Labels are in English: the machines that run the eval have no CJK font, and boxes instead of glyphs
would make the plots useless.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.evaluation.metrics import group_scores
from assistant.evaluation.report import EvalRun

SCORE_KEYS = (("evidence_at_k", "evidence@k"), ("fact_recall", "fact recall"),
              ("verdict_accuracy", "verdict acc."), ("refusal_accuracy", "refusal acc."))
MAIN_KEYS = (*SCORE_KEYS, ("citation_validity", "citation validity"))


class PlotWriter:
    """Writes ``scores_by_kind.png``, ``latency_hist.png`` and ``baseline_vs_ours.png``.

    Args:
        dpi: resolution of the PNG files.
    """

    def __init__(self, dpi: int = 110) -> None:
        if not isinstance(dpi, int) or dpi < 50:
            raise ValueError(f"dpi must be an integer ≥ 50, got {dpi!r}")
        self.dpi = dpi

    def run(self, run: EvalRun, out_dir: Path) -> list[str]:
        """Write the plots into ``out_dir/plots``; return their paths relative to ``out_dir``."""
        import matplotlib

        matplotlib.use("Agg")  # headless: never open a window, never need a display
        import matplotlib.pyplot as plt

        plots = out_dir / "plots"
        plots.mkdir(parents=True, exist_ok=True)
        written = []
        for name, draw in (("scores_by_kind.png", self._by_kind), ("latency_hist.png", self._latency),
                           ("baseline_vs_ours.png", self._versus)):
            fig = draw(plt, run)
            if fig is None:
                continue
            fig.tight_layout()
            fig.savefig(plots / name, dpi=self.dpi)
            plt.close(fig)
            written.append(f"plots/{name}")
        return written

    @staticmethod
    def _by_kind(plt: Any, run: EvalRun) -> Any:
        groups = group_scores(run.items, run.metrics["detail"])
        names = list(groups)
        fig, ax = plt.subplots(figsize=(max(6, 1.8 * len(names)), 4))
        width = 0.8 / len(SCORE_KEYS)
        for j, (key, label) in enumerate(SCORE_KEYS):
            vals = [groups[n][key] for n in names]
            xs = [i + (j - (len(SCORE_KEYS) - 1) / 2) * width for i in range(len(names))]
            ax.bar([x for x, v in zip(xs, vals, strict=True) if v is not None],
                   [v for v in vals if v is not None], width, label=label)
        ax.set_xticks(range(len(names)), [f"{n}\n(n={groups[n]['items']})" for n in names])
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("score")
        ax.set_title(f"Scores by item kind: {run.dataset.name}")
        ax.legend(fontsize=8, loc="lower right")
        return fig

    @staticmethod
    def _latency(plt: Any, run: EvalRun) -> Any:
        ours = [float(r["latency_ms"]) for r in run.records if isinstance(r.get("latency_ms"), int | float)]
        base = [float(r["latency_ms"]) for r in run.baseline_records
                if isinstance(r.get("latency_ms"), int | float)]
        if not ours:
            return None
        fig, ax = plt.subplots(figsize=(6, 4))
        top = max(ours + base)
        bins = [top * i / 30 for i in range(31)] if top > 0 else 10
        p95 = run.metrics.get("latency_p95_ms") or 0
        ax.hist(ours, bins=bins, alpha=0.7, label=f"ours (p95 {p95:.0f} ms)")
        if base:
            bp95 = (run.metrics.get("baseline") or {}).get("latency_p95_ms") or 0
            ax.hist(base, bins=bins, alpha=0.5, label=f"naive baseline (p95 {bp95:.0f} ms)")
        ax.set_xlabel("latency per question (ms)")
        ax.set_ylabel("questions")
        ax.set_title("Answer latency")
        ax.legend(fontsize=8)
        return fig

    @staticmethod
    def _versus(plt: Any, run: EvalRun) -> Any:
        m = run.metrics
        base = m.get("baseline") or {}
        labels = [label for _, label in MAIN_KEYS]
        ours = [m.get(key) or 0.0 for key, _ in MAIN_KEYS]
        theirs = [base.get(key) or 0.0 for key, _ in MAIN_KEYS]
        for name in sorted(set(m.get("ragas") or {}) | set(base.get("ragas") or {})):
            labels.append(name.replace("non_llm_", "").replace("_with_reference", ""))
            ours.append((m.get("ragas") or {}).get(name, 0.0))
            theirs.append((base.get("ragas") or {}).get(name, 0.0))
        fig, ax = plt.subplots(figsize=(max(7, 0.9 * len(labels)), 4.5))
        xs = range(len(labels))
        ax.bar([x - 0.2 for x in xs], ours, 0.4, label="ours")
        if base:
            ax.bar([x + 0.2 for x in xs], theirs, 0.4, label="naive baseline")
        ax.set_xticks(list(xs), labels, rotation=30, ha="right", fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.set_title("Ours vs naive RAG baseline" if base else "Ours (no baseline run)")
        ax.legend(fontsize=8)
        return fig
