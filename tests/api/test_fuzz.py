"""≥ 200 malformed requests against ``shenbao serve``: every one gets a 4xx with a Chinese message, none a 5xx.

Fuzzed JSON values (hypothesis), wrong types for every field, unknown fields, undecodable bytes, bodies past
the size limit, broken Content-Length and content types, deep nesting. The tally is written to
``out/api-fuzz.json`` (the closing note quotes it).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.network, pytest.mark.reliability]

# the JSON endpoints (POST /v1/match is left out: a well-formed body there answers 501 by design)
ENDPOINTS = ["/chat/completions", "/search", "/check"]
VALID = {
    "/chat/completions": {"model": "shenbao", "messages": [{"role": "user", "content": "资助多少？"}]},
    "/search": {"query": "资助", "k": 3},
    "/check": {"programme_id": "lyg-2024-key-rd-industry", "facts": {}},
}
WRONG = [None, 0, -1, 1.5, True, "", "x" * 3000, [], [1, "a"], {}, {"a": {"b": []}}, "\ud800", "\x00"]
_HAN = re.compile(r"[\u4e00-\u9fff]")
TALLY: Counter[int] = Counter()
SEEN: list[dict[str, Any]] = []

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=10), kids, max_size=4),
    max_leaves=12,
)


def _send(http: Any, url: str, path: str, content: bytes, headers: dict[str, str] | None = None,
          method: str = "POST") -> Any:
    r = http.request(method, url + path, content=content,
                     headers={"content-type": "application/json", **(headers or {})})
    TALLY[r.status_code] += 1
    SEEN.append({"path": path, "status": r.status_code, "body": content[:120].decode("utf-8", "replace")})
    assert r.status_code < 500, f"{path} {content[:200]!r} → {r.status_code} {r.text[:300]}"
    if r.status_code >= 400:
        body = r.json()
        message = body["error"]["message"]
        assert _HAN.search(message) and "Traceback" not in r.text, body
    return r


@pytest.fixture(scope="module")
def http() -> Any:
    import httpx

    with httpx.Client(timeout=120) as client:
        yield client


def _malformed(endpoint: str, value: Any) -> bool:
    """Only bodies that are not the valid request (an accepted body is not malformed)."""
    return not (isinstance(value, dict) and value == VALID[endpoint])


@settings(max_examples=75, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(endpoint=st.sampled_from(ENDPOINTS), value=json_values)
def test_fuzzed_json_values(corpus_server: Any, http: Any, endpoint: str, value: Any) -> None:
    url = corpus_server[0]
    if not isinstance(value, dict) or not value:
        value = {"unexpected": value}
    _send(http, url, endpoint, json.dumps(value).encode())


@settings(max_examples=75, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(endpoint=st.sampled_from(ENDPOINTS), data=st.data())
def test_wrong_types_for_each_field(corpus_server: Any, http: Any, endpoint: str, data: Any) -> None:
    url = corpus_server[0]
    body = json.loads(json.dumps(VALID[endpoint]))
    field = data.draw(st.sampled_from(sorted(body)))
    wrong = data.draw(st.sampled_from(WRONG) | json_values)
    if field == "query" and isinstance(wrong, str) and 0 < len(wrong) < 2000 and wrong.strip("\x00\ud800"):
        wrong = [wrong]  # a string is a valid query: make it the wrong type
    if field == "facts" and isinstance(wrong, dict):
        wrong = [wrong]
    if field == "model" and isinstance(wrong, str):
        wrong = wrong + "-unknown"
    body[field] = wrong
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8", errors="surrogatepass")
    _send(http, url, endpoint, raw)


@settings(max_examples=50, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(endpoint=st.sampled_from(ENDPOINTS), raw=st.binary(min_size=1, max_size=300))
def test_undecodable_and_random_bytes(corpus_server: Any, http: Any, endpoint: str, raw: bytes) -> None:
    url = corpus_server[0]
    _send(http, url, endpoint, b'{"query": "' + raw + b'"}' if raw[0] % 2 else raw)


def test_handcrafted_malformed_requests(corpus_server: Any, http: Any) -> None:
    url, keys, _ = corpus_server
    cases: list[tuple[str, bytes, dict[str, str], str]] = [
        ("/search", b"\xff\xfe\xfa", {}, "POST"),
        ("/search", '{"query": "资助"}'.encode("gbk"), {}, "POST"),
        ("/search", b'{"query": "\xe8\xb5"}', {}, "POST"),
        ("/search", b"", {}, "POST"),
        ("/search", b"null", {}, "POST"),
        ("/search", b"[" * 5000 + b"]" * 5000, {}, "POST"),
        ("/search", b'{"query": NaN}', {}, "POST"),
        ("/search", b'{"query": "a", "k": Infinity}', {}, "POST"),
        ("/search", b'{"query": "a", "k": 1e400}', {}, "POST"),
        ("/search", b'{"query": "a", "k": 0}', {}, "POST"),
        ("/search", b'{"query": "a", "k": 51}', {}, "POST"),
        ("/search", b'{"query": "a", "extra": 1}', {}, "POST"),
        ("/search", b'{"query": "a"}', {"content-type": "text/plain"}, "POST"),
        ("/search", b'{"query": "' + b"a" * 300_000 + b'"}', {}, "POST"),
        ("/search", b'{"query": "\\u0000\\u0001"}', {}, "POST"),
        ("/search", b'{"query": "\\ud800"}', {}, "POST"),
        ("/search", b'{"query": "x"}', {}, "PUT"),
        ("/check", b'{"programme_id": "nope", "facts": {}}', {}, "POST"),
        ("/check", b'{"programme_id": "lyg-2024-key-rd-industry", "facts": {"registered_district": 5}}', {}, "POST"),
        ("/check", b'{"programme_id": "lyg-2024-key-rd-industry", "facts": {"no_such_fact": 1}}', {}, "POST"),
        ("/check", b'{"programme_id": "lyg-2024-key-rd-industry", "facts": {"founded": "not a date"}}', {}, "POST"),
        ("/chat/completions", b'{"model": "shenbao", "messages": [{"role": "assistant", "content": "x"}]}', {}, "POST"),
        ("/chat/completions", b'{"model": "shenbao", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]}', {}, "POST"),
        ("/chat/completions", b'{"model": "shenbao", "messages": [{"role": "user"}]}', {}, "POST"),
        ("/chat/completions", b'{"model": "shenbao", "n": 2, "messages": [{"role": "user", "content": "a"}]}', {}, "POST"),
        ("/chat/completions", b'{"model": "shenbao", "messages": [{"role": "robot", "content": "a"}]}', {}, "POST"),
        ("/chat/completions", b'{"model": "shenbao", "stream": "yes please", "messages": []}', {}, "POST"),
        ("/chat/completions", b'{"model": "shenbao", "messages": [{"role": "user", "content": "' + "问".encode() * 2500 + b'"}]}', {}, "POST"),
        ("/notices", b"not multipart", {"content-type": "multipart/form-data; boundary=zz",
                                        "authorization": f"Bearer {keys.admin}"}, "POST"),
        ("/notices", b"--zz\r\nbroken", {"content-type": "multipart/form-data; boundary=zz",
                                         "authorization": f"Bearer {keys.admin}"}, "POST"),
        ("/reindex", b'{"rebuild": "sometimes"}', {"authorization": f"Bearer {keys.admin}"}, "POST"),
        ("/feedback?limit=-5", b"", {"authorization": f"Bearer {keys.staff}"}, "GET"),
        ("/feedback?limit=abc", b"", {"authorization": f"Bearer {keys.staff}"}, "GET"),
        ("/notices/..%2F..%2Fetc%2Fpasswd", b"", {"authorization": f"Bearer {keys.admin}"}, "DELETE"),
        ("/feedback", b"", {"authorization": "Basic dXNlcjpwYXNz"}, "GET"),
        ("/feedback", b"", {"authorization": "Bearer sbk_0123456789_" + "A" * 43}, "GET"),
    ]
    for path, raw, headers, method in cases:
        r = _send(http, url, path, raw, headers, method)
        assert 400 <= r.status_code < 500, (path, raw[:80], r.status_code, r.text[:200])


def test_raw_http_with_broken_headers(corpus_server: Any) -> None:
    """What an HTTP library would not send: a non-numeric or lying Content-Length, a bad chunk size."""
    import socket
    from urllib.parse import urlsplit

    u = urlsplit(corpus_server[0])
    heads = [b"Content-Length: abc\r\n", b"Content-Length: 999999999\r\n",
             b"Transfer-Encoding: chunked\r\n"]
    bodies = [b'{"query": "a"}', b'{"query": "a"}', b"zz\r\n" + b"a" * 40 + b"\r\n0\r\n\r\n"]
    for head, body in zip(heads, bodies, strict=True):
        with socket.create_connection((u.hostname, u.port), timeout=30) as sock:
            sock.sendall(b"POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + head
                         + b"Connection: close\r\n\r\n" + body)
            if b"999999999" in head:
                sock.shutdown(socket.SHUT_WR)  # the promised body never comes
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
        status = int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/") else 400  # a closed connection
        TALLY[status] += 1
        assert 400 <= status < 500, reply[:300]


def test_the_tally(corpus_server: Any) -> None:
    """Runs last in this module: at least 200 malformed requests, no 5xx; the tally is written out."""
    total = sum(TALLY.values())
    out = ROOT / "out" / "api-fuzz.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"requests": total, "by_status": dict(sorted(TALLY.items())),
                               "max_status": max(TALLY, default=0)}, indent=2), encoding="utf-8")
    assert total >= 200, TALLY
    assert max(TALLY) < 500
    assert sum(n for s, n in TALLY.items() if s >= 400) >= 200 - 10, TALLY  # nearly all refused, as they should be
