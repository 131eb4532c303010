"""Notice files → cleaned documents → clause chunks (the input of the index builder).

Every format goes through one path: the loader reads the file; Markdown and HTML are read for their structure
(``MarkdownNoticeReader``), PDF/DOCX/TXT extractions are cleaned of their artifacts (``TextCleaner``); the
parts are split into citable documents (``PartDocumentSplitter``) unless the override file lists them; the
chunker cuts each document into clauses.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from assistant.errors import IngestError
from assistant.ingest.catalogue import DocumentEntry, FileEntry, NoticeCatalogue, guess_region, guess_year
from assistant.ingest.chunker import ClauseChunker
from assistant.ingest.cleaner import TextCleaner
from assistant.ingest.documents import DraftDocument, PartDocumentSplitter
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, NoticeLoader
from assistant.ingest.markdown import Block, MarkdownNoticeReader, NoticePart, ParsedNotice
from assistant.ingest.quotes import mark_quotable
from assistant.ingest.splitter import DocumentSplitter
from assistant.models import Chunk, NoticeDocument

__all__ = [
    "SUPPORTED_SUFFIXES", "ClauseChunker", "DocumentEntry", "DocumentSplitter", "DraftDocument", "FileEntry",
    "MarkdownNoticeReader", "NoticeCatalogue", "NoticeLoader", "ParsedNotice", "PartDocumentSplitter",
    "TextCleaner", "auto_doc_id", "chunk_documents", "documents_for", "parse_notice_file", "read_notice_file",
]


def read_notice_file(path: Path) -> tuple[ParsedNotice, str, str | None]:
    """A notice file read into parts of plain blocks, its cleaned plain text (one paragraph a line), and its
    markup as stored (Markdown/HTML; None for PDF/DOCX/TXT), against which quotes are checked.

    Raises:
        IngestError: the file cannot be read (named in the message).
    """
    raw, fmt = NoticeLoader().read(path)
    if fmt in ("markdown", "html"):
        parsed = MarkdownNoticeReader().run(raw, html=fmt == "html")
    else:
        lines = [ln for ln in TextCleaner().run(raw).split("\n") if ln.strip()]
        parsed = ParsedNotice(parts=[NoticePart(label="", blocks=[Block("paragraph", ln.strip()) for ln in lines])])
    text = "\n".join(b.text for p in parsed.parts for b in p.blocks)
    if not text.strip():  # markup only (tags, image links, page furniture): nothing a clause could quote
        raise IngestError(f"{path.name} 中没有可提取的正文文字（只有标记或图片），已跳过。")
    return parsed, text, raw if fmt in ("markdown", "html") else None


def auto_doc_id(file_name: str, index: int) -> str:
    """A stable id for the ``index``-th document found in a file: its ASCII name part and a hash of the name."""
    stem = Path(file_name).stem
    slug = re.sub(r"[^0-9A-Za-z]+", "-", stem).strip("-").lower()[:32].strip("-")
    digest = hashlib.sha1(file_name.encode("utf-8")).hexdigest()[:6]
    base = f"doc-{slug}-{digest}" if slug else f"doc-{digest}"
    return base if index == 0 else f"{base}-{index + 1}"


def file_date(file_name: str) -> str | None:
    """A YYYY-MM-DD date in a file name (crawled files are named ``NNN_YYYY-MM-DD_标题``)."""
    m = re.search(r"(?<!\d)(20\d{2})[-_.](\d{2})[-_.](\d{2})(?!\d)", file_name)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def parse_notice_file(path: Path, catalogue: NoticeCatalogue,
                      max_chars: int = 600) -> tuple[list[NoticeDocument], list[Chunk]]:
    """Load, read, split and chunk one notice file.

    Raises:
        IngestError: the file cannot be read (named in the message).
    """
    parsed, text, markup = read_notice_file(path)
    docs = documents_for(path.name, parsed, text, catalogue)
    return docs, mark_quotable(chunk_documents(docs, max_chars), markup)


def chunk_documents(docs: list[NoticeDocument], max_chars: int = 600) -> list[Chunk]:
    """The clauses of documents, in order."""
    chunker = ClauseChunker(max_chars=max_chars)
    return [c for d in docs for c in chunker.run(d)]


def documents_for(file_name: str, parsed: ParsedNotice, text: str, catalogue: NoticeCatalogue) -> list[NoticeDocument]:
    """The documents of a read file: where the override file lists them, split at its starts; else found."""
    entry = catalogue.get(file_name)
    if entry is not None and entry.documents:
        return DocumentSplitter().run(file_name, text, catalogue)
    return documents_of(file_name, parsed)


def documents_of(file_name: str, parsed: ParsedNotice) -> list[NoticeDocument]:
    """The automatically found documents of a file, with ids and the metadata read from their titles."""
    drafts = PartDocumentSplitter().run(parsed, fallback_title=Path(file_name).stem)
    docs = []
    main_title = drafts[0].title if drafts else ""
    for i, d in enumerate(drafts):
        doc_id = auto_doc_id(file_name, i)
        docs.append(NoticeDocument(
            doc_id=doc_id, title=d.title, text="\n".join(d.lines), source=file_name, layout=d.layout,
            metadata={"doc_id": doc_id, "region": guess_region(d.title) or guess_region(main_title),
                      "year": guess_year(d.title) or guess_year(main_title) or 0, "issuer": "",
                      "doc_number": "", "programmes": "", "part": d.part}))
    return docs
