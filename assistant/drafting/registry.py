"""Which notices and programmes rules are drafted for — the ONE lookup to re-point at the notice catalogue.

Today it reads the current index (``IndexSnapshot``: documents and their chunks with metadata); a document
naming programmes (chunk metadata ``programmes``) drafts each, otherwise the document itself is one
programme. The notice's region is the catalogue's, else the city-level place its text names most.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.drafting.clauses import ProgrammeRef
from assistant.eligibility.gazetteer import load_gazetteer
from assistant.models import Chunk


@dataclass(frozen=True)
class NoticeProgrammes:
    """One notice (document) of the index: its chunks and the programmes to draft rules for."""

    notice_id: str
    title: str
    file: str
    chunks: tuple[Chunk, ...]
    programmes: tuple[ProgrammeRef, ...]


def guess_notice_region(texts: Iterable[str]) -> str | None:
    """The area a notice addresses: the city-level place (or new area) its text names most."""
    gaz = load_gazetteer()
    counts: Counter[str] = Counter()
    for text in texts:
        for m in gaz.find(text):
            if m.place.kind == "city":
                counts[m.place.name] += 1
            elif m.place.kind == "district" and m.place.city:
                counts[m.place.city] += 1
    return counts.most_common(1)[0][0] if counts else None


def notice_programmes(chunks: Iterable[Chunk], titles: dict[str, str] | None = None) -> list[NoticeProgrammes]:
    """The notices of an index and their programmes.

    Args:
        chunks: every chunk of the index.
        titles: known programme titles by id (e.g. the seed rules'); else the document title is used.
    """
    by_doc: dict[str, list[Chunk]] = defaultdict(list)
    for c in chunks:
        by_doc[c.doc_id].append(c)
    out: list[NoticeProgrammes] = []
    for doc_id, doc_chunks in by_doc.items():
        doc_chunks.sort(key=lambda c: c.position)
        md = doc_chunks[0].metadata
        region = str(md.get("region") or "") or guess_notice_region(c.text for c in doc_chunks[:40])
        year = md.get("year")
        ids = [p for p in str(md.get("programmes") or "").split(",") if p]
        title = doc_chunks[0].title
        refs = tuple(ProgrammeRef(pid, (titles or {}).get(pid, title), doc_id, region=region or None,
                                  year=int(year) if year else None) for pid in (ids or [doc_id]))
        out.append(NoticeProgrammes(doc_id, title, doc_chunks[0].source, tuple(doc_chunks), refs))
    return out
