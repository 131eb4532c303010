"""Plain data passed between pipeline steps.

Kept free of LangChain/Chroma types so every step can be tested and swapped on its own.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Verdict = Literal["eligible", "ineligible", "needs_info"]


@dataclass(frozen=True)
class NoticeDocument:
    """One citable document: a notice, or one guide of a file that holds several.

    Attributes:
        doc_id: stable id, e.g. ``lyg-2024-guides/industry``.
        title: the document's own title (cited as 《title》).
        text: cleaned text (artifacts removed, broken lines joined).
        source: the file it came from (file name, not full path).
        metadata: catalogue fields: region, year, programme ids, issuer, doc_number …
        layout: one letter per line of ``text`` — ``h`` a heading of the source (Markdown/HTML), ``r`` a table
            row, ``p`` a paragraph; empty when the source has no markup (every line a paragraph).
    """

    doc_id: str
    title: str
    text: str
    source: str
    metadata: dict[str, Any] = field(default_factory=dict)
    layout: str = ""


@dataclass(frozen=True)
class Chunk:
    """One clause (or a cap-sized piece of one) with its place in the document.

    Attributes:
        chunk_id: content hash + position; stable while the text is unchanged.
        doc_id: the document it belongs to.
        title: the document title.
        section_path: headings from the top, e.g. ``["三、申报要求", "2."]``.
        text: the clause text as in the notice (cleaned of extraction artifacts only).
        position: index of the chunk within its document.
        source: file name of the notice.
        metadata: region, year, programme … (flat str/int values, Chroma-compatible).
    """

    chunk_id: str
    doc_id: str
    title: str
    section_path: tuple[str, ...]
    text: str
    position: int
    source: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def section(self) -> str:
        """The heading path joined for display: ``三、申报要求 > 2.``."""
        return " > ".join(self.section_path)

    @property
    def notice(self) -> str:
        """The document title without book-title marks."""
        return self.title

    @staticmethod
    def make_id(doc_id: str, position: int, section_path: tuple[str, ...], text: str) -> str:
        """A stable id: hash of document, heading path and text, plus the position."""
        digest = hashlib.sha256("\x1f".join([doc_id, *section_path, text]).encode("utf-8")).hexdigest()
        return f"{digest[:16]}-{position:04d}"


@dataclass(frozen=True)
class RetrievedClause:
    """A chunk returned by retrieval, with its fused score (higher is better)."""

    chunk: Chunk
    score: float

    def to_json(self) -> dict[str, Any]:
        """The ``shenbao search --json`` record: id, notice, section, text, score."""
        return {
            "id": self.chunk.chunk_id,
            "notice": self.chunk.title,
            "section": self.chunk.section,
            "text": self.chunk.text,
            "score": round(self.score, 6),
        }


@dataclass(frozen=True)
class Citation:
    """A quoted clause: verbatim notice text with its document title and section path."""

    notice: str
    section: str
    quote: str


@dataclass
class AnswerRecord:
    """The result record of ``shenbao ask --json`` (see ``shared/eval/README.md``)."""

    answer: str
    citations: list[Citation] = field(default_factory=list)
    contexts: list[str] = field(default_factory=list)
    verdict: Verdict | None = None
    refused: bool = False
    mode: str = "offline"
    latency_ms: float = 0.0
    notices: list[str] = field(default_factory=list)
    eligibility: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON contract; ``notices`` (user-visible warnings) and ``eligibility`` are extras."""
        d = asdict(self)
        d["latency_ms"] = round(self.latency_ms, 1)
        return d
