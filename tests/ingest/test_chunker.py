"""ClauseChunker on the real notices: clause per chunk, heading paths, hard cap, stable ids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.ingest import ClauseChunker, NoticeCatalogue, parse_notice_file
from assistant.models import NoticeDocument

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def corpus_chunks() -> dict[str, list]:  # type: ignore[type-arg]
    cat = NoticeCatalogue.load(CORPUS / "notices.yaml")
    out = {}
    for f in sorted(CORPUS.glob("*.txt")):
        _, chunks = parse_notice_file(f, cat)
        out[f.name] = chunks
    return out


def _find(chunks, needle: str):  # type: ignore[no-untyped-def]
    return next(c for cs in chunks.values() for c in cs if needle in re.sub(r"\s+", "", c.text))


def test_a_numbered_requirement_is_its_own_chunk_with_the_full_heading_path(corpus_chunks) -> None:  # type: ignore[no-untyped-def]
    c = _find(corpus_chunks, "项目牵头单位应为在市辖区（不含赣榆区）内注册")
    assert c.title == "2024年度市重点研发计划（产业前瞻与关键技术）项目指南"
    assert c.section == "三、申报要求 > 2."
    assert "近三年内须有授权发明专利" not in c.text  # the next clause is a chunk of its own


def test_every_guide_of_the_lianyungang_file_is_its_own_document(corpus_chunks) -> None:  # type: ignore[no-untyped-def]
    titles = {c.title for c in corpus_chunks["lianyungang-2024-municipal-programme-guides.txt"]}
    for t in ("2024年度市重点研发计划（社会发展）项目指南", "2024年度市科技成果转化计划项目指南",
              "2024年度市创新能力建设计划项目指南", "2024年度市基础研究计划项目指南",
              "2024年度市政策引导类计划（软科学研究）项目指南"):
        assert t in titles


def test_guide_codes_stay_with_their_heading(corpus_chunks) -> None:  # type: ignore[no-untyped-def]
    c = _find(corpus_chunks, "1903eVTOL")
    assert c.section == "四、指南方向 > （九）低空经济"
    assert "1901" in c.text and "1902" in c.text


def test_mangled_nantong_numbering_is_repaired(corpus_chunks) -> None:  # type: ignore[no-untyped-def]
    c = _find(corpus_chunks, "3001氢能与储能")
    assert c.section == "（3）未来能源产业 > 3001氢能与储能"  # a sibling of （一）, not nested in （2）
    d = _find(corpus_chunks, "申报本计划项目研发总投入不得少于150万元（不含）")
    assert d.section.startswith("3、组织方式")


def test_the_jiangsu_doc_number_is_citable_and_headers_are_gone(corpus_chunks) -> None:  # type: ignore[no-untyped-def]
    chunks = corpus_chunks["jiangsu-2024-international-cooperation-notice.txt"]
    assert sum("苏科资发〔2024〕21号" in c.text for c in chunks) == 1
    assert not any("江 苏 省 科" in c.text for c in chunks)


def test_contact_sections_are_one_chunk(corpus_chunks) -> None:  # type: ignore[no-untyped-def]
    c = _find(corpus_chunks, "袁佳佳")
    assert "85805561" in c.text and c.section == "五、联系人及联系方式"


def test_no_chunk_exceeds_the_cap_and_none_is_empty(corpus_chunks) -> None:  # type: ignore[no-untyped-def]
    for chunks in corpus_chunks.values():
        for c in chunks:
            assert 0 < len(c.text) <= 600
            assert "[bookmark" not in c.text


def test_a_long_clause_is_split_at_sentence_ends_with_the_path_repeated() -> None:
    long = "二、申报条件\n1．" + "申报单位须满足本条要求之一。" * 60
    doc = NoticeDocument("t", "测试指南", long, "t.txt")
    chunks = ClauseChunker(max_chars=200, target_chars=100).run(doc)
    assert len(chunks) > 3
    assert all(len(c.text) <= 200 and c.section == "二、申报条件 > 1." for c in chunks)
    assert all(c.text.endswith("。") for c in chunks)


def test_a_cross_reference_inside_a_sentence_is_not_a_heading() -> None:
    text = "二、申报条件\n1．按照本通知第（二）条和三、四项的规定申报。\n"
    chunks = ClauseChunker().run(NoticeDocument("t", "测试", text, "t.txt"))
    assert [c.section for c in chunks] == ["二、申报条件 > 1."]


def test_chunk_ids_are_stable_and_change_with_the_text() -> None:
    doc = NoticeDocument("t", "测试", "一、总则\n第一段。", "t.txt")
    a = ClauseChunker().run(doc)
    b = ClauseChunker().run(doc)
    c = ClauseChunker().run(NoticeDocument("t", "测试", "一、总则\n第一段改了。", "t.txt"))
    assert [x.chunk_id for x in a] == [x.chunk_id for x in b]
    assert a[0].chunk_id != c[0].chunk_id


def test_bad_settings_name_the_value() -> None:
    with pytest.raises(ValueError, match="50"):
        ClauseChunker(max_chars=50)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(
    st.sampled_from(["一、总则", "（二）条件", "3．须为独立法人。", "（4）其他", "1101  新材料", "专栏2 示例", "附件3", "",
                     "①第一项", "4002 第三代半导体", "研发方向：很长的说明。"]),
    st.text(alphabet="申报单位须为独立法人。；，0123456789（）一二、．", max_size=900)), max_size=30))
def test_chunking_never_raises_and_respects_the_cap(lines: list[str]) -> None:
    chunks = ClauseChunker(max_chars=300, target_chars=150).run(NoticeDocument("f", "模糊测试", "\n".join(lines), "f.txt"))
    assert all(0 < len(c.text) <= 300 for c in chunks)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
