"""The live clause index of a data dir: snapshot chunks + BM25 + the Chroma collection + the embedder."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import Settings, get_settings
from assistant.errors import StoreError
from assistant.index.bm25 import BM25Index
from assistant.index.embeddings import CachedEmbedder, ShenbaoEmbeddingFunction
from assistant.index.store import ChromaClauseStore, IndexSnapshot, snapshot_writes
from assistant.models import Chunk


def index_text(chunk: Chunk) -> str:
    """What is embedded and BM25-indexed for a chunk: its clause in the context of title and headings.

    A bare "联系电话：85805561" says nothing of which programme it belongs to; the title and path do.
    """
    return f"{chunk.title} {chunk.section}\n{chunk.text}"


def embedding_units(chunks: Sequence[Chunk], cap: int = 96, row_group: int = 32) -> tuple[list[str], list[int]]:
    """What is embedded for each chunk, embedding less text without leaving any clause without a vector.

    e5's cost grows with the text's length, and a hotline's corpus is mostly long tables (patent lists,
    company lists) and boilerplate. So: the text of a clause is embedded under its own heading, capped at
    ``cap`` characters (BM25 still indexes every character); up to ``row_group`` consecutive rows of one
    table share one vector; identical texts are embedded once.

    Returns:
        the distinct texts to embed, and for each chunk the index of its text in that list.
    """
    if cap < 16:
        raise ValueError(f"cap must be ≥ 16, got {cap!r}")
    if row_group < 1:
        raise ValueError(f"row_group must be ≥ 1, got {row_group!r}")
    texts: list[str] = []
    where: dict[str, int] = {}
    out: list[int] = []
    i = 0
    while i < len(chunks):
        c = chunks[i]
        members = [c]
        if c.metadata.get("row"):
            while (i + len(members) < len(chunks) and len(members) < row_group
                   and chunks[i + len(members)].metadata.get("row")
                   and chunks[i + len(members)].doc_id == c.doc_id
                   and chunks[i + len(members)].section_path == c.section_path):
                members.append(chunks[i + len(members)])
        head = c.section_path[-1][:20] if c.section_path else ""
        body = "；".join(m.text for m in members)
        text = re.sub(r"\s+", " ", f"{head}：{body}" if head else body)[:cap]
        if text not in where:
            where[text] = len(texts)
            texts.append(text)
        out.extend([where[text]] * len(members))
        i += len(members)
    return texts, out


def embedding_cache_path(settings: Settings) -> Path:
    """The embedding cache file of a data dir."""
    return settings.embed_cache_path


def make_embedder(settings: Settings) -> CachedEmbedder:
    """The default embedder with its on-disk cache."""
    return CachedEmbedder(embedding_cache_path(settings))


def make_store(settings: Settings, collection: str, embedder: CachedEmbedder) -> ChromaClauseStore:
    """The Chroma wrapper for a collection, with our embedding function attached."""
    ef = ShenbaoEmbeddingFunction(cache_path=str(embedding_cache_path(settings)), embedder=embedder)
    return ChromaClauseStore(settings, collection, ef)


@dataclass
class ClauseIndex:
    """Everything a query needs, loaded once per snapshot."""

    settings: Settings
    snapshot: IndexSnapshot
    chunks: list[Chunk]
    bm25: BM25Index
    store: Any
    embedder: CachedEmbedder
    position: dict[str, int]
    mtime: float
    checked_at: float = 0.0
    checked_writes: int = -1

    @classmethod
    def open(cls, settings: Settings | None = None, embedder: CachedEmbedder | None = None,
             store: Any = None) -> ClauseIndex:
        """Load the live snapshot of ``settings.data_dir`` and build BM25 over it.

        Raises:
            IndexMissingError: nothing ingested yet.
            StoreError: snapshot or store unreadable.
        """
        settings = settings or get_settings()
        snap_path = IndexSnapshot.path_in(settings.data_dir)
        snapshot = IndexSnapshot.load(settings.data_dir)
        chunks = snapshot.live_chunks()
        embedder = embedder or make_embedder(settings)
        if store is None:
            store = make_store(settings, snapshot.collection, embedder)
            _check_vectors(settings, store, len(chunks))
        return cls(
            settings=settings,
            snapshot=snapshot,
            chunks=chunks,
            bm25=load_or_build_bm25(settings.data_dir, chunks),
            store=store,
            embedder=embedder,
            position={c.chunk_id: i for i, c in enumerate(chunks)},
            mtime=snap_path.stat().st_mtime,
        )

    def doc_ranges(self, doc_ids: Sequence[str]) -> list[tuple[int, int]]:
        """Position ranges ``[start, end)`` of the documents' clauses (a document's clauses are contiguous)."""
        spans = getattr(self, "_doc_spans", None)
        if spans is None:
            spans = {}
            for i, c in enumerate(self.chunks):
                s, _ = spans.get(c.doc_id, (i, i))
                spans[c.doc_id] = (s, i + 1)
            self._doc_spans = spans
        return sorted(spans[d] for d in dict.fromkeys(doc_ids) if d in spans)

    def is_stale(self) -> bool:
        """True when a newer snapshot has been written since this one was loaded."""
        try:
            return IndexSnapshot.path_in(self.settings.data_dir).stat().st_mtime != self.mtime
        except OSError:
            return True


def bm25_path(data_dir: Path) -> Path:
    """Where the lexical index of a data dir is saved (next to the snapshot), as flat arrays."""
    return data_dir / "index" / "bm25.npz"


def legacy_bm25_path(data_dir: Path) -> Path:
    """Where indexes ingested before the flat-array format saved their lexical index (a pickle)."""
    return data_dir / "index" / "bm25.pkl"


def load_or_build_bm25(data_dir: Path, chunks: Sequence[Chunk], save: bool = True) -> BM25Index:
    """The BM25 index saved at ingest when it matches the live chunks (the flat arrays, else the older
    pickle — then re-saved as flat arrays for the next start); else built (and saved for next time)."""
    key = BM25Index.key([c.chunk_id for c in chunks])
    path = bm25_path(data_dir)
    loaded = BM25Index.load(path, key)
    if loaded is not None:
        return loaded
    legacy = legacy_bm25_path(data_dir)
    loaded = BM25Index.load(legacy, key) if legacy.exists() else None
    built = loaded or BM25Index([index_text(c) for c in chunks])
    if save:
        with contextlib.suppress(OSError):  # a read-only data dir still answers, it only rebuilds each start
            built.save(path, key)
    return built


def _check_vectors(settings: Settings, store: ChromaClauseStore, expected: int) -> None:
    """A snapshot whose vectors are gone would answer from BM25 alone, silently worse: refuse instead.

    Raises:
        StoreError: the embedded Chroma dir is missing, or holds fewer vectors than the snapshot's clauses.
    """
    rebuild = "请运行 `shenbao ingest --rebuild` 重建索引。"
    if not settings.chroma_host and expected and not (settings.data_dir / "chroma").is_dir():
        raise StoreError(f"向量库目录 {settings.data_dir / 'chroma'} 不存在（可能已被删除）。{rebuild}")
    try:
        have = store.count()
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"向量库无法读取（{type(exc).__name__}）。{rebuild}") from exc
    if have < expected:
        raise StoreError(f"向量库只有 {have} 条向量，少于索引中的 {expected} 条条款（向量库不完整或已损坏）。{rebuild}")


_cache: dict[str, ClauseIndex] = {}
_cache_lock = threading.Lock()
# how often the snapshot file is stat-ed to notice another process's re-ingest (this process's own
# re-ingests are noticed at once)
STALE_CHECK_SECONDS = 1.0


def cached_index(settings: Settings | None = None) -> ClauseIndex:
    """The process-wide index of a data dir, reloaded when a re-ingest replaced the snapshot.

    The hot path (called several times per question, by every session's thread) takes no lock and touches
    no file: the snapshot is checked for a change at most once per :data:`STALE_CHECK_SECONDS`, and at
    once after this process saved a snapshot.
    """
    settings = settings or get_settings()
    key = f"{settings.data_dir}|{settings.chroma_host}|{settings.chroma_port}"
    idx = _cache.get(key)  # a dict read is atomic; entries are replaced whole
    if (idx is not None and idx.checked_writes == snapshot_writes()
            and time.monotonic() - idx.checked_at < STALE_CHECK_SECONDS):
        return idx
    with _cache_lock:
        idx = _cache.get(key)
        writes = snapshot_writes()
        if idx is None or idx.is_stale():
            idx = ClauseIndex.open(settings, embedder=idx.embedder if idx else None)
            _cache[key] = idx
        idx.checked_writes = writes
        idx.checked_at = time.monotonic()
        return idx


def clear_index_cache() -> None:
    """Forget loaded indexes (tests)."""
    with _cache_lock:
        _cache.clear()
