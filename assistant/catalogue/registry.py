"""The notice catalogue: one record per document, read from the text, corrected by the optional override file.

This is the one registry of notice and programme ids. Ingest writes each file's records into the index
snapshot (so an unchanged file is not read again); :class:`NoticeRegistry` loads them and applies
``corpus/notices.yaml`` — an optional file that only corrects what the automatic path cannot know (the ids
that hand-written rules use, a document start the text does not mark).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.catalogue.fields import NoticeFieldReader, NoticeFields
from assistant.ingest.catalogue import FileEntry, NoticeCatalogue, guess_year
from assistant.ingest.markdown import ParsedNotice
from assistant.models import NoticeDocument

STATUS_OPEN = "申报中"
STATUS_CLOSED = "已截止"
STATUS_NONE = "无截止日期"


@dataclass(frozen=True)
class NoticeStatus:
    """A notice's status on a given day.

    Attributes:
        state: 申报中 / 已截止 / 无截止日期.
        days_left: days until the next deadline (0 = today) while open.
        deadline: the deadline the status rests on (the next one while open, else the last one).
    """

    state: str
    days_left: int | None = None
    deadline: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        """"申报中（剩余 5 天）", "已截止（2024-03-28）", "无截止日期"."""
        if self.state == STATUS_OPEN:
            return f"{STATUS_OPEN}（剩余 {self.days_left} 天）" if self.days_left else f"{STATUS_OPEN}（今天截止）"
        if self.state == STATUS_CLOSED and self.deadline:
            return f"{STATUS_CLOSED}（{self.deadline['date']}）"
        return self.state


@dataclass
class NoticeRecord:
    """The catalogue record of one document (a notice, one of its guides, or an attachment).

    ``sources`` maps a field name to where its value was read: ``{"quote": …, "origin": text|metadata|
    file_name|override}``.
    """

    notice_id: str
    file: str
    title: str
    issuer: str | None = None
    doc_number: str | None = None
    published: str | None = None
    region: str | None = None
    kind: str = "other"
    year: int | None = None
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    amounts: list[dict[str, Any]] = field(default_factory=list)
    programmes: list[dict[str, Any]] = field(default_factory=list)
    parent: str | None = None
    part: str = ""
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)

    def status(self, today: dt.date | None = None) -> NoticeStatus:
        """Open while any deadline is today or later; closed when all have passed; else no deadline."""
        today = today or dt.date.today()
        dated = sorted((d for d in self.deadlines if _date(d.get("date"))), key=lambda d: str(d["date"]))
        if not dated:
            return NoticeStatus(STATUS_NONE)
        upcoming = [d for d in dated if _date(d["date"]) >= today]  # type: ignore[operator]
        if upcoming:
            nxt = upcoming[0]
            return NoticeStatus(STATUS_OPEN, (_date(nxt["date"]) - today).days, nxt)  # type: ignore[operator]
        return NoticeStatus(STATUS_CLOSED, None, dated[-1])

    @property
    def phones(self) -> list[str]:
        """Every phone number of the record's contacts, in order, once each."""
        out: list[str] = []
        for c in self.contacts:
            for p in c.get("phones") or []:
                if p not in out:
                    out.append(p)
        return out

    def to_json(self, today: dt.date | None = None) -> dict[str, Any]:
        """The ``shenbao notices --json`` record: the fields, ``phones``, and the status on ``today``."""
        d = asdict(self)
        st = self.status(today)
        d["phones"] = self.phones
        d["status"] = st.state
        d["status_label"] = st.label
        d["days_left"] = st.days_left
        return d

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NoticeRecord:
        """The record stored in the index snapshot."""
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})


def _date(raw: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(raw)[:10])
    except (TypeError, ValueError):
        return None


class NoticeCatalogueBuilder:
    """One file's read parts and documents → its catalogue records (before overrides).

    Args:
        reader: the field reader (swappable for tests).
    """

    def __init__(self, reader: NoticeFieldReader | None = None) -> None:
        self.reader = reader or NoticeFieldReader()

    def run(self, file_name: str, parsed: ParsedNotice, docs: Sequence[NoticeDocument]) -> list[NoticeRecord]:
        """One record per document; the first (the notice itself) carries the file's deadlines, contacts,
        amounts and programmes, the others name it as their ``parent``."""
        if not docs:
            return []
        fields = self.reader.run(file_name, parsed.meta, reader_documents(parsed))
        main = _main_record(fields, docs[0])
        records = [main]
        for d in docs[1:]:
            records.append(NoticeRecord(
                notice_id=d.doc_id, file=file_name, title=d.title, issuer=main.issuer, published=main.published,
                region=main.region, kind=main.kind, year=guess_year(d.title) or main.year, parent=main.notice_id,
                part=str(d.metadata.get("part", "")), sources={"title": {"quote": d.title, "origin": "text"}}))
        return records


def reader_documents(parsed: ParsedNotice) -> list[tuple[str | None, list[str]]]:
    """What the field reader reads: the main text (headed by the page title, which for a crawled page is the
    outer notice's even where the text opens with the notice it forwards), then each attachment whole."""
    return [(parsed.title if part.attachment_no == 0 else (part.file_title or part.label) or None,
             [b.text for b in part.blocks]) for part in parsed.parts]


def _main_record(fields: NoticeFields, doc: NoticeDocument) -> NoticeRecord:
    rec = fields.to_record()
    sources: dict[str, dict[str, Any]] = {}
    for name in ("title", "issuer", "doc_number", "published", "region", "kind"):
        fv = getattr(fields, name)
        if fv is not None:
            sources[name] = {"quote": fv.source.quote, "origin": fv.source.origin, "doc": fv.source.doc_index}
    deadlines = [{**d, "quote": x.source.quote} for d, x in zip(rec["deadlines"], fields.deadlines, strict=False)]  # type: ignore[call-overload]
    contacts = [{**c, "quote": x.source.quote} for c, x in zip(rec["contacts"], fields.contacts, strict=False)]  # type: ignore[call-overload]
    amounts = [{**a, "quote": x.source.quote} for a, x in zip(rec["amounts"], fields.amounts, strict=False)]  # type: ignore[call-overload]
    programmes = [{"id": f"{doc.doc_id}-p{i + 1}", "name": p.name, "conditions_heading": p.conditions_heading,
                   "quote": p.source.quote} for i, p in enumerate(fields.programmes)]
    title = str(rec["title"] or doc.title)
    published = rec["published"]
    issuer, region = _s(rec["issuer"]), _s(rec["region"])
    if issuer is None or region is None:
        head = _letterhead(doc.text)
        if head:
            issuer = issuer or head[0]
            region = region or head[1]
            sources.setdefault("issuer", {"quote": head[0], "origin": "text", "doc": 0})
            if head[1]:
                sources.setdefault("region", {"quote": head[0], "origin": "text", "doc": 0})
    return NoticeRecord(
        notice_id=doc.doc_id, file=fields.file, title=title, issuer=issuer,
        doc_number=_s(rec["doc_number"]), published=_s(published), region=region,
        kind=str(rec["kind"]), year=guess_year(title) or (int(str(published)[:4]) if published else None),
        deadlines=deadlines, contacts=contacts, amounts=amounts, programmes=programmes,
        part=str(doc.metadata.get("part", "")), sources=sources)


_ISSUER_LINE = re.compile(r"^(?P<area>[\u4e00-\u9fff]{2,8}?(?:自治区|省|市|新区|自治州|县|区))"
                          r"[\u4e00-\u9fff]{1,16}(?:厅|局|委员会|政府|办公室|管委会)$")


def _letterhead(text: str) -> tuple[str, str | None] | None:
    """An issuer printed as the letterhead on the first lines ("山河省科学技术厅") and its area, when the
    field reader found none."""
    for line in [ln.strip() for ln in text.split("\n") if ln.strip()][:3]:
        m = _ISSUER_LINE.match(re.sub(r"\s+", "", line))
        if m:
            return m.group(0), m.group("area")
    return None


def _s(v: Any) -> str | None:
    return str(v) if v not in (None, "") else None


def apply_override(records: list[NoticeRecord], entry: FileEntry | None) -> list[NoticeRecord]:
    """The override file's corrections applied to a file's records (what it states wins, nothing else).

    Document entries are matched to records by id (the override names the ids of the documents it split).
    """
    if entry is None:
        return records
    by_id = {d.doc_id: d for d in entry.documents}
    for i, rec in enumerate(records):
        src = {"origin": "override"}
        if i == 0 or rec.parent is None:
            for name in ("issuer", "doc_number", "region", "published"):
                value = getattr(entry, name)
                if value:
                    setattr(rec, name, str(value))
                    rec.sources[name] = {**src, "quote": str(value)}
            if entry.year:
                rec.year = int(entry.year)
            if entry.deadlines:
                rec.deadlines = [dict(d) for d in entry.deadlines]
            if entry.contacts:
                rec.contacts = [_override_contact(c) for c in entry.contacts]
        doc = by_id.get(rec.notice_id)
        if doc is not None:
            rec.title = doc.title
            if i > 0 and doc.programmes and doc.title != records[0].title:
                rec.parent = None  # a guide of its own (the file bundles several), not an attachment
            rec.programmes = [{"id": p, "name": doc.programme_name(p), "conditions_heading": None, "quote": ""}
                              for p in doc.programmes]
            if doc.contacts:
                rec.contacts = [_override_contact(c) for c in doc.contacts]
        if i > 0:
            rec.issuer = rec.issuer or records[0].issuer
            rec.region = records[0].region
            rec.year = rec.year or records[0].year
    return records


def _override_contact(c: dict[str, Any]) -> dict[str, Any]:
    phones = c.get("phones") or str(c.get("phone") or "").split()
    return {"unit": c.get("unit"), "person": c.get("person") or c.get("people"), "phones": [str(p) for p in phones],
            "quote": ""}


@dataclass
class NoticeRegistry:
    """Every catalogued document of an index, with its programmes: the one registry of ids."""

    records: list[NoticeRecord] = field(default_factory=list)

    @classmethod
    def from_snapshot(cls, snapshot: Any, overrides: NoticeCatalogue | None = None) -> NoticeRegistry:
        """The records stored in an index snapshot, with the override file applied."""
        records: list[NoticeRecord] = []
        for name, src in sorted(snapshot.sources.items()):
            recs = [NoticeRecord.from_json(d["catalogue"]) for d in src.documents if d.get("catalogue")]
            if not recs:  # an index written before the catalogue existed: titles only
                recs = [NoticeRecord(notice_id=d["doc_id"], file=name, title=d["title"],
                                     region=d.get("region") or None, year=d.get("year") or None)
                        for d in src.documents]
            records.extend(apply_override(recs, overrides.get(name) if overrides else None))
        return cls(records)

    @classmethod
    def load(cls, settings: Any = None) -> NoticeRegistry:
        """The registry of the configured index (empty when nothing is ingested yet)."""
        from assistant.config import get_settings
        from assistant.index.store import IndexSnapshot

        settings = settings or get_settings()
        if not IndexSnapshot.path_in(settings.data_dir).exists():
            return cls()
        snapshot = IndexSnapshot.load(settings.data_dir)
        return cls.from_snapshot(snapshot, NoticeCatalogue.load(settings.corpus_dir / "notices.yaml"))

    def get(self, notice_id: str) -> NoticeRecord | None:
        """The record of a notice id."""
        return next((r for r in self.records if r.notice_id == notice_id), None)

    def notices(self, include_attachments: bool = True) -> list[NoticeRecord]:
        """Records in file order; without attachments when asked."""
        return [r for r in self.records if include_attachments or r.parent is None]

    def programme(self, programme_id: str) -> tuple[NoticeRecord, dict[str, Any]] | None:
        """The record that opens a programme, and the programme."""
        for r in self.records:
            for p in r.programmes:
                if p["id"] == programme_id:
                    return r, p
        return None

    def programme_ids(self) -> list[str]:
        """Every programme id in the catalogue."""
        return [p["id"] for r in self.records for p in r.programmes]

    def filter(self, *, open_only: bool = False, region: str | None = None, kind: str | None = None,
               today: dt.date | None = None, include_attachments: bool = False) -> list[NoticeRecord]:
        """The records matching the ``shenbao notices`` filters."""
        out = []
        for r in self.notices(include_attachments):
            if open_only and r.status(today).state != STATUS_OPEN:
                continue
            if region and region not in (r.region or "") and region not in r.title:
                continue
            if kind and r.kind != kind:
                continue
            out.append(r)
        return out


def with_record(doc: NoticeDocument, record: NoticeRecord) -> NoticeDocument:
    """A document whose metadata (carried by each of its clauses) is its catalogue record's."""
    meta = {**doc.metadata, "region": record.region or "", "year": int(record.year or 0),
            "issuer": record.issuer or "", "doc_number": record.doc_number or "",
            "programmes": ",".join(p["id"] for p in record.programmes), "kind": record.kind}
    return NoticeDocument(doc_id=doc.doc_id, title=doc.title, text=doc.text, source=doc.source, metadata=meta,
                          layout=doc.layout)


def parse_and_catalogue(path: Path, overrides: NoticeCatalogue, max_chars: int = 600,
                        builder: NoticeCatalogueBuilder | None = None) -> tuple[
        list[NoticeDocument], list[Any], list[NoticeRecord]]:
    """Read one file once: its documents (with catalogue metadata), clauses and catalogue records.

    Raises:
        IngestError: the file cannot be read (named in the message).
    """
    from assistant.ingest import chunk_documents, documents_for, read_notice_file
    from assistant.ingest.quotes import mark_quotable

    parsed, text, markup = read_notice_file(path)
    docs = documents_for(path.name, parsed, text, overrides)
    records = apply_override((builder or NoticeCatalogueBuilder()).run(path.name, parsed, docs),
                             overrides.get(path.name))
    docs = [with_record(d, r) for d, r in zip(docs, records, strict=True)]
    return docs, mark_quotable(chunk_documents(docs, max_chars), markup), records


def catalogue_files(paths: Iterable[Path], overrides: NoticeCatalogue | None = None) -> tuple[
        list[NoticeRecord], list[tuple[str, str]]]:
    """Catalogue notice files without indexing them (``shenbao notices PATH…``).

    Returns:
        the records, and (file, reason) for each file that could not be read.
    """
    from assistant.errors import IngestError

    builder = NoticeCatalogueBuilder()
    records: list[NoticeRecord] = []
    failed: list[tuple[str, str]] = []
    for path in paths:
        try:
            _, _, recs = parse_and_catalogue(path, overrides or NoticeCatalogue(), builder=builder)
        except IngestError as exc:
            failed.append((path.name, str(exc)))
            continue
        except Exception as exc:  # a reader bug must not hide the other files
            failed.append((path.name, f"无法解析（{type(exc).__name__}: {exc}）"))
            continue
        records.extend(recs)
    return records, failed
