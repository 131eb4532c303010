"""The last check of every answer: each citation's quote stands in its notice file as ingested.

A clause is assembled from the file (lines joined, furniture and repeated paragraphs left out, table cells
read without their tags), so a quote of several lines can fail to stand in the file as a whole even when
each part does. Such a quote is cut into the longest runs that do stand there; a run too short to say
anything is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from assistant.ingest.quotes import verbatim_pieces
from assistant.models import AnswerRecord, Citation


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


class CitationVerifier:
    """Cuts quotes that do not stand in their file into the runs that do.

    Args:
        min_chars: runs shorter than this are not quoted.
    """

    def __init__(self, min_chars: int = 6) -> None:
        if min_chars < 1:
            raise ValueError(f"min_chars must be ≥ 1, got {min_chars!r}")
        self.min_chars = min_chars

    def run(self, record: AnswerRecord, source_of: Callable[[str], str | None]) -> AnswerRecord:
        """The record with every quote verbatim in the file ``source_of(notice title)`` returns (its text,
        whitespace removed); a citation whose file is unknown is left as it is."""
        out: list[Citation] = []
        for c in record.citations:
            source = source_of(c.notice)
            q = _squash(c.quote)
            if source is None or not q or q in source:
                out.append(c)
                continue
            for line in [ln for ln in c.quote.split("\n") if ln.strip()] or [c.quote]:
                if _squash(line) in source:
                    out.append(Citation(notice=c.notice, section=c.section, quote=line.strip()))
                    continue
                for piece in verbatim_pieces(line, source, min_chars=self.min_chars):
                    out.append(Citation(notice=c.notice, section=c.section, quote=piece))
        record.citations = out
        return record


def source_lookup(texts: Mapping[str, str], title_files: Mapping[str, str]) -> Callable[[str], str | None]:
    """``source_of(title)``: the whitespace-free text of the file a document title comes from."""
    squashed: dict[str, str] = {}

    def source_of(title: str) -> str | None:
        name = title_files.get(title)
        if name is None or name not in texts:
            return None
        if name not in squashed:
            try:
                squashed[name] = _squash(texts[name])
            except KeyError:  # a lazily read text that is gone
                return None
        return squashed[name]

    return source_of
