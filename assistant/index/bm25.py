"""An in-memory BM25 (Okapi) over jieba tokens with an inverted index (fast at 50k+ chunks)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

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

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every text for ``query`` (zeros when no term matches)."""
        out = np.zeros(self.n, dtype=np.float32)
        for tok in set(self.tokenizer.tokens(query)):
            p = self._postings.get(tok)
            if p is None:
                continue
            idx, tf = p
            out[idx] += self._idf[tok] * tf * (self.k1 + 1) / (tf + self._norm[idx])
        return out

    def idf(self, token: str) -> float:
        """IDF of a token (0 when unseen)."""
        return self._idf.get(token, 0.0)
