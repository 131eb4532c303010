"""``report.md`` of an eval run: summary ours vs baseline, gate, per-kind scores, failures first, per item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.evaluation.dataset import GoldItem
from assistant.evaluation.metrics import METRIC_KEYS, group_scores
from assistant.evaluation.thresholds import ThresholdMiss

LABELS = {
    "evidence_at_k": "evidence@{k}",
    "fact_recall": "事实召回 fact recall",
    "verdict_accuracy": "判定准确 verdict accuracy",
    "refusal_accuracy": "拒答准确 refusal accuracy",
    "citation_validity": "引用有效 citation validity",
    "latency_p50_ms": "延迟 p50 (ms)",
    "latency_p95_ms": "延迟 p95 (ms)",
}


@dataclass
class EvalRun:
    """Everything one eval run produced, as the report and the plots need it.

    Attributes:
        dataset: the dataset file.
        items: the gold items.
        records: our result records.
        metrics: our metrics.json content (``detail`` per item, ``ragas`` means, ``baseline`` metrics).
        ragas: per-item ragas scores of ours.
        baseline_records: the naive baseline's records (empty without ``--baseline``).
        baseline_ragas: per-item ragas scores of the baseline.
        misses: thresholds missed (None: no gate configured).
        plots: plot file names relative to the output dir.
        seconds: wall time of the run.
        previous: metrics.json of an earlier run to compare with (None: no comparison).
    """

    dataset: Path
    items: Sequence[GoldItem]
    records: Sequence[dict[str, Any]]
    metrics: dict[str, Any]
    ragas: dict[str, dict[str, float]] = field(default_factory=dict)
    baseline_records: Sequence[dict[str, Any]] = ()
    baseline_ragas: dict[str, dict[str, float]] = field(default_factory=dict)
    misses: list[ThresholdMiss] | None = None
    plots: list[str] = field(default_factory=list)
    seconds: float = 0.0
    previous: dict[str, Any] | None = None


def _fmt(v: Any, digits: int = 3) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "✓" if v else "✗"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _cell(text: str, limit: int = 0) -> str:
    """Text safe inside a markdown table cell (pipes escaped, newlines as <br>)."""
    t = text.strip()
    if limit and len(t) > limit:
        t = t[:limit] + "…"
    return t.replace("|", "\\|").replace("\n", "<br>")


class ReportWriter:
    """Writes ``report.md``.

    Args:
        answer_chars: answers longer than this are cut in the per-item detail (the full text is in
            results.jsonl).
    """

    def __init__(self, answer_chars: int = 600) -> None:
        if answer_chars < 50:
            raise ValueError(f"answer_chars must be ≥ 50, got {answer_chars!r}")
        self.answer_chars = answer_chars

    def run(self, run: EvalRun, out_dir: Path) -> Path:
        """Write the report and return its path."""
        m = run.metrics
        base = m.get("baseline")
        k = m.get("k", 5)
        lines = [f"# 评测报告：{run.dataset.name}", ""]
        lines.append(f"- 题目 {m['items']}（有结果 {m['answered']}），模式 {self._modes(run.records)}，"
                     f"evidence@{k}，耗时 {run.seconds:.1f} s")
        if run.misses is not None:
            if run.misses:
                lines.append("- **阈值未通过**：" + "；".join(x.describe() for x in run.misses))
            else:
                lines.append("- 阈值：全部通过")
        lines += ["", "## 总览（ours vs baseline）", ""]
        lines += self._summary(m, base, k)
        if run.previous is not None:
            lines += ["", "## 与上次运行相比", ""]
            lines += self._versus_previous(m, run.previous)
        lines += ["", "## 按题型", ""]
        lines += self._by_kind(run, k)
        if run.plots:
            lines += ["", "## 图", ""] + [f"![{p}]({p})" for p in run.plots]
        base_detail = {d["id"]: d for d in (base or {}).get("detail", [])}
        detail = sorted(m["detail"], key=lambda d: (not d["misses"], d["id"]))
        failures = [d for d in detail if d["misses"]]
        lines += ["", f"## 未通过的题目（{len(failures)}）", ""]
        if failures:
            lines += ["| id | 题型 | 未达项 | baseline 未达项 |", "|---|---|---|---|"]
            for d in failures:
                bd = base_detail.get(d["id"])
                lines.append(f"| {d['id']} | {d['kind']} | {_cell(' '.join(d['misses']))} | "
                             f"{_cell(' '.join(bd['misses'])) if bd else '–'} |")
        else:
            lines.append("无。")
        lines += ["", "## 逐题详情（未通过的在前）", ""]
        items = {g.id: g for g in run.items}
        recs = {r["id"]: r for r in run.records}
        base_recs = {r["id"]: r for r in run.baseline_records}
        for d in detail:
            lines += self._item(items[d["id"]], d, recs.get(d["id"]), run.ragas.get(d["id"], {}),
                                base_detail.get(d["id"]), base_recs.get(d["id"]), k)
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / "report.md"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    @staticmethod
    def _modes(records: Sequence[dict[str, Any]]) -> str:
        modes = sorted({str(r.get("mode", "offline")) for r in records})
        return "/".join(modes) or "–"

    @staticmethod
    def _summary(m: dict[str, Any], base: dict[str, Any] | None, k: int) -> list[str]:
        rows = ["| 指标 | ours | baseline (naive) | Δ |", "|---|---|---|---|"]
        keys = [*METRIC_KEYS, "latency_p50_ms", "latency_p95_ms"]
        for key in keys:
            ours, theirs = m.get(key), (base or {}).get(key)
            delta = (float(ours) - float(theirs)
                     if isinstance(ours, int | float) and isinstance(theirs, int | float) else None)
            digits = 0 if key.startswith("latency_") else 3
            rows.append(f"| {LABELS[key].format(k=k)} | {_fmt(ours, digits)} | {_fmt(theirs, digits)} | "
                        f"{'' if delta is None else f'{delta:+.{digits}f}'} |")
        ragas, bragas = m.get("ragas") or {}, (base or {}).get("ragas") or {}
        for name in sorted(set(ragas) | set(bragas)):
            ours, theirs = ragas.get(name), bragas.get(name)
            delta = ours - theirs if ours is not None and theirs is not None else None
            rows.append(f"| ragas {name} | {_fmt(ours)} | {_fmt(theirs)} | "
                        f"{'' if delta is None else f'{delta:+.3f}'} |")
        return rows

    @staticmethod
    def _versus_previous(m: dict[str, Any], prev: dict[str, Any]) -> list[str]:
        """Metric deltas and the items that started or stopped failing since ``prev``."""
        rows = ["| 指标 | 上次 | 本次 | Δ |", "|---|---|---|---|"]
        for key in METRIC_KEYS:
            old, new = prev.get(key), m.get(key)
            if isinstance(old, int | float) and isinstance(new, int | float):
                rows.append(f"| {LABELS[key].format(k=m.get('k', 5))} | {old:.3f} | {new:.3f} | "
                            f"{new - old:+.3f}{' ⚠' if new < old else ''} |")
        before = {d["id"]: d for d in prev.get("detail", [])}
        worse = [d for d in m["detail"] if d["misses"] and d["id"] in before
                 and set(d["misses"]) - set(before[d["id"]]["misses"])]
        better = [d for d in m["detail"] if d["id"] in before and before[d["id"]]["misses"] and not d["misses"]]
        rows += ["", f"新出现问题的题目（{len(worse)}）：" + ("无" if not worse else "")]
        for d in worse:
            new_misses = sorted(set(d["misses"]) - set(before[d["id"]]["misses"]))
            rows.append(f"- {d['id']}：{' '.join(new_misses)}（上次：{' '.join(before[d['id']]['misses']) or '通过'}）")
        rows.append(f"\n已修复的题目（{len(better)}）：" + ("、".join(d["id"] for d in better) or "无"))
        return rows

    @staticmethod
    def _by_kind(run: EvalRun, k: int) -> list[str]:
        groups = group_scores(run.items, run.metrics["detail"])
        base = run.metrics.get("baseline")
        bgroups = group_scores(run.items, base["detail"]) if base else {}
        rows = [f"| 题型 | 题数 | evidence@{k} | 事实召回 | 判定准确 | 拒答准确 | 未通过 | baseline 未通过 |",
                "|---|---|---|---|---|---|---|---|"]
        for name, g in groups.items():
            bg = bgroups.get(name)
            rows.append(f"| {name} | {g['items']} | {_fmt(g['evidence_at_k'])} | {_fmt(g['fact_recall'])} | "
                        f"{_fmt(g['verdict_accuracy'])} | {_fmt(g['refusal_accuracy'])} | {g['failures']} | "
                        f"{bg['failures'] if bg else '–'} |")
        return rows

    def _item(self, g: GoldItem, d: dict[str, Any], rec: dict[str, Any] | None, ragas: dict[str, float],
              bd: dict[str, Any] | None, brec: dict[str, Any] | None, k: int) -> list[str]:
        status = "✗ " + " ".join(d["misses"]) if d["misses"] else "✓"
        out = [f"### {g.id} · {g.kind} · {status}", ""]
        for i, t in enumerate(g.turns, 1):
            out.append(f"- 前序第 {i} 轮：{t}")
        out.append(f"- 问题：{g.question}")
        out.append(f"- 期望：{g.reference or '（应拒答）'}"
                   + (f"（判定 {g.expected_verdict}）" if g.expected_verdict else ""))
        if g.must_include:
            missing = d["missing_facts"]
            gone = "、".join(missing) if missing else "无"
            out.append(f"- must_include：{'、'.join(g.must_include)}；缺失：{gone}")
        if d["evidence"] is not None:
            out.append(f"- evidence@{k}：{_fmt(d['evidence'])}")
        if rec is not None:
            extra = [f"判定 {rec.get('verdict')}"] if rec.get("verdict") else []
            extra += ["拒答"] if rec.get("refused") else []
            extra += [f"{rec.get('latency_ms')} ms", f"模式 {rec.get('mode', 'offline')}"]
            out.append(f"- 回答（{'，'.join(extra)}）：")
            quoted = _cell(rec.get("answer") or "", self.answer_chars).replace("<br>", "\n  > ")
            out += ["", "  > " + quoted, ""]
        if ragas:
            out.append("- ragas：" + "，".join(f"{n}={v:.3f}" for n, v in sorted(ragas.items())))
        if bd is not None:
            bstatus = "✗ " + " ".join(bd["misses"]) if bd["misses"] else "✓"
            flat = " ".join((brec.get("answer") or "").split()) if brec else ""
            out.append(f"- baseline：{bstatus}" + (f"；回答：{_cell(flat, 200)}" if brec else ""))
        out.append("")
        return out
