"""An in-memory BM25 (Okapi) over jieba tokens with an inverted index (fast at 50k+ chunks)."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import pickle
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from assistant.index.tokenize import ChineseTokenizer

log = logging.getLogger("shenbao.index")
FORMAT = 2  # flat arrays in an .npz (1: the pickled dict of per-token arrays, still read)


class BM25Index:
    """BM25 scores for every indexed text.

    The postings are kept flat (every token's positions and term frequencies in two arrays, sliced by an
    offsets array), so the saved index is a handful of arrays that load in a fraction of a second even at
    50k+ chunks (a pickle of one small array per token took seconds).

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
        self._set_postings({
            tok: (np.array([p[0] for p in plist], dtype=np.int32), np.array([p[1] for p in plist], dtype=np.float32))
            for tok, plist in postings.items()
        })

    def _set_postings(self, postings: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
        """Flatten per-token postings into the offsets / positions / frequencies arrays, with their IDFs."""
        tokens = list(postings)
        sizes = np.array([len(postings[t][0]) for t in tokens], dtype=np.int64)
        offsets = np.zeros(len(tokens) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        idx = [postings[t][0] for t in tokens]
        tf = [postings[t][1] for t in tokens]
        self._tokens = tokens
        self._vocab = {t: k for k, t in enumerate(tokens)}
        self._offsets = offsets
        self._pos = np.concatenate(idx).astype(np.int32, copy=False) if idx else np.zeros(0, dtype=np.int32)
        self._tf = np.concatenate(tf).astype(np.float32, copy=False) if tf else np.zeros(0, dtype=np.float32)
        self._idf_arr = np.array([math.log(1 + (self.n - int(m) + 0.5) / (int(m) + 0.5)) for m in sizes],
                                 dtype=np.float64)

    def _posting(self, tok: str) -> tuple[np.ndarray, np.ndarray, float] | None:
        """A token's positions (ascending), term frequencies and IDF; None when unseen."""
        k = self._vocab.get(tok)
        if k is None:
            return None
        a, b = int(self._offsets[k]), int(self._offsets[k + 1])
        return self._pos[a:b], self._tf[a:b], float(self._idf_arr[k])

    def scores_in(self, query: str, ranges: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """BM25 scores of the texts in the position ranges ``[start, end)`` only (a routed notice's clauses):
        the cost grows with the postings inside the ranges, not with the corpus.

        Returns:
            the positions with a non-zero score (ascending) and their scores.
        """
        acc: dict[int, float] = {}
        for tok in sorted(set(self.tokenizer.tokens(query))):  # a fixed order: the same float sums every run
            p = self._posting(tok)
            if p is None:
                continue
            idx, tf, idf = p
            for start, end in ranges:
                lo, hi = int(np.searchsorted(idx, start)), int(np.searchsorted(idx, end))
                if lo == hi:
                    continue
                sub, stf = idx[lo:hi], tf[lo:hi]
                vals = idf * stf * (self.k1 + 1) / (stf + self._norm[sub])
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
        """Write the index atomically (a temp file renamed over the old one), as flat arrays (``.npz``)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT, "key": key, "k1": self.k1, "b": self.b, "n": self.n, "avgdl": self.avgdl}
        tmp = path.with_name(f".{path.name}.tmp")
        with tmp.open("wb") as fh:
            np.savez(fh, meta=_text_array(json.dumps(meta)), vocab=_text_array(json.dumps(self._tokens,
                                                                                          ensure_ascii=False)),
                     offsets=self._offsets, pos=self._pos, tf=self._tf, idf=self._idf_arr, norm=self._norm)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, key: str, tokenizer: ChineseTokenizer | None = None) -> BM25Index | None:
        """The saved index when it was built over ``key``'s chunks, else None (then it is rebuilt).

        Reads the flat-array format and the older pickled one; a damaged file is logged and ignored.
        """
        try:
            with path.open("rb") as fh:
                magic = fh.read(4)
                fh.seek(0)
                if magic == b"PK\x03\x04":  # a zip: the flat arrays
                    return cls._from_npz(fh, key, tokenizer)
                return cls._from_pickle(pickle.load(fh), key, tokenizer)
        except FileNotFoundError:
            return None
        except Exception as exc:  # a damaged or foreign file: rebuilt, never fatal
            log.warning("saved BM25 index %s unreadable (%s): rebuilding it", path, type(exc).__name__)
            return None

    @classmethod
    def _from_npz(cls, fh: BinaryIO, key: str, tokenizer: ChineseTokenizer | None) -> BM25Index | None:
        with np.load(fh, allow_pickle=False) as z:
            meta = json.loads(_array_text(z["meta"]))
            if meta.get("format") != FORMAT or meta.get("key") != key:
                return None
            self = cls.__new__(cls)
            self.k1, self.b, self.n, self.avgdl = meta["k1"], meta["b"], meta["n"], meta["avgdl"]
            self.tokenizer = tokenizer or ChineseTokenizer()
            self._tokens = json.loads(_array_text(z["vocab"]))
            self._offsets, self._pos, self._tf = z["offsets"], z["pos"], z["tf"]
            self._idf_arr, self._norm = z["idf"], z["norm"]
        self._vocab = {t: k for k, t in enumerate(self._tokens)}
        if len(self._offsets) != len(self._tokens) + 1 or len(self._norm) != self.n \
                or int(self._offsets[-1]) != len(self._pos) or len(self._pos) != len(self._tf):
            raise ValueError("inconsistent arrays")
        return self

    @classmethod
    def _from_pickle(cls, payload: Any, key: str, tokenizer: ChineseTokenizer | None) -> BM25Index | None:
        """The format saved before the flat arrays: a dict of per-token arrays and IDFs."""
        if not isinstance(payload, dict) or payload.get("key") != key:
            return None
        self = cls.__new__(cls)
        self.k1, self.b, self.n, self.avgdl = payload["k1"], payload["b"], payload["n"], payload["avgdl"]
        self.tokenizer = tokenizer or ChineseTokenizer()
        self._norm = payload["norm"]
        self._set_postings(payload["postings"])
        idf = payload["idf"]
        self._idf_arr = np.array([idf[t] for t in self._tokens], dtype=np.float64)  # as saved
        return self

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every text for ``query`` (zeros when no term matches)."""
        out = np.zeros(self.n, dtype=np.float32)
        for tok in sorted(set(self.tokenizer.tokens(query))):  # a fixed order: the same float sums every run
            p = self._posting(tok)
            if p is None:
                continue
            idx, tf, idf = p
            out[idx] += idf * tf * (self.k1 + 1) / (tf + self._norm[idx])
        return out

    def idf(self, token: str) -> float:
        """IDF of a token (0 when unseen)."""
        k = self._vocab.get(token)
        return 0.0 if k is None else float(self._idf_arr[k])


def _text_array(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _array_text(arr: np.ndarray) -> str:
    return arr.tobytes().decode("utf-8")
