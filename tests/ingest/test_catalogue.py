"""The notice catalogue: every notice described, every document found in its file."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.ingest import DocumentSplitter, NoticeCatalogue, NoticeLoader, TextCleaner

ROOT = Path(__file__).resolve().parents[2]


def test_every_corpus_file_is_catalogued_and_every_document_found() -> None:
    from assistant.catalogue.registry import parse_and_catalogue

    cat = NoticeCatalogue.load(ROOT / "corpus" / "notices.yaml")
    files = sorted(p.name for p in (ROOT / "corpus").glob("*.txt"))
    assert sorted(cat.files) == files
    for name, entry in cat.files.items():
        text = TextCleaner().run(NoticeLoader().run(ROOT / "corpus" / name))
        assert [d.doc_id for d in DocumentSplitter().run(name, text, cat)] == [d.doc_id for d in entry.documents]
        docs, _, _ = parse_and_catalogue(ROOT / "corpus" / name, cat)
        assert [d.doc_id for d in docs] == [d.doc_id for d in entry.documents], name
        for d in docs:
            assert d.text.strip(), d.doc_id
            # region and year come from the automatic catalogue where the override does not state them
            assert d.metadata["region"] and d.metadata["year"], d.doc_id


def test_catalogued_facts_are_in_the_notice_text() -> None:
    cat = NoticeCatalogue.load(ROOT / "corpus" / "notices.yaml")
    for name, entry in cat.files.items():
        raw = "".join((ROOT / "corpus" / name).read_text(encoding="utf-8").split())
        if entry.doc_number:
            assert entry.doc_number in raw
        for d in entry.deadlines:
            month, day = str(d["date"])[5:7].lstrip("0"), str(d["date"])[8:10].lstrip("0")
            assert f"{month}月{day}日" in raw, d
        for c in list(entry.contacts) + [c for d in entry.documents for c in d.contacts]:
            assert str(c["phone"]).split()[0] in raw, c
            assert str(c["people"]).split()[0] in raw, c


def test_programme_lookup() -> None:
    cat = NoticeCatalogue.load(ROOT / "corpus" / "notices.yaml")
    found = cat.programme_notice("lyg-2024-basic-youth")
    assert found is not None and found[1].title == "2024年度市基础研究计划项目指南"


def test_a_malformed_catalogue_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "notices.yaml"
    p.write_text("files:\n  a.txt:\n    documents:\n      - {title: 没有id}\n", encoding="utf-8")
    with pytest.raises(IngestError, match="公告目录"):
        NoticeCatalogue.load(p)
