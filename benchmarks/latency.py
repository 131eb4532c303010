"""Warm query latency, index load and CLI cold start.

1. Index load: a fresh ``cached_index`` of the data dir (snapshot, saved BM25, Chroma open), then the first
   answer (jieba, e5 model, catalogue, router).
2. Warm query latency: every question of each ``--dataset`` answered through ``AnswerService.ask`` offline
   (the ``ask`` path: routing, retrieval, eligibility checker, coverage gate, composer), after one warm-up
   pass. Multi-turn items ask their earlier turns first in one session; only the final question's latency
   is counted. Reported: p50 / p95 / max over ``--repeat`` passes, overall, per dataset and per kind.
3. CLI cold start: wall time of fresh processes of ``shenbao --help`` and ``shenbao ask "…" --json`` (the
   latter loads the index and the model and answers one question), median of ``--cli-repeat`` runs (0: not
   measured).

The index is built into a temp data dir with the shared embedding cache (warm: nothing is embedded) unless
``--data-dir`` names an existing one (e.g. the combined Xiong'an index; then ``--name`` keeps its results
apart from the 4-notice ones).

Usage: python benchmarks/latency.py [--dataset evals/datasets/dev.jsonl ...] [--data-dir DIR] [--repeat 3]
       [--cli-repeat 3] [--name latency]
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
    ap.add_argument("--dataset", type=Path, action="append",
                    help="a question set (repeatable; default evals/datasets/dev.jsonl)")
    ap.add_argument("--data-dir", type=Path, help="an existing data dir (default: a temp one)")
    ap.add_argument("--repeat", type=int, default=3, help="measured passes over the questions")
    ap.add_argument("--cli-repeat", type=int, default=3, help="runs of each CLI command (0: skip)")
    ap.add_argument("--name", default="latency", help="result file name in benchmarks/results/")
    args = ap.parse_args()
    datasets: list[Path] = args.dataset or [ROOT / "evals" / "datasets" / "dev.jsonl"]

    from assistant.answer import AnswerService, Session
    from assistant.config import Settings
    from assistant.evaluation.dataset import load_dataset
    from assistant.index import cached_index, clear_index_cache
    from assistant.index.builder import IndexBuilder
    from assistant.index.store import IndexSnapshot

    info = machine()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="shenbao-latency-"))
    env = {**os.environ, "SHENBAO_DATA_DIR": str(data_dir),
           "SHENBAO_EMBED_CACHE": os.environ.get("SHENBAO_EMBED_CACHE") or str(SHARED_CACHE)}
    for var in ("OPENAI_API_KEY", "CHROMA_HOST"):
        env.pop(var, None)  # offline, embedded store
    settings = Settings.from_env(env)
    if not IndexSnapshot.path_in(data_dir).exists():
        IndexBuilder(settings).run()
    sets = [(p.stem, load_dataset(p)) for p in datasets]
    items = [(name, it) for name, its in sets for it in its]

    clear_index_cache()
    t0 = time.perf_counter()
    index = cached_index(settings)  # snapshot + saved BM25 + Chroma open
    load_s = time.perf_counter() - t0
    service = AnswerService(settings, use_llm=False)
    t0 = time.perf_counter()
    service.ask(items[0][1].question, Session())  # jieba, e5, catalogue, router, rules
    first_s = time.perf_counter() - t0

    def one_pass() -> dict[tuple[str, str], float]:
        # forget in-memory query vectors so every measured question pays its e5 query encoding
        service.retriever.index.embedder.cache._mem.clear()
        out = {}
        for name, it in items:
            session = Session()
            for turn in it.turns:
                service.ask(turn, session)
            t0 = time.perf_counter()
            service.ask(it.question, session)
            out[(name, it.id)] = (time.perf_counter() - t0) * 1000
        return out

    t0 = time.perf_counter()
    one_pass()  # warm-up: every question once (query-vector cache, rules of each notice)
    warmup_s = time.perf_counter() - t0
    kinds = {(name, it.id): it.kind for name, it in items}
    lat: list[float] = []
    by_kind: dict[str, list[float]] = {}
    by_set: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for key, ms in one_pass().items():
            lat.append(ms)
            by_kind.setdefault(kinds[key], []).append(ms)
            by_set.setdefault(key[0], []).append(ms)

    exe = ROOT / ".venv" / "bin" / "shenbao"
    cli = [str(exe)] if exe.exists() else [sys.executable, "-m", "assistant"]
    question = items[0][1].question
    help_s = timed_cmd([*cli, "--help"], env, args.cli_repeat) if args.cli_repeat > 0 else []
    ask_s = timed_cmd([*cli, "ask", question, "--json"], env, args.cli_repeat) if args.cli_repeat > 0 else []

    data = {
        "machine": info,
        "datasets": [str(p) for p in datasets],
        "data_dir": str(args.data_dir) if args.data_dir else "temp (bundled corpus)",
        "chunks": len(index.chunks),
        "questions": len(items),
        "passes": args.repeat,
        "index_load_seconds": round(load_s, 2),
        "first_answer_seconds": round(first_s, 2),
        "warmup_pass_seconds": round(warmup_s, 2),
        "warm_query_ms": {"p50": pct(lat, 50), "p95": pct(lat, 95), "max": max(lat), "n": len(lat)},
        "warm_query_ms_by_dataset": {k: {"p50": pct(v, 50), "p95": pct(v, 95), "n": len(v)}
                                     for k, v in by_set.items()},
        "warm_query_ms_by_kind": {k: {"p50": pct(v, 50), "p95": pct(v, 95), "n": len(v)}
                                  for k, v in by_kind.items()},
        "cli_cold_start_s": {
            "shenbao --help": {"median": statistics.median(help_s), "runs": help_s},
            "shenbao ask --json": {"median": statistics.median(ask_s), "runs": ask_s, "question": question},
        } if help_s else None,
        "note": "warm = index, jieba and e5 loaded; the in-memory query-vector cache is cleared before "
                "each pass, so every measured question includes its e5 query encoding.",
    }
    w = data["warm_query_ms"]
    names = ", ".join(f"{n} ({len(its)})" for n, its in sets)
    md = [
        "# Latency", "",
        machine_md(info), "",
        f"Index: {data['data_dir']}, {len(index.chunks):,} clauses. Index load (snapshot + saved BM25 + Chroma): "
        f"**{load_s:.2f} s**; first answer (jieba, e5, catalogue, router): {first_s:.1f} s.", "",
        f"Warm query latency over {len(items)} questions ({names}) × {args.repeat} passes "
        "(offline `AnswerService.ask`):",
        "",
        "| p50 (ms) | p95 (ms) | max (ms) |", "|---|---|---|",
        f"| {w['p50']:.1f} | {w['p95']:.1f} | {w['max']:.1f} |", "",
        "| dataset / kind | n | p50 (ms) | p95 (ms) |", "|---|---|---|---|",
        *[f"| {k} | {v['n']} | {v['p50']:.1f} | {v['p95']:.1f} |"
          for k, v in [*data["warm_query_ms_by_dataset"].items(), *data["warm_query_ms_by_kind"].items()]],
        "",
        f"Warm-up pass (every question once): {warmup_s:.1f} s.", "",
    ]
    if help_s:
        md += [
            "CLI cold start (fresh process, median of runs):", "",
            "| command | median (s) | runs (s) |", "|---|---|---|",
            f"| `shenbao --help` | {statistics.median(help_s):.2f} | {', '.join(f'{x:.2f}' for x in help_s)} |",
            f"| `shenbao ask \"…\" --json` | {statistics.median(ask_s):.2f} | "
            f"{', '.join(f'{x:.2f}' for x in ask_s)} |", "",
        ]
    md += ["Each measured question includes its e5 query encoding (the in-memory query-vector cache is "
           "cleared before every pass).", ""]
    js, mdp = write_results(args.name, data, "\n".join(md))
    print("\n".join(md))
    print(f"written: {js} {mdp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
