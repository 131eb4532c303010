"""An in-memory BM25 (Okapi) over jieba tokens with an inverted index (fast at 50k+ chunks)."""

from __future__ import annotations

import hashlib
import math
import pickle
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.index.tokenize import ChineseTokenizer


class BM25Index:
    """BM25 scores for every indexed text.

    Args:
        texts: the indexed texts, in order.
        k1: term-frequency saturation.
        b: length normalisation.
        tokenizer: defaults to jieba with the domain dictionary.
    """

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75,
                 tokenizer: ChineseTokenizer | None = None) -> None:
        if k1 <= 0:
            raise ValueError(f"k1 must be > 0, got {k1!r}")
        if not 0 <= b <= 1:
            raise ValueError(f"b must be in [0, 1], got {b!r}")
        self.k1, self.b = k1, b
        self.tokenizer = tokenizer or ChineseTokenizer()
        self.n = len(texts)
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths = np.zeros(self.n, dtype=np.float32)
        for i, text in enumerate(texts):
            toks = self.tokenizer.tokens(text)
            lengths[i] = len(toks)
            for tok, tf in Counter(toks).items():
                postings[tok].append((i, tf))
        self.avgdl = float(lengths.mean()) if self.n else 0.0
        self._norm = self.k1 * (1 - self.b + self.b * lengths / (self.avgdl or 1.0))
        self._postings = {
            tok: (np.array([p[0] for p in plist], dtype=np.int32), np.array([p[1] for p in plist], dtype=np.float32))
            for tok, plist in postings.items()
        }
        self._idf = {
            tok: math.log(1 + (self.n - len(p[0]) + 0.5) / (len(p[0]) + 0.5)) for tok, p in self._postings.items()
        }

    def scores_in(self, query: str, ranges: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """BM25 scores of the texts in the position ranges ``[start, end)`` only (a routed notice's clauses):
        the cost grows with the postings inside the ranges, not with the corpus.

        Returns:
            the positions with a non-zero score (ascending) and their scores.
        """
        acc: dict[int, float] = {}
        for tok in sorted(set(self.tokenizer.tokens(query))):  # a fixed order: the same float sums every run
            p = self._postings.get(tok)
            if p is None:
                continue
            idx, tf = p
            for start, end in ranges:
                lo, hi = int(np.searchsorted(idx, start)), int(np.searchsorted(idx, end))
                if lo == hi:
                    continue
                sub, stf = idx[lo:hi], tf[lo:hi]
                vals = self._idf[tok] * stf * (self.k1 + 1) / (stf + self._norm[sub])
                for i, v in zip(sub.tolist(), vals.tolist(), strict=True):
                    acc[i] = acc.get(i, 0.0) + v
        pos = np.array(sorted(acc), dtype=np.int64)
        return pos, np.array([acc[i] for i in pos.tolist()], dtype=np.float32)

    # -- persistence: built at ingest, loaded at start ---------------------------------------------------
    @staticmethod
    def key(ids: Sequence[str]) -> str:
        """What a saved index was built over (the ordered chunk ids, which hash their text)."""
        return hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()

    def save(self, path: Path, key: str) -> None:
        """Write the index atomically (a temp file renamed over the old one)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"key": key, "k1": self.k1, "b": self.b, "n": self.n, "avgdl": self.avgdl, "norm": self._norm,
                   "postings": self._postings, "idf": self._idf}
        tmp = path.with_name(f".{path.name}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, key: str, tokenizer: ChineseTokenizer | None = None) -> BM25Index | None:
        """The saved index when it was built over ``key``'s chunks, else None (then it is rebuilt)."""
        try:
            with path.open("rb") as fh:
                payload = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return None
        if not isinstance(payload, dict) or payload.get("key") != key:
            return None
        self = cls.__new__(cls)
        self.k1, self.b, self.n, self.avgdl = payload["k1"], payload["b"], payload["n"], payload["avgdl"]
        self.tokenizer = tokenizer or ChineseTokenizer()
        self._norm, self._postings, self._idf = payload["norm"], payload["postings"], payload["idf"]
        return self

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every text for ``query`` (zeros when no term matches)."""
        out = np.zeros(self.n, dtype=np.float32)
        for tok in sorted(set(self.tokenizer.tokens(query))):  # a fixed order: the same float sums every run
            p = self._postings.get(tok)
            if p is None:
                continue
            idx, tf = p
            out[idx] += self._idf[tok] * tf * (self.k1 + 1) / (tf + self._norm[idx])
        return out

    def idf(self, token: str) -> float:
        """IDF of a token (0 when unseen)."""
        return self._idf.get(token, 0.0)
