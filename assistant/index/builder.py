"""``shenbao ingest``: notice files → cleaned documents → clause chunks → vectors → a new live snapshot."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import shutil
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.config import Settings, get_settings
from assistant.errors import IngestError, StoreError
from assistant.index.bm25 import BM25Index
from assistant.index.clause_index import (
    bm25_path,
    embedding_units,
    index_text,
    legacy_bm25_path,
    make_embedder,
    make_store,
)
from assistant.index.embeddings import CachedEmbedder
from assistant.index.store import IndexSnapshot, SourceEntry
from assistant.ingest.catalogue import NoticeCatalogue
from assistant.models import Chunk, NoticeDocument

log = logging.getLogger("shenbao.ingest")

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
DEFAULT_COLLECTION = "shenbao_clauses"


@dataclass
class FileOutcome:
    """What happened to one input file."""

    file: str
    status: str  # new | changed | unchanged | failed
    documents: int = 0
    chunks: int = 0
    message: str = ""


@dataclass
class IngestReport:
    """The summary ``shenbao ingest`` prints."""

    files: list[FileOutcome] = field(default_factory=list)
    notices: int = 0
    programmes: int = 0
    chunks: int = 0
    embedded: int = 0
    max_len: int = 0
    median_len: float = 0.0
    seconds: float = 0.0
    removed_sources: list[str] = field(default_factory=list)
    drifted_rules: list[str] = field(default_factory=list)
    missing_path: int = 0

    @property
    def failures(self) -> list[FileOutcome]:
        """Files that were skipped."""
        return [f for f in self.files if f.status == "failed"]


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files to ingest: each path itself, or the supported files inside a directory (sorted)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in SUPPORTED_SUFFIXES))
        else:
            out.append(p)
    return out


@contextlib.contextmanager
def ingest_lock(data_dir: Path) -> Iterator[None]:
    """One ingest at a time per data dir (queries are never blocked)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "ingest.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError("另一个导入任务正在运行，请等待它完成后再试。") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class IndexBuilder:
    """Builds or updates the clause index of a data dir.

    Args:
        settings: data dir, corpus dir, Chroma location.
        max_chars: the chunk cap.
        embedder: swappable for tests (default: e5 with the on-disk cache).
        store_factory: ``(settings, collection, embedder) -> store``; swappable for tests.
    """

    def __init__(self, settings: Settings | None = None, max_chars: int = 600,
                 embedder: CachedEmbedder | None = None,
                 store_factory: Callable[[Settings, str, CachedEmbedder], Any] | None = None,
                 overrides: NoticeCatalogue | None = None) -> None:
        if max_chars < 100:
            raise ValueError(f"max_chars must be ≥ 100, got {max_chars!r}")
        self.settings = settings or get_settings()
        self.max_chars = max_chars
        self.embedder = embedder or make_embedder(self.settings)
        self.store_factory = store_factory or make_store
        self.overrides = overrides  # the override file (corpus/notices.yaml); None: read from the corpus dir

    def run(self, paths: Sequence[Path] | None = None, rebuild: bool = False,
            progress: Callable[[int, int], None] | None = None,
            file_progress: Callable[[int, int], None] | None = None) -> IngestReport:
        """Ingest ``paths`` (default: every notice in the corpus dir, removing ones no longer there).

        Args:
            paths: files or directories; explicit paths add or replace only those files.
            rebuild: ignore the old index and build a fresh collection (the old one answers until done).
            progress: ``progress(done, total)`` while embedding.
            file_progress: ``file_progress(done, total)`` while reading and cataloguing the files.
        """
        from assistant.catalogue.registry import NoticeCatalogueBuilder, parse_and_catalogue

        t0 = time.perf_counter()
        sync = paths is None
        files = expand_paths([self.settings.corpus_dir] if paths is None else list(paths))
        report = IngestReport()
        with ingest_lock(self.settings.data_dir):
            old = None if rebuild else self._load_old()
            if rebuild:
                self._check_chroma_dir()
            collection = old.collection if old else f"{DEFAULT_COLLECTION}_{int(time.time())}"
            new = IndexSnapshot(collection=collection,
                                sources=dict(old.sources) if old else {},
                                chunks=dict(old.chunks) if old else {})
            catalogue = self.overrides or NoticeCatalogue.load(self.settings.corpus_dir / "notices.yaml")
            cat_builder = NoticeCatalogueBuilder()
            seen: set[str] = set()
            parsed_texts: dict[str, str] = {}
            for n_done, path in enumerate(files):
                if file_progress:
                    file_progress(n_done, len(files))
                name = path.name
                if not path.exists():
                    report.files.append(FileOutcome(name, "failed", message=f"文件不存在：{path}"))
                    continue
                try:
                    raw = path.read_bytes()
                    digest = hashlib.sha256(raw).hexdigest()
                    prev = new.sources.get(name)
                    seen.add(name)
                    if prev and prev.sha256 == digest and not rebuild:
                        report.files.append(FileOutcome(name, "unchanged", len(prev.documents), len(prev.chunk_ids)))
                        continue
                    docs, chunks, records = parse_and_catalogue(path, catalogue, self.max_chars, cat_builder)
                    if not chunks:
                        raise IngestError(f"{name} 中没有可用的条款文本，已跳过。")
                except IngestError as exc:
                    seen.discard(name)
                    report.files.append(FileOutcome(name, "failed", message=str(exc)))
                    continue
                except Exception as exc:  # a parser bug must not take the other files down
                    seen.discard(name)
                    report.files.append(FileOutcome(name, "failed", message=f"无法解析 {name}（{type(exc).__name__}: {exc}），已跳过。"))
                    continue
                if name.endswith((".txt", ".md")):
                    parsed_texts[name] = raw.decode("utf-8", errors="replace")
                # the file's text as stored, so that any quote can be checked against what was ingested
                IndexSnapshot.save_source_text(self.settings.data_dir, digest, _stored_text(path, raw))
                for c in chunks:
                    new.chunks[c.chunk_id] = c
                new.sources[name] = SourceEntry(file=name, sha256=digest,
                                                documents=[{**_doc_info(d, chunks), "catalogue": asdict(r)}
                                                           for d, r in zip(docs, records, strict=True)],
                                                chunk_ids=[c.chunk_id for c in chunks])
                report.files.append(FileOutcome(name, "changed" if prev else "new", len(docs), len(chunks)))
            if file_progress:
                file_progress(len(files), len(files))
            if sync:
                for name in list(new.sources):
                    if name not in seen and not any(f.file == name and f.status == "failed" for f in report.files):
                        report.removed_sources.append(name)
                        del new.sources[name]
            live_ids = [cid for s in new.sources.values() for cid in s.chunk_ids]
            live = {cid: new.chunks[cid] for cid in live_ids}
            new.chunks = live

            store = self.store_factory(self.settings, collection, self.embedder)
            have = store.existing_ids(live_ids) if not rebuild and old else set()
            todo = [live[cid] for cid in live_ids if cid not in have]
            before = self.embedder.computed
            done = 0
            texts, which = embedding_units(todo)
            n_units = len(texts)

            def _tick(n: int) -> None:
                nonlocal done
                done += n
                if progress:
                    progress(done, n_units)

            if todo:
                vecs = self.embedder.embed_passages(texts, progress=_tick)[which]
                store.add(todo, vecs)
            report.embedded = self.embedder.computed - before
            # the lexical index is built here, once, and loaded at start (not rebuilt by every process)
            live_chunks = [live[cid] for cid in live_ids]
            BM25Index([index_text(c) for c in live_chunks]).save(bm25_path(self.settings.data_dir),
                                                                   BM25Index.key(live_ids))
            legacy_bm25_path(self.settings.data_dir).unlink(missing_ok=True)  # the old format's file, stale now
            new.save(self.settings.data_dir)  # the switch: from here on queries see the new index
            stale = set(old.chunks) - set(live) if old else set()
            if stale:
                store.delete(stale)
            if old and old.collection != collection:
                self.store_factory(self.settings, old.collection, self.embedder).drop()
            if rebuild:
                self._drop_other_collections(collection)

        lengths = [len(c.text) for c in live.values()]
        report.chunks = len(live)
        report.notices = sum(len(s.documents) for s in new.sources.values())
        report.programmes = len({p for s in new.sources.values() for d in s.documents for p in d.get("programmes", [])})
        report.max_len = max(lengths, default=0)
        report.median_len = float(statistics.median(lengths)) if lengths else 0.0
        report.drifted_rules = self._drift(parsed_texts)
        report.seconds = time.perf_counter() - t0
        return report

    def _load_old(self) -> IndexSnapshot | None:
        if not IndexSnapshot.path_in(self.settings.data_dir).exists():
            return None
        return IndexSnapshot.load(self.settings.data_dir)  # corrupt → StoreError advising --rebuild

    def _check_chroma_dir(self) -> None:
        """On rebuild, a Chroma dir that cannot be opened is moved aside, not deleted."""
        if self.settings.chroma_host:
            return
        path = self.settings.data_dir / "chroma"
        if not path.exists():
            return
        try:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False)).heartbeat()
        except Exception:
            aside = path.with_name(f"chroma.corrupt-{int(time.time())}")
            log.warning("moving unreadable Chroma store %s to %s", path, aside)
            shutil.move(str(path), str(aside))
            _forget_chroma_system(path)

    def _drop_other_collections(self, keep: str) -> None:
        try:
            client = self.store_factory(self.settings, keep, self.embedder)._get_client()
            for col in client.list_collections():
                name = col if isinstance(col, str) else col.name
                if name != keep and name.startswith(DEFAULT_COLLECTION):
                    client.delete_collection(name)
        except Exception:  # best effort: an old collection left behind costs disk, not answers
            log.debug("old collections not dropped", exc_info=True)

    def _drift(self, texts: dict[str, str]) -> list[str]:
        """Rules whose quoted clause no longer appears in a re-ingested notice."""
        if not texts:
            return []
        try:
            from assistant.eligibility import RuleDriftCheck
        except ImportError:
            return []
        return list(RuleDriftCheck().run(texts))


def _forget_chroma_system(path: Path) -> None:
    """Drop the half-opened Chroma system this process cached for ``path`` (Chroma keeps one per directory,
    even after a failed open), so that the fresh store written there next opens cleanly."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient

        system = SharedSystemClient._identifier_to_system.pop(str(path), None)
        SharedSystemClient._identifier_to_refcount.pop(str(path), None)
        if system is not None:
            with contextlib.suppress(Exception):  # it never fully started
                system.stop()
    except ImportError:  # pragma: no cover - chromadb is a dependency
        pass


def _stored_text(path: Path, raw: bytes) -> str:
    """The text quotes stand in: the file itself for text formats, the extracted text for PDF/DOCX."""
    if path.suffix.lower() in (".txt", ".md", ".html", ".htm"):
        return raw.decode("utf-8", errors="replace")
    from assistant.ingest import NoticeLoader

    return NoticeLoader().run(path)


def _doc_info(doc: NoticeDocument, chunks: Sequence[Chunk]) -> dict[str, Any]:
    progs = [p for p in str(doc.metadata.get("programmes", "")).split(",") if p]
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "region": doc.metadata.get("region", ""),
        "year": doc.metadata.get("year", ""),
        "programmes": progs,
        "chunks": sum(1 for c in chunks if c.doc_id == doc.doc_id),
    }
