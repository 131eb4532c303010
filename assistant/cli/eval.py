"""``shenbao eval``: answer a gold set through the ``ask`` path, score it (ours + ragas), compare with a
naive baseline, gate on thresholds, and write results.jsonl, metrics.json, report.md and PNG plots."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_THRESHOLD_MISSED = 1


def register(sub: Any) -> None:
    """Add the ``eval`` subcommand."""
    p = sub.add_parser(
        "eval", help="在金标问题集上评测回答准确性",
        description="用与 ask 相同的流程回答数据集中的每个问题（多轮题先在同一会话中问前序轮次），"
                    "写出 DIR/results.jsonl、metrics.json、report.md 与 plots/*.png；"
                    "指定 --thresholds 时未达阈值以退出码 1 结束。")
    p.add_argument("--dataset", required=True, type=Path, nargs="+",
                   help="JSONL 数据集（格式见 shared/eval/README.md）；可给多个，合并评测（id 不得重复）")
    p.add_argument("--out", required=True, type=Path, help="输出目录")
    p.add_argument("--k", type=int, default=5, help="evidence@k 的 k（默认 5）")
    p.add_argument("--llm-metrics", action="store_true",
                   help="另用已配置的模型（OPENAI_API_KEY 等）作评委："
                        "ragas faithfulness、answer correctness、context precision")
    p.add_argument("--baseline", choices=["naive"],
                   help="同时运行朴素 RAG 基线（RecursiveCharacterTextSplitter(500,50)"
                        " + 仅向量检索 + 同一答案组装器）")
    p.add_argument("--thresholds", type=Path, help="阈值文件（如 evals/thresholds.yaml）")
    p.add_argument("--previous", type=Path, metavar="DIR",
                   help="上一次评测的输出目录：报告中列出变差的指标与新出现问题的题目")
    p.add_argument("--no-ragas", action="store_true", help="不计算 ragas 指标（更快）")
    p.add_argument("--no-plots", action="store_true", help="不画图")
    p.set_defaults(func=run)


def _progress(label: str, total: int) -> Callable[[int], None]:
    """A tqdm bar on stderr (stdout stays for the summary)."""
    from tqdm import tqdm

    names = {"ours": "评测", "baseline": "基线", "ragas": "ragas"}
    bar = tqdm(total=total, desc=names.get(label, label), unit="题" if label != "ragas" else "组",
               file=sys.stderr, leave=True)

    def tick(n: int) -> None:
        bar.update(n)
        if bar.n >= bar.total:
            bar.close()

    return tick


def run(args: argparse.Namespace) -> int:
    """Run the eval; 0 when done (and the gate passed), 1 when a threshold was missed."""
    from assistant.config import get_settings
    from assistant.errors import InputError
    from assistant.evaluation.dataset import load_dataset
    from assistant.evaluation.thresholds import ThresholdGate

    if args.k < 1:
        raise InputError(f"--k 必须为正整数，当前为 {args.k}。")
    items = []
    for path in args.dataset:
        items.extend(load_dataset(path))
    seen: set[str] = set()
    for it in items:
        if it.id in seen:
            raise InputError(f"多个数据集中出现重复的 id={it.id!r}，请改名后再合并评测。")
        seen.add(it.id)
    # one dataset: its own threshold section applies; a merged run is held to `default` only
    name = Path("+".join(p.name for p in args.dataset))
    section = args.dataset[0].stem if len(args.dataset) == 1 else None
    previous = None
    if args.previous:
        prev_file = args.previous / "metrics.json"
        try:
            previous = json.loads(prev_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"无法读取上一次的评测结果 {prev_file}（{type(exc).__name__}），请检查 --previous。") from None
    settings = get_settings()
    gate = ThresholdGate(args.thresholds, dataset=section) if args.thresholds else None
    judge = embeddings = None
    if args.llm_metrics:
        from assistant.evaluation.ragas_scorer import e5_langchain_embeddings, judge_llm

        judge = judge_llm(settings)  # no key → ConfigError (exit 2) before any work is done
        embeddings = e5_langchain_embeddings(settings)

    from assistant.answer import AnswerService
    from assistant.evaluation.pipeline import EvalPipeline, index_sources_text
    from assistant.evaluation.plots import PlotWriter
    from assistant.evaluation.ragas_scorer import RagasScorer
    from assistant.index.store import IndexSnapshot

    if not IndexSnapshot.path_in(settings.data_dir).exists():
        print("尚无条款索引，先导入内置公告……", file=sys.stderr)
        from assistant.index.builder import IndexBuilder

        IndexBuilder(settings).run()
    baseline = None
    if args.baseline == "naive":
        from assistant.evaluation.baseline import NaiveRagBaseline

        print("构建朴素基线（向量按内容缓存，重复运行不再计算）……", file=sys.stderr)
        baseline = NaiveRagBaseline(settings).build()
    scorer = None if args.no_ragas else RagasScorer(k=args.k, llm=judge, embeddings=embeddings)
    pipeline = EvalPipeline(AnswerService(settings), settings.corpus_dir, k=args.k, baseline=baseline,
                            scorer=scorer, gate=gate, plots=None if args.no_plots else PlotWriter(),
                            sources_text=index_sources_text(settings.data_dir))
    result = pipeline.run(items, name, args.out, progress=_progress, previous=previous)
    m = result.metrics
    line = (f"ours：题目 {m['items']}，evidence@{args.k}={m['evidence_at_k']:.3f} "
            f"事实召回={m['fact_recall']:.3f} "
            f"判定准确={m['verdict_accuracy']:.3f} 拒答准确={m['refusal_accuracy']:.3f} "
            f"引用有效={m['citation_validity']:.3f} p95={m['latency_p95_ms']} ms")
    print(line)
    if "baseline" in m:
        b = m["baseline"]
        print(f"baseline：evidence@{args.k}={b['evidence_at_k']:.3f} 事实召回={b['fact_recall']:.3f} "
              f"判定准确={b['verdict_accuracy']:.3f} 拒答准确={b['refusal_accuracy']:.3f} "
              f"引用有效={b['citation_validity']:.3f}")
    if m.get("ragas"):
        print("ragas：" + " ".join(f"{k}={v:.3f}" for k, v in sorted(m["ragas"].items())))
    misses = [f"{d['id']}:{x}" for d in m["detail"] for x in d["misses"]]
    if misses:
        print("未达项：" + " ".join(misses[:60]) + (" …" if len(misses) > 60 else ""))
    print(f"报告：{args.out / 'report.md'}" + (f"，图：{', '.join(result.plots)}" if result.plots else ""))
    if result.misses:
        print("阈值未通过：" + "；".join(x.describe() for x in result.misses), file=sys.stderr)
        return EXIT_THRESHOLD_MISSED
    if result.misses is not None:
        print("阈值：全部通过")
    return 0
