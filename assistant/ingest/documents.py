"""A read notice file → its citable documents: the notice itself, each attachment, each forwarded notice.

No catalogue entry is needed: documents are found from the text. A part (the web 正文, an attachment) that
repeats an earlier one — the web text and the PDF of the same notice — is dropped whole, and a paragraph
already read in an earlier document is not read twice. Inside a part, a new document starts at an annex
marker ("附件2" followed by a title) or at a new title printed after a 落款 date (a forwarding notice that
holds the forwarded one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.ingest.markdown import Block, NoticePart, ParsedNotice
from assistant.ingest.structure import match_heading

# How titles of Chinese official documents end.
TITLE_END = re.compile(
    r"(通知|通告|公告|公示|指南|办法|细则|措施|方案|规划|意见|名单|清单|榜单|函|决定|规定|简章|说明|计划|"
    r"报告|提纲|汇总表|申请表|申报表|申报书|承诺书|推荐表|登记表|一览表|明细表|目录|要点|标准|条件|纲要|"
    r"声明|告知书|公开信|倡议书|手册|政策|名录|须知|流程|模板|格式|式样|通讯录|申请材料|申报材料)[）)]?$")
_DATE_LINE = re.compile(r"^(\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月"
                        r"\s*[\d一二三四五六七八九十]{1,3}\s*日$")
_ANNEX_MARK = re.compile(r"^附\s*件\s*([\d一二三四五六七八九十]{0,3}(?:[-—.．]\d{1,2})?)\s*[:：]?$")
# an issuer's name, or the line naming who drew up a form ("河北雄安新区工信科技数据局制")
_LETTERHEAD = re.compile(r"(厅|局|委员会|委|政府|办公室|办公厅|院|部|中心|会|处|室|管委会|公司|集团)制?$")
_SENTENCE_PUNCT = re.compile(r"[。；;！？]")
_DOC_NUMBER = re.compile(r"〔\s*\d{4}\s*[〕］\]]\s*\d+\s*号|^文件$|文件$")


def squash(s: str) -> str:
    """``s`` without any whitespace (how quotes and titles are compared)."""
    return re.sub(r"\s+", "", s)


@dataclass
class DraftDocument:
    """A document found in a file, before it is given an id and catalogue metadata.

    Attributes:
        title: its title as printed (whitespace removed), or a fallback naming the attachment.
        lines: its paragraphs in order (the title lines removed).
        layout: one letter per line: ``h`` heading, ``p`` paragraph, ``r`` table row.
        part: the part it came from (``正文``, ``附件 1：…``, or "").
        attachment_no: the attachment number of that part (0 for the main text).
        title_found: whether the title was read from the text (else it is a fallback).
    """

    title: str
    lines: list[str] = field(default_factory=list)
    layout: str = ""
    part: str = ""
    attachment_no: int = 0
    title_found: bool = True


def is_title_line(text: str, max_chars: int = 90) -> bool:
    """A line that reads as a document title: short, no sentence punctuation, ending as titles end."""
    t = squash(text)
    return (4 <= len(t) <= max_chars and not _SENTENCE_PUNCT.search(t) and not t.endswith(("：", ":", "，"))
            and bool(TITLE_END.search(t)) and match_heading(text) is None
            and not re.match(r"^(附件|根据|按照|为|现|请|经|对|在|各|本)", t))


class PartDocumentSplitter:
    """Splits a :class:`ParsedNotice` into :class:`DraftDocument` s.

    Args:
        duplicate_share: share of an attachment's long paragraphs already read before above which the whole
            attachment is a copy (the PDF of the web text) and dropped.
        min_dedup_chars: paragraphs shorter than this are never treated as repeats ("一、申报要求").
        title_scan: how many leading blocks of a document may hold its title.
    """

    def __init__(self, duplicate_share: float = 0.6, min_dedup_chars: int = 12, title_scan: int = 8) -> None:
        if not 0.0 < duplicate_share <= 1.0:
            raise ValueError(f"duplicate_share must be in (0, 1], got {duplicate_share!r}")
        if min_dedup_chars < 1:
            raise ValueError(f"min_dedup_chars must be ≥ 1, got {min_dedup_chars!r}")
        if title_scan < 1:
            raise ValueError(f"title_scan must be ≥ 1, got {title_scan!r}")
        self.duplicate_share = duplicate_share
        self.min_dedup_chars = min_dedup_chars
        self.title_scan = title_scan

    def run(self, parsed: ParsedNotice, fallback_title: str) -> list[DraftDocument]:
        """The documents of one file in reading order (at least one when the file has any text)."""
        seen: set[str] = set()
        docs: list[DraftDocument] = []
        for part in parsed.parts:
            blocks = self._unseen(part, seen)
            if blocks is None:
                continue  # a copy of what was read already
            first_of_part = len(docs)
            for group in self._split(blocks):
                doc = self._document(group, part, docs, parsed.title or fallback_title)
                if not doc.lines:
                    continue
                same = next((d for d in docs[first_of_part:] if d.title == doc.title), None)
                if same is not None:  # a running page header read as a title: one document, not many
                    same.lines.extend(doc.lines)
                    same.layout += doc.layout
                    continue
                docs.append(doc)
            seen.update(squash(b.text) for b in part.blocks if len(squash(b.text)) >= self.min_dedup_chars)
        return docs

    def _unseen(self, part: NoticePart, seen: set[str]) -> list[Block] | None:
        long = [squash(b.text) for b in part.blocks if len(squash(b.text)) >= self.min_dedup_chars]
        if long and seen and sum(1 for t in long if t in seen) / len(long) >= self.duplicate_share:
            return None
        return [b for b in part.blocks if squash(b.text) not in seen or len(squash(b.text)) < self.min_dedup_chars]

    @staticmethod
    def _split(blocks: list[Block]) -> list[list[Block]]:
        """Cut at annex markers and at titles printed after a 落款 date."""
        cuts = [0]
        for i, b in enumerate(blocks):
            t = squash(b.text)
            if i > 0 and _ANNEX_MARK.match(t) and i + 1 < len(blocks) and b.kind != "row":
                cuts.append(i)
                continue
            if _DATE_LINE.match(t) and b.kind != "row":
                for j in range(i + 1, min(len(blocks), i + 6)):
                    if is_title_line(blocks[j].text) and blocks[j].kind != "row":
                        start = j
                        while (start - 1 > i and len(squash(blocks[start - 1].text)) <= 25
                               and (blocks[start - 1].kind == "heading"
                                    or _LETTERHEAD.search(squash(blocks[start - 1].text)))
                               and not _SENTENCE_PUNCT.search(blocks[start - 1].text)):
                            start -= 1
                        cuts.append(start)
                        break
        cuts = sorted(set(cuts))
        return [blocks[a:b] for a, b in zip(cuts, [*cuts[1:], len(blocks)], strict=False) if blocks[a:b]]

    def _document(self, blocks: list[Block], part: NoticePart, docs: list[DraftDocument],
                  main_title: str) -> DraftDocument:
        title, used = self._title(blocks)
        found = bool(title)
        if not title:
            if not docs and part.attachment_no == 0:
                title = squash(main_title)
            else:
                name = part.file_title
                generic = not name or re.fullmatch(r"(相关)?附件[\d一二三四五六七八九十\-—、.．]*", name)
                n = part.attachment_no or len(docs)
                title = f"{squash(main_title)}（附件{n}）" if generic else squash(name)
        kept = [b for i, b in enumerate(blocks) if i not in used]
        return DraftDocument(title=title, lines=[b.text for b in kept],
                             layout="".join({"heading": "h", "row": "r"}.get(b.kind, "p") for b in kept),
                             part=part.label, attachment_no=part.attachment_no, title_found=found)

    @staticmethod
    def _letterhead(t: str) -> bool:
        """An issuer's letterhead line or a 文号 above a title ("河北省科学技术厅", "冀科政〔2025〕13号")."""
        return bool(_DOC_NUMBER.search(t)) or (len(t) <= 30 and bool(_LETTERHEAD.search(t)))

    def _title(self, blocks: list[Block]) -> tuple[str, set[int]]:
        """The printed title (wrapped lines joined) and the indices of the blocks it used."""
        limit = min(len(blocks), self.title_scan)
        for i in range(limit):
            b = blocks[i]
            t = squash(b.text)
            if b.kind == "row" or _SENTENCE_PUNCT.search(t) or t.endswith(("：", ":")):
                if i >= 2 and b.kind != "row" and len(t) > 60:
                    break  # body text has begun
                continue
            used = {i}
            if _ANNEX_MARK.match(t) or self._letterhead(t):
                continue
            if is_title_line(t):
                return t, used
            # a title wrapped over two or three lines: "2024年度市重点研发计划（产业前瞻" + "与关键技术）项目指南"
            joined = t
            for j in range(i + 1, min(len(blocks), i + 3)):
                nxt = squash(blocks[j].text)
                if (blocks[j].kind == "row" or _SENTENCE_PUNCT.search(nxt) or len(joined + nxt) > 90
                        or self._letterhead(nxt)):
                    break
                joined += nxt
                used.add(j)
                if is_title_line(joined):
                    return joined, used
        return "", set()
