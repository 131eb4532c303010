"""The clause store: Chroma (embedded ``PersistentClient`` or a server via ``HttpClient``) plus a snapshot.

The snapshot (``index/snapshot.json``, replaced atomically) is the source of truth for which chunks
are live. New chunks are added to Chroma before the snapshot is swapped and stale ones removed only
after, so an interrupted ingest leaves the previous index answering.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.errors import IndexMissingError, StoreError
from assistant.models import Chunk

log = logging.getLogger("shenbao.store")

SNAPSHOT_VERSION = 1
# snapshots this process has written (a loaded index re-checks its snapshot file at once after one)
_writes = [0]


def snapshot_writes() -> int:
    """How many snapshots this process has saved so far."""
    return _writes[0]
CHROMA_MAX_BATCH = 4000


def chunk_to_record(chunk: Chunk) -> dict[str, Any]:
    """A JSON-able record of a chunk (snapshot format)."""
    return {
        "id": chunk.chunk_id,
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "path": list(chunk.section_path),
        "text": chunk.text,
        "position": chunk.position,
        "source": chunk.source,
        "metadata": chunk.metadata,
    }


def chunk_from_record(rec: dict[str, Any]) -> Chunk:
    """The chunk of a snapshot record."""
    return Chunk(
        chunk_id=rec["id"],
        doc_id=rec["doc_id"],
        title=rec["title"],
        section_path=tuple(rec["path"]),
        text=rec["text"],
        position=int(rec["position"]),
        source=rec["source"],
        metadata=dict(rec.get("metadata") or {}),
    )


class SourceTexts(Mapping[str, str]):
    """File name → its kept text, read from disk on first access (then kept); files without a kept text
    are absent.

    Args:
        paths: file name → where its text is kept.
    """

    def __init__(self, paths: dict[str, Path]) -> None:
        self._paths = paths
        self._texts: dict[str, str] = {}
        self._present: dict[str, bool] = {}

    def _exists(self, name: str) -> bool:
        present = self._present.get(name)
        if present is None:
            path = self._paths.get(name)
            present = path is not None and path.exists()
            self._present[name] = present
        return present

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._exists(name)

    def __getitem__(self, name: str) -> str:
        text = self._texts.get(name)
        if text is None:
            if not self._exists(name):
                raise KeyError(name)
            try:
                text = self._paths[name].read_text(encoding="utf-8", errors="replace")
            except OSError as exc:  # removed since (a re-ingest cleaned it): absent, as an eager read found it
                self._present[name] = False
                raise KeyError(name) from exc
            self._texts[name] = text
        return text

    def __iter__(self) -> Iterator[str]:
        return (name for name in self._paths if self._exists(name))

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass
class SourceEntry:
    """One ingested file: its content hash, documents and chunk ids."""

    file: str
    sha256: str
    documents: list[dict[str, Any]] = field(default_factory=list)
    chunk_ids: list[str] = field(default_factory=list)


@dataclass
class IndexSnapshot:
    """Which chunks are live, per source file, and which Chroma collection holds their vectors."""

    collection: str
    sources: dict[str, SourceEntry] = field(default_factory=dict)
    chunks: dict[str, Chunk] = field(default_factory=dict)
    created: float = field(default_factory=time.time)

    @staticmethod
    def path_in(data_dir: Path) -> Path:
        """Where the snapshot of a data dir lives."""
        return data_dir / "index" / "snapshot.json"

    @classmethod
    def load(cls, data_dir: Path) -> IndexSnapshot:
        """Read the live snapshot.

        Raises:
            IndexMissingError: nothing was ingested into this data dir yet.
            StoreError: the snapshot is unreadable.
        """
        path = cls.path_in(data_dir)
        if not path.exists():
            raise IndexMissingError(
                f"在 {data_dir} 中还没有条款索引。请先运行 `shenbao ingest` 导入公告（或设置 SHENBAO_DATA_DIR）。"
            )
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            sources = {
                name: SourceEntry(file=name, sha256=s["sha256"], documents=s.get("documents", []),
                                  chunk_ids=list(s["chunk_ids"]))
                for name, s in raw["sources"].items()
            }
            chunks = {rec["id"]: chunk_from_record(rec) for rec in raw["chunks"]}
            return cls(collection=raw["collection"], sources=sources, chunks=chunks,
                       created=float(raw.get("created", 0)))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(
                f"条款索引文件 {path} 已损坏（{type(exc).__name__}）。请运行 `shenbao ingest --rebuild` 重建索引。"
            ) from exc

    def save(self, data_dir: Path) -> None:
        """Write atomically: a temp file in the same directory, fsync, then rename over the old one."""
        path = self.path_in(data_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        live = [cid for s in self.sources.values() for cid in s.chunk_ids]
        payload = {
            "version": SNAPSHOT_VERSION,
            "collection": self.collection,
            "created": time.time(),
            "sources": {
                name: {"sha256": s.sha256, "documents": s.documents, "chunk_ids": s.chunk_ids}
                for name, s in sorted(self.sources.items())
            },
            "chunks": [chunk_to_record(self.chunks[cid]) for cid in live],
        }
        fd, tmp = tempfile.mkstemp(prefix=".snapshot-", dir=str(path.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, ensure_ascii=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            _writes[0] += 1
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @staticmethod
    def sources_dir(data_dir: Path) -> Path:
        """Where the text of each ingested file is kept (by content hash), for checking quotes against it."""
        return data_dir / "index" / "sources"

    @classmethod
    def save_source_text(cls, data_dir: Path, sha256: str, text: str) -> None:
        """Keep a file's text as stored (its markup, or a PDF/DOCX's extracted text) under its hash."""
        folder = cls.sources_dir(data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{sha256}.txt"
        if not target.exists():
            tmp = folder / f".{sha256}.tmp"
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, target)

    def source_texts(self, data_dir: Path) -> dict[str, str]:
        """The kept text of every live source file (files ingested before texts were kept are absent)."""
        out = {}
        for name, s in self.sources.items():
            path = self.sources_dir(data_dir) / f"{s.sha256}.txt"
            if path.exists():
                out[name] = path.read_text(encoding="utf-8", errors="replace")
        return out

    def lazy_source_texts(self, data_dir: Path) -> SourceTexts:
        """Like :meth:`source_texts`, but each file is read only when a quote check asks for it (reading
        every kept file costs seconds at a thousand notices, on the first question)."""
        return SourceTexts({name: self.sources_dir(data_dir) / f"{s.sha256}.txt" for name, s in self.sources.items()})

    def live_chunks(self) -> list[Chunk]:
        """Live chunks in source, then document order."""
        return [self.chunks[cid] for s in self.sources.values() for cid in s.chunk_ids if cid in self.chunks]


class ChromaClauseStore:
    """A thin wrapper over one Chroma collection of clause vectors (swappable in tests).

    Args:
        settings: where the embedded store lives, or the server to reach.
        collection: collection name (≥ 3 characters, Chroma's rule).
        embedding_function: ours; Chroma's default (which downloads a model) must never run.
    """

    def __init__(self, settings: Settings, collection: str, embedding_function: Any) -> None:
        if len(collection) < 3:
            raise ValueError(f"collection name must have ≥ 3 characters, got {collection!r}")
        self.settings = settings
        self.collection_name = collection
        self._ef = embedding_function
        self._client: Any = None
        self._collection: Any = None

    def _get_client(self) -> Any:
        if self._client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
            try:
                if self.settings.chroma_host:
                    self._client = chromadb.HttpClient(
                        host=self.settings.chroma_host, port=self.settings.chroma_port, settings=chroma_settings
                    )
                else:
                    path = self.settings.data_dir / "chroma"
                    path.mkdir(parents=True, exist_ok=True)
                    self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            except Exception as exc:
                where = (f"{self.settings.chroma_host}:{self.settings.chroma_port}" if self.settings.chroma_host
                         else str(self.settings.data_dir / "chroma"))
                raise StoreError(
                    f"无法打开向量库 {where}（{type(exc).__name__}: {exc}）。"
                    "请检查 CHROMA_HOST/CHROMA_PORT，或运行 `shenbao ingest --rebuild` 重建本地索引。"
                ) from exc
        return self._client

    def _get_collection(self) -> Any:
        if self._collection is None:
            try:
                self._collection = self._get_client().get_or_create_collection(
                    name=self.collection_name,
                    embedding_function=self._ef,
                    configuration={"hnsw": {"space": "cosine"}},
                )
            except StoreError:
                raise
            except Exception as exc:
                raise StoreError(
                    f"无法打开向量集合 {self.collection_name}（{type(exc).__name__}: {exc}）。"
                    "请运行 `shenbao ingest --rebuild` 重建索引。"
                ) from exc
        return self._collection

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` already have a vector."""
        found: set[str] = set()
        col = self._get_collection()
        for i in range(0, len(ids), CHROMA_MAX_BATCH):
            got = col.get(ids=list(ids[i : i + CHROMA_MAX_BATCH]), include=[])
            found.update(got["ids"])
        return found

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Upsert chunk vectors with their metadata (flat, Chroma-compatible)."""
        col = self._get_collection()
        for i in range(0, len(chunks), CHROMA_MAX_BATCH):
            part = chunks[i : i + CHROMA_MAX_BATCH]
            col.upsert(
                ids=[c.chunk_id for c in part],
                embeddings=[v.tolist() for v in vectors[i : i + CHROMA_MAX_BATCH]],
                documents=[c.text for c in part],
                metadatas=[_flat_metadata(c) for c in part],
            )

    def delete(self, ids: Iterable[str]) -> None:
        """Remove vectors (missing ids are ignored)."""
        ids = list(ids)
        col = self._get_collection()
        for i in range(0, len(ids), CHROMA_MAX_BATCH):
            col.delete(ids=ids[i : i + CHROMA_MAX_BATCH])

    def query(self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """Nearest chunks as (id, cosine similarity), best first."""
        col = self._get_collection()
        try:
            res = col.query(query_embeddings=[vector.tolist()], n_results=max(1, n), where=where or None,
                            include=["distances"])
        except Exception as exc:
            raise StoreError(
                f"向量库查询失败（{type(exc).__name__}: {exc}）。请运行 `shenbao ingest --rebuild` 重建索引。"
            ) from exc
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=False)]

    def count(self) -> int:
        """Number of vectors in the collection."""
        return int(self._get_collection().count())

    def drop(self) -> None:
        """Delete the whole collection (after a rebuild has switched to a new one)."""
        try:
            self._get_client().delete_collection(self.collection_name)
        except Exception:  # already gone: nothing to free
            log.debug("collection %s not dropped", self.collection_name, exc_info=True)
        self._collection = None


def _flat_metadata(chunk: Chunk) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "section": chunk.section,
        "source": chunk.source,
        "position": chunk.position,
    }
    for k, v in chunk.metadata.items():
        if isinstance(v, str | int | float | bool) and k not in meta and k != "quotes":  # quotes: snapshot only
            meta[k] = v
    return meta
