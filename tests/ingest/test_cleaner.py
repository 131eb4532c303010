"""TextCleaner: PDF-extraction artifacts out, every word of the notice kept."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.ingest import TextCleaner

ROOT = Path(__file__).resolve().parents[2]
JIANGSU = ROOT / "corpus" / "jiangsu-2024-international-cooperation-notice.txt"


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_bookmark_markup_is_removed() -> None:
    out = TextCleaner().run("前文\n[bookmark: _Hlk142575309]4.本年度拟立项项目将公示。\n")
    assert "[bookmark" not in out
    assert "4.本年度拟立项项目将公示。" in out


def test_the_running_header_inside_section_one_is_lifted_to_the_top_with_its_doc_number() -> None:
    raw = JIANGSU.read_text(encoding="utf-8")
    out = TextCleaner().run(raw)
    section_one = out[out.index("一、支持重点及申报条件"):out.index("二、有关要求")]
    assert "江 苏 省" not in section_one and "苏科资发" not in section_one
    assert out.splitlines()[1] == "苏科资发〔2024〕21号"  # still citable, once, at the head


def test_lines_broken_mid_sentence_are_joined_into_paragraphs() -> None:
    out = TextCleaner().run(JIANGSU.read_text(encoding="utf-8"))
    assert "项目申报单位须为2022年12月31日前在江苏省注册的独立法人机构，项目负责人须为项目申报单位在职人员。" in out
    # headings still start their own paragraphs
    assert any(line.startswith("（二）重点国别产业技术研发合作项目") for line in out.splitlines())


def test_cleaning_keeps_every_character_of_the_body() -> None:
    raw = JIANGSU.read_text(encoding="utf-8")
    out = _squash(TextCleaner().run(raw))
    header = _squash("江 苏 省 科 学 技 术 厅 江 苏 省 财 政 厅 文件 苏科资发〔2024〕21号")
    assert len(out) >= len(_squash(raw)) - len(header)
    for sentence in ("合作国别不包括以色列、芬兰、挪威、新加坡、奥地利", "项目申报材料网上填报截止时间为2024年3月28日17:30"):
        assert sentence in out


def test_a_table_of_contents_is_dropped() -> None:
    text = "规划\n目   录\n一、总则\n1\n（一）背景\n2\n（二）目标\n3\n二、任务\n5\n（一）攻关\n6\n\n一、总则\n（一）背景\n正文内容很长的一段。\n"
    out = TextCleaner().run(text)
    assert out.count("（一）背景") == 1
    assert "正文内容很长的一段。" in out


def test_plain_text_is_left_alone() -> None:
    text = "一、支持重点\n支持企业开展研发。\n二、申报条件\n1．申报单位须为独立法人。"
    assert TextCleaner().run(text) == text


def test_bad_settings_are_refused_with_the_value() -> None:
    import pytest

    with pytest.raises(ValueError, match=r"1\.5"):
        TextCleaner(min_broken_share=1.5)
