"""Deciding that the notices do not answer a question ("现有公告中未找到"), instead of inventing.

Three signals, any one of which refuses:
1. retrieval found nothing above its relevance floor;
2. the question asks about a programme of a place (or a year) that no indexed notice covers;
3. the question's key terms are absent from the best clauses and from the whole corpus vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant import yamlio
from assistant.answer.spans import ANSWER_TYPES, question_types, split_sentences
from assistant.index.bm25 import BM25Index
from assistant.models import Chunk, RetrievedClause

PLACES_FILE = Path(__file__).resolve().parent.parent / "resources" / "places.yaml"
_PROGRAMME_WORDS = r"(科技|计划|项目|专项|通知|指南|政策|规划|基金|奖励|补贴|资助|人才)"
_YEAR_OF_PROGRAMME = re.compile(r"(20\d{2})\s*年度")
# Details a notice either states or does not; asked of a named document, their absence means "not stated".
_DETAIL_TYPES = ("amount", "date", "contact", "count", "docno", "age")
# question wording → what the stating sentence must also say (a deadline is not any date; funding not any sum)
_EXPLICIT_DATE = re.compile(r"截止|日期|哪天|几月|什么时候|何时|哪一天")
_DETAIL_TOPICS = {
    r"截止|截至|最晚|最迟": r"截止|截至|前完成|之前|前在|前成立|前已",
    r"资助|经费|给多少|补助|奖补|拿多少|多少钱": r"资助|经费|补助|奖补|支持|给予|奖励",
}


@lru_cache(maxsize=1)
def _places() -> dict[str, list[str]]:
    data = yamlio.safe_load(PLACES_FILE.read_text(encoding="utf-8"))
    return {k: list(v) for k, v in data.items()}


@dataclass(frozen=True)
class CorpusFacts:
    """What the gate reads of the whole corpus, computed once per loaded index (a scan of every clause, or
    a search of every place name in every title, costs ~0.1–0.3 s per question at 50k clauses).

    Attributes:
        years: the indexed notices' years (as text).
        regions: their regions, joined.
        titles: their titles, joined.
        foreign: (group, place, pattern) for each place name no indexed notice's region or title holds, in
            the order the gate tries them; the pattern finds it named as issuer of a programme.
    """

    years: frozenset[str]
    regions: str
    titles: str
    foreign: tuple[tuple[str, str, re.Pattern[str]], ...]

    @classmethod
    def of(cls, chunks: Sequence[Chunk]) -> CorpusFacts:
        """The facts of an index's chunks."""
        years = frozenset(str(c.metadata.get("year", "")) for c in chunks)
        regions = " ".join(sorted({str(c.metadata.get("region", "")) for c in chunks}))
        titles = " ".join(sorted({c.title for c in chunks}))
        places = _places()
        foreign = tuple(
            (group, p, re.compile(re.escape(p) + r"(省|市|自治区)?(\d{4}年度?)?[^，。？?的]{0,12}" + _PROGRAMME_WORDS))
            for group in ("provinces", "jiangsu_cities", "other_cities", "national") for p in places[group]
            if p not in regions and p not in titles)
        return cls(years, regions, titles, foreign)


_FACTS_CACHE: dict[int, tuple[Sequence[Chunk], CorpusFacts]] = {}


def _corpus_facts(chunks: Sequence[Chunk]) -> CorpusFacts:
    """The corpus facts of the live index, read once per loaded index, not per question."""
    hit = _FACTS_CACHE.get(id(chunks))
    if hit is not None and hit[0] is chunks:
        return hit[1]
    facts = CorpusFacts.of(chunks)
    _FACTS_CACHE.clear()  # one live index at a time
    _FACTS_CACHE[id(chunks)] = (chunks, facts)
    return facts


@dataclass(frozen=True)
class CoverageDecision:
    """Whether to refuse, and why (for logs and the report)."""

    refuse: bool
    reason: str = ""


class CoverageGate:
    """Refuses questions the indexed notices do not answer.

    Args:
        min_term_share: the share of the question's key terms (IDF-weighted) that must appear in the best
            clauses (with their titles); below it, and with some key term unknown to the corpus, refuse.
    """

    def __init__(self, min_term_share: float = 0.35) -> None:
        if not 0 <= min_term_share <= 1:
            raise ValueError(f"min_term_share must be in [0, 1], got {min_term_share!r}")
        self.min_term_share = min_term_share

    def run(self, question: str, retrieved: Sequence[RetrievedClause], corpus_chunks: Sequence[Chunk],
            bm25: BM25Index) -> CoverageDecision:
        """Decide on one question given what retrieval returned."""
        if not retrieved:
            return CoverageDecision(True, "no clause above the relevance floor")
        place = self._foreign_issuer(question, corpus_chunks)
        if place:
            return CoverageDecision(True, f"programme of {place}, which no indexed notice covers")
        years = _corpus_facts(corpus_chunks).years
        for y in _YEAR_OF_PROGRAMME.findall(question):
            if y not in years:
                return CoverageDecision(True, f"year {y} not covered")
        terms = [t for t in bm25.tokenizer.tokens(question) if len(t) >= 2]
        if not terms:
            return CoverageDecision(False)
        unseen = [t for t in terms if bm25.idf(t) == 0.0]
        context = "".join(f"{r.chunk.title}{r.chunk.section}{r.chunk.text}" for r in retrieved[:5])
        weights = {t: (bm25.idf(t) or 3.0) for t in sorted(set(terms))}
        covered = sum(w for t, w in weights.items() if t in context)
        share = covered / sum(weights.values())
        if unseen and share < self.min_term_share:
            return CoverageDecision(True, f"key terms {unseen} not in the notices (share {share:.2f})")
        return CoverageDecision(False)

    @staticmethod
    def unstated_detail(question: str, focus_docs: Sequence[str], corpus_chunks: Sequence[Chunk]) -> str | None:
        """The question names a document and asks for a detail (an amount, a deadline …) it never states.

        Returns:
            the title of the named document when none of its clauses holds that kind of detail, else None.
        """
        if not focus_docs:
            return None
        types = [t for t in question_types(question) if t in _DETAIL_TYPES]
        if "date" in types and not _EXPLICIT_DATE.search(question):
            types.remove("date")  # "多长时间内完成" asks for a duration, not a date
        if not types:
            return None
        doc_chunks = [c for c in corpus_chunks if c.doc_id in set(focus_docs)]
        topic = next((t for k, t in _DETAIL_TOPICS.items() if re.search(k, question)), None)
        for c in doc_chunks:
            for sentence in split_sentences(c.text):
                if any(ANSWER_TYPES[t][1].search(sentence) for t in types) and (
                        topic is None or re.search(topic, sentence)):
                    return None
        return doc_chunks[0].title if doc_chunks else None

    @staticmethod
    def _foreign_issuer(question: str, chunks: Sequence[Chunk]) -> str | None:
        """A place named as issuer of the asked programme that no indexed notice comes from."""
        for group, p, pattern in _corpus_facts(chunks).foreign:
            if p not in question or not pattern.search(question):
                continue
            if group == "national" and p == "国家" and re.search(r"国家(高新|重点|级|部委|或省)", question):
                continue  # "国家高新技术企业" is a term, not an issuer
            return p
        return None
