"""Warm query latency and CLI cold start.

1. Warm query latency: every dev question answered through ``AnswerService.ask`` offline (the ``ask``
   path: retrieval, eligibility checker, coverage gate, composer), after one warm-up pass that loads the
   index, jieba and the e5 model. Multi-turn items ask their earlier turns first in one session; only
   the final question's latency is counted. Reported: p50 / p95 / max over ``--repeat`` passes.
2. CLI cold start: wall time of fresh processes of ``shenbao --help`` and ``shenbao ask "…" --json``
   (the latter loads the index and the model and answers one question), median of ``--cli-repeat`` runs.

The index is built into a temp data dir with the shared embedding cache (warm: nothing is embedded) unless
``--data-dir`` names an existing one.

Usage: python benchmarks/latency.py [--dataset evals/datasets/dev.jsonl] [--repeat 3] [--cli-repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, SHARED_CACHE, machine, machine_md, pct, timed_cmd, write_results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "dev.jsonl")
    ap.add_argument("--data-dir", type=Path, help="an existing data dir (default: a temp one)")
    ap.add_argument("--repeat", type=int, default=3, help="measured passes over the questions")
    ap.add_argument("--cli-repeat", type=int, default=3, help="runs of each CLI command")
    args = ap.parse_args()

    from assistant.answer import AnswerService, Session
    from assistant.config import Settings
    from assistant.evaluation.dataset import load_dataset
    from assistant.index.builder import IndexBuilder
    from assistant.index.store import IndexSnapshot

    info = machine()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="shenbao-latency-"))
    env = {**os.environ, "SHENBAO_DATA_DIR": str(data_dir), "SHENBAO_EMBED_CACHE": str(SHARED_CACHE)}
    for var in ("OPENAI_API_KEY", "CHROMA_HOST"):
        env.pop(var, None)  # offline, embedded store
    settings = Settings.from_env(env)
    if not IndexSnapshot.path_in(data_dir).exists():
        IndexBuilder(settings).run()
    items = load_dataset(args.dataset)
    service = AnswerService(settings, use_llm=False)

    def one_pass() -> dict[str, float]:
        # forget in-memory query vectors so every measured question pays its e5 query encoding
        service.retriever.index.embedder.cache._mem.clear()
        out = {}
        for it in items:
            session = Session()
            for turn in it.turns:
                service.ask(turn, session)
            t0 = time.perf_counter()
            service.ask(it.question, session)
            out[it.id] = (time.perf_counter() - t0) * 1000
        return out

    t0 = time.perf_counter()
    one_pass()  # warm-up: index load, jieba dictionary, e5 model, query-vector cache
    warmup_s = time.perf_counter() - t0
    lat: list[float] = []
    by_kind: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for it_id, ms in one_pass().items():
            lat.append(ms)
            kind = next(i.kind for i in items if i.id == it_id)
            by_kind.setdefault(kind, []).append(ms)

    exe = str(ROOT / ".venv" / "bin" / "shenbao")
    question = items[0].question
    help_s = timed_cmd([exe, "--help"], env, args.cli_repeat)
    ask_s = timed_cmd([exe, "ask", question, "--json"], env, args.cli_repeat)

    data = {
        "machine": info,
        "dataset": str(args.dataset),
        "questions": len(items),
        "passes": args.repeat,
        "warmup_pass_seconds": round(warmup_s, 2),
        "warm_query_ms": {"p50": pct(lat, 50), "p95": pct(lat, 95), "max": max(lat), "n": len(lat)},
        "warm_query_ms_by_kind": {k: {"p50": pct(v, 50), "p95": pct(v, 95), "n": len(v)}
                                  for k, v in by_kind.items()},
        "cli_cold_start_s": {
            "shenbao --help": {"median": statistics.median(help_s), "runs": help_s},
            "shenbao ask --json": {"median": statistics.median(ask_s), "runs": ask_s, "question": question},
        },
        "note": "warm = index, jieba and e5 loaded; the in-memory query-vector cache is cleared before "
                "each pass, so every measured question includes its e5 query encoding.",
    }
    w = data["warm_query_ms"]
    md = "\n".join([
        "# Latency", "",
        machine_md(info), "",
        f"Warm query latency over {len(items)} dev questions × {args.repeat} passes "
        "(offline `AnswerService.ask`):",
        "",
        "| p50 (ms) | p95 (ms) | max (ms) |", "|---|---|---|",
        f"| {w['p50']:.1f} | {w['p95']:.1f} | {w['max']:.1f} |", "",
        "| kind | n | p50 (ms) | p95 (ms) |", "|---|---|---|---|",
        *[f"| {k} | {v['n']} | {v['p50']:.1f} | {v['p95']:.1f} |"
          for k, v in data["warm_query_ms_by_kind"].items()],
        "",
        f"Warm-up pass (first questions: index, jieba, model load): {warmup_s:.1f} s.", "",
        "CLI cold start (fresh process, median of runs):", "",
        "| command | median (s) | runs (s) |", "|---|---|---|",
        f"| `shenbao --help` | {statistics.median(help_s):.2f} | {', '.join(f'{x:.2f}' for x in help_s)} |",
        f"| `shenbao ask \"…\" --json` | {statistics.median(ask_s):.2f} | "
        f"{', '.join(f'{x:.2f}' for x in ask_s)} |", "",
        "Each measured question includes its e5 query encoding (the in-memory query-vector cache is "
        "cleared before every pass).", "",
    ])
    js, mdp = write_results("latency", data, md)
    print(md)
    print(f"written: {js} {mdp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
