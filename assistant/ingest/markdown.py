"""Markdown (MinerU / pandoc) and HTML notices → plain paragraphs, headings and table rows, split into parts.

A crawled notice file is a web page turned into Markdown: a crawler metadata table (``| 字段 | 值 |``), the
web text under ``## 正文``, then each attachment under ``## 附件 N：name.ext`` (PDFs converted by MinerU, so
headings are ``#`` lines and tables are HTML ``<table>`` blocks). This module reads that structure with
markdown-it-py and BeautifulSoup — never regexes over HTML — and returns plain text only: no Markdown, no
HTML, no image links and no crawler furniture ever reach a clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt
from markdown_it.token import Token

BlockKind = Literal["heading", "paragraph", "row"]

# Lines the crawler writes about a file (not notice text): "- 原始文件：`…`", "- 来源 URL：…", "- 解析方式：…".
_CRAWLER_LINE = re.compile(r"^(原始文件|来源\s*URL|解析方式|文件名|下载地址)\s*[:：]|^MinerU\s*Chunk")
# Web page furniture caught in screenshots of other pages: breadcrumbs, "上一篇", print/close buttons.
_PAGE_FURNITURE = re.compile(r"(您当前(所在)?的?位置|当前位置\s*[:：]|^上一篇|^下一篇|打印本页|关闭窗口|【\s*字体|"
                             r"^分享到|浏览次数|^首页\s*[>＞])")
_ATTACHMENT_HEADING = re.compile(r"^附件\s*(\d+)\s*[:：]\s*(.*)$")
_BODY_HEADING = re.compile(r"^正\s*文$")
_SHEET_HEADING = re.compile(r"^Sheet\s*[:：]", re.I)
_FILE_EXT = re.compile(r"\.(pdf|docx?|xlsx?|wps|txt|jpe?g|png|zip|rar|ofd)$", re.I)
# MinerU writes formulae for symbols it read from the PDF: "$20\%$", "$\leq$", "$\mathrm{m}^{2}$".
_LATEX = re.compile(r"\$([^$\n]{1,80})\$")
_LATEX_SYMBOLS = {r"\%": "%", r"\leq": "≤", r"\geq": "≥", r"\le": "≤", r"\ge": "≥", r"\times": "×",
                  r"\cdot": "·", r"\sim": "～", r"\pm": "±", r"\circ": "°", r"\mathrm": "", r"\text": ""}


@dataclass(frozen=True)
class Block:
    """One paragraph of plain text.

    Attributes:
        kind: ``heading`` (a Markdown/HTML heading), ``paragraph`` or ``row`` (one table row, its cells
            carrying their column headers: "支持标准：最高100万元；申报主体：企业").
        text: the plain text (inline markup, links and images removed).
        level: the heading level (1–6) for headings, else 0.
    """

    kind: BlockKind
    text: str
    level: int = 0


@dataclass
class NoticePart:
    """The web 正文 or one attachment of a crawled notice file.

    Attributes:
        label: ``正文``, the attachment heading ("附件 1：申报指南.pdf"), or "" for a file with no such parts.
        attachment_no: the attachment's number (0 for the 正文 / an undivided file).
        blocks: its paragraphs, headings and table rows in reading order.
    """

    label: str
    attachment_no: int = 0
    blocks: list[Block] = field(default_factory=list)

    @property
    def file_title(self) -> str:
        """The attachment's file name without number and extension ("申报指南")."""
        m = _ATTACHMENT_HEADING.match(self.label)
        name = m.group(2) if m else ""
        name = _FILE_EXT.sub("", name.strip())
        # "附件1：", "0710-附件1：", "02.附件1-4：" before the name proper
        return re.sub(r"^.{0,8}?附件\s*[\d一二三四五六七八九十\-—、.．]*\s*[:：_、.．]?\s*", "", name).strip()


@dataclass
class ParsedNotice:
    """A notice file read into metadata and parts."""

    meta: dict[str, str] = field(default_factory=dict)
    title: str = ""
    parts: list[NoticePart] = field(default_factory=list)


def plain_inline(text: str) -> str:
    """Inline Markdown leftovers removed from a line that is otherwise plain (escapes, LaTeX symbols)."""
    text = _LATEX.sub(lambda m: _latex_plain(m.group(1)), text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|~<>$%])", r"\1", text)
    # emphasis that CommonMark leaves as literal stars next to CJK punctuation: 关于组织第一批**“雄安工坊”**
    return re.sub(r"\*{2,3}|(?<![\w*])_{2}(?=\S)|(?<=\S)_{2}(?![\w])", "", text)


def _latex_plain(expr: str) -> str:
    out = expr
    for k, v in sorted(_LATEX_SYMBOLS.items(), key=lambda kv: -len(kv[0])):
        out = out.replace(k, v)
    out = re.sub(r"[{}^_]", "", out)
    return out.strip()


def _squash(s: str) -> str:
    return re.sub(r"[ \t\u3000\xa0]+", " ", s).strip()


class TableRowReader:
    """An HTML ``<table>`` → one plain row text per data row.

    Merged cells (``colspan``/``rowspan``) are expanded so every row knows its column headers; the header
    row is the first row whose cells are all short labels; a data row reads "表头：值；表头：值". A row of a
    blank form (labels with empty answer cells) carries nothing to cite and is dropped.

    Args:
        max_header_chars: a cell longer than this is content, not a column header.
    """

    def __init__(self, max_header_chars: int = 16) -> None:
        if max_header_chars < 2:
            raise ValueError(f"max_header_chars must be ≥ 2, got {max_header_chars!r}")
        self.max_header_chars = max_header_chars

    def run(self, table: Tag) -> list[str]:
        """The row texts of one table, in order."""
        grid = self._grid(table)
        if not grid:
            return []
        width = max(len(r) for r in grid)
        grid = [r + [""] * (width - len(r)) for r in grid]
        header: list[str] | None = None
        start = 0
        if len(grid) >= 2 and width >= 2 and self._is_header(grid[0]):
            header, start = grid[0], 1
        out: list[str] = []
        for row in grid[start:]:
            text = self._row_text(row, header)
            if text:
                out.append(text)
        return out

    def _is_header(self, row: list[str]) -> bool:
        cells = [c for c in row if c]
        return (len(cells) == len(row) and len(set(cells)) >= 2
                and all(len(c) <= self.max_header_chars and not re.fullmatch(r"[\d.\-—]+", c) for c in cells)
                and not any(re.search(r"[。；;]", c) for c in cells))

    @staticmethod
    def _row_text(row: list[str], header: list[str] | None) -> str:
        values: list[str] = []
        seen: set[str] = set()
        pairs: list[str] = []
        for i, cell in enumerate(row):
            if not cell or cell in seen:
                continue  # empty, or the same merged cell repeated over its span
            seen.add(cell)
            values.append(cell)
            head = header[i] if header else ""
            pairs.append(f"{head}：{cell}" if head and head != cell else cell)
        if not values:
            return ""
        if any(re.search(r"[⬜☐□]", v) for v in values):
            return ""  # a form's tick boxes
        if header is None:
            blanks = sum(1 for c in row if not c)
            if (len(values) < 2 and len(values[0]) <= 16) or (blanks and all(len(v) <= 16 for v in values)):
                return ""  # a blank form's labels: nothing to cite
        elif all(re.fullmatch(r"[\d.、]*", v) for v in values):
            return ""
        return "；".join(pairs)

    @staticmethod
    def _grid(table: Tag) -> list[list[str]]:
        rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
        grid: list[list[str]] = []
        pending: dict[int, tuple[str, int]] = {}  # column → (text, rows still covered) from a rowspan
        for tr in rows:
            row: list[str] = []
            col = 0
            cells = [c for c in tr.find_all(["td", "th"]) if c.find_parent("tr") is tr]

            def fill_pending() -> None:
                nonlocal col
                while col in pending:
                    text, left = pending[col]
                    row.append(text)
                    if left <= 1:
                        del pending[col]
                    else:
                        pending[col] = (text, left - 1)
                    col += 1

            for cell in cells:
                fill_pending()
                text = re.sub(r"\s+", " ", plain_inline(cell.get_text(" "))).strip()
                span = _int_attr(cell, "colspan")
                down = _int_attr(cell, "rowspan")
                for k in range(span):
                    row.append(text)
                    if down > 1:
                        pending[col + k] = (text, down - 1)
                col += span
            fill_pending()
            if any(row):
                grid.append(row)
        return grid


def _int_attr(cell: Tag, name: str) -> int:
    raw = cell.get(name)
    try:
        return max(1, min(50, int(str(raw)))) if raw is not None else 1
    except ValueError:
        return 1


class MarkdownNoticeReader:
    """A Markdown or HTML notice file → :class:`ParsedNotice` (metadata, parts, plain blocks).

    Args:
        table_reader: how HTML tables become row texts.
    """

    def __init__(self, table_reader: TableRowReader | None = None) -> None:
        self.table_reader = table_reader or TableRowReader()
        self._md = MarkdownIt("commonmark", {"html": True}).enable("table")

    def run(self, text: str, html: bool = False) -> ParsedNotice:
        """Reads one file's text (``html=True`` for an HTML page)."""
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
        blocks = self._html_blocks(BeautifulSoup(text, "lxml")) if html else self._markdown_blocks(text)
        return self._parts(blocks)

    # -- Markdown ---------------------------------------------------------------------------------
    def _markdown_blocks(self, text: str) -> list[tuple[Block, bool]]:
        """(block, is a level-2 part heading) pairs; the metadata table is returned as rows of ``字段：值``."""
        tokens = self._md.parse(text)
        out: list[tuple[Block, bool]] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "heading_open":
                level = int(tok.tag[1])
                content = self._inline_text(tokens[i + 1])
                if content:
                    out.append((Block("heading", content, level), level == 2))
                i += 3
                continue
            if tok.type == "paragraph_open":
                for line in self._inline_text(tokens[i + 1]).split("\n"):
                    line = line.strip()
                    if line:
                        out.append((Block("paragraph", line), False))
                i += 3
                continue
            if tok.type == "html_block":
                # a table written over several lines may be cut into several html blocks by blank lines
                html = [tok.content]
                while i + 1 < len(tokens) and tokens[i + 1].type == "html_block":
                    i += 1
                    html.append(tokens[i].content)
                out.extend((b, False) for b in self._html_fragment("\n".join(html)))
                i += 1
                continue
            if tok.type == "table_open":
                j = i
                while j < len(tokens) and tokens[j].type != "table_close":
                    j += 1
                out.extend((Block("row", r), False) for r in self._md_table(tokens[i:j]))
                i = j + 1
                continue
            if tok.type in ("fence", "code_block"):
                for line in tok.content.split("\n"):
                    if line.strip():
                        out.append((Block("paragraph", _squash(line)), False))
            i += 1
        return out

    def _inline_text(self, tok: Token) -> str:
        """Plain text of an inline token: emphasis, links (their text kept), images and HTML tags dropped."""
        parts: list[str] = []
        for child in tok.children or []:
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append("\n")
            elif child.type == "html_inline":
                if re.match(r"<br\s*/?>", child.content, re.I):
                    parts.append("\n")
            # image, link_open/close, em/strong open/close carry no text of their own
        text = plain_inline("".join(parts))
        return "\n".join(_squash(ln) for ln in text.split("\n"))

    @staticmethod
    def _md_table(tokens: list[Token]) -> list[str]:
        rows: list[list[str]] = []
        current: list[str] | None = None
        for tok in tokens:
            if tok.type == "tr_open":
                current = []
            elif tok.type == "inline" and current is not None:
                current.append(_squash(plain_inline(tok.content)))
            elif tok.type == "tr_close" and current is not None:
                rows.append(current)
                current = None
        if not rows:
            return []
        header, body = rows[0], rows[1:]
        out = []
        for r in body:
            pairs = [f"{h}：{c}" if h and h != c else c for h, c in zip(header, r, strict=False) if c]
            if pairs:
                out.append("；".join(pairs))
        return out

    def _html_fragment(self, html: str) -> list[Block]:
        soup = BeautifulSoup(html, "lxml")
        return [b for b, _ in self._html_blocks(soup)]

    # -- HTML ---------------------------------------------------------------------------------------
    def _html_blocks(self, soup: BeautifulSoup) -> list[tuple[Block, bool]]:
        for tag in soup(["script", "style", "nav", "header", "footer", "colgroup", "img", "noscript"]):
            tag.decompose()
        out: list[tuple[Block, bool]] = []
        root = soup.body or soup
        self._walk(root, out)
        return out

    def _walk(self, node: Tag, out: list[tuple[Block, bool]]) -> None:
        for child in node.children:
            if not isinstance(child, Tag):
                text = _squash(str(child))
                if text:
                    out.append((Block("paragraph", plain_inline(text)), False))
                continue
            name = child.name or ""
            if name == "table":
                out.extend((Block("row", r), False) for r in self.table_reader.run(child))
            elif re.fullmatch(r"h[1-6]", name):
                text = _squash(child.get_text(" "))
                if text:
                    out.append((Block("heading", plain_inline(text), int(name[1])), name == "h2"))
            elif name in ("p", "li", "pre", "blockquote", "dd", "dt", "caption") or (
                    name in ("div", "section", "article", "span", "font", "center", "td")
                    and not child.find(["p", "div", "table", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section"])):
                if child.find("table"):
                    self._walk(child, out)
                    continue
                for line in child.get_text("\n").split("\n"):
                    line = _squash(line)
                    if line:
                        out.append((Block("paragraph", plain_inline(line)), False))
            elif name == "br":
                continue
            else:
                self._walk(child, out)

    # -- parts ---------------------------------------------------------------------------------------
    def _parts(self, blocks: list[tuple[Block, bool]]) -> ParsedNotice:
        parsed = ParsedNotice()
        part = NoticePart(label="")
        saw_part_heading = False
        for block, is_part in blocks:
            text = block.text
            if is_part and (_BODY_HEADING.match(text) or _ATTACHMENT_HEADING.match(text)):
                if part.blocks or saw_part_heading:
                    parsed.parts.append(part)
                m = _ATTACHMENT_HEADING.match(text)
                part = NoticePart(label=text, attachment_no=int(m.group(1)) if m else 0)
                saw_part_heading = True
                continue
            if is_part and _SHEET_HEADING.match(text):
                continue  # a spreadsheet's sheet name
            if not saw_part_heading and block.kind == "row" and self._meta_row(block.text, parsed.meta):
                continue
            if block.kind == "heading" and block.level == 1 and not saw_part_heading and not parsed.title:
                parsed.title = text  # the crawler's page title above the metadata table
                continue
            if block.kind != "row" and (_CRAWLER_LINE.match(text) or _PAGE_FURNITURE.search(text)):
                continue
            part.blocks.append(block)
        if part.blocks or not parsed.parts:
            parsed.parts.append(part)
        return parsed

    @staticmethod
    def _meta_row(text: str, meta: dict[str, str]) -> bool:
        """A row of the crawler's ``| 字段 | 值 |`` table, kept as metadata (never as notice text)."""
        m = re.match(r"^字段：([^；]+)(?:；值：(.*))?$", text)
        if not m:
            return False
        meta[m.group(1).strip()] = (m.group(2) or "").strip()
        return True
