"""Hybrid retrieval: jieba BM25 + e5 dense, fused by weighted reciprocal rank, with a relevance floor."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.errors import InputError
from assistant.index.clause_index import ClauseIndex
from assistant.models import Chunk, RetrievedClause

MAX_DENSE_QUERY_CHARS = 300


@dataclass(frozen=True)
class RetrievalFilters:
    """Metadata filters; None means any."""

    region: str | None = None
    year: int | None = None
    programme: str | None = None
    doc_id: str | None = None
    doc_ids: frozenset[str] | None = None  # the routed notices' documents: ranked alone, cost by their size

    def accepts(self, chunk: Chunk) -> bool:
        """Whether a chunk passes every filter set."""
        m = chunk.metadata
        if self.region and self.region not in str(m.get("region", "")):
            return False
        if self.year and str(m.get("year", "")) != str(self.year):
            return False
        if self.programme and self.programme not in str(m.get("programmes", "")).split(","):
            return False
        if self.doc_ids is not None and chunk.doc_id not in self.doc_ids:
            return False
        return not (self.doc_id and chunk.doc_id != self.doc_id)

    @property
    def empty(self) -> bool:
        """No filter set."""
        return not (self.region or self.year or self.programme or self.doc_id or self.doc_ids is not None)

    def where(self) -> dict[str, Any] | None:
        """The Chroma ``where`` of the document filter (the other filters are checked on the hits)."""
        ids = sorted(self.doc_ids or ()) if self.doc_ids is not None else ([self.doc_id] if self.doc_id else [])
        if not ids:
            return None
        return {"doc_id": ids[0]} if len(ids) == 1 else {"doc_id": {"$in": ids}}


class HybridRetriever:
    """Ranks clauses for a question.

    Args:
        index: the loaded clause index.
        k: clauses returned by default.
        candidates: how many each ranker contributes before fusion.
        rrf_k: the reciprocal-rank constant.
        bm25_weight: weight of the BM25 rank in the fusion.
        dense_weight: weight of the dense rank.
        min_dense: relevance floor: below this cosine similarity of the best dense hit …
        min_bm25: … and below this best BM25 score, the question is off-corpus and nothing is returned.
    """

    def __init__(self, index: ClauseIndex, k: int = 5, candidates: int = 60, rrf_k: float = 10.0,
                 bm25_weight: float = 2.0, dense_weight: float = 1.0, min_dense: float = 0.80,
                 min_bm25: float = 4.0) -> None:
        for name, val in (("k", k), ("candidates", candidates)):
            if not isinstance(val, int) or val < 1:
                raise ValueError(f"{name} must be a positive integer, got {val!r}")
        if rrf_k <= 0:
            raise ValueError(f"rrf_k must be > 0, got {rrf_k!r}")
        if bm25_weight < 0 or dense_weight < 0 or bm25_weight + dense_weight == 0:
            raise ValueError(f"weights must be ≥ 0 and not both 0, got {bm25_weight!r}, {dense_weight!r}")
        self.index = index
        self.k = k
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.bm25_weight = bm25_weight
        self.dense_weight = dense_weight
        self.min_dense = min_dense
        self.min_bm25 = min_bm25
        self.last_signals: dict[str, float] = {}

    def _code_hits(self, query: str) -> list[int]:
        """A guide code named in the question is an exact lookup: its clause joins the top ranks."""
        codes = _CODE_IN_QUERY.findall(query)
        if not codes:
            return []
        cmap = _code_map(self.index)
        return [i for code in dict.fromkeys(codes) for i in cmap.get(code, [])]

    def run(self, query: str, k: int | None = None, filters: RetrievalFilters | None = None,
            dense: bool = True) -> list[RetrievedClause]:
        """The top ``k`` clauses, best first; empty when the question is off-corpus.

        Args:
            dense: False ranks by BM25 alone (no query encoding: a ruling's context, where the clauses the
                ruling rests on lead anyway).
        """
        query = (query or "").strip()
        if not query:
            raise InputError("检索内容为空，请输入要查找的条款关键词或问题。")
        k = k or self.k
        chunks = self.index.chunks
        if not chunks:
            return []
        filters = filters or RetrievalFilters()
        n_cand = max(self.candidates, k)

        routed = filters.doc_ids is not None or filters.doc_id is not None
        if routed:
            # only the routed documents' clauses are scored, lexically and densely
            ranges = self.index.doc_ranges(sorted(filters.doc_ids or ()) or [str(filters.doc_id)])
            pos, vals = self.index.bm25.scores_in(query, ranges)
            keep = [j for j, i in enumerate(pos.tolist()) if filters.accepts(chunks[i])]
            pos, vals = pos[keep], vals[keep]
            order = np.lexsort((pos, -vals))[:n_cand]
            bm25_order = [int(pos[j]) for j in order if vals[j] > 0]
            best_bm25 = float(vals.max()) if len(vals) else 0.0
            n_in = sum(e - s for s, e in ranges)
            dense_hits = []
            if dense:
                qvec = self.index.embedder.embed_query(query[:MAX_DENSE_QUERY_CHARS])
                hits = self.index.store.query(qvec, max(1, min(n_in, n_cand)), where=filters.where())
                dense_hits = [(self.index.position[cid], sim) for cid, sim in hits if cid in self.index.position]
                dense_hits = [(i, s) for i, s in dense_hits if filters.accepts(chunks[i])][:n_cand]
        else:
            bm25 = self.index.bm25.scores(query)
            if not filters.empty:
                mask = np.array([filters.accepts(c) for c in chunks], dtype=bool)
                bm25 = np.where(mask, bm25, 0.0)
            bm25_order = [int(i) for i in np.argsort(-bm25, kind="stable")[:n_cand] if bm25[i] > 0]
            best_bm25 = float(bm25.max()) if len(bm25) else 0.0

            # e5's cost grows with the text (≈5 s for a 2,000-character paste on this machine) while its meaning
            # is in the first sentences: BM25 gets the whole question, the dense ranker its head
            dense_hits = []
            if dense:
                qvec = self.index.embedder.embed_query(query[:MAX_DENSE_QUERY_CHARS])
                n_dense = min(len(chunks), n_cand if filters.empty else n_cand * 5)
                dense_hits = [(self.index.position[cid], sim) for cid, sim in self.index.store.query(qvec, n_dense)
                              if cid in self.index.position]
                if not filters.empty:
                    dense_hits = [(i, s) for i, s in dense_hits if filters.accepts(chunks[i])]
                dense_hits = dense_hits[:n_cand]

        # ties (equal similarities of duplicate texts) are broken by position, so a question always gets the
        # same ranking from the same index
        dense_hits.sort(key=lambda h: (-round(h[1], 6), h[0]))
        best_dense = max((s for _, s in dense_hits), default=0.0)
        self.last_signals = {"best_dense": best_dense, "best_bm25": best_bm25}
        if best_dense < self.min_dense and best_bm25 < self.min_bm25:
            return []

        fused: dict[int, float] = {}
        for rank, i in enumerate(bm25_order):
            fused[i] = fused.get(i, 0.0) + self.bm25_weight / (self.rrf_k + rank + 1)
        for rank, (i, _) in enumerate(dense_hits):
            fused[i] = fused.get(i, 0.0) + self.dense_weight / (self.rrf_k + rank + 1)
        for i in self._code_hits(query):
            if filters.empty or filters.accepts(chunks[i]):
                fused[i] = fused.get(i, 0.0) + self.bm25_weight / (self.rrf_k + 1)
        ranked = sorted(fused.items(), key=lambda kv: (-round(kv[1], 9), kv[0]))[:k]
        return [RetrievedClause(chunk=chunks[i], score=s) for i, s in ranked]


_CODE_IN_QUERY = re.compile(r"(?<!\d)(\d{4})(?![\d年])")
_CODE_AT_LINE_START = re.compile(r"(?m)^\s*(\d{4})(?!\d)")


def _code_map(index: ClauseIndex) -> dict[str, list[int]]:
    """Guide code (1101, 4002 …) → chunks listing it at a line start; built once per loaded index."""
    cached = getattr(index, "_code_map", None)
    if cached is None:
        cached = {}
        for i, c in enumerate(index.chunks):
            for code in set(_CODE_AT_LINE_START.findall(c.text)):
                cached.setdefault(code, []).append(i)
        index._code_map = cached  # type: ignore[attr-defined]
    return cached


def as_langchain_retriever(retriever: HybridRetriever, k: int = 5) -> Any:
    """The hybrid retriever as a LangChain ``BaseRetriever`` (for chains and agents)."""
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

    class ClauseRetriever(BaseRetriever):
        """LangChain adapter: documents carry notice, section, id and score in their metadata."""

        hybrid: Any
        k: int = 5

        def _get_relevant_documents(
            self, query: str, *, run_manager: CallbackManagerForRetrieverRun
        ) -> list[Document]:
            return [
                Document(
                    page_content=r.chunk.text,
                    metadata={"id": r.chunk.chunk_id, "notice": r.chunk.title, "section": r.chunk.section,
                              "score": r.score, "doc_id": r.chunk.doc_id, "source": r.chunk.source},
                )
                for r in self.hybrid.run(query, k=self.k)
            ]

    return ClauseRetriever(hybrid=retriever, k=k)
