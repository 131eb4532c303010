"""Concurrent load through the HTTP API: N OpenAI clients at once against ``shenbao serve``, offline.

Each client is the real ``openai`` Python client with its own staff API key, holding the four-turn
conversation of ``benchmarks/load.py`` (a ruling question stating its district, a follow-up with the
registration year, a fact question, a ruling that needs the accumulated facts) and sending the whole
history with every request, as chat front-ends do. All clients start together; every completion is timed
from request to the parsed response. Reported: asks, failures, wall time, throughput (asks/s), latency
p50/p95/max, and isolation: every client's verdict sequence must equal that of the same conversation run
alone through the Python API.

The server is started on a free loopback port over an index of the bundled corpus built in a temp data dir
with the shared embedding cache (nothing is embedded). ``tests/api`` reuses :func:`api_server`.

Usage: python benchmarks/api_load.py [--clients 50]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: _common and load sit next to this file
    sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def api_server(env_extra: dict[str, str], log_path: Path, startup_timeout: float = 180) -> Iterator[str]:
    """``shenbao serve`` of this checkout on a free loopback port; yields its base URL (``…/v1``)."""
    from _common import free_port, local_server

    port = free_port()

    def ready(url: str) -> bool:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
            return bool(json.loads(r.read()).get("status") == "ok")

    with local_server(["-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)], port, ready,
                      env_extra, log_path, startup_timeout, "shenbao serve") as url:
        yield f"{url}/v1"


@dataclass
class Ask:
    """One timed completion of one client."""

    client: int
    turn: int
    seconds: float
    verdict: str | None = None
    error: str | None = None


def converse(base_url: str, key: str, cid: int, questions: list[str], start: threading.Event) -> list[Ask]:
    """One client's conversation, the whole history sent each turn."""
    from openai import OpenAI

    client = OpenAI(base_url=base_url, api_key=key, timeout=300, max_retries=0)
    messages: list[dict[str, str]] = []
    asks = []
    start.wait()
    for n, q in enumerate(questions):
        messages.append({"role": "user", "content": q})
        t0 = time.perf_counter()
        try:
            done = client.chat.completions.create(model="shenbao", messages=messages)  # type: ignore[arg-type]
            secs = time.perf_counter() - t0
            extra = (done.model_extra or {}).get("shenbao") or {}
            messages.append({"role": "assistant", "content": done.choices[0].message.content or ""})
            asks.append(Ask(cid, n, secs, verdict=extra.get("verdict")))
        except Exception as exc:  # a failure is a result of the load run
            asks.append(Ask(cid, n, time.perf_counter() - t0, error=f"{type(exc).__name__}: {exc}"[:300]))
            messages.append({"role": "assistant", "content": ""})
    return asks


def run_clients(base_url: str, keys: list[str], conversations: list[list[str]]) -> tuple[list[list[Ask]], float]:
    """All conversations at once, one thread and one key each: (asks per client, wall seconds)."""
    start = threading.Event()
    with ThreadPoolExecutor(max_workers=len(conversations)) as pool:
        futures = [pool.submit(converse, base_url, keys[i], i, qs, start) for i, qs in enumerate(conversations)]
        time.sleep(0.5)  # every thread is waiting at the start line
        t0 = time.perf_counter()
        start.set()
        results = [f.result() for f in futures]
    return results, time.perf_counter() - t0


def main() -> int:
    from _common import SHARED_CACHE, machine, machine_md, write_results
    from load import make_users
    from streamlit_load import expected_verdicts, summarise

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50, help="API clients at once (4 asks each)")
    args = ap.parse_args()

    from assistant.auth import AuthSettings, AuthStore
    from assistant.config import Settings
    from assistant.index.builder import IndexBuilder

    conversations = [u.questions for u in make_users(args.clients)]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        env = {"SHENBAO_DATA_DIR": str(data), "SHENBAO_EMBED_CACHE": str(SHARED_CACHE)}
        settings = Settings.from_env(env)
        IndexBuilder(settings).run()
        expected = expected_verdicts(settings, conversations)
        store = AuthStore(AuthSettings.from_env(settings, env).store_path, rounds=4)
        keys = [store.create_key("staff", f"load client {i}")[0] for i in range(args.clients)]
        with api_server(env, Path(tmp) / "server.log") as base_url:
            warm = converse(base_url, keys[0], -1, ["申报截止时间是什么时候？"], _set(threading.Event()))
            if warm[0].error:
                raise RuntimeError(f"warm-up failed: {warm[0].error}")
            asks, wall = run_clients(base_url, keys, conversations)
    result = summarise(asks, wall, expected)  # type: ignore[arg-type]
    result["clients"] = result.pop("sessions")
    result["machine"] = machine()
    py = json.loads((ROOT / "benchmarks" / "results" / "load.json").read_text(encoding="utf-8"))
    write_results("api_load", result, markdown(result, py, machine_md(result["machine"])))
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, ensure_ascii=False, indent=2))
    return 0 if result["failures"] == 0 and not result["isolation_errors"] else 1


def markdown(result: dict[str, Any], py: dict[str, Any], machine_line: str) -> str:
    """The results page, with the Python-API figure of ``load.json`` beside it."""
    lat = result["latency_ms"]
    return (
        f"# Concurrent load (HTTP API, OpenAI protocol)\n\n{result['clients']} OpenAI clients (one API key each) × "
        f"4 turns = {result['asks']} completions at once against `shenbao serve`, offline, full history sent "
        f"each turn: **{result['throughput_asks_per_s']} asks/s**, latency p50 {lat['p50']} ms, **p95 {lat['p95']} "
        f"ms**, max {lat['max']} ms; failures {result['failures']}, isolation errors "
        f"{len(result['isolation_errors'])}.\n\n"
        f"For comparison, the same workload through the Python API (`benchmarks/results/load.md`, 16 threads): "
        f"{py['throughput_asks_per_s']} asks/s, p95 {py['latency_ms']['p95']} ms, measured at load average "
        f"{py['machine']['load_avg_at_start'][0]} against {result['machine']['load_avg_at_start'][0]} here (the "
        f"2 cores are shared with other developers' jobs, so the two runs are not like for like). The HTTP "
        f"figure also includes the 50 client threads in the benchmark process, JSON and key checks, and all 50 "
        f"requests queued at once rather than 16.\n\n{machine_line}\n")


def _set(event: threading.Event) -> threading.Event:
    event.set()
    return event


if __name__ == "__main__":
    sys.exit(main())
