"""Which indexed documents a question names ("连云港…软科学研究项目" → the soft-science guide)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.models import Chunk

# Words every guide title shares: they name no particular document.
_GENERIC = re.compile(r"(20\d{2}年度?|关于|组织|申报|印发|及|的|通知|项目指南|项目|指南|市级|市|省|计划|专项资金|专项|政策引导类)")


def _title_phrases(title: str) -> set[str]:
    """Distinctive phrases of a title: its bracketed names and its stripped core, split at / and 、."""
    parts = re.findall(r"[（(]([^）)]+)[）)]", title) or [title]
    phrases: set[str] = {q for q in re.findall(r"“([^”]{3,})”", title)}  # “十四五”
    for part in parts:
        for p in re.split(r"[/、，]", part):
            core = _GENERIC.sub("", p)
            if len(core) >= 4:
                phrases.add(core)
    return phrases


@dataclass
class DocumentFocus:
    """Finds the documents a question names, by their distinctive title phrases and region.

    Args:
        chunks: the indexed chunks (titles, doc ids and regions are read from them).
    """

    chunks: Sequence[Chunk]
    _docs: dict[str, tuple[str, str, set[str]]] = field(default_factory=dict, init=False)
    _regions: frozenset[str] = field(default=frozenset(), init=False)
    _asked: tuple[str, frozenset[str]] = field(default=("", frozenset()), init=False)

    def __post_init__(self) -> None:
        # built once per index (the answering service keeps one per loaded index), not per question
        for c in self.chunks:
            if c.doc_id not in self._docs:
                region = str(c.metadata.get("region", ""))
                self._docs[c.doc_id] = (c.title, region, _title_phrases(c.title))
        self._regions = frozenset(r for _, r, _ in self._docs.values())

    @staticmethod
    def regions_named(question: str, regions: set[str]) -> set[str]:
        """Indexed regions the question mentions (连云港 → 连云港市)."""
        return {r for r in regions if r and re.sub(r"[省市]$", "", r) in question}

    def run(self, question: str) -> list[str]:
        """Doc ids named by the question (empty when none is named clearly)."""
        q = re.sub(r"\s+", "", question)
        named = [d for d, (_, _, phrases) in self._docs.items() if any(p in q for p in phrases)]
        if len(named) > 1:
            regions = self.regions_named(q, {self._docs[d][1] for d in named})
            if regions:
                named = [d for d in named if self._docs[d][1] in regions]
        return named

    def region_conflicts(self, question: str, chunk: Chunk) -> bool:
        """The question names a city and the chunk's document belongs to another city."""
        cities = self._cities_named(question)
        region = str(chunk.metadata.get("region", ""))
        return bool(cities) and region.endswith("市") and region not in cities

    def _cities_named(self, question: str) -> frozenset[str]:
        """The indexed cities the question names (remembered for the last question: its clauses are sorted by
        this, one call per clause)."""
        memo = self._asked  # one read: another session's thread may replace it meanwhile
        if memo[0] != question or not question:
            asked = self.regions_named(question, set(self._regions))
            memo = (question, frozenset(r for r in asked if r.endswith("市")))
            self._asked = memo
        return memo[1]

    def title(self, doc_id: str) -> str:
        """The document's title."""
        return self._docs[doc_id][0] if doc_id in self._docs else doc_id
