"""Presentation helpers of the pages: escaping, highlighting, deadlines, tables, uploads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.index.store import IndexSnapshot, SourceEntry
from assistant.ingest import NoticeCatalogue
from assistant.models import Chunk
from ui import present
from ui.uploads import UploadSaver, safe_name

ROOT = Path(__file__).resolve().parents[2]


def test_safe_html_neutralises_markdown_and_html() -> None:
    out = present.safe_html("<script>x</script> **粗体** $1$ > 引用\n第二行 [链接](http://a)")
    assert "<script>" not in out and "&lt;script&gt;" in out
    for ch in "*$[]":
        assert ch not in out
    assert "<br>" in out


def test_highlight_marks_terms_longest_first_and_escapes() -> None:
    terms = ["赣榆", "赣榆区", "牵头单位", "", "ABC"]
    out = present.highlight("项目牵头单位应在市辖区（不含赣榆区）注册<b>", terms)
    assert "<mark>赣榆区</mark>" in out and "<mark>牵头单位</mark>" in out
    assert "<mark>赣榆</mark>" not in out
    assert present.highlight("科技创新券", ["创新", "券"]) == "科技<mark>创新券</mark>"  # adjacent: one mark
    assert "&lt;b&gt;" in out
    assert present.highlight("Email AI 项目", ["ai"]).count("<mark>") == 1  # case-insensitive ASCII
    assert present.highlight("无词", []) == present.safe_html("无词")


@pytest.mark.parametrize(("deadline", "label"), [
    (dt.date(2024, 3, 27), "已截止"),
    (dt.date(2024, 3, 28), "今天截止"),
    (dt.date(2024, 3, 29), "剩余1天"),
    (dt.date(2024, 5, 1), "剩余34天"),
])
def test_days_left_label(deadline: dt.date, label: str) -> None:
    assert present.days_left_label(deadline, dt.date(2024, 3, 28)) == label


def _seed_registry():  # type: ignore[no-untyped-def]
    from assistant.catalogue.registry import NoticeRegistry, catalogue_files

    overrides = NoticeCatalogue.load(ROOT / "corpus" / "notices.yaml")
    return NoticeRegistry(catalogue_files(sorted((ROOT / "corpus").glob("*.txt")), overrides)[0])


def test_deadline_rows_from_the_real_catalogue() -> None:
    cat = _seed_registry()
    rows = present.deadline_rows(cat, dt.date(2024, 3, 28))
    js = [r for r in rows if r.file.startswith("jiangsu")]
    assert [r.status for r in js] == ["今天截止", "剩余1天"]  # open ones first, soonest first
    assert js[0].date == "2024-03-28 17:30" and "网上填报" in js[0].what
    assert js[0].notice.startswith("关于组织申报2024年度省科技计划专项资金")
    nt = [r for r in rows if r.file.startswith("nantong")]
    assert {r.status for r in nt} == {"已截止"}
    assert rows.index(js[0]) < rows.index(nt[0])
    only = present.deadline_rows(cat, dt.date(2030, 1, 1), files=["nantong-2023-frontier-tech-guide.txt"])
    assert {r.file for r in only} == {"nantong-2023-frontier-tech-guide.txt"} and len(only) == 2
    assert only[0].as_row()["状态"] == "已截止"


def _chunk(pos: int, path: tuple[str, ...]) -> Chunk:
    return Chunk(chunk_id=f"c{pos}", doc_id="d", title="T", section_path=path, text=f"t{pos}", position=pos,
                 source="f.txt")


def test_section_groups_keep_document_order() -> None:
    chunks = [_chunk(2, ("二、条件", "1.")), _chunk(0, ("一、重点",)), _chunk(1, ("一、重点", "（一）")),
              _chunk(3, ())]
    groups = present.section_groups(chunks)
    assert [g[0] for g in groups] == ["一、重点", "二、条件", "（正文）"]
    assert [c.position for c in groups[0][1]] == [0, 1]


def test_notice_rows_and_criteria_rows() -> None:
    from assistant.catalogue.registry import NoticeRecord, NoticeRegistry

    snap = IndexSnapshot(collection="x", sources={"a.txt": SourceEntry("a.txt", "0", documents=[
        {"doc_id": "d1", "title": "甲通知", "region": "", "year": "", "programmes": ["p1", "p2"], "chunks": 7}])})
    reg = NoticeRegistry([NoticeRecord(
        notice_id="d1", file="a.txt", title="甲通知", kind="call", issuer="甲局",
        deadlines=[{"what": "截止", "date": "2024-03-28", "time": None}],
        contacts=[{"unit": None, "person": "王", "phones": ["0510-1234567"]}],
        programmes=[{"id": "p1", "name": "甲项目"}, {"id": "p2", "name": ""}])])
    rows = present.notice_rows(snap, reg, today=dt.date(2024, 3, 29))
    assert rows == [{"公告": "甲通知", "类型": "申报通知", "状态": "已截止（2024-03-28）", "文件": "a.txt",
                     "地区": "", "年度": "", "项目": "甲项目、p2", "条款数": 7, "发文单位": "甲局", "文号": "",
                     "发布日期": "", "电话": "0510-1234567"}]
    assert present.title_files(snap) == {"甲通知": "a.txt"}
    assert present.notice_rows(snap, reg, {"p1": "甲项目一"})[0]["项目"] == "甲项目一、p2"
    crit = present.criteria_rows({"criteria": [{"status": "not_met", "description": "注册地", "kind": "hard",
                                                "reference": {"notice": "N", "section": "三 > 2.",
                                                              "quote": "不含 赣榆区\n"}}]})
    assert crit == [{"结果": "✗ 不符合", "条件": "注册地", "类型": "硬性条件", "依据": "《N》三 > 2.",
                     "原文": "不含 赣榆区", "说明": ""}]


def test_heading_repeated() -> None:
    assert present.heading_repeated("3.", "3．项目牵头单位应具有完善的科研管理制度")
    assert present.heading_repeated("（一）", "（一）联合研发项目")
    assert not present.heading_repeated("（一）检验检测", "5101  材料成分与性能检测")
    assert not present.heading_repeated("", "正文")


def test_labels() -> None:
    assert present.mode_label(False, "gpt-x") == "离线"
    assert present.mode_label(True, "gpt-x") == "模型：gpt-x"
    assert present.verdict_label("needs_info") == "需补充信息"
    assert present.verdict_color("ineligible") == "red"
    assert present.copy_text("T", "一 > 1.", "a\n  b") == "根据《T》一 > 1.：“a b”"


def test_safe_name() -> None:
    assert safe_name("../../etc/公告.TXT") == "公告.TXT"
    assert safe_name("C:\\docs\\通知.docx") == "通知.docx"
    for bad in ("", ".hidden.txt", "notices.yaml", "run.sh"):
        with pytest.raises(InputError):
            safe_name(bad)


def test_upload_saver_backs_up_and_undoes(tmp_path: Path) -> None:
    corpus, work = tmp_path / "corpus", tmp_path / "work"
    corpus.mkdir()
    (corpus / "old.txt").write_text("旧版本", encoding="utf-8")
    saver = UploadSaver(corpus, work, check_text=False)  # the notice check has its own tests
    saved, refused = saver.run([("old.txt", "坏的新版本".encode()), ("new.txt", "新公告".encode()),
                                ("empty.txt", b""), ("x.exe", b"MZ")])
    assert set(refused) == {"empty.txt", "x.exe"}
    assert [s.path.name for s in saved] == ["old.txt", "new.txt"]
    assert (corpus / "old.txt").read_text(encoding="utf-8") == "坏的新版本"
    moved = saver.undo(saved, ["old.txt"])
    assert (corpus / "old.txt").read_text(encoding="utf-8") == "旧版本"  # the good version is back
    assert moved == [work / "rejected" / "old.txt"] and moved[0].read_text(encoding="utf-8") == "坏的新版本"
    assert (corpus / "new.txt").exists()
    assert sorted(p.name for p in corpus.iterdir()) == ["new.txt", "old.txt"]  # no temp files left
    with pytest.raises(InputError):
        UploadSaver(tmp_path / "missing", work)


def test_earlier_citations_and_criteria_are_one_escaped_block_each() -> None:
    from assistant.models import Citation

    cites = [Citation(notice="甲<通知>", section="一、 > 1.", quote="资助*20万元*\n每年一次"),
             Citation(notice="乙通知", section="二、", quote="联系电话：0312")]
    block = present.citations_html(cites)
    assert block.count("<blockquote>") == 2 and "甲&lt;通知&gt;" in block and "<通知>" not in block
    assert "资助&#42;20万元&#42;<br>每年一次" in block
    assert present.citations_html([]) == ""
    res = {"criteria": [{"status": "not_met", "description": "注册地<不含赣榆区>", "kind": "hard",
                         "reference": {"notice": "甲", "section": "三、", "quote": "不含赣榆区"}}]}
    table = present.criteria_html(res)
    assert table.startswith("<table>") and table.count("<tr>") == 2  # head + one criterion
    assert "注册地&lt;不含赣榆区&gt;" in table and "不含赣榆区" in table
    assert present.criteria_html({"criteria": []}) == ""
