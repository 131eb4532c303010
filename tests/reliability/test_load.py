"""200 concurrent asks through the Python API (50 users × 4 turns on 16 threads, one ``Session`` each):
no failure, and every user's state and rulings are exactly what the same conversation gets alone.

The workload is ``benchmarks/load.py``'s (which also reports throughput and p95); no timing is asserted here.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from typing import Any

import numpy as np
import pytest

from assistant.answer import Session
from assistant.index.embeddings import EmbeddingCache
from tests.conftest import ROOT
from tests.reliability.conftest import TALLY
from tests.reliability.invariants import check_record

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

USERS, WORKERS = 50, 16


def _workload() -> Any:
    path = ROOT / "benchmarks" / "load.py"
    spec = importlib.util.spec_from_file_location("shenbao_benchmark_load", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _essence(record: Any) -> str:
    return json.dumps({k: v for k, v in record.to_json().items() if k != "latency_ms"},
                      ensure_ascii=False, sort_keys=True, default=str)


def test_200_concurrent_asks_keep_sessions_isolated(corpus_service) -> None:  # type: ignore[no-untyped-def]
    load = _workload()
    users = load.make_users(USERS)
    assert len({(u.district, u.year) for u in users}) == USERS  # everyone states different facts
    corpus_service.ask(users[0].questions[2], Session())  # warm-up outside the measured run

    sessions, turns, _ = load.run_load(corpus_service, users, WORKERS)
    TALLY["concurrent asks"] += len(turns)
    assert len(turns) == 4 * USERS
    failures = [t for t in turns if t.error is not None]
    assert not failures, failures[:3]
    assert load.isolation_errors(users, sessions) == []
    for t in turns:
        check_record(t.record)
    assert {t.record.verdict for t in turns} >= {"ineligible", "needs_info"}  # rulings were made

    # the embedder ran on many threads at once: its vectors equal ones computed alone (the C model is shared)
    embedder = corpus_service.retriever.index.embedder
    checked = 0
    for u in users:
        cached = embedder.cache._mem.get(EmbeddingCache.key("query", u.questions[2]))
        if cached is not None:
            fresh = np.asarray(embedder.encoder.query([u.questions[2]]), dtype=np.float32).reshape(-1)
            assert np.allclose(cached, fresh, atol=1e-5), u.uid
            checked += 1
    assert checked >= USERS // 2

    # the oracle: each conversation alone, one after another, gives the very same records and state
    by_user = {u.uid: sorted((t for t in turns if t.uid == u.uid), key=lambda t: t.turn) for u in users}
    for user, session in zip(users, sessions, strict=True):
        alone, alone_turns = load.run_user(corpus_service, user, Session)
        assert alone.facts == session.facts, user.uid
        assert alone.programme_id == session.programme_id
        for got, want in zip(by_user[user.uid], alone_turns, strict=True):
            assert _essence(got.record) == _essence(want.record), (user.uid, got.turn)
        assert [q for q, _ in session.history] == [q for q, _ in alone.history]


def test_one_session_shared_by_threads_stays_consistent(corpus_service) -> None:  # type: ignore[no-untyped-def]
    """A page that (wrongly) shares one session between its own threads: turns serialise, none is lost."""
    from concurrent.futures import ThreadPoolExecutor

    session = Session()
    qs = [f"我们是{d}注册的企业，能申报产业前瞻与关键技术项目吗？" for d in ("海州区", "赣榆区", "连云区", "东海县")] * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        records = list(pool.map(lambda q: corpus_service.ask(q, session), qs))
    TALLY["concurrent asks"] += len(qs)
    assert len(session.history) == len(qs)
    assert all(r.verdict in {"ineligible", "needs_info", "eligible"} for r in records)
    assert session.facts.get("registered_district") in {"海州区", "赣榆区", "连云区", "东海县"}


def test_the_query_vector_cache_stays_bounded_under_many_distinct_questions(fake_encoder) -> None:  # type: ignore[no-untyped-def]
    """A server answering a crowd for weeks: distinct questions must not grow memory without bound."""
    from concurrent.futures import ThreadPoolExecutor

    from assistant.index.embeddings import CachedEmbedder

    embedder = CachedEmbedder(None, encoder=fake_encoder, max_cached_queries=100)
    questions = [f"第{n}位申请人：我们的项目最高资助多少？" for n in range(2000)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(embedder.embed_query, questions))
    assert len(embedder.cache._mem) <= 100
    calls = fake_encoder.queries
    embedder.embed_query(questions[-1])  # a recent question is still cached
    assert fake_encoder.queries == calls
    embedder.embed_query(questions[0])  # an old one is computed again
    assert fake_encoder.queries == calls + 1


def test_concurrent_model_mode_asks_keep_each_conversation_apart(corpus_settings) -> None:  # type: ignore[no-untyped-def]
    """24 asks at once in LLM mode (scripted endpoint): each answer is built from its own request only."""
    import re
    from concurrent.futures import ThreadPoolExecutor

    from assistant.answer import AnswerService
    from tests.conftest import make_settings
    from tests.llm.openai_stub import OpenAIStub, Reply, final_json, tool_call, tool_clauses

    def reply(body: dict[str, Any]) -> Reply:
        """Search first; then answer quoting the question's own ticket number and a retrieved clause."""
        user = next(m["content"] for m in body["messages"] if m.get("role") == "user")
        ticket = re.search(r"咨询编号(\d+)", user)
        clauses = tool_clauses(body)
        if not clauses:
            return Reply(tool_calls=[tool_call("search_clauses", {"query": "新型研发机构奖补 最高", "k": 3})])
        cid, text = clauses[0]
        return Reply(content=final_json(f"咨询编号{ticket.group(1) if ticket else '?'}：补助标准见所引条款。",
                                        [(cid, text[:40])]))

    n = 24
    with OpenAIStub() as stub:
        stub.push(*[reply] * (2 * n))
        settings = make_settings(corpus_settings.data_dir, OPENAI_API_KEY="sk-test-load", SHENBAO_LLM_TIMEOUT=30,
                                 OPENAI_BASE_URL=stub.base_url, SHENBAO_LLM_MODEL="stub-model",
                                 SHENBAO_LLM_RETRIES=0)
        service = AnswerService(settings)
        questions = [f"新型研发机构奖补单个机构最高补助多少？（咨询编号{i}）" for i in range(n)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            records = list(pool.map(lambda q: service.ask(q, Session()), questions))
    TALLY["concurrent asks"] += n
    for i, record in enumerate(records):
        check_record(record)
        assert record.mode == "llm:stub-model", record.notices
        tickets = re.findall(r"咨询编号(\d+)", record.answer)
        assert tickets == [str(i)], (i, record.answer[:80])
