"""How Chinese official documents number their headings, and what rank each numbering style has."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CN_NUM = "一二三四五六七八九十"

# (kind, pattern, rank): lower rank = higher in the outline. Patterns match at the start of a paragraph only,
# so a cross-reference inside a sentence ("按照本通知第（二）条") is never taken for a heading.
_PATTERNS: list[tuple[str, re.Pattern[str], float]] = [
    ("annex", re.compile(r"^附件\s*(\d+)?\s*$"), 0),
    ("chapter", re.compile(r"^第([一二三四五六七八九十]+)[章篇]"), 1),
    # 第N条 of a 办法/细则: under its chapter, above the （一） items inside it
    ("article", re.compile(r"^第([一二三四五六七八九十百零〇]+)条"), 1.5),
    ("cn", re.compile(rf"^([{_CN_NUM}]+)\s*、"), 1),
    ("arabic_dun", re.compile(r"^(\d{1,2})、"), 1),  # "1、 支持重点": mangled 一、 in the Nantong notice
    ("cn_paren", re.compile(rf"^[（(]([{_CN_NUM}]+)[）)]"), 2),
    ("box", re.compile(r"^专栏\s*(\d+)"), 3),
    ("arabic_dot", re.compile(r"^(\d{1,2})\s*[．.](?!\d)"), 4),
    ("arabic_paren", re.compile(r"^[（(](\d{1,2})[）)]"), 5),
    ("circled", re.compile(r"^([①②③④⑤⑥⑦⑧⑨⑩])"), 6),
    ("code", re.compile(r"^(\d{4})(?:\s+|(?=[\u4e00-\u9fffA-Za-z]))(?!年)"), 7),
]
_CN_VALUE = {ch: i + 1 for i, ch in enumerate(_CN_NUM)}
# Top-level section names whose "一、" numbering the PDF extraction lost ("申报要求" alone on a line).
BARE_SECTION_NAMES = frozenset({
    "支持重点", "支持方式", "申报要求", "申报条件", "申报条件及实施方式", "指南方向", "联系人及联系方式",
    "申报事项", "组织方式", "有关要求", "其他事项", "申报方式", "实施方式",
})


@dataclass(frozen=True)
class HeadingMatch:
    """A numbered paragraph: its numbering kind, outline rank, number, label and the text after the label."""

    kind: str
    rank: float
    number: int
    label: str
    rest: str


def cn_to_int(s: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20."""
    if not s:
        return 0
    if s == "十":
        return 10
    if "十" in s:
        head, _, tail = s.partition("十")
        return (_CN_VALUE.get(head, 1)) * 10 + _CN_VALUE.get(tail, 0)
    return _CN_VALUE.get(s, 0)


def match_heading(line: str) -> HeadingMatch | None:
    """The numbering at the start of ``line``, if any."""
    s = line.strip()
    if re.sub(r"\s+", "", s) in BARE_SECTION_NAMES:
        return HeadingMatch("bare", 1, 0, re.sub(r"\s+", "", s), re.sub(r"\s+", "", s))
    for kind, pattern, rank in _PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        raw = m.group(1) or ""
        number = (cn_to_int(raw.replace("百", "")) if kind in ("cn", "cn_paren", "chapter", "article")
                  else "①②③④⑤⑥⑦⑧⑨⑩".index(raw) + 1 if kind == "circled" else int(raw or 0))
        label = {
            "arabic_dot": f"{raw}.",
            "arabic_paren": f"（{raw}）",
            "cn_paren": f"（{raw}）",
            "circled": raw,
        }.get(kind, re.sub(r"\s+", "", m.group(0)))
        return HeadingMatch(kind, rank, number, label, s[m.end():].strip())
    return None


def is_heading_line(line: str) -> bool:
    """True when the paragraph starts with outline numbering (a heading or a numbered clause)."""
    return match_heading(line) is not None


def is_title_like(text: str, max_chars: int = 40) -> bool:
    """A heading's own text (short, not a sentence) rather than a numbered clause with a body."""
    t = text.strip()
    return 0 < len(t) <= max_chars and not re.search(r"[。；;]", t) and not t.endswith(("，", ","))
