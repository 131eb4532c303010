"""Saving uploaded notice files into the corpus dir so that a bad file never costs a good one.

An upload is written next to the bundled notices (the index builder and a later ``shenbao ingest`` read
them there). A file it replaces is backed up first; when the new file then fails to ingest, the old one is
put back and the bad upload is moved to ``<data_dir>/uploads/rejected/`` for the admin to inspect.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InputError

ALLOWED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@dataclass
class SavedUpload:
    """An upload written into the corpus dir, and the file it replaced (backed up), if any."""

    path: Path
    backup: Path | None


def safe_name(name: str) -> str:
    """The bare file name of an upload (no directories), checked for a supported suffix.

    Raises:
        InputError: empty, hidden, or unsupported type.
    """
    base = Path(str(name).replace("\\", "/")).name.strip()
    if not base or base.startswith("."):
        raise InputError(f"文件名 {name!r} 无效，请改名后重新上传。")
    if Path(base).suffix.lower() not in ALLOWED_SUFFIXES:
        raise InputError(f"{base}：不支持的文件类型，请上传 {' '.join(ALLOWED_SUFFIXES)} 文件。")
    return base


class UploadSaver:
    """Writes uploads into the corpus dir with backups, and undoes the ones the ingest rejected.

    Args:
        corpus_dir: where the notices live.
        work_dir: where backups and rejected uploads are kept (``<data_dir>/uploads``).
    """

    def __init__(self, corpus_dir: Path, work_dir: Path) -> None:
        if not corpus_dir.is_dir():
            raise InputError(f"公告目录 {corpus_dir} 不存在，请检查 SHENBAO_CORPUS_DIR。")
        self.corpus_dir = corpus_dir
        self.work_dir = work_dir

    def run(self, files: Iterable[tuple[str, bytes]]) -> tuple[list[SavedUpload], dict[str, str]]:
        """Save ``(name, content)`` pairs; returns what was saved and the refusals (name → message)."""
        saved: list[SavedUpload] = []
        refused: dict[str, str] = {}
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for name, content in files:
            try:
                base = safe_name(name)
                if not content:
                    raise InputError(f"{base} 是空文件，已跳过。")
                if len(content) > MAX_UPLOAD_BYTES:
                    raise InputError(f"{base} 超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，已跳过。")
            except InputError as exc:
                refused[str(name)] = str(exc)
                continue
            target = self.corpus_dir / base
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
