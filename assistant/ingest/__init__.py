"""Notice files → cleaned documents → clause chunks (the input of the index builder)."""

from __future__ import annotations

from pathlib import Path

from assistant.ingest.catalogue import DocumentEntry, FileEntry, NoticeCatalogue
from assistant.ingest.chunker import ClauseChunker
from assistant.ingest.cleaner import TextCleaner
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, NoticeLoader
from assistant.ingest.splitter import DocumentSplitter
from assistant.models import Chunk, NoticeDocument

__all__ = [
    "SUPPORTED_SUFFIXES", "ClauseChunker", "DocumentEntry", "DocumentSplitter", "FileEntry",
    "NoticeCatalogue", "NoticeLoader", "TextCleaner", "parse_notice_file",
]


def parse_notice_file(path: Path, catalogue: NoticeCatalogue,
                      max_chars: int = 600) -> tuple[list[NoticeDocument], list[Chunk]]:
    """Load, clean, split and chunk one notice file.

    Raises:
        IngestError: the file cannot be read (named in the message).
    """
    text = TextCleaner().run(NoticeLoader().run(path))
    docs = DocumentSplitter().run(path.name, text, catalogue)
    chunker = ClauseChunker(max_chars=max_chars)
    chunks = [c for d in docs for c in chunker.run(d)]
    return docs, chunks
