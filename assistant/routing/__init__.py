"""Notice routing: which notice(s) and programme(s) a question is about, decided from the catalogue before
any clause is ranked, and the one routed retrieval path."""

from assistant.routing.retriever import RoutedRetriever, routed_retriever, router_for
from assistant.routing.router import (
    NoticeFamily,
    NoticeRouter,
    RouteDecision,
    families_of,
    normalise,
    short_forms,
)

__all__ = [
    "NoticeFamily",
    "NoticeRouter",
    "RouteDecision",
    "RoutedRetriever",
    "families_of",
    "normalise",
    "routed_programmes",
    "routed_retriever",
    "router_for",
    "short_forms",
]


def routed_programmes(question: str, registry: object, previous: tuple[str, ...] = ()) -> list[str]:
    """The programme ids an eligibility question may be ruled on: those of the notice(s) it is routed to,
    narrowed to the programmes it names (empty when the question names no notice and ``previous`` — the
    notice ids under discussion — is empty).

    This is the one place questions are mapped to programmes; the eligibility path calls it.
    """
    router = NoticeRouter.from_registry(registry)
    decision = router.run(question, previous=previous)
    return router.programmes(question, decision)
