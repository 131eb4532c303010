"""Removes the artifacts PDF extraction leaves in notices, keeping every word of the notice itself."""

from __future__ import annotations

import itertools
import re

from assistant.ingest.structure import is_heading_line

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
# "江 苏 省 科 学 技 术 厅": a letter-spaced line of CJK characters — the running header of a page.
_LETTER_SPACED = re.compile(r"^(?:[\u4e00-\u9fff][ \u3000]){3,}[\u4e00-\u9fff]+(?:[ \u3000]*文件)?$")
_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{2,8}〔\d{4}〕\d+号$")
_TOC = re.compile(r"^(专栏)?目\s*录$")
_PAGE_NO = re.compile(r"^\d{1,3}$|^\d{1,3}(?=[一二三四五六七八九十（(])|\D\s*\d{1,3}$")
_SENTENCE_END = ("。", "；", "：", "！", "？", ":", ";", "…", "）", ")")


class TextCleaner:
    """Cleans extracted notice text.

    * ``[bookmark: …]`` markup is dropped;
    * the running page header repeated inside the text (a letter-spaced issuer line, "…文件", the 文号) is
      lifted out of the body and kept once at the top, so the 文号 stays citable;
    * lines broken mid-sentence with blank lines between (the Jiangsu notice) are joined back into
      paragraphs; headings always start a new paragraph.

    Args:
        min_broken_share: share of body lines that end without punctuation above which a file is treated as
            "broken into lines" and joined.
    """

    def __init__(self, min_broken_share: float = 0.5) -> None:
        if not 0.0 < min_broken_share <= 1.0:
            raise ValueError(f"min_broken_share must be in (0, 1], got {min_broken_share!r}")
        self.min_broken_share = min_broken_share

    def run(self, text: str) -> str:
        """The cleaned text, one paragraph per line."""
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
        text = _BOOKMARK.sub("", text)
        lines = [ln.rstrip() for ln in text.split("\n")]
        lines = self._drop_table_of_contents(lines)
        lines, header = self._lift_running_header(lines)
        if self._is_broken(lines):
            lines = self._join_broken(lines)
        body = "\n".join(ln for ln in lines)
        return ("\n".join(header) + "\n" + body) if header else body

    @staticmethod
    def _drop_table_of_contents(lines: list[str]) -> list[str]:
        """A 目录 block (headings alternating with page numbers) would duplicate every heading as a clause."""
        start = next((i for i, ln in enumerate(lines) if _TOC.match(ln.strip())), None)
        if start is None:
            return lines
        last = start
        j = start + 1
        while j < len(lines) and j - last <= 6:
            if _PAGE_NO.search(lines[j].strip()):
                last = j
            j += 1
        if last - start < 6:  # not a real table of contents
            return lines
        return lines[:start] + lines[last + 1:]

    @staticmethod
    def _lift_running_header(lines: list[str]) -> tuple[list[str], list[str]]:
        """Letter-spaced header lines (and a 文号 right after them) found past the first lines of the file."""
        out: list[str] = []
        header: list[str] = []
        i = 0
        while i < len(lines):
            s = lines[i].strip()
            if i > 3 and _LETTER_SPACED.match(s):
                block = [re.sub(r"[ \u3000]+", "", s)]
                j = i + 1
                while j < len(lines) and (not lines[j].strip() or _LETTER_SPACED.match(lines[j].strip())
                                          or _DOC_NUMBER.match(lines[j].strip())):
                    t = lines[j].strip()
                    if t:
                        block.append(re.sub(r"[ \u3000]+", "", t) if _LETTER_SPACED.match(t) else t)
                    if _DOC_NUMBER.match(t):
                        j += 1
                        break
                    j += 1
                if not header:
                    header = ["".join(b for b in block if not _DOC_NUMBER.match(b))]
                    header += [b for b in block if _DOC_NUMBER.match(b)]
                i = j
                continue
            out.append(lines[i])
            i += 1
        return out, header

    def _is_broken(self, lines: list[str]) -> bool:
        body = [ln.strip() for ln in lines if len(ln.strip()) >= 20]
        if len(body) < 10:
            return False
        unfinished = sum(1 for ln in body if not ln.endswith(_SENTENCE_END) and not is_heading_line(ln))
        blank_gaps = sum(1 for a, b in itertools.pairwise(lines) if a.strip() and not b.strip())
        return unfinished / len(body) >= self.min_broken_share and blank_gaps >= len(body) * 0.5

    @staticmethod
    def _join_broken(lines: list[str]) -> list[str]:
        """Joins a line to the previous one when that one ran to the full line width (a wrapped line)."""
        lengths = sorted(len(ln.strip()) for ln in lines if len(ln.strip()) >= 15)
        width = lengths[len(lengths) * 3 // 4] if lengths else 30
        out: list[str] = []
        current = ""
        last_len = 0
        for raw in lines:
            s = raw.strip()
            if not s:
                continue
            wrapped = last_len >= width - 3 and not current.endswith(("。", "！", "？"))
            if current and wrapped and not is_heading_line(s):
                current += s
            else:
                if current:
                    out.append(current)
                current = s
            last_len = len(s)
        if current:
            out.append(current)
        return out
