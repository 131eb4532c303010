"""Who may call what, rate limits, uploads and deletes — in-process against the fixture index."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import UPLOAD_NOTICE

UPLOAD = UPLOAD_NOTICE
STAFF_ONLY = [("GET", "/v1/feedback")]
ADMIN_ONLY = [("GET", "/v1/feedback/export"), ("POST", "/v1/reindex"), ("DELETE", "/v1/notices/x.txt"),
              ("POST", "/v1/notices")]


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_staff_and_admin_endpoints_need_the_right_key(make_client: Any, fixture_settings: Any) -> None:
    client, keys = make_client(fixture_settings)
    for method, path in STAFF_ONLY + ADMIN_ONLY:
        r = client.request(method, path)
        assert r.status_code == 401, (path, r.text)
        assert "API 密钥" in r.json()["error"]["message"] and r.headers["www-authenticate"] == "Bearer"
        r = client.request(method, path, headers=_bearer("sbk_0123456789_" + "A" * 43))
        assert r.status_code == 401
    for method, path in ADMIN_ONLY:
        r = client.request(method, path, headers=_bearer(keys.staff))
        assert r.status_code == 403 and "管理员" in r.json()["error"]["message"]
    assert client.get("/v1/feedback", headers=_bearer(keys.staff)).status_code == 200
    assert client.get("/v1/feedback/export", headers=_bearer(keys.admin)).status_code == 200


def test_applicant_endpoints_are_open_by_default(make_client: Any, fixture_settings: Any) -> None:
    client, _ = make_client(fixture_settings)
    assert client.get("/healthz").json()["index_ready"] is True
    assert client.get("/v1/models").json()["data"][0]["id"] == "shenbao"
    assert client.get("/v1/notices").json()["data"]
    assert client.get("/v1/programmes").json()["data"]
    # an OpenAI client always sends some key: a foreign one on an open endpoint is simply anonymous
    assert client.get("/v1/models", headers=_bearer("sk-whatever")).status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/v1/chat/completions", "/v1/models", "/v1/notices", "/v1/search", "/v1/check", "/v1/match",
              "/healthz", "/v1/notices/{notice_id}", "/v1/reindex", "/v1/feedback"):
        assert p in paths, p


def test_require_key_closes_every_endpoint(make_client: Any, fixture_settings: Any) -> None:
    client, keys = make_client(fixture_settings, api_require_key=True)
    for path in ("/healthz", "/v1/models", "/v1/notices", "/openapi.json", "/docs"):
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers=_bearer("sk-whatever")).status_code == 401, path
        assert client.get(path, headers=_bearer(keys.staff)).status_code == 200, path
    r = client.post("/v1/search", json={"query": "资助"})
    assert r.status_code == 401


def test_rate_limit_per_key(make_client: Any, fixture_settings: Any) -> None:
    client, keys = make_client(fixture_settings, api_rate_per_minute=6.0)  # bursts of 5
    codes = [client.get("/v1/models", headers=_bearer(keys.staff)).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    r = client.get("/v1/models", headers=_bearer(keys.staff))
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1 and "请求过于频繁" in r.json()["error"]["message"]
    assert client.get("/v1/models", headers=_bearer(keys.admin)).status_code == 200  # another key, its own bucket
    assert [client.get("/v1/models").status_code for _ in range(6)][-1] == 429  # keyless: per address


def test_match_rules_every_programme_of_the_catalogue(make_client: Any, fixture_settings: Any) -> None:
    client, _ = make_client(fixture_settings)
    r = client.post("/v1/match", json={"facts": {"registered_district": "海州区"}})
    assert r.status_code == 200
    body = r.json()
    assert set(body["groups"]) == {"open", "no_deadline", "closed", "policy"} and body["facts"]
    rows = [row for g in body["groups"].values() for row in g]
    assert rows and all(row["verdict"] in ("eligible", "needs_info", "unchecked", "ineligible") for row in rows)
    r = client.post("/v1/match", json={"facts": {"no_such_fact": 1}})
    assert r.status_code == 400 and "no_such_fact" in r.json()["error"]["message"]


def test_search_and_check(make_client: Any, fixture_settings: Any) -> None:
    client, _ = make_client(fixture_settings)
    hits = client.post("/v1/search", json={"query": "资助", "k": 3}).json()["data"]
    assert 0 < len(hits) <= 3 and {"id", "notice", "section", "text", "score"} <= set(hits[0])
    pid = client.get("/v1/programmes").json()["data"][0]["id"]
    ruling = client.post("/v1/check", json={"programme_id": pid, "facts": {}}).json()
    assert ruling["verdict"] == "needs_info" and ruling["questions"]
    r = client.post("/v1/check", json={"programme_id": pid, "facts": {"no_such_fact": 1}})
    assert r.status_code == 400 and "no_such_fact" in r.json()["error"]["message"]


def test_upload_list_ask_and_delete(make_client: Any, own_index: Any) -> None:
    client, keys = make_client(own_index)
    admin = _bearer(keys.admin)
    r = client.post("/v1/notices", headers=admin, files=[("files", ("linhai-2025.txt", UPLOAD.encode(), "text/plain"))])
    assert r.status_code == 200, r.text
    assert r.json()["files"][0]["status"] == "new"
    listed = {n["id"] for n in client.get("/v1/notices").json()["data"]}
    assert "linhai-2025.txt" in listed
    done = client.post("/v1/chat/completions", json={
        "model": "shenbao", "messages": [{"role": "user", "content": "临海市研发费用补助单个企业最高补助多少？"}]}).json()
    assert "50万元" in done["choices"][0]["message"]["content"]
    r = client.delete("/v1/notices/linhai-2025.txt", headers=admin)
    assert r.status_code == 200 and r.json()["deleted"] == "linhai-2025.txt"
    assert "linhai-2025.txt" not in {n["id"] for n in client.get("/v1/notices").json()["data"]}
    assert not (own_index.corpus_dir / "linhai-2025.txt").exists()
    assert list((own_index.data_dir / "uploads" / "deleted").glob("*linhai-2025.txt"))  # kept, not destroyed
    r = client.delete("/v1/notices/linhai-2025.txt", headers=admin)
    assert r.status_code == 404 and "没有编号" in r.json()["error"]["message"]


def test_upload_names_cannot_escape_and_non_notices_are_refused(make_client: Any, own_index: Any,
                                                                tmp_path: Path) -> None:
    client, keys = make_client(own_index, api_max_upload_bytes=64 * 1024)
    before = {p for p in tmp_path.rglob("*") if p.is_file() and "corpus" not in p.parts}
    files = [
        ("files", ("../../escaped.txt", UPLOAD.encode(), "text/plain")),
        ("files", ("..\\..\\win.txt", UPLOAD.replace("临海市", "临江市").encode(), "text/plain")),
        ("files", ("readme.txt", b"This is an English readme, not a funding notice at all. " * 5, "text/plain")),
        ("files", ("scan.pdf", b"GIF89a not a pdf", "application/pdf")),
        ("files", ("tool.sh", b"#!/bin/sh\nrm -rf /\n", "text/plain")),
        ("files", ("gbk.txt", UPLOAD.encode("gbk"), "text/plain")),
    ]
    r = client.post("/v1/notices", headers=_bearer(keys.admin), files=files)
    assert r.status_code == 200, r.text
    body = r.json()
    assert sorted(f["file"] for f in body["files"]) == ["escaped.txt", "win.txt"]
    refused = {x["file"]: x["message"] for x in body["refused"]}
    assert set(refused) == {"readme.txt", "scan.pdf", "tool.sh", "gbk.txt"}
    assert "不像是申报通知" in refused["readme.txt"] and "UTF-8" in refused["gbk.txt"]
    assert (own_index.corpus_dir / "escaped.txt").exists() and (own_index.corpus_dir / "win.txt").exists()
    after = {p for p in tmp_path.rglob("*") if p.is_file() and "corpus" not in p.parts}
    assert not [p for p in after - before if p.name in {"escaped.txt", "win.txt"}]  # nothing outside the corpus
    big = client.post("/v1/notices", headers=_bearer(keys.admin),
                      files=[("files", ("big.txt", UPLOAD.encode() * 400, "text/plain"))])
    assert big.status_code == 413 and "请求体过大" in big.json()["error"]["message"]


def test_no_key_in_any_response_or_log(make_client: Any, fixture_settings: Any,
                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client, keys = make_client(fixture_settings)
    texts = []
    for key in (keys.staff, keys.admin, keys.staff[:-2] + "xx"):
        for method, path in STAFF_ONLY + ADMIN_ONLY[:2] + [("GET", "/v1/models")]:
            texts.append(client.request(method, path, headers=_bearer(key)).text)
    blob = "\n".join(texts) + caplog.text
    for key in (keys.staff, keys.admin):
        assert key not in blob and key.split("_", 2)[2] not in blob
