"""The routed retriever over the fixture index: only the routed notice's clauses are ranked, a route the
lexical index contradicts is not trusted, and the BM25 index is saved at ingest and loaded at start."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.config import Settings
from assistant.index import ClauseIndex, HybridRetriever
from assistant.index.bm25 import BM25Index
from assistant.index.clause_index import bm25_path
from assistant.routing import RouteDecision, routed_retriever


@pytest.fixture
def routed(fixture_settings: Settings):  # type: ignore[no-untyped-def]
    return routed_retriever(HybridRetriever(ClauseIndex.open(fixture_settings)))


def _docs(routed, stem: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {c.doc_id for c in routed.index.chunks if stem in c.source}


def test_a_question_naming_a_notice_ranks_only_its_clauses(routed) -> None:  # type: ignore[no-untyped-def]
    q = "海滨市科技创新券的额度最高多少？"
    decision = routed.router.run(q)
    assert set(decision.doc_ids) <= _docs(routed, "haibin") and decision.routed
    found = routed.run(q, k=5, decision=decision)
    assert found and {r.chunk.doc_id for r in found} <= _docs(routed, "haibin")


def test_the_route_is_the_same_for_the_tool_the_lookup_and_search(routed) -> None:  # type: ignore[no-untyped-def]
    q = "山河省开放合作项目的申报条件是什么？"
    first = [r.chunk.chunk_id for r in routed.run(q, k=5)]
    again = [r.chunk.chunk_id for r in routed.run(q, k=5)]
    assert first == again and first
    assert {c.doc_id for c in routed.index.chunks if c.chunk_id in first} <= _docs(routed, "shanhe")


def test_a_route_the_lexical_index_contradicts_falls_back_to_the_whole_corpus(routed) -> None:  # type: ignore[no-untyped-def]
    q = "科技创新券单张额度最高多少？检验检测服务目录有哪些？"
    wrong = RouteDecision(notice_ids=["x"], doc_ids=sorted(_docs(routed, "shanhe")))
    assert not routed.trusts(q, wrong)
    found = routed.run(q, k=3, decision=wrong)
    assert found[0].chunk.doc_id in _docs(routed, "haibin")


def test_a_follow_up_kept_on_the_notice_under_discussion_stays_there(routed) -> None:  # type: ignore[no-untyped-def]
    """An elliptic follow-up may match another notice better; the conversation is about the kept one."""
    q = "科技创新券单张额度最高多少？检验检测服务目录有哪些？"
    kept = RouteDecision(notice_ids=["x"], doc_ids=sorted(_docs(routed, "shanhe")), kept=True)
    assert not routed.trusts(q, kept)  # the same words would leave an unkept route
    found = routed.run(q, k=3, decision=kept)
    assert found and {r.chunk.doc_id for r in found} <= _docs(routed, "shanhe")


def test_bm25_subset_scores_equal_the_full_scores_inside_the_ranges(routed) -> None:  # type: ignore[no-untyped-def]
    bm25 = routed.index.bm25
    q = "申报截止时间 联系电话"
    ranges = routed.index.doc_ranges(sorted(_docs(routed, "haibin")))
    pos, vals = bm25.scores_in(q, ranges)
    full = bm25.scores(q)
    inside = [i for a, b in ranges for i in range(a, b) if full[i] > 0]
    assert pos.tolist() == inside
    assert np.allclose(vals, full[pos])


def test_the_lexical_index_is_saved_at_ingest_and_loaded_not_rebuilt(fixture_settings: Settings,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert bm25_path(fixture_settings.data_dir).exists()

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("BM25 rebuilt at load")

    monkeypatch.setattr(BM25Index, "__init__", no_build)
    index = ClauseIndex.open(fixture_settings)
    assert index.bm25.n == len(index.chunks)


def test_a_stale_saved_index_is_ignored(fixture_settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    index = ClauseIndex.open(fixture_settings)
    path = tmp_path / "bm25.pkl"
    index.bm25.save(path, "old-key")
    assert BM25Index.load(path, "other-key") is None
    assert BM25Index.load(path, "old-key") is not None
    path.write_bytes(b"garbage")
    assert BM25Index.load(path, "old-key") is None
