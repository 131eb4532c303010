"""Chinese tokenisation for BM25: jieba (search mode) with the domain user dictionary."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

USERDICT = Path(__file__).resolve().parent.parent / "resources" / "userdict.txt"

# Function words and question words that carry no retrieval signal.
STOPWORDS = frozenset(
    ["的", "了", "和", "与", "及", "或", "是", "在", "有", "为", "对", "等", "把", "被", "将", "于", "由", "以", "从", "向", "中", "上", "下", "之", "其", "该", "此", "这", "那", "个", "各", "也", "都", "就", "还", "又", "而", "并", "且", "但", "如", "若", "则", "所", "者", "吗", "呢", "吧", "啊", "呀", "么", "什么", "多少", "哪些", "哪个", "哪", "怎么", "怎样", "如何", "是否", "能否", "能不能", "可以", "可否", "能", "会", "要", "需要", "请问", "一下", "我们", "我", "你", "您", "他们", "我司", "公司", "请", "问", "想", "知道", "几", "多", "时候", "方面", "有关", "相关", "情况", "规定", "要求", "哪里", "谁", "为何", "多久", "多长"]
)

_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)


class ChineseTokenizer:
    """jieba tokeniser with our user dictionary, loaded once per process (about 1 s)."""

    _lock = threading.Lock()
    _jieba: Any = None

    @classmethod
    def _tk(cls) -> Any:
        with cls._lock:
            if cls._jieba is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                tk.load_userdict(str(USERDICT))
                cls._jieba = tk
            return cls._jieba

    def tokens(self, text: str) -> list[str]:
        """Search-mode tokens without whitespace, punctuation or stopwords; ASCII lower-cased."""
        out = []
        for tok in self._tk().lcut_for_search(text):
            tok = tok.strip().lower()
            if not tok or tok in STOPWORDS or _PUNCT.match(tok):
                continue
            out.append(tok)
        return out
