"""A scripted OpenAI chat-completions server on 127.0.0.1 for tests (stdlib ``http.server`` in a thread).

Each ``POST /v1/chat/completions`` takes the next reply of the script; a reply can be a :class:`Reply` or a
function of the request body returning one (to cite the clause ids the tool actually returned). Requests
with ``"stream": true`` get server-sent events (``data: {chunk}`` lines, then ``data: [DONE]``). Every
request is recorded (path, lower-cased headers, raw body, parsed JSON) so tests can assert on what the
client sent. When the script is exhausted, or a reply function fails, the server answers 500 and the
error is kept in ``errors``; leaving the ``with`` block then fails the test with it.

Usage::

    with OpenAIStub() as stub:
        stub.push(Reply(tool_calls=[tool_call("search_clauses", {"query": "资助"})]),
                  lambda body: Reply(content=final_json("…", cite_first(body))))
        settings = make_settings(tmp, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=stub.base_url)
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted response.

    Attributes:
        content: the assistant message text (streamed in ``chunk_chars`` pieces when asked to stream).
        tool_calls: ``[{"id", "name", "arguments"}]`` (see :func:`tool_call`).
        status: HTTP status; non-200 sends an OpenAI-style error body.
        delay: seconds to wait before answering (a slow endpoint).
        raw: a body sent as is instead of a completion (garbage); ``content_type`` goes with it.
        chunk_chars: piece size when streaming.
        chunk_delay: pause between streamed pieces.
    """

    content: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0
    raw: bytes | None = None
    content_type: str = "application/json"
    chunk_chars: int = 7
    chunk_delay: float = 0.0


Script = Reply | Callable[[dict[str, Any]], Reply]


@dataclass
class Received:
    """One request as the server received it."""

    path: str
    headers: dict[str, str]
    raw: bytes
    body: dict[str, Any]

    @property
    def tool_names(self) -> list[str]:
        """Names of the tools declared in the request."""
        return [t.get("function", {}).get("name") for t in self.body.get("tools", []) or []]

    def messages(self, role: str) -> list[dict[str, Any]]:
        """The request's messages with this role."""
        return [m for m in self.body.get("messages", []) if m.get("role") == role]


def tool_call(name: str, args: dict[str, Any], call_id: str | None = None) -> dict[str, Any]:
    """A scripted tool call."""
    return {"id": call_id or f"call_{name}_{int(time.monotonic() * 1e6) % 10**8}", "name": name,
            "arguments": json.dumps(args, ensure_ascii=False)}


def final_json(answer: str, citations: Iterable[tuple[str, str]] = (), found: bool = True) -> str:
    """The final answer in the shape the system prompt asks for."""
    cited = [{"clause_id": cid, "quote": q} for cid, q in citations]
    return json.dumps({"answer": answer, "found": found, "citations": cited}, ensure_ascii=False)


_CLAUSE = re.compile(r'<clause id="([^"]+)">\n公告：《(.*?)》\n章节：(.*?)\n原文：(.*?)\n</clause>',
                     re.DOTALL)


def tool_clauses(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(clause id, clause text) pairs from every tool result in a request, in order."""
    out: list[tuple[str, str]] = []
    for m in body.get("messages", []):
        if m.get("role") == "tool":
            out += [(g[0], g[3]) for g in _CLAUSE.findall(str(m.get("content", "")))]
    return out


class OpenAIStub:
    """The scripted server (a context manager). ``base_url`` ends in ``/v1`` like OpenAI's."""

    def __init__(self, *script: Script) -> None:
        self.script: deque[Script] = deque(script)
        self.received: list[Received] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        """The endpoint to give the client (``OPENAI_BASE_URL``)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def push(self, *replies: Script) -> None:
        """Append replies to the script."""
        self.script.extend(replies)

    def __enter__(self) -> OpenAIStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()  # wakes any handler still sleeping in a slow reply
        self._server.shutdown()
        self._server.server_close()
        if self.errors and not exc[0]:
            raise AssertionError(f"scripted server: {self.errors}")

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if not self.script:
                self.errors.append("script exhausted")
                return Reply(status=500, content="script exhausted")
            item = self.script.popleft()
        try:
            return item(body) if callable(item) else item
        except Exception as exc:  # a reply function's assertion: report it, answer 500
            self.errors.append(f"{type(exc).__name__}: {exc}")
            return Reply(status=500, content="reply function failed")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {}
                with stub._lock:
                    stub.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                  raw, body))
                reply = stub._next(body)
                if reply.delay and stub._stop.wait(reply.delay):
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
                    self._respond(reply, body)

            def _respond(self, reply: Reply, body: dict[str, Any]) -> None:
                if reply.raw is not None:
                    self._send(reply.status, reply.raw, reply.content_type)
                elif reply.status != 200:
                    err = {"error": {"message": reply.content or "server error", "type": "server_error"}}
                    self._send(reply.status, json.dumps(err).encode(), "application/json")
                elif body.get("stream"):
                    self._stream(reply, body)
                else:
                    self._send(200, json.dumps(_completion(reply, body)).encode(), "application/json")

            def _send(self, status: int, data: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, reply: Reply, body: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for chunk in _chunks(reply, body):
                    self.wfile.write(b"data: " + json.dumps(chunk, ensure_ascii=False).encode() + b"\n\n")
                    self.wfile.flush()
                    if reply.chunk_delay and stub._stop.wait(reply.chunk_delay):
                        return
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        return Handler


def _completion(reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.tool_calls:
        message["tool_calls"] = [{"id": t["id"], "type": "function",
                                  "function": {"name": t["name"], "arguments": t["arguments"]}}
                                 for t in reply.tool_calls]
    return {"id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "stub"),
            "choices": [{"index": 0, "message": message,
                         "finish_reason": "tool_calls" if reply.tool_calls else "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def _chunks(reply: Reply, body: dict[str, Any]) -> Iterable[dict[str, Any]]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": body.get("model", "stub"),
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    yield chunk({"role": "assistant", "content": ""})
    text = reply.content or ""
    for i in range(0, len(text), reply.chunk_chars):
        yield chunk({"content": text[i:i + reply.chunk_chars]})
    for n, t in enumerate(reply.tool_calls):
        args = t["arguments"]
        yield chunk({"tool_calls": [{"index": n, "id": t["id"], "type": "function",
                                     "function": {"name": t["name"], "arguments": args[: len(args) // 2]}}]})
        yield chunk({"tool_calls": [{"index": n, "function": {"arguments": args[len(args) // 2:]}}]})
    yield chunk({}, "tool_calls" if reply.tool_calls else "stop")
