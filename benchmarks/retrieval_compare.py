"""Retrieval alone on a gold set: ours (clause chunks, hybrid) vs two baselines, in one run.

- ours: ClauseChunker chunks, BM25 + e5 dense fused (HybridRetriever);
- baseline A: the eval's naive baseline (assistant/evaluation/baseline.py): LangChain
  RecursiveCharacterTextSplitter(500, 50) over the same cleaned documents + the same e5 embeddings,
  dense only;
- baseline B: BM25 only over our clause chunks.

Metrics over items with reference_contexts (a result "covers" a quote when, whitespace removed, the quote
is a substring of it): evidence@5 (all quotes covered by the top 5), top-1 (all covered by the first),
MRR (1 / rank at which every quote is covered, 0 beyond 10).

Usage: python benchmarks/retrieval_compare.py [--dataset F ...] [--out out/retrieval.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.evaluation.baseline import NaiveRagBaseline  # noqa: E402
from assistant.evaluation.metrics import rank_all_covered  # noqa: E402
from assistant.index import HybridRetriever  # noqa: E402
from assistant.index.builder import IndexBuilder  # noqa: E402
from assistant.index.clause_index import ClauseIndex  # noqa: E402


def summarise(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    return {
        "evidence_at_5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "top1": sum(1 for r in ranks if r == 1) / n,
        "mrr": sum(1 / r for r in ranks if r is not None) / n,
        "items": n,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", nargs="+", type=Path,
                    default=[ROOT.parent / "shared" / "eval" / "dev.jsonl"])
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "retrieval_compare.json")
    ap.add_argument("--data-dir", type=Path, help="an existing data dir (default: a temp one)")
    args = ap.parse_args()

    items = [json.loads(line) for f in args.dataset for line in f.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    items = [i for i in items if i.get("reference_contexts")]
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="shenbao-bench-"))
    cache = ROOT / ".shenbao-cache" / "embeddings.sqlite"
    settings = Settings.from_env({"SHENBAO_DATA_DIR": str(data_dir), "SHENBAO_EMBED_CACHE": str(cache)})
    t0 = time.perf_counter()
    IndexBuilder(settings).run()
    ingest_s = time.perf_counter() - t0
    index = ClauseIndex.open(settings)
    ours = HybridRetriever(index)

    # baseline A: recursive character splitter over the cleaned documents, dense only (shared with the eval)
    naive = NaiveRagBaseline(settings, embedder=index.embedder).build()

    bm25_texts = [c.text for c in index.chunks]
    rows: dict[str, list[int | None]] = {"ours": [], "baseline_recursive_dense": [], "baseline_bm25": []}
    lat: list[float] = []
    per_item = []
    for it in items:
        q, quotes = it["question"], it["reference_contexts"]
        t = time.perf_counter()
        res = [r.chunk.text for r in ours.run(q, k=10)]
        lat.append((time.perf_counter() - t) * 1000)
        r_ours = rank_all_covered(quotes, res)
        r_a = rank_all_covered(quotes, [r.chunk.text for r in naive.retrieve(q, k=10)])
        scores = index.bm25.scores(q)
        r_b = rank_all_covered(quotes, [bm25_texts[i] for i in np.argsort(-scores)[:10]])
        rows["ours"].append(r_ours)
        rows["baseline_recursive_dense"].append(r_a)
        rows["baseline_bm25"].append(r_b)
        per_item.append({"id": it["id"], "ours": r_ours, "recursive_dense": r_a, "bm25": r_b})

    report = {name: summarise(r) for name, r in rows.items()}
    report["ours"]["query_p50_ms"] = float(np.percentile(lat, 50))
    report["ours"]["query_p95_ms"] = float(np.percentile(lat, 95))
    report["ingest_seconds"] = ingest_s
    report["chunks"] = {"ours": len(index.chunks), "baseline_recursive": len(naive.chunks)}
    report["misses_ours"] = [p["id"] for p in per_item if p["ours"] is None or p["ours"] > 5]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": report, "items": per_item}, ensure_ascii=False, indent=2),
                        encoding="utf-8")
    print(f"{'system':28s} {'evidence@5':>10s} {'top-1':>7s} {'MRR':>7s}")
    for name in rows:
        s = report[name]
        print(f"{name:28s} {s['evidence_at_5']:10.3f} {s['top1']:7.3f} {s['mrr']:7.3f}")
    print(f"items with quotes: {len(items)}; ours misses@5: {report['misses_ours']}")
    print(f"query latency ours p50={report['ours']['query_p50_ms']:.1f} ms "
          f"p95={report['ours']['query_p95_ms']:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
