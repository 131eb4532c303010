"""Which notices and programmes rules are drafted for — read from the notice catalogue (``NoticeRegistry``).

Every ``call`` record (and every ``policy`` record) of the catalogue is a notice to draft for; its clauses
are its own document's and its attachments' (records naming it as ``parent``: a forwarded notice often
states the conditions in an attachment). Its programmes are the catalogue's, with the catalogue's ids
(``<notice_id>-pN``, or the override file's seed ids) and ``conditions_heading``; a record without
programmes (a policy, or a call the field reader found no programme in) is drafted as one programme
``<notice_id>-p1`` named by its title — kept only when condition clauses are found in it.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.drafting.clauses import LEXICON_PATH, ProgrammeRef, load_lexicon
from assistant.eligibility.gazetteer import load_gazetteer
from assistant.models import Chunk

#: catalogue kinds whose notices get drafted rules
DRAFT_KINDS: tuple[str, ...] = ("call", "policy")
# a policy measure grants something ("对…的，给予…补贴/奖励")
_BENEFIT = re.compile(r"给予|予以(支持|补贴|奖励|补助)|补贴|奖励|补助|贴息")
_CONDITIONAL = re.compile(r"对[^。；]{2,120}的")
_NOT_MEASURE = re.compile(r"文首|其他事项|附则|总则|职责|程序|流程|审核|拨付|保障|组织实施|监督|附件")
_NUMBER_ONLY = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]?\s*$|^第[一二三四五六七八九十百]+条$")


def policy_measures(notice_id: str, chunks: list[Chunk]) -> list[dict[str, Any]]:
    """A policy's measures: each sub-section that grants something on a condition ("对…的，给予…").

    Returns programme dicts (``id`` ``<notice_id>-pN``, ``name``, ``sections``) — empty when the policy has
    no such measure (it is then drafted whole, as one programme). A policy of one measure drafts its clauses
    and its definition of the applicant ("本细则所述…企业，指…").
    """
    groups: dict[tuple[str, ...], list[Chunk]] = defaultdict(list)
    for c in chunks:
        if c.doc_id != notice_id or not c.section_path:
            continue
        groups[tuple(c.section_path[:2])].append(c)
    out: list[dict[str, Any]] = []
    for key, cs in groups.items():
        text = "".join(c.text for c in cs)
        if any(_NOT_MEASURE.search(h) for h in key):
            continue
        named = any(re.search(load_lexicon()["condition_headings"], h) for h in key)
        if not named and not (_BENEFIT.search(text) and _CONDITIONAL.search(text)):
            continue
        head = key[-1]
        name = head if not _NUMBER_ONLY.match(head) else re.split(r"[。；]", re.sub(r"\s+", "", text))[0][:40]
        out.append({"id": f"{notice_id}-p{len(out) + 1}", "name": name, "conditions_heading": key[-1],
                    "sections": tuple(dict.fromkeys(c.section for c in cs))})
    if len(out) == 1:  # the policy's one measure: drafted with the rest of the text (its definitions)
        out[0]["sections"] = ()
    return out


@dataclass(frozen=True)
class NoticeProgrammes:
    """One catalogue notice: its clauses (with its attachments'), programmes to draft, kind and file hash."""

    notice_id: str
    title: str
    file: str
    chunks: tuple[Chunk, ...]
    programmes: tuple[ProgrammeRef, ...]
    kind: str = "call"
    sha256: str = ""
    synthetic: bool = False


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


def drafter_version() -> str:
    """A fingerprint of the drafter's code and vocabulary: stored drafts older than it are redrafted."""
    h = hashlib.sha1()
    here = Path(__file__).resolve().parent
    for p in (LEXICON_PATH, here / "drafter.py", here / "clauses.py", here / "registry.py"):
        try:
            h.update(p.read_bytes())
        except OSError:
            continue
    return h.hexdigest()[:12]


def catalogue_programmes(registry: Any, chunks: Iterable[Chunk], sha256: dict[str, str] | None = None,
                         kinds: tuple[str, ...] = DRAFT_KINDS) -> list[NoticeProgrammes]:
    """The notices of the catalogue to draft rules for, each with its clauses and programmes.

    Args:
        registry: the :class:`assistant.catalogue.registry.NoticeRegistry` of the index.
        chunks: every chunk of the index.
        sha256: content hash by file name (``IndexSnapshot.sources``), stored with the drafts.
        kinds: the catalogue kinds drafted for.
    """
    by_doc: dict[str, list[Chunk]] = defaultdict(list)
    for c in chunks:
        by_doc[c.doc_id].append(c)
    children: dict[str, list[str]] = defaultdict(list)
    for r in registry.records:
        if r.parent:
            children[r.parent].append(r.notice_id)
    out: list[NoticeProgrammes] = []
    for rec in registry.records:
        if rec.parent is not None and not rec.programmes:
            continue  # an attachment: drafted with its notice
        if rec.kind not in kinds:
            continue
        doc_ids = (rec.notice_id, *children.get(rec.notice_id, []))
        family: list[Chunk] = []
        for d in doc_ids:
            family.extend(sorted(by_doc.get(d, []), key=lambda c: c.position))
        if not family:
            continue
        region = rec.region or guess_notice_region(c.text for c in family[:40])
        progs = rec.programmes or (policy_measures(rec.notice_id, family) if rec.kind == "policy" else []) or [
            {"id": f"{rec.notice_id}-p1", "name": rec.title, "conditions_heading": None}]
        refs = tuple(ProgrammeRef(
            str(p["id"]), str(p.get("name") or rec.title), rec.notice_id, region=region or None,
            year=int(rec.year) if rec.year else None, doc_ids=doc_ids,
            conditions_heading=p.get("conditions_heading") or None, sections=tuple(p.get("sections") or ()))
            for p in progs)
        out.append(NoticeProgrammes(rec.notice_id, rec.title, rec.file, tuple(family), refs, rec.kind,
                                    (sha256 or {}).get(rec.file, ""), synthetic=not rec.programmes))
    return out


def index_programmes(snapshot: Any, registry: Any) -> list[NoticeProgrammes]:
    """:func:`catalogue_programmes` over an index snapshot and its catalogue."""
    sha = {name: src.sha256 for name, src in snapshot.sources.items()}
    return catalogue_programmes(registry, snapshot.chunks.values(), sha)
