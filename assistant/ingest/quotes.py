"""What of a clause can be quoted verbatim: the promise is that every quote stands in the notice file as is.

A clause read from Markdown or HTML is plain text, but the file is not: a table row reads "表头：值；表头：值"
while the file holds cells, and inline markup (``**``) removed from a paragraph splits it in the file. For
such clauses the pieces that do stand in the file (whitespace aside) are recorded in the clause's
``quotes`` metadata, one per line, and only they are quoted.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.models import Chunk

QUOTES_KEY = "quotes"


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def verbatim_pieces(line: str, source: str, min_chars: int = 4) -> list[str]:
    """The longest runs of ``line`` that stand in ``source`` (already stripped of whitespace), in order.

    Greedy: the longest prefix found in the source is a piece, then the search goes on after it.
    """
    s = _squash(line)
    out: list[str] = []
    i = 0
    while i < len(s):
        lo, hi = 0, len(s) - i  # binary search on the length of the longest prefix found in the source
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if s[i:i + mid] in source:
                lo = mid
            else:
                hi = mid - 1
        if lo >= min_chars:
            out.append(s[i:i + lo])
        i += max(lo, 1)
    return out


def row_pieces(text: str) -> list[str]:
    """A table row's cell values ("表头：值；表头：值" → the values), each a run of one cell."""
    out = []
    for cell in text.split("；"):
        value = cell.split("：", 1)[1] if "：" in cell else cell
        if value.strip():
            out.append(value.strip())
    return out


def mark_quotable(chunks: list[Chunk], source_text: str | None) -> list[Chunk]:
    """The chunks, those not verbatim in the file carrying their quotable pieces.

    Args:
        chunks: one file's clauses.
        source_text: the file as stored (Markdown/HTML); None when the clause text is the file's own text
            (PDF/DOCX/TXT extractions are cleaned line by line and quoted as before).
    """
    if source_text is None:
        return chunks
    source = _squash(source_text)
    out = []
    for c in chunks:
        if c.metadata.get("row"):
            pieces = [p for p in row_pieces(c.text) if _squash(p) in source] or row_pieces(c.text)
        else:
            lines = [ln for ln in c.text.split("\n") if ln.strip()]
            if all(_squash(ln) in source for ln in lines):
                out.append(c)
                continue
            pieces = []
            for ln in lines:
                pieces.extend([ln.strip()] if _squash(ln) in source else verbatim_pieces(ln, source))
        if not pieces:
            continue  # nothing of it can be quoted as it stands ("日期："): not a clause to cite
        out.append(replace(c, metadata={**c.metadata, QUOTES_KEY: "\n".join(pieces)}))
    return out
