"""DocumentFocus: region conflicts read from per-index data, the same as computed per call."""

from __future__ import annotations

from assistant.answer.focus import DocumentFocus
from assistant.models import Chunk


def _chunk(i: int, title: str, region: str) -> Chunk:
    return Chunk(Chunk.make_id(f"d{i}", 0, ("一、",), "x"), f"d{i}", title, ("一、",), "x", 0, f"d{i}.md",
                 {"region": region})


CHUNKS = [
    _chunk(0, "关于组织申报2024年度连云港市软科学研究项目指南", "连云港市"),
    _chunk(1, "关于组织申报2024年度南通市重点研发计划（前瞻性技术创新专项）项目的通知", "南通市"),
    _chunk(2, "雄安新区企业技术中心认定办法", "雄安新区"),
    _chunk(3, "江苏省科技计划项目管理办法", "江苏省"),
]


def _per_call(question: str, chunk: Chunk) -> bool:
    regions = {str(c.metadata.get("region", "")) for c in CHUNKS}
    asked = DocumentFocus.regions_named(question, regions)
    cities = {r for r in asked if r.endswith("市")}
    region = str(chunk.metadata.get("region", ""))
    return bool(cities) and region.endswith("市") and region not in cities


def test_region_conflicts_match_the_per_call_computation() -> None:
    focus = DocumentFocus(CHUNKS)
    questions = ["连云港的软科学项目什么时候截止？", "南通前瞻性技术创新专项资助多少", "企业技术中心认定条件", "",
                 "连云港和南通哪个资助多？"]
    results = []
    for q in questions:
        for c in CHUNKS:
            got = focus.region_conflicts(q, c)
            assert got == _per_call(q, c), (q, c.doc_id)
            results.append(got)
    assert any(results) and not all(results)
    # interleaved questions (another session's) never see each other's cities
    assert focus.region_conflicts(questions[0], CHUNKS[1]) is True
    assert focus.region_conflicts(questions[1], CHUNKS[1]) is False
    assert focus.region_conflicts(questions[0], CHUNKS[1]) is True


def test_a_named_title_phrase_finds_its_document() -> None:
    assert DocumentFocus(CHUNKS).run("连云港软科学研究项目指南的申报条件？") == ["d0"]
