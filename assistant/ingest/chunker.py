"""A document → clause chunks, each carrying the notice title and its full heading path."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest.structure import HeadingMatch, is_title_like, match_heading
from assistant.models import Chunk, NoticeDocument

LEAD_SECTION = "文首"  # paragraphs before the first heading (addressees, preamble, 文号)
_SENT_END = re.compile(r"(?<=[。；！？;])")


@dataclass
class _Level:
    rank: float
    kind: str
    number: int
    name: str
    before: int = 0  # for a 专栏 box: the clause number in force when the box began


class ClauseChunker:
    """Structure-aware chunking for Chinese official documents.

    Headings (一、 / （一） / 1． / （1） / 专栏N / 附件N / four-digit guide codes) build the heading path; a
    numbered clause ("2．项目牵头单位应为……") is its own chunk, cited by its label ("三、申报要求 > 2.");
    unnumbered paragraphs under a heading are grouped up to ``target_chars``; a run of guide-code lines is a
    list kept with its heading; anything over ``max_chars`` is split at sentence ends with the path repeated.

    Args:
        max_chars: hard cap on a chunk's text.
        target_chars: short neighbouring paragraphs of one section are merged up to this size.
    """

    def __init__(self, max_chars: int = 600, target_chars: int = 300) -> None:
        if max_chars < 100:
            raise ValueError(f"max_chars must be ≥ 100, got {max_chars!r}")
        if not 0 < target_chars <= max_chars:
            raise ValueError(f"target_chars must be in (0, max_chars], got {target_chars!r}")
        self.max_chars = max_chars
        self.target_chars = target_chars

    def run(self, doc: NoticeDocument) -> list[Chunk]:
        """The chunks of one document, in reading order."""
        lines = doc.text.split("\n")
        layout = doc.layout if len(doc.layout) == len(lines) else ""
        kept = [(ln.strip(), layout[i] if layout else "p") for i, ln in enumerate(lines) if ln.strip()]
        paras = [p for p, _ in kept]
        kinds = [k for _, k in kept]
        stack: list[_Level] = []
        groups: list[tuple[tuple[str, ...], list[str], bool]] = []
        buffer: list[str] = []
        last_number: dict[str, int] = {}

        def path() -> tuple[str, ...]:
            return tuple(lv.name for lv in stack) or (LEAD_SECTION,)

        def flush() -> None:
            if buffer:
                groups.append((path(), list(buffer), False))
                buffer.clear()

        for i, para in enumerate(paras):
            if kinds[i] == "r":  # a table row is a clause of its own, cited under the section it sits in
                flush()
                groups.append((path(), [para], True))
                continue
            h = match_heading(para)
            if h is None and kinds[i] == "h" and is_title_like(para, max_chars=30):
                # a heading of the source without numbering ("申报条件"): a top-level section
                name = re.sub(r"\s+", "", para)
                h = HeadingMatch("named", 1, 0, name, name)
            if h is not None and h.kind == "code":
                nxt = match_heading(paras[i + 1]) if i + 1 < len(paras) else None
                if not (i + 1 < len(paras) and nxt is None and len(para) <= 40):
                    buffer.append(para)  # a guide-code list line: kept together with its neighbours
                    continue
            if h is None:
                buffer.append(para)
                continue
            flush()
            rank = self._rank(h, last_number, stack)
            if rank == 2 and h.kind == "arabic_paren":
                last_number["cn_paren"] = h.number  # "（2）" stood for （二）: the next is （三）
            box = next((lv for lv in stack if lv.kind == "box"), None)
            if box is not None and h.kind == "arabic_dot" and h.number == box.before + 1 and h.number > 1:
                del stack[stack.index(box):]  # the numbering from before the box resumes: the box has ended
            last_number[h.kind] = h.number
            while stack and stack[-1].rank >= rank:
                stack.pop()
            if h.kind == "code":
                stack.append(_Level(rank, h.kind, h.number, re.sub(r"\s+", "", para)))
                buffer.append(para)  # the code and its name are content too ("4002 第三代半导体")
            elif h.kind in ("annex", "named") or (is_title_like(h.rest) and h.rest):
                stack.append(_Level(rank, h.kind, h.number, re.sub(r"\s+", "", para)))
            elif h.kind == "box":
                stack.append(_Level(rank, h.kind, h.number, re.sub(r"\s+", "", para)[:30],
                                    before=last_number.get("arabic_dot", 0)))
            else:
                stack.append(_Level(rank, h.kind, h.number, h.label))
                buffer.append(para)
        flush()

        chunks: list[Chunk] = []
        for section_path, paragraphs, is_row in groups:
            for text in self._pack(paragraphs):
                if not re.search(r"[\u4e00-\u9fffA-Za-z]", text):
                    continue  # page numbers and table rules carry nothing to cite
                pos = len(chunks)
                chunks.append(Chunk(
                    chunk_id=Chunk.make_id(doc.doc_id, pos, section_path, text),
                    doc_id=doc.doc_id, title=doc.title, section_path=section_path, text=text,
                    position=pos, source=doc.source,
                    metadata={**{k: v for k, v in doc.metadata.items() if isinstance(v, (str, int, float, bool))},
                              **({"row": True} if is_row else {})},
                ))
        return chunks

    @staticmethod
    def _rank(h: HeadingMatch, last: dict[str, int], stack: list[_Level]) -> float:
        """Outline rank, repairing numbering the PDF extraction mangled: "（2）" after "（一）" is （二）."""
        if h.kind == "arabic_paren" and h.number > 1:
            in_list = any(lv.kind == "arabic_paren" and lv.rank == h.rank for lv in stack)
            if not in_list and last.get("cn_paren") == h.number - 1:
                return 2
        return h.rank

    def _pack(self, paragraphs: list[str]) -> list[str]:
        """Greedy grouping of a section's paragraphs up to the target, long ones split at sentence ends."""
        pieces: list[str] = []
        for p in paragraphs:
            pieces.extend(self._split(p) if len(p) > self.max_chars else [p])
        out: list[str] = []
        current = ""
        for p in pieces:
            if current and len(current) + 1 + len(p) > (self.target_chars if not _is_list_line(p) else self.max_chars):
                out.append(current)
                current = p
            else:
                current = f"{current}\n{p}" if current else p
        if current:
            out.append(current)
        return out

    def _split(self, text: str) -> list[str]:
        sentences = [s for s in _SENT_END.split(text) if s]
        out: list[str] = []
        current = ""
        for s in sentences:
            while len(s) > self.max_chars:  # one sentence over the cap: cut at a comma near the cap
                cut = max(s.rfind("，", 0, self.max_chars), s.rfind(",", 0, self.max_chars))
                cut = cut + 1 if cut > self.max_chars // 2 else self.max_chars
                if current:
                    out.append(current)
                    current = ""
                out.append(s[:cut])
                s = s[cut:]
            if current and len(current) + len(s) > self.max_chars:
                out.append(current)
                current = s
            else:
                current += s
        if current:
            out.append(current)
        return out


def _is_list_line(p: str) -> bool:
    h = match_heading(p)
    return h is not None and h.kind == "code"
