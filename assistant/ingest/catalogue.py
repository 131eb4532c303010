"""``corpus/notices.yaml``: what each notice file holds — its documents, their titles and programmes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant import yamlio
from assistant.errors import IngestError


@dataclass(frozen=True)
class DocumentEntry:
    """One citable document inside a notice file."""

    doc_id: str
    title: str
    start: str
    start_exact: bool = False
    programmes: tuple[str, ...] = ()
    contacts: tuple[dict[str, Any], ...] = ()
    programme_names: tuple[tuple[str, str], ...] = ()  # (id, name as the notice prints it), when given

    def programme_name(self, programme_id: str) -> str:
        """The programme's name as the override gives it (``{id: 名称}``); else the document's title when it
        opens that one programme, else the id."""
        default = self.title if len(self.programmes) == 1 else programme_id
        return dict(self.programme_names).get(programme_id, default)


@dataclass(frozen=True)
class FileEntry:
    """A catalogued notice file: shared metadata and its documents in order."""

    file: str
    issuer: str | None
    doc_number: str | None
    region: str
    year: int | None
    published: str | None
    deadlines: tuple[dict[str, Any], ...]
    contacts: tuple[dict[str, Any], ...]
    documents: tuple[DocumentEntry, ...]


@dataclass
class NoticeCatalogue:
    """The catalogue; files not listed in it are ingested as one document titled by their first line."""

    files: dict[str, FileEntry] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> NoticeCatalogue:
        """Reads the catalogue (an absent file is an empty catalogue).

        Raises:
            IngestError: the YAML is malformed or an entry lacks a required field.
        """
        if not path.exists():
            return cls()
        try:
            data = yamlio.safe_load(path.read_text(encoding="utf-8")) or {}
            files = {}
            for name, raw in (data.get("files") or {}).items():
                docs = tuple(
                    DocumentEntry(doc_id=d["id"], title=d["title"], start=str(d["start"]),
                                  start_exact=bool(d.get("start_exact", False)),
                                  programmes=tuple(_programme_ids(d.get("programmes"))),
                                  contacts=tuple(d.get("contacts") or ()),
                                  programme_names=tuple(_programme_names(d.get("programmes"))))
                    for d in raw["documents"]
                )
                files[name] = FileEntry(
                    file=name, issuer=raw.get("issuer"), doc_number=raw.get("doc_number"),
                    region=str(raw.get("region") or ""), year=raw.get("year"),
                    published=str(raw["published"]) if raw.get("published") else None,
                    deadlines=tuple(raw.get("deadlines") or ()), contacts=tuple(raw.get("contacts") or ()),
                    documents=docs,
                )
        except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
            raise IngestError(f"公告目录 {path} 格式有误（{type(exc).__name__}: {exc}），请修正后重试。") from exc
        return cls(files)

    def get(self, file_name: str) -> FileEntry | None:
        """The entry of a notice file, if catalogued."""
        return self.files.get(file_name)

    def documents(self) -> list[tuple[FileEntry, DocumentEntry]]:
        """Every catalogued document with its file."""
        return [(f, d) for f in self.files.values() for d in f.documents]

    def programme_notice(self, programme_id: str) -> tuple[FileEntry, DocumentEntry] | None:
        """The (first) document holding a programme."""
        for f, d in self.documents():
            if programme_id in d.programmes:
                return f, d
        return None


def _programme_ids(items: Any) -> list[str]:
    """Programme ids of an override entry: each item an id, or ``{id: 名称}``."""
    return [str(next(iter(p))) if isinstance(p, dict) else str(p) for p in items or ()]


def _programme_names(items: Any) -> list[tuple[str, str]]:
    """(id, name) of the items written ``{id: 名称}`` (the name routing matches a question against)."""
    return [(str(k), str(v)) for p in items or () if isinstance(p, dict) for k, v in p.items()]


def guess_year(text: str) -> int | None:
    """The first four-digit 年度/年 in a title."""
    m = re.search(r"(20\d{2})\s*年", text)
    return int(m.group(1)) if m else None


def guess_region(text: str) -> str:
    """A 省/市 name at the start of a title, if any."""
    m = re.search(r"([\u4e00-\u9fff]{2,4}?[省市])", text[:20])
    return m.group(1) if m else ""
