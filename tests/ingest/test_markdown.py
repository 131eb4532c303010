"""Markdown (MinerU/pandoc) and HTML notices: structure read with markdown-it-py and BeautifulSoup, plain text
out, documents found in the file, quotes verbatim."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from assistant.catalogue.registry import parse_and_catalogue
from assistant.ingest import NoticeCatalogue, read_notice_file
from assistant.ingest.documents import PartDocumentSplitter, is_title_line
from assistant.ingest.markdown import MarkdownNoticeReader, TableRowReader, plain_inline
from assistant.ingest.quotes import QUOTES_KEY, row_pieces, verbatim_pieces

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notices-md"
MD = next(FIXTURES.glob("001_*.md"))
HTML = next(FIXTURES.glob("002_*.html"))
MARKUP = re.compile(r"<[a-zA-Z/][^>]*>|\*\*|!\[|\]\(|^#|\|\s*---|`")


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_the_crawler_metadata_table_is_metadata_not_text() -> None:
    parsed, text, _ = read_notice_file(MD)
    assert parsed.meta["发布时间"] == "2025-03-10" and parsed.meta["发文单位"] == "海滨新区科技创新局"
    assert parsed.title == "关于组织申报2025年度海滨新区科技小巨人培育项目的通知"
    assert "infoId" not in text and "POLICYFILE" not in text
    assert "原始文件" not in text and "解析方式" not in text and "example.invalid" not in text


def test_no_clause_holds_markdown_or_html() -> None:
    for f in (MD, HTML):
        docs, chunks, _ = parse_and_catalogue(f, NoticeCatalogue())
        assert chunks
        for c in chunks:
            assert not MARKUP.search(c.text), c.text
        for d in docs:
            assert not MARKUP.search(d.title), d.title


def test_a_copy_of_the_web_text_is_dropped_and_an_attachment_is_its_own_document() -> None:
    docs, chunks, records = parse_and_catalogue(MD, NoticeCatalogue())
    assert [d.title for d in docs] == ["关于组织申报2025年度海滨新区科技小巨人培育项目的通知",
                                       "海滨新区科技小巨人培育项目申报书"]
    # the PDF attachment repeats the web text: its clauses are not indexed twice
    texts = [_norm(c.text) for c in chunks]
    assert sum("成立时间满2年" in t for t in texts) == 1
    assert records[1].parent == records[0].notice_id


def test_headings_without_numbering_and_articles_give_section_paths() -> None:
    reader = MarkdownNoticeReader()
    parsed = reader.run("## 正文\n\n# 申报条件\n\n企业须在本市注册。\n\n第一章 总则\n\n第二条 本办法所称企业，指在本市注册的企业。\n\n"
                        "（一）具有独立法人资格；\n")
    docs = PartDocumentSplitter().run(parsed, "x")
    from assistant.ingest import ClauseChunker
    from assistant.models import NoticeDocument

    d = docs[0]
    chunks = ClauseChunker().run(NoticeDocument("d", d.title, "\n".join(d.lines), "x.md", layout=d.layout))
    sections = [c.section for c in chunks]
    assert sections[0] == "申报条件"
    assert "第一章总则 > 第二条" in sections and "第一章总则 > 第二条 > （一）" in sections


def test_table_rows_carry_their_column_headers_and_merged_cells() -> None:
    html = ("<table><thead><tr><th>企业类型</th><th>比例</th></tr></thead><tbody>"
            "<tr><td rowspan='2'>高新技术企业</td><td>10%</td></tr><tr><td>12%</td></tr></tbody></table>")
    rows = TableRowReader().run(BeautifulSoup(html, "lxml").table)
    assert rows == ["企业类型：高新技术企业；比例：10%", "企业类型：高新技术企业；比例：12%"]


def test_a_blank_form_carries_nothing_to_cite() -> None:
    html = "<table><tr><td>企业名称</td><td></td></tr><tr><td>联系电话</td><td></td></tr></table>"
    assert TableRowReader().run(BeautifulSoup(html, "lxml").table) == []


def test_html_pages_lose_scripts_navigation_and_footers() -> None:
    _, chunks, records = parse_and_catalogue(HTML, NoticeCatalogue())
    text = "\n".join(c.text for c in chunks)
    assert "var x" not in text and "版权所有" not in text and "首页" not in text
    assert records[0].doc_number == "山科发〔2024〕8号"
    rows = [c for c in chunks if c.metadata.get("row")]
    assert [c.section for c in rows] == ["一、研发费用补助 > （一）"] * 3


def test_inline_markup_and_mineru_formulae_become_plain_text() -> None:
    assert plain_inline("关于组织第一批**“雄安工坊”**试点") == "关于组织第一批“雄安工坊”试点"
    assert plain_inline("不低于$20\\%$") == "不低于20%"
    assert plain_inline("art\\_83857") == "art_83857"


@pytest.mark.parametrize(("text", "is_title"), [
    ("关于组织申报2025年度科技项目的通知", True),
    ("雄安新区支持机器人产业发展的若干措施", True),
    ("申报单位应为本市注册企业。", False),
    ("一、申报条件", False),
    ("附件1", False),
])
def test_title_lines(text: str, is_title: bool) -> None:
    assert is_title_line(text) is is_title


def test_every_quotable_piece_stands_in_the_file_as_stored() -> None:
    for f in (MD, HTML):
        raw = _norm(f.read_text(encoding="utf-8"))
        _, chunks, _ = parse_and_catalogue(f, NoticeCatalogue())
        for c in chunks:
            pieces = str(c.metadata.get(QUOTES_KEY) or "")
            lines = pieces.split("\n") if pieces else c.text.split("\n")
            for piece in lines:
                assert _norm(piece) in raw, piece


def test_verbatim_pieces_skip_what_markup_split() -> None:
    source = _norm("关于组织第一批**“雄安工坊”**试点产品申报的通知")
    assert verbatim_pieces("关于组织第一批“雄安工坊”试点产品申报的通知", source) == [
        "关于组织第一批", "“雄安工坊”", "试点产品申报的通知"]
    assert row_pieces("支持类别：培育类；支持标准：每家最高补助50万元") == ["培育类", "每家最高补助50万元"]


@pytest.mark.skipif(not (Path(__file__).resolve().parents[3] / "shared" / "corpus-xiongan").is_dir(),
                    reason="../shared/corpus-xiongan is not beside the repo")
@pytest.mark.parametrize("prefix", ["003", "013", "070", "121"])
def test_real_notices_read_into_documents_without_markup(prefix: str) -> None:
    folder = Path(__file__).resolve().parents[3] / "shared" / "corpus-xiongan"
    path = next(folder.glob(f"{prefix}_*.md"))
    docs, chunks, records = parse_and_catalogue(path, NoticeCatalogue())
    assert docs and chunks and records[0].title
    raw = _norm(path.read_text(encoding="utf-8"))
    for c in chunks:
        assert not MARKUP.search(c.text), c.text
        pieces = str(c.metadata.get(QUOTES_KEY) or "") or c.text
        assert all(_norm(p) in raw for p in pieces.split("\n") if not c.metadata.get("row")), c.text


def test_an_attachment_title_wrapped_over_lines_is_read_before_the_line_naming_who_drew_up_the_form(
        tmp_path: Path) -> None:
    path = tmp_path / "001_2025-11-17_关于开展测试新区服务资源库入库征集工作的通知.md"
    path.write_text(
        "# 关于开展测试新区服务资源库入库征集工作的通知\n\n## 正文\n\n各有关单位：现开展服务资源库入库征集工作。\n\n"
        "一、基本条件\n\n在测试新区注册成立两年以上。\n\n测试新区科技局\n\n2025年11月17日\n\n"
        "## 附件 1：附件.docx\n\n附件1\n\n测试新区服务资源库\n\n入库申请材料\n\n申请单位名称（盖章）：\n\n"
        "填报日期： 年 月 日\n\n测试新区科技局制\n\n申请材料\n\n（目录）\n\n1.入库申请表；\n\n2.单位情况概述；\n",
        encoding="utf-8")
    docs, _, _ = parse_and_catalogue(path, NoticeCatalogue())
    titles = [d.title for d in docs]
    assert titles == ["关于开展测试新区服务资源库入库征集工作的通知", "测试新区服务资源库入库申请材料"], titles
