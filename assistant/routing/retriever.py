"""The one retrieval path: route the question to its notices, then rank the clauses of those notices only.

The offline composer, the agent's ``search_clauses`` tool, the lookup page and ``shenbao search`` all rank
through :class:`RoutedRetriever`.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

from assistant.index.retriever import HybridRetriever, RetrievalFilters
from assistant.models import RetrievedClause
from assistant.routing.router import NoticeRouter, RouteDecision


class RoutedRetriever:
    """Ranks clauses of the notices a question is routed to (the whole corpus when it names none).

    A route is checked against the lexical index before it is trusted: when the clause matching the question
    best in the whole corpus lies outside the routed notices and matches clearly better (``override_ratio``
    times the routed best), the words that named a notice were the applicant's own ("我们是专精特新企业")
    and the whole corpus is ranked instead. The check reads only the question's postings.

    Args:
        retriever: the hybrid retriever over the live index.
        router: the notice router over the same index's catalogue.
        override_ratio: how much better an outside clause must match to overrule the route.
    """

    def __init__(self, retriever: HybridRetriever, router: NoticeRouter, override_ratio: float = 1.25) -> None:
        if override_ratio < 1:
            raise ValueError(f"override_ratio must be ≥ 1, got {override_ratio!r}")
        self.retriever = retriever
        self.router = router
        self.override_ratio = override_ratio

    @property
    def index(self) -> Any:
        """The clause index ranked over."""
        return self.retriever.index

    def run(self, question: str, k: int | None = None, filters: RetrievalFilters | None = None,
            decision: RouteDecision | None = None, dense: bool = True, strict: bool = False) -> list[RetrievedClause]:
        """The top ``k`` clauses of the routed notices (routed here unless ``decision`` is given).

        A route whose notices hold nothing above the relevance floor falls back to the whole corpus, so a
        wrong route never hides an answer the corpus has — unless ``strict`` (a part of a question already
        routed: it stays in the route, checked or not).
        """
        decision = decision if decision is not None else self.router.run(question)
        base = filters or RetrievalFilters()
        # a follow-up kept on the notice under discussion is elliptic ("我是博士，能报吗？"): its words may match
        # another notice better, but the conversation is about this one
        if decision.routed and base.doc_id is None and base.doc_ids is None and (
                strict or decision.kept or self.trusts(question, decision)):
            found = self.retriever.run(question, k=k, filters=dataclasses.replace(
                base, doc_ids=frozenset(decision.doc_ids)), dense=dense)
            if found or strict:
                return found
        return self.retriever.run(question, k=k, filters=filters, dense=dense)

    def trusts(self, question: str, decision: RouteDecision) -> bool:
        """Whether the routed notices hold a clause matching the question about as well as any clause does."""
        index = self.retriever.index
        scores = index.bm25.scores(question)
        if not len(scores) or float(scores.max()) <= 0:
            return True
        best = int(scores.argmax())
        routed = set(decision.doc_ids)
        if index.chunks[best].doc_id in routed:
            return True
        ranges = index.doc_ranges(sorted(routed))
        inside = max((float(scores[a:b].max()) for a, b in ranges if b > a), default=0.0)
        return float(scores[best]) < inside * self.override_ratio


_lock = threading.Lock()
_routers: dict[int, tuple[Any, NoticeRouter]] = {}


def router_for(index: Any, registry: Any = None) -> NoticeRouter:
    """The router over a loaded index's catalogue (built once per index; ``registry`` when already loaded)."""
    with _lock:
        hit = _routers.get(id(index))
        if hit is not None and hit[0] is index:
            return hit[1]
    if registry is None:
        from assistant.catalogue.registry import NoticeRegistry
        from assistant.ingest.catalogue import NoticeCatalogue

        overrides = NoticeCatalogue.load(index.settings.corpus_dir / "notices.yaml")
        registry = NoticeRegistry.from_snapshot(index.snapshot, overrides)
    router = NoticeRouter.from_registry(registry)
    with _lock:
        for key in [k for k, (idx, _) in _routers.items() if idx is not index and idx.settings == index.settings]:
            del _routers[key]  # a reloaded index replaces its router
        _routers[id(index)] = (index, router)
    return router


def routed_retriever(retriever: HybridRetriever) -> RoutedRetriever:
    """The routed retriever over a hybrid retriever's index (``shenbao search``, the lookup page)."""
    return RoutedRetriever(retriever, router_for(retriever.index))
