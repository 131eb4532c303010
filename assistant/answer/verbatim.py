"""Every quoted piece is verbatim notice text: a quote is checked against the text of the file it was
ingested from (whitespace aside) and, where the reader joined text the file separates with markup, cut into
the pieces that are verbatim; a piece found nowhere is not cited."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.models import AnswerRecord, Citation

_WS = re.compile(r"\s+")
MIN_PIECE = 6


def _flat(text: str) -> str:
    return _WS.sub("", text)


class VerbatimQuoteCheck:
    """Keeps a record's citations verbatim.

    Args:
        source_text: ``source_text(notice_title)`` → the whitespace-free text of the file(s) the notice was
            read from ("" when unknown: the citation is kept as it is).
        min_piece: shorter pieces of a split quote are dropped (a lone "2." proves nothing).
    """

    def __init__(self, source_text: Callable[[str], str], min_piece: int = MIN_PIECE) -> None:
        if min_piece < 1:
            raise ValueError(f"min_piece must be ≥ 1, got {min_piece!r}")
        self.source_text = source_text
        self.min_piece = min_piece

    def pieces(self, quote: str, text: str) -> list[str]:
        """The quote whole when verbatim, else its lines, else its whitespace-separated runs that are."""
        if _flat(quote) in text:
            return [quote]
        out: list[str] = []
        for line in (ln.strip() for ln in quote.split("\n")):
            if not line:
                continue
            if _flat(line) in text:
                if len(_flat(line)) >= self.min_piece:
                    out.append(line)
                continue
            out.extend(p for p in (p.strip() for p in re.split(r"\s{1,}", line))
                       if len(_flat(p)) >= self.min_piece and _flat(p) in text)
        return out

    def run(self, record: AnswerRecord) -> AnswerRecord:
        """The record with each citation verbatim (split or dropped where it is not)."""
        fixed: list[Citation] = []
        for c in record.citations:
            text = self.source_text(c.notice)
            if not text:
                fixed.append(c)
                continue
            fixed.extend(Citation(notice=c.notice, section=c.section, quote=p) for p in self.pieces(c.quote, text))
        record.citations = fixed
        return record
