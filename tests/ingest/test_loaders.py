"""NoticeLoader: each supported format read, each broken file refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.ingest import NoticeCatalogue, NoticeLoader, parse_notice_file


def test_txt_md_html_and_docx_are_read(tmp_path: Path) -> None:
    import docx

    (tmp_path / "a.txt").write_text("一、支持重点\n内容。", encoding="utf-8")
    (tmp_path / "b.md").write_text("# 通知\n二、申报条件", encoding="utf-8")
    (tmp_path / "c.html").write_text("<html><script>x=1</script><body><p>三、申报时间</p></body></html>",
                                     encoding="utf-8")
    d = docx.Document()
    d.add_paragraph("四、联系方式")
    d.save(str(tmp_path / "d.docx"))
    loader = NoticeLoader()
    assert "支持重点" in loader.run(tmp_path / "a.txt")
    assert "申报条件" in loader.run(tmp_path / "b.md")
    html = loader.run(tmp_path / "c.html")
    assert "申报时间" in html and "x=1" not in html
    assert "联系方式" in loader.run(tmp_path / "d.docx")


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.txt", b"", "空文件"),
    ("gbk.txt", "一、支持重点".encode("gbk"), "UTF-8"),
    ("binary.txt", b"abc\x00\x01\x02", "二进制"),
    ("junk.docx", b"PK\x03\x04 this is not a word file", "docx"),
    ("cut.pdf", b"%PDF-1.4\n1 0 obj<<>>\ntruncated", "PDF"),
    ("x.xlsx", b"anything", "不支持"),
])
def test_unreadable_files_are_refused_by_name(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(IngestError, match=message) as exc:
        NoticeLoader().run(p)
    assert name in str(exc.value)


def test_an_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    w.encrypt("secret")
    p = tmp_path / "locked.pdf"
    with open(p, "wb") as fh:
        w.write(fh)
    with pytest.raises(IngestError, match="加密"):
        NoticeLoader().run(p)


def test_a_huge_file_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "huge.txt"
    p.write_text("一" * 2000, encoding="utf-8")
    with pytest.raises(IngestError, match="过大"):
        NoticeLoader(max_bytes=1000).run(p)


def test_an_uncatalogued_notice_is_one_document_titled_by_its_first_line(tmp_path: Path) -> None:
    p = tmp_path / "新通知.txt"
    p.write_text("海滨市2025年度科技创新券项目申报指南\n\n一、支持重点\n支持中小企业。\n", encoding="utf-8")
    docs, chunks = parse_notice_file(p, NoticeCatalogue())
    assert [d.title for d in docs] == ["海滨市2025年度科技创新券项目申报指南"]
    assert docs[0].metadata["year"] == 2025 and docs[0].metadata["region"] == "海滨市"
    assert chunks[0].section == "一、支持重点"
