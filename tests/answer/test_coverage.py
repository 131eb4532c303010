"""CoverageGate's corpus facts: read once per loaded index, and the foreign-issuer check unchanged by it."""

from __future__ import annotations

import re

import pytest

from assistant.answer import coverage
from assistant.answer.coverage import CorpusFacts, CoverageGate, _places
from assistant.index.bm25 import BM25Index
from assistant.models import Chunk, RetrievedClause


def _chunk(i: int, title: str, region: str, year: int, text: str) -> Chunk:
    return Chunk(Chunk.make_id(f"d{i}", 0, ("一、",), text), f"d{i}", title, ("一、",), text, 0, f"d{i}.md",
                 {"region": region, "year": year})


CHUNKS = [
    _chunk(0, "关于组织申报2024年度连云港市重点研发计划项目的通知", "连云港市", 2024, "申报截止时间为2024年5月31日。"),
    _chunk(1, "关于开展2025年雄安新区企业技术中心认定工作的通知", "雄安新区", 2025, "联系电话：0312-5620861。"),
    _chunk(2, "南通市前瞻性技术创新专项申报指南", "南通市", 2023, "资助金额最高50万元。"),
]
BM25 = BM25Index([c.text for c in CHUNKS])
QUESTIONS = [
    "北京市科技计划项目怎么申报？", "上海2024年度人才专项有哪些要求？", "连云港市重点研发计划截止时间？",
    "国家高新技术企业能申报吗？", "国家重点研发计划的申报条件", "国家自然科学基金什么时候截止", "南通的专项资助多少？",
    "江苏省科技计划申报条件", "浙江省政策补贴", "深圳市的的项目", "雄安新区企业技术中心有什么奖励？",
]


def _scan_foreign(question: str, chunks: list[Chunk]) -> str | None:
    """The foreign-issuer check as a scan of every place name per question (what the cache must reproduce)."""
    regions = " ".join(sorted({str(c.metadata.get("region", "")) for c in chunks}))
    titles = " ".join(sorted({c.title for c in chunks}))
    places = _places()
    for group in ("provinces", "jiangsu_cities", "other_cities", "national"):
        for p in places[group]:
            m = re.search(re.escape(p) + r"(省|市|自治区)?(\d{4}年度?)?[^，。？?的]{0,12}" + coverage._PROGRAMME_WORDS,
                          question)
            if not m or p in regions or p in titles:
                continue
            if group == "national" and p == "国家" and re.search(r"国家(高新|重点|级|部委|或省)", question):
                continue
            return p
    return None


def test_the_foreign_issuer_check_is_unchanged_by_the_per_index_facts() -> None:
    places = [CoverageGate._foreign_issuer(q, CHUNKS) for q in QUESTIONS]
    assert places == [_scan_foreign(q, CHUNKS) for q in QUESTIONS]
    assert any(places) and not all(places)  # both outcomes are compared


def test_corpus_facts_are_computed_once_per_index(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = CorpusFacts.of.__func__  # type: ignore[attr-defined]

    def counting(cls: type[CorpusFacts], chunks: list[Chunk]) -> CorpusFacts:
        calls.append(1)
        return original(cls, chunks)

    monkeypatch.setattr(CorpusFacts, "of", classmethod(counting))
    coverage._FACTS_CACHE.clear()
    gate = CoverageGate()
    retrieved = [RetrievedClause(CHUNKS[0], 1.0)]
    for q in QUESTIONS:
        gate.run(q, retrieved, CHUNKS, BM25)
    assert len(calls) == 1
    other = list(CHUNKS)  # another loaded index (a new chunk list): its own facts
    gate.run(QUESTIONS[0], retrieved, other, BM25)
    assert len(calls) == 2
    facts = coverage._corpus_facts(other)
    assert facts.years == frozenset({"2023", "2024", "2025"}) and "连云港市" in facts.regions


def test_a_year_no_notice_covers_is_refused() -> None:
    decision = CoverageGate().run("2019年度重点研发计划的申报条件", [RetrievedClause(CHUNKS[0], 1.0)], CHUNKS, BM25)
    assert decision.refuse and "2019" in decision.reason
