"""``shenbao eval --dataset F --out DIR``: answer a gold set offline (or with the model) and score it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add the ``eval`` subcommand."""
    p = sub.add_parser("eval", help="在金标问题集上评测回答准确性",
                       description="用与 ask 相同的流程回答数据集中的每个问题，写出 DIR/results.jsonl 与 DIR/metrics.json。")
    p.add_argument("--dataset", required=True, type=Path, help="JSONL 数据集（格式见 shared/eval/README.md）")
    p.add_argument("--out", required=True, type=Path, help="输出目录")
    p.add_argument("--k", type=int, default=5, help="evidence@k 的 k（默认 5）")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run, write results and metrics, print the summary."""
    from tqdm import tqdm

    from assistant.answer import AnswerService
    from assistant.config import get_settings
    from assistant.evaluation.dataset import load_dataset
    from assistant.evaluation.metrics import score
    from assistant.evaluation.runner import EvalRunner
    from assistant.index.store import IndexSnapshot

    items = load_dataset(args.dataset)
    settings = get_settings()
    if not IndexSnapshot.path_in(settings.data_dir).exists():
        print("尚无条款索引，先导入内置公告……", file=sys.stderr)
        from assistant.index.builder import IndexBuilder

        IndexBuilder(settings).run()
    bar = tqdm(total=len(items), desc="评测", unit="题", file=sys.stderr)
    records = EvalRunner(AnswerService(settings)).run(items, args.out, progress=bar.update)
    bar.close()
    corpus = "".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in sorted(settings.corpus_dir.glob("*")) if p.suffix in {".txt", ".md"})
    metrics = score(items, records, corpus, k=args.k)
    (args.out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"题目 {metrics['items']}，evidence@{args.k}={metrics['evidence_at_k']:.3f} "
          f"事实召回={metrics['fact_recall']:.3f} 判定准确={metrics['verdict_accuracy']:.3f} "
          f"拒答准确={metrics['refusal_accuracy']:.3f} 引用有效={metrics['citation_validity']:.3f} "
          f"p95={metrics['latency_p95_ms']} ms")
    misses = [f"{d['id']}:{m}" for d in metrics["detail"] for m in d["misses"]]
    if misses:
        print("未达项：" + " ".join(misses[:60]))
    return 0
