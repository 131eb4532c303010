"""20 concurrent chat sessions on the Streamlit server (issue 7, load): no failure, every session's rulings
exactly those of the same conversation run alone (no fact leaks between sessions).

The workload and the websocket client are ``benchmarks/streamlit_load.py``'s, which also reports throughput
and p95; no timing is asserted here. The figures of the run are written to ``out/streamlit_load.json``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EMBED_CACHE, ROOT, load_benchmark, make_settings

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

SESSIONS = 20


def test_20_concurrent_chat_sessions_on_the_server(tmp_path: Path, corpus_settings: Any) -> None:
    from assistant.index.builder import IndexBuilder

    bench = load_benchmark("streamlit_load")
    users = load_benchmark("load").make_users(SESSIONS)
    conversations = [u.questions for u in users]
    assert len({u.district for u in users}) >= 10  # sessions state different facts

    settings = make_settings(tmp_path / "data")  # the server's own copy of the corpus index
    IndexBuilder(settings).run()
    expected = bench.expected_verdicts(settings, conversations)
    assert any("ineligible" in seq for seq in expected) and any("needs_info" in seq for seq in expected)

    env = {"SHENBAO_DATA_DIR": str(settings.data_dir), "SHENBAO_CORPUS_DIR": str(settings.corpus_dir),
           "SHENBAO_EMBED_CACHE": str(EMBED_CACHE)}
    with bench.streamlit_server(env, tmp_path / "server.log") as url:
        bench.warm_up(url)
        asks, wall = asyncio.run(bench.run_sessions(url, conversations))
    result = bench.summarise(asks, wall, expected)

    out = ROOT / "out" / "streamlit_load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nStreamlit load: {result['sessions']} sessions, {result['asks']} asks, "
          f"{result['throughput_asks_per_s']} asks/s, p95 {result['latency_ms']['p95']} ms, "
          f"failures {result['failures']}")
    assert result["asks"] == 4 * SESSIONS
    assert result["failures"] == 0, result["errors"]
    assert result["isolation_errors"] == []
    for a in (a for s in asks for a in s):  # every answer quotes its clauses or declines
        answer = bench.last_answer(a.text)
        assert "引用条款" in answer or "现有公告中未找到" in answer, answer[-500:]
