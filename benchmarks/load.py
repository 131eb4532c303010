"""Concurrent load through the Python API: many simulated users, each in its own ``Session``, asking at once.

Each user states different facts (district, year of registration, patents) over a four-turn conversation:
a ruling question, a follow-up giving the registration year, a fact question, and a ruling question that
needs the accumulated facts. The users run on a thread pool (``--workers``), their turns in order, all users
at once; every ask is timed. Reported: asks, failures, wall time, throughput (asks/s), latency p50/p95/max,
and an isolation check: every user's final ``session.facts`` holds their own district and year, and no other
user's district.

The index is built into a temp data dir with the shared embedding cache (warm: nothing is embedded) unless
``--data-dir`` names an existing one. The tests (``tests/reliability/test_load.py``) run the same workload.

Usage: python benchmarks/load.py [--users 50] [--workers 16] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: _common sits next to this file
    sys.path.insert(0, str(Path(__file__).resolve().parent))

# (district, its programme's name as users say it): Lianyungang districts for the industry guide (赣榆区 is
# excluded there), Nantong ones for the frontier-technology guide
PLACES = [
    ("海州区", "产业前瞻与关键技术项目"), ("连云区", "产业前瞻与关键技术项目"),
    ("赣榆区", "产业前瞻与关键技术项目"), ("东海县", "产业前瞻与关键技术项目"),
    ("灌云县", "产业前瞻与关键技术项目"), ("灌南县", "产业前瞻与关键技术项目"),
    ("崇川区", "南通市前沿技术研发项目"), ("通州区", "南通市前沿技术研发项目"),
    ("海门区", "南通市前沿技术研发项目"), ("如皋市", "南通市前沿技术研发项目"),
]


@dataclass
class User:
    """One simulated applicant: their facts and the four questions they ask."""

    uid: int
    district: str
    year: int
    questions: list[str] = field(default_factory=list)


def make_users(n: int) -> list[User]:
    """``n`` users with distinct (district, year) pairs."""
    users = []
    for uid in range(n):
        district, programme = PLACES[uid % len(PLACES)]
        year = 2000 + (uid // len(PLACES)) % 24
        users.append(User(uid, district, year, [
            f"我们是{district}注册的企业，能申报{programme}吗？",
            f"我们是{year}年注册的。",
            f"{programme}的申报截止时间是什么时候？（咨询编号{uid}）",  # distinct: embedded concurrently
            f"我们近三年有授权发明专利，现在能申报{programme}吗？",
        ]))
    return users


@dataclass
class Turn:
    """One timed ask."""

    uid: int
    turn: int
    seconds: float
    record: Any = None
    error: str | None = None


def run_user(service: Any, user: User, session_factory: Callable[[], Any]) -> tuple[Any, list[Turn]]:
    """One user's conversation in their own session; errors are recorded, not raised."""
    session = session_factory()
    turns = []
    for n, q in enumerate(user.questions):
        t0 = time.perf_counter()
        try:
            record = service.ask(q, session)
            turns.append(Turn(user.uid, n, time.perf_counter() - t0, record=record))
        except Exception as exc:  # a failure is a result of the load run
            turns.append(Turn(user.uid, n, time.perf_counter() - t0, error=f"{type(exc).__name__}: {exc}"))
    return session, turns


def run_load(service: Any, users: list[User], workers: int) -> tuple[list[Any], list[Turn], float]:
    """All users at once on ``workers`` threads: (sessions by uid, every turn, wall seconds)."""
    from assistant.answer import Session

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda u: run_user(service, u, Session), users))
    wall = time.perf_counter() - t0
    return [s for s, _ in results], [t for _, ts in results for t in ts], wall


def isolation_errors(users: list[User], sessions: list[Any]) -> list[str]:
    """Users whose final facts miss their own district/year or hold another user's district."""
    errors = []
    districts = {u.district for u in users}
    for u, s in zip(users, sessions, strict=True):
        facts = json.dumps(s.facts, ensure_ascii=False, default=str)
        if s.facts.get("registered_district") != u.district or str(u.year) not in facts:
            errors.append(f"user {u.uid}: facts {facts} lack {u.district}/{u.year}")
        others = [d for d in districts - {u.district} if d in facts]
        if others:
            errors.append(f"user {u.uid}: facts {facts} hold other users' districts {others}")
    return errors


def summary(turns: list[Turn], wall: float, workers: int, users: int) -> dict[str, Any]:
    """Throughput and latency figures of a run."""
    from _common import pct

    lat = [t.seconds * 1000 for t in turns if t.error is None]
    return {
        "users": users, "workers": workers, "asks": len(turns),
        "failures": sum(1 for t in turns if t.error is not None),
        "wall_s": round(wall, 2), "throughput_asks_per_s": round(len(turns) / wall, 2),
        "latency_ms": {"p50": round(pct(lat, 50) or 0, 1), "p95": round(pct(lat, 95) or 0, 1),
                       "max": round(max(lat, default=0), 1)},
        "verdicts": {v: sum(1 for t in turns if t.record is not None and t.record.verdict == v)
                     for v in ("eligible", "ineligible", "needs_info")},
    }


def main() -> int:
    from _common import SHARED_CACHE, machine, machine_md, write_results

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=50, help="simulated users (4 asks each)")
    ap.add_argument("--workers", type=int, default=16, help="threads asking at once")
    ap.add_argument("--data-dir", type=Path, help="an existing data dir (default: a temp one)")
    args = ap.parse_args()

    from assistant.answer import AnswerService, Session
    from assistant.config import Settings
    from assistant.index.builder import IndexBuilder

    with tempfile.TemporaryDirectory() as tmp:
        data = args.data_dir or Path(tmp) / "data"
        settings = Settings.from_env({"SHENBAO_DATA_DIR": str(data), "SHENBAO_EMBED_CACHE": str(SHARED_CACHE)})
        if args.data_dir is None:
            IndexBuilder(settings).run()
        service = AnswerService(settings, use_llm=False)
        users = make_users(args.users)
        service.ask("申报截止时间是什么时候？", Session())  # warm-up: index, jieba, e5
        sessions, turns, wall = run_load(service, users, args.workers)
    result = summary(turns, wall, args.workers, args.users)
    result["isolation_errors"] = isolation_errors(users, sessions)
    result["errors"] = sorted({t.error for t in turns if t.error})[:10]
    result["machine"] = machine()
    lat = result["latency_ms"]
    write_results("load", result, (
        f"# Concurrent load (Python API)\n\n{result['users']} users × 4 turns = {result['asks']} asks on "
        f"{result['workers']} threads, offline: **{result['throughput_asks_per_s']} asks/s**, latency p50 "
        f"{lat['p50']} ms, **p95 {lat['p95']} ms**, max {lat['max']} ms; failures {result['failures']}, "
        f"isolation errors {len(result['isolation_errors'])}.\n\n{machine_md(result['machine'])}\n"))
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, ensure_ascii=False, indent=2))
    return 0 if result["failures"] == 0 and not result["isolation_errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
