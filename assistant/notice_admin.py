"""Notice administration shared by the web page and the HTTP API: list, upload, delete, re-index.

Uploads are written next to the bundled notices (the index builder and a later ``shenbao ingest`` read them
there). A file name can never leave the corpus dir; an upload is refused when it is empty, too large, not
readable by the notice loader, or does not read like a notice at all. A file it replaces is backed up
first; when the new file then fails to ingest, the old one is put back and the bad upload is moved to
``<data_dir>/uploads/rejected/``. A deleted notice is moved to ``<data_dir>/uploads/deleted/`` (never
destroyed) and the index is synchronised with the corpus dir.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.config import Settings, get_settings
from assistant.errors import IngestError, InputError, NotFoundError

ALLOWED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MIN_NOTICE_HAN = 40
# words every funding notice or guide uses somewhere; a file with none of them is not a notice
NOTICE_WORDS = ("通知", "公告", "通告", "指南", "申报", "申请", "办法", "细则", "项目", "计划", "资助", "补助", "专项")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_BAD_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f]")

Progress = Callable[[int, int], None]


def list_notices(settings: Settings | None = None, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The indexed notices, one entry per file: ``id`` (the file name, what delete takes), ``file``,
    ``chunks``, and ``documents``: the catalogue record of each document in it (title, issuer, 文号, dates,
    kind, deadlines with the status on ``today``, contacts, programmes — see ``NoticeRecord.to_json``).

    Raises:
        IndexMissingError: nothing was ingested yet.
    """
    from assistant.catalogue.registry import NoticeRegistry
    from assistant.index.store import IndexSnapshot
    from assistant.ingest.catalogue import NoticeCatalogue

    s = settings or get_settings()
    snap = IndexSnapshot.load(s.data_dir)
    registry = NoticeRegistry.from_snapshot(snap, NoticeCatalogue.load(s.corpus_dir / "notices.yaml"))
    by_file: dict[str, list[dict[str, Any]]] = {}
    for rec in registry.records:
        by_file.setdefault(rec.file, []).append(rec.to_json(today))
    return [{"id": name, "file": name, "documents": by_file.get(name, []), "chunks": len(src.chunk_ids)}
            for name, src in sorted(snap.sources.items())]


def safe_name(name: str) -> str:
    """The bare file name of an upload (no directories), checked for a supported suffix.

    Raises:
        InputError: empty, hidden, with control characters, or an unsupported type.
    """
    if not isinstance(name, str) or _BAD_NAME_CHARS.search(name):
        raise InputError(f"文件名 {name!r} 含有非法字符，请改名后重新上传。")
    base = Path(name.replace("\\", "/")).name.strip()
    if not base or base.startswith(".") or base in {"..", "."}:
        raise InputError(f"文件名 {name!r} 无效，请改名后重新上传。")
    if len(base.encode("utf-8")) > 200:
        raise InputError(f"文件名过长（{base[:30]}…），请改短后重新上传。")
    if Path(base).suffix.lower() not in ALLOWED_SUFFIXES:
        raise InputError(f"{base}：不支持的文件类型，请上传 {' '.join(ALLOWED_SUFFIXES)} 文件。")
    return base


def notice_text_problem(name: str, text: str) -> str | None:
    """Why extracted text is not a funding notice (None when it reads like one)."""
    han = len(_HAN.findall(text))
    if han < MIN_NOTICE_HAN:
        return f"{name} 中的中文内容过少（{han} 字），不像是申报通知或指南，已拒绝。"
    if not any(w in text for w in NOTICE_WORDS):
        return f"{name} 中没有“通知/指南/申报/项目”等字样，不像是申报通知或指南，已拒绝。"
    return None


@dataclass
class SavedUpload:
    """An upload written into the corpus dir, and the file it replaced (backed up), if any."""

    path: Path
    backup: Path | None


class UploadSaver:
    """Writes uploads into the corpus dir with backups, and undoes the ones the ingest rejected.

    Args:
        corpus_dir: where the notices live.
        work_dir: where backups and rejected uploads are kept (``<data_dir>/uploads``).
        max_bytes: the largest file accepted.
        check_text: also refuse files the notice loader cannot read or that do not read like a notice.
    """

    def __init__(self, corpus_dir: Path, work_dir: Path, max_bytes: int = MAX_UPLOAD_BYTES,
                 check_text: bool = True) -> None:
        if not corpus_dir.is_dir():
            raise InputError(f"公告目录 {corpus_dir} 不存在，请检查 SHENBAO_CORPUS_DIR。")
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be ≥ 1, got {max_bytes!r}")
        self.corpus_dir = corpus_dir
        self.work_dir = work_dir
        self.max_bytes = max_bytes
        self.check_text = check_text

    def target(self, base: str) -> Path:
        """Where a checked name is written: always directly inside the corpus dir.

        Raises:
            InputError: the resolved path would land anywhere else (a symlink in the corpus dir).
        """
        root = self.corpus_dir.resolve()
        path = (root / base).resolve()
        if path.parent != root:
            raise InputError(f"文件名 {base!r} 指向公告目录之外，已拒绝。")
        return root / base

    def _check(self, name: str, content: bytes) -> str:
        base = safe_name(name)
        if not content:
            raise InputError(f"{base} 是空文件，已跳过。")
        if len(content) > self.max_bytes:
            raise InputError(f"{base} 超过 {self.max_bytes / 1024 / 1024:.0f} MB，已拒绝。")
        if self.check_text:
            from assistant.ingest.loaders import NoticeLoader

            with tempfile.TemporaryDirectory() as tmp:
                probe = Path(tmp) / base
                probe.write_bytes(content)
                try:
                    text = NoticeLoader(max_bytes=self.max_bytes).run(probe)
                except IngestError as exc:
                    raise InputError(str(exc)) from None
            problem = notice_text_problem(base, text)
            if problem:
                raise InputError(problem)
        return base

    def run(self, files: Iterable[tuple[str, bytes]]) -> tuple[list[SavedUpload], dict[str, str]]:
        """Save ``(name, content)`` pairs; returns what was saved and the refusals (name → message)."""
        saved: list[SavedUpload] = []
        refused: dict[str, str] = {}
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for name, content in files:
            try:
                base = self._check(name, content)
                target = self.target(base)
            except InputError as exc:
                refused[str(name)[:200]] = str(exc)
                continue
            backup = None
            if target.exists():
                backup = self.work_dir / "backup" / f"{stamp}-{base}"
                backup.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(target, backup)
            tmp = target.with_name(f".upload-{base}")
            tmp.write_bytes(content)
            tmp.replace(target)  # atomic: a half-written file is never seen by an ingest
            saved.append(SavedUpload(target, backup))
        return saved, refused

    def undo(self, saved: Sequence[SavedUpload], failed: Iterable[str]) -> list[Path]:
        """Move rejected uploads aside and restore what they replaced; returns where they were moved."""
        failed = set(failed)
        moved: list[Path] = []
        for s in saved:
            if s.path.name not in failed:
                continue
            rejected = self.work_dir / "rejected" / s.path.name
            rejected.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(s.path), str(rejected))
            moved.append(rejected)
            if s.backup is not None:
                shutil.copy2(s.backup, s.path)
        return moved


@dataclass
class UploadOutcome:
    """What an upload did: the ingest report, the refused files (name → message), the files moved aside."""

    report: Any
    refused: dict[str, str] = field(default_factory=dict)
    moved: list[Path] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The API's answer."""
        return {"files": [_file_json(f) for f in self.report.files],
                "refused": [{"file": k, "message": v} for k, v in self.refused.items()],
                "index": report_json(self.report)}


class NoticeAdmin:
    """Upload, delete and re-index notices of one corpus dir / data dir.

    Args:
        settings: corpus and data dirs (read from the environment when omitted).
        max_upload_bytes: the largest file accepted.
        builder_factory: ``settings -> IndexBuilder`` (swappable in tests).
    """

    def __init__(self, settings: Settings | None = None, max_upload_bytes: int = MAX_UPLOAD_BYTES,
                 builder_factory: Callable[[Settings], Any] | None = None) -> None:
        if max_upload_bytes < 1:
            raise ValueError(f"max_upload_bytes must be ≥ 1, got {max_upload_bytes!r}")
        self.settings = settings or get_settings()
        self.max_upload_bytes = max_upload_bytes
        self._builder_factory = builder_factory

    def _builder(self) -> Any:
        if self._builder_factory is not None:
            return self._builder_factory(self.settings)
        from assistant.index.builder import IndexBuilder

        return IndexBuilder(self.settings)

    def list(self) -> list[dict[str, Any]]:
        """The indexed notices (see :func:`list_notices`)."""
        return list_notices(self.settings)

    def upload(self, files: Iterable[tuple[str, bytes]], progress: Progress | None = None) -> UploadOutcome:
        """Save the files into the corpus dir and ingest them; a bad file never costs a good one."""
        saver = UploadSaver(self.settings.corpus_dir, self.settings.data_dir / "uploads", self.max_upload_bytes)
        saved, refused = saver.run(files)
        if not saved:
            from assistant.index.builder import IngestReport

            return UploadOutcome(IngestReport(), refused)
        try:
            report = self._builder().run([x.path for x in saved], rebuild=False, progress=progress)
        except BaseException:
            saver.undo(saved, [x.path.name for x in saved])  # the index is unchanged: so is the corpus
            raise
        moved = saver.undo(saved, [f.file for f in report.failures])
        return UploadOutcome(report, refused, moved)

    def source_of(self, notice_id: str) -> str:
        """The corpus file of a notice id (a file name, or the doc_id of one of its documents).

        Raises:
            NotFoundError: no indexed notice has that id.
        """
        for n in self.list():
            if notice_id == n["id"] or any(d.get("doc_id") == notice_id for d in n["documents"]):
                return str(n["file"])
        raise NotFoundError(f"没有编号为 {notice_id!r} 的公告（GET /v1/notices 可查看全部公告）。")

    def delete(self, notice_id: str) -> dict[str, Any]:
        """Move the notice's file out of the corpus dir (kept under ``uploads/deleted``) and re-sync the index.

        A file holding several guides is removed whole.

        Raises:
            NotFoundError: unknown id, or its file is no longer in the corpus dir.
        """
        name = self.source_of(notice_id)
        path = self.settings.corpus_dir / safe_name(name)
        if not path.is_file():
            raise NotFoundError(f"公告文件 {name} 已不在公告目录中；请点击“重新索引”同步索引。")
        kept = self.settings.data_dir / "uploads" / "deleted" / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), str(kept))
        try:
            report = self._builder().run(None, rebuild=False)
        except BaseException:
            shutil.move(str(kept), str(path))  # the index still holds it: so does the corpus
            raise
        return {"deleted": name, "kept_at": kept.name, "index": report_json(report)}

    def reindex(self, rebuild: bool = False, progress: Progress | None = None) -> Any:
        """Synchronise the index with the corpus dir (``rebuild``: a fresh collection)."""
        return self._builder().run(None, rebuild=rebuild, progress=progress)


def _file_json(f: Any) -> dict[str, Any]:
    return {"file": f.file, "status": f.status, "documents": f.documents, "chunks": f.chunks,
            "message": f.message}


def report_json(report: Any) -> dict[str, Any]:
    """An ingest report as JSON (the API's answer to upload, delete and re-index)."""
    return {"notices": report.notices, "chunks": report.chunks, "embedded": report.embedded,
            "removed": list(report.removed_sources), "drifted_rules": list(report.drifted_rules),
            "failures": [_file_json(f) for f in report.failures], "seconds": round(report.seconds, 2)}
