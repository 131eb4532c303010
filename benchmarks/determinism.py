"""Same question, same index, same record: the eval sets answered in several fresh processes.

Each run is a fresh ``shenbao eval`` process over one index (no warm caches shared between runs, query
vectors re-encoded); the records of every run are compared item by item on what a user sees and what is
scored — ``answer``, ``contexts``, ``citations``, ``verdict`` and ``refused`` (latency aside). Any item whose
record differs between runs is listed with the fields that differ.

Usage::

    python benchmarks/determinism.py --data-dir DIR [--dataset F …] [--runs 3]

``--data-dir`` is an index built beforehand (e.g. the seeds plus ``../shared/corpus-xiongan``); the default
datasets are the shared ``dev.jsonl`` and ``xiongan-dev.jsonl`` when they are beside the checkout, else the
bundled ``evals/datasets/dev.jsonl``. Results → ``benchmarks/results/determinism.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, SHARED_CACHE, machine, machine_md, write_results

COMPARED = ("answer", "contexts", "citations", "verdict", "refused")


def default_datasets() -> list[Path]:
    """The shared dev sets when present, else the bundled one."""
    shared = ROOT.parent / "shared" / "eval"
    found = [p for p in (shared / "dev.jsonl", shared / "xiongan-dev.jsonl") if p.exists()]
    return found or [ROOT / "evals" / "datasets" / "dev.jsonl"]


def run_eval(dataset: Path, out: Path, data_dir: Path) -> tuple[dict[str, dict[str, Any]], float]:
    """One fresh process answering a dataset: its records by id, and its wall seconds."""
    env = {**os.environ, "SHENBAO_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    env.setdefault("SHENBAO_EMBED_CACHE", str(SHARED_CACHE))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SHENBAO_LLM_MODEL"):
        env.pop(var, None)  # the offline answer: the model's wording is not what is compared
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "assistant", "eval", "--dataset", str(dataset), "--out", str(out),
                           "--no-plots", "--no-ragas"], env=env, capture_output=True, text=True, timeout=3600)
    if proc.returncode not in (0, 1):  # 1: a threshold missed, still a complete run
        raise RuntimeError(f"eval failed ({proc.returncode}): {proc.stderr[-800:]}")
    records = {}
    for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            records[str(rec["id"])] = {k: rec.get(k) for k in COMPARED}
    return records, time.perf_counter() - t0


def differences(runs: list[dict[str, dict[str, Any]]]) -> dict[str, list[str]]:
    """Item id → the compared fields that are not the same in every run."""
    out: dict[str, list[str]] = {}
    for item in sorted(set().union(*runs)):
        fields = [f for f in COMPARED if len({json.dumps(r.get(item, {}).get(f), ensure_ascii=False,
                                                         sort_keys=True) for r in runs}) > 1]
        if fields:
            out[item] = fields
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, required=True, help="an index built beforehand")
    ap.add_argument("--dataset", type=Path, nargs="*", help="JSONL sets (default: the shared dev sets)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    if args.runs < 2:
        ap.error(f"--runs must be at least 2 (got {args.runs})")
    datasets = args.dataset or default_datasets()
    m = machine()
    report: dict[str, Any] = {"machine": m, "runs": args.runs, "data_dir": str(args.data_dir), "sets": {}}
    with tempfile.TemporaryDirectory(prefix="shenbao-determinism-") as tmp:
        for ds in datasets:
            runs, secs = [], []
            for i in range(args.runs):
                recs, s = run_eval(ds, Path(tmp) / f"{ds.stem}-{i}", args.data_dir)
                runs.append(recs)
                secs.append(round(s, 1))
                print(f"{ds.name} run {i + 1}/{args.runs}: {len(recs)} items, {s:.0f} s", flush=True)
            diff = differences(runs)
            report["sets"][ds.name] = {"items": len(runs[0]), "identical": len(runs[0]) - len(diff),
                                       "differing": diff, "run_seconds": secs}
    lines = ["# Determinism: the dev sets answered in fresh processes", "", machine_md(m), "",
             f"Index: `{args.data_dir}`; {args.runs} fresh `shenbao eval` processes per set (offline); compared "
             f"per item: {', '.join(f'`{f}`' for f in COMPARED)}.", "",
             "| set | items | identical in every run | differing | run seconds |", "|---|---|---|---|---|"]
    for name, s in report["sets"].items():
        differing = ", ".join(f"{k} ({'/'.join(v)})" for k, v in s["differing"].items()) or "—"
        seconds = ", ".join(map(str, s["run_seconds"]))
        lines.append(f"| {name} | {s['items']} | {s['identical']} | {differing} | {seconds} |")
    write_results("determinism", report, "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if all(not s["differing"] for s in report["sets"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
