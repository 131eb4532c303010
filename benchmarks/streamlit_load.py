"""Concurrent chat sessions on the Streamlit server: N browser sessions asking at once over the websocket.

Each simulated browser opens its own websocket to ``/_stcore/stream`` (one Streamlit session each, exactly as
a browser tab), renders the chat page, and types the four-turn conversation of ``benchmarks/load.py``
(a ruling question stating its district, a follow-up with the registration year, a fact question, a ruling
that needs the accumulated facts) into ``st.chat_input``; an ask is timed from sending the widget value to
the server's ``script_finished``. Reported: asks, failures, wall time, throughput (asks/s), latency
p50/p95/max, and isolation: every session's verdict sequence must equal that of the same conversation run
alone through the Python API — a fact leaking from one session into another changes a ruling.

The server is started on a free loopback port over an index of the bundled corpus built in a temp data dir
with the shared embedding cache (nothing is embedded), unless ``--url`` names a running one.
``tests/ui/test_streamlit_load.py`` (marker ``reliability``) runs the same workload with 20 sessions.

Usage: python benchmarks/streamlit_load.py [--sessions 20] [--url http://127.0.0.1:8501]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: _common and load sit next to this file
    sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parent.parent
_BADGE = re.compile(r":(red|green|orange)-badge\[(不符合|符合|需补充信息)\]")
_ANSWER_END = re.compile(r"离线答案 · \d+ ms")
VERDICTS = {"符合": "eligible", "不符合": "ineligible", "需补充信息": "needs_info"}


@dataclass
class Ask:
    """One timed ask of one session."""

    session: int
    turn: int
    seconds: float
    verdict: str | None = None
    text: str = ""
    error: str | None = None


@dataclass
class BrowserSession:
    """A Streamlit session over a websocket, as a browser tab holds one (protobuf messages both ways)."""

    url: str
    timeout: float = 300.0
    ws: Any = None
    chat_input_id: str | None = None
    markdown: list[str] = field(default_factory=list)

    async def open(self) -> None:
        """Connect and run the app once (the chat page), learning the chat input's widget id."""
        import websockets

        ws_url = self.url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.ws = await websockets.connect(ws_url, subprotocols=["streamlit"],  # type: ignore[list-item]
                                           max_size=None, open_timeout=60, ping_interval=None)
        await self._rerun([])

    async def close(self) -> None:
        """Close the websocket (the server ends the session)."""
        if self.ws is not None:
            await self.ws.close()

    async def ask(self, question: str) -> str:
        """Type a question into the chat input; returns the page's Markdown after the answer."""
        from streamlit.proto.Common_pb2 import ChatInputValue
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        if not self.chat_input_id:
            raise RuntimeError("the chat page showed no chat input")
        ws = WidgetState(id=self.chat_input_id)
        ws.chat_input_value.CopyFrom(ChatInputValue(data=question))
        await self._rerun([ws])
        return "\n".join(self.markdown)

    async def _rerun(self, widgets: list[Any]) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = ""
        msg.rerun_script.widget_states.widgets.extend(widgets)
        await self.ws.send(msg.SerializeToString())
        self.markdown = []
        deadline = time.monotonic() + self.timeout
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), timeout=max(1.0, deadline - time.monotonic()))
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                which = el.WhichOneof("type")
                if which == "markdown":
                    self.markdown.append(el.markdown.body)
                elif which == "alert":
                    self.markdown.append(el.alert.body)
                elif which == "chat_input":
                    self.chat_input_id = el.chat_input.id
                elif which == "exception":
                    raise RuntimeError(f"exception in the page: {el.exception.message}")
            elif kind == "script_finished":
                return


def last_answer(markdown: str) -> str:
    """The Markdown of the last answer on the page (each ends with its "离线答案 · N ms" caption)."""
    answers = _ANSWER_END.split(markdown)
    return answers[-2] if len(answers) >= 2 else markdown


def verdict_of(markdown: str) -> str | None:
    """The verdict badge of the last answer on the page (None for a non-ruling answer)."""
    found = _BADGE.findall(last_answer(markdown))
    return VERDICTS[found[-1][1]] if found else None


async def _converse(url: str, sid: int, questions: list[str], ready: list[int], start: asyncio.Event) -> list[Ask]:
    page = BrowserSession(url)
    asks: list[Ask] = []
    try:
        try:
            await page.open()
        finally:
            ready.append(sid)
        await start.wait()  # every tab is open: now they all ask at once
        for n, q in enumerate(questions):
            t0 = time.perf_counter()
            try:
                md = await page.ask(q)
                asks.append(Ask(sid, n, time.perf_counter() - t0, verdict=verdict_of(md), text=md))
            except Exception as exc:  # a failure is a result of the load run
                asks.append(Ask(sid, n, time.perf_counter() - t0, error=f"{type(exc).__name__}: {exc}"))
    except Exception as exc:  # the tab did not open: every ask of it fails
        asks = [Ask(sid, n, 0.0, error=f"open: {type(exc).__name__}: {exc}") for n in range(len(questions))]
    finally:
        await page.close()
    return asks


async def run_sessions(url: str, conversations: list[list[str]]) -> tuple[list[list[Ask]], float]:
    """All conversations at once, one browser session each: (asks per session, wall seconds of the asking)."""
    start = asyncio.Event()
    ready: list[int] = []
    tasks = [asyncio.create_task(_converse(url, i, qs, ready, start)) for i, qs in enumerate(conversations)]
    while len(ready) < len(tasks):  # every session opened and rendered the page before the crowd asks
        await asyncio.sleep(0.05)
    t0 = time.perf_counter()
    start.set()
    results = await asyncio.gather(*tasks)
    return list(results), time.perf_counter() - t0


def expected_verdicts(settings: Any, conversations: list[list[str]]) -> list[list[str | None]]:
    """Each conversation run alone through the Python API (the reference for isolation)."""
    from assistant.answer import AnswerService, Session

    service = AnswerService(settings, use_llm=False)
    out = []
    for qs in conversations:
        session = Session()
        out.append([service.ask(q, session).verdict for q in qs])
    return out


def summarise(asks: list[list[Ask]], wall: float, expected: list[list[str | None]] | None) -> dict[str, Any]:
    """Throughput, latency and isolation figures of a run."""
    from _common import pct

    flat = [a for s in asks for a in s]
    lat = [a.seconds * 1000 for a in flat if a.error is None]
    mismatches = []
    if expected is not None:
        for sid, (got, want) in enumerate(zip(asks, expected, strict=True)):
            seq = [a.verdict for a in got]
            if seq != want:
                mismatches.append(f"session {sid}: verdicts {seq}, alone {want}")
    return {
        "sessions": len(asks), "asks": len(flat), "failures": sum(1 for a in flat if a.error),
        "wall_s": round(wall, 2), "throughput_asks_per_s": round(len(flat) / wall, 3) if wall else None,
        "latency_ms": {"p50": round(pct(lat, 50) or 0, 1), "p95": round(pct(lat, 95) or 0, 1),
                       "max": round(max(lat, default=0), 1)},
        "verdicts": {v: sum(1 for a in flat if a.verdict == v) for v in ("eligible", "ineligible", "needs_info")},
        "isolation_errors": mismatches,
        "errors": sorted({a.error for a in flat if a.error})[:10],
    }


@contextlib.contextmanager
def streamlit_server(env_extra: dict[str, str], log_path: Path, startup_timeout: float = 90) -> Iterator[str]:
    """``streamlit run ui/app.py`` on a free loopback port (headless, no telemetry); yields its URL."""
    from _common import free_port, local_server

    port = free_port()

    def ready(url: str) -> bool:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return bool(r.read().strip() == b"ok")

    args = ["-m", "streamlit", "run", str(ROOT / "ui" / "app.py"), "--server.headless", "true",
            "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none", "--global.developmentMode", "false", "--client.toolbarMode", "viewer"]
    with local_server(args, port, ready, env_extra, log_path, startup_timeout, "Streamlit server") as url:
        yield url


def warm_up(url: str) -> None:
    """One ask before the measurement: the server loads the index, jieba and e5 once."""
    async def once() -> None:
        page = BrowserSession(url)
        await page.open()
        await page.ask("申报截止时间是什么时候？")
        await page.close()

    asyncio.run(once())


def main() -> int:
    from _common import SHARED_CACHE, machine, machine_md, write_results
    from load import make_users

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20, help="browser sessions asking at once (4 asks each)")
    ap.add_argument("--url", help="a running server (its index must be the bundled corpus)")
    args = ap.parse_args()

    from assistant.config import Settings
    from assistant.index.builder import IndexBuilder

    conversations = [u.questions for u in make_users(args.sessions)]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        env = {"SHENBAO_DATA_DIR": str(data), "SHENBAO_EMBED_CACHE": str(SHARED_CACHE)}
        settings = Settings.from_env(env)
        IndexBuilder(settings).run()
        expected = expected_verdicts(settings, conversations)
        with (contextlib.nullcontext(args.url) if args.url
              else streamlit_server(env, Path(tmp) / "server.log")) as url:
            warm_up(url)
            asks, wall = asyncio.run(run_sessions(url, conversations))
    result = summarise(asks, wall, expected)
    result["machine"] = machine()
    lat = result["latency_ms"]
    write_results("streamlit_load", result, (
        f"# Concurrent chat sessions (Streamlit server)\n\n{result['sessions']} browser sessions × 4 turns = "
        f"{result['asks']} asks at once over the websocket, offline: **{result['throughput_asks_per_s']} "
        f"asks/s**, latency p50 {lat['p50']} ms, **p95 {lat['p95']} ms**, max {lat['max']} ms; failures "
        f"{result['failures']}, isolation errors {len(result['isolation_errors'])}.\n\n"
        f"{machine_md(result['machine'])}\n"))
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, ensure_ascii=False, indent=2))
    return 0 if result["failures"] == 0 and not result["isolation_errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
