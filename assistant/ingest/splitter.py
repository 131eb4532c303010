"""A cleaned notice file → its documents (one per guide or annex listed in the catalogue)."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.ingest.catalogue import FileEntry, NoticeCatalogue, guess_region, guess_year
from assistant.models import NoticeDocument


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


class DocumentSplitter:
    """Splits a cleaned file at the catalogue's document starts and strips each document's title lines.

    Args:
        title_scan_lines: how many lines after a start may still belong to a wrapped title.
    """

    def __init__(self, title_scan_lines: int = 4) -> None:
        if title_scan_lines < 0:
            raise ValueError(f"title_scan_lines must be ≥ 0, got {title_scan_lines!r}")
        self.title_scan_lines = title_scan_lines

    def run(self, file_name: str, text: str, catalogue: NoticeCatalogue) -> list[NoticeDocument]:
        """The documents of one file, in order."""
        lines = text.split("\n")
        entry = catalogue.get(file_name)
        if entry is None:
            return [self._uncatalogued(file_name, lines)]
        located = []
        pos = 0
        for doc in entry.documents:
            idx = self._find_start(lines, doc.start, doc.start_exact, pos)
            if idx is None:
                continue  # a catalogued part missing from this version of the file
            located.append((doc, idx))
            pos = idx + 1
        if not located:
            return [self._uncatalogued(file_name, lines)]
        starts = [idx for _, idx in located]
        docs = []
        for i, (doc, start) in enumerate(located):
            end = starts[i + 1] if i + 1 < len(starts) else len(lines)
            body_start = self._skip_title(lines, start, doc.title, doc.start)
            head = lines[:start] if i == 0 else []  # text before the first start (e.g. a lifted 文号)
            body = "\n".join([*head, *lines[body_start:end]]).strip("\n")
            docs.append(NoticeDocument(doc_id=doc.doc_id, title=doc.title, text=body, source=file_name,
                                       metadata=self._metadata(entry, doc.doc_id, doc.programmes)))
        return docs

    @staticmethod
    def _find_start(lines: list[str], start: str, exact: bool, pos: int) -> int | None:
        key = _squash(start)
        for i in range(pos, len(lines)):
            s = _squash(lines[i])
            if (s == key) if exact else s.startswith(key):
                return i
        return None

    def _skip_title(self, lines: list[str], start: int, title: str, marker: str) -> int:
        """Index of the first body line: the annex marker and the (wrapped) title lines are consumed."""
        t = _squash(title)
        i = start
        first = _squash(lines[start])
        if re.fullmatch(r"附件\d*", first) or (first and t.startswith(first)):
            i = start + 1
            consumed = "" if re.fullmatch(r"附件\d*", first) else first
        else:
            return start  # the start line is body text (e.g. the issuer line), keep it
        limit = min(len(lines), i + self.title_scan_lines + 2)
        while i < limit:
            s = _squash(lines[i])
            if not s:
                i += 1
                continue
            if t.startswith(consumed + s):
                consumed += s
                i += 1
                if consumed == t:
                    break
            else:
                break
        return i

    @staticmethod
    def _metadata(entry: FileEntry, doc_id: str, programmes: tuple[str, ...]) -> dict[str, object]:
        return {
            "doc_id": doc_id,
            "region": entry.region,
            "year": int(entry.year) if entry.year else 0,
            "issuer": entry.issuer or "",
            "doc_number": entry.doc_number or "",
            "programmes": ",".join(programmes),
        }

    @staticmethod
    def _uncatalogued(file_name: str, lines: list[str]) -> NoticeDocument:
        title_lines = [ln.strip() for ln in lines if ln.strip()][:3]
        title = next((t for t in title_lines if re.search(r"(通知|指南|办法|公告|规划|细则)", t)),
                     title_lines[0] if title_lines else Path(file_name).stem)
        title = re.sub(r"\s+", "", title)[:80]
        doc_id = "doc-" + re.sub(r"[^0-9A-Za-z]+", "-", Path(file_name).stem).strip("-").lower()[:40]
        if doc_id == "doc-":
            import hashlib

            doc_id += hashlib.sha1(file_name.encode("utf-8")).hexdigest()[:10]
        body_lines = list(lines)
        for i, ln in enumerate(body_lines):
            if ln.strip():
                if re.sub(r"\s+", "", ln)[:80] == title:
                    del body_lines[i]  # the title is cited as 《title》, not as a clause
                break
        body = "\n".join(body_lines)
        return NoticeDocument(doc_id=doc_id, title=title, text=body, source=file_name,
                              metadata={"doc_id": doc_id, "region": guess_region(title),
                                        "year": guess_year(title) or 0, "issuer": "", "doc_number": "",
                                        "programmes": ""})
