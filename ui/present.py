"""Presentation helpers of the web pages, free of Streamlit so they can be tested on their own.

Only formatting lives here (escaping, highlighting, labels, tables of catalogue data); retrieval,
rulings and answers come from ``assistant/``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.answer.composer import STATUS_MARKS, VERDICT_LABELS, squash

VERDICT_COLORS = {"eligible": "green", "ineligible": "red", "needs_info": "orange"}
STATUS_LABELS = {"met": "符合", "not_met": "不符合", "unknown": "未知"}
KIND_LABELS = {"hard": "硬性条件", "advisory": "一般要求", "reminder": "提醒", "sufficient": "便捷通道"}

# Characters that Streamlit's Markdown would interpret (emphasis, headings, quotes, math, tables …).
_MD_SPECIAL = {"*": "&#42;", "_": "&#95;", "$": "&#36;", "#": "&#35;", "~": "&#126;", "`": "&#96;",
               "[": "&#91;", "]": "&#93;", "|": "&#124;", "\\": "&#92;", ":": "&#58;", "+": "&#43;",
               "-": "&#45;", "=": "&#61;", "{": "&#123;", "}": "&#125;", "!": "&#33;"}
_LIST_NUMBER = re.compile(r"(?m)^(\s*\d+)\.")
_MD_RE = re.compile("|".join(re.escape(k) for k in _MD_SPECIAL))


def safe_html(text: str) -> str:
    """Text shown verbatim through ``st.markdown(..., unsafe_allow_html=True)``: HTML and Markdown escaped,
    line breaks kept."""
    escaped = _MD_RE.sub(lambda m: _MD_SPECIAL[m.group(0)], html.escape(text, quote=True))
    escaped = _LIST_NUMBER.sub(r"\1&#46;", escaped)  # "2. 项目…" is clause text, not a Markdown list
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


_LABEL_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")


def safe_label(text: str) -> str:
    """Text for a widget label or option (expander titles, radio options): Streamlit renders those as
    Markdown, so every Markdown character is backslash-escaped and line breaks become spaces."""
    return _LABEL_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def highlight(text: str, terms: Iterable[str]) -> str:
    """``safe_html(text)`` with every occurrence of the query terms wrapped in ``<mark>`` (longest first)."""
    uniq = sorted({t for t in terms if t and t.strip()}, key=len, reverse=True)
    if not uniq:
        return safe_html(text)
    pattern = re.compile("|".join(_term_pattern(t) for t in uniq), re.IGNORECASE)
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        out.append(safe_html(text[pos:m.start()]))
        out.append(f"<mark>{safe_html(m.group(0))}</mark>")
        pos = m.end()
    out.append(safe_html(text[pos:]))
    return "".join(out).replace("</mark><mark>", "")  # adjacent terms read as one phrase


def _term_pattern(term: str) -> str:
    """A term's regex: Latin words and numbers only as whole words ("ai" must not mark "Email")."""
    if term.isascii() and term.isalnum():
        return rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])"
    return re.escape(term)


def verdict_label(verdict: str | None) -> str:
    """符合 / 不符合 / 需补充信息 (empty for no ruling)."""
    return VERDICT_LABELS.get(verdict or "", "")


def verdict_color(verdict: str | None) -> str:
    """The badge colour of a verdict."""
    return VERDICT_COLORS.get(verdict or "", "gray")


def mode_label(llm_enabled: bool, model: str) -> str:
    """The mode indicator: 离线, or the model name (never the key)."""
    return f"模型：{model}" if llm_enabled else "离线"


def record_mode_label(mode: str) -> str:
    """How an answer was produced (``offline`` or the model name)."""
    return "离线答案" if mode in ("", "offline") else f"模型：{mode}"


def days_left_label(deadline: dt.date, today: dt.date) -> str:
    """已截止 / 今天截止 / 剩余N天, relative to ``today``."""
    days = (deadline - today).days
    if days < 0:
        return "已截止"
    if days == 0:
        return "今天截止"
    return f"剩余{days}天"


def parse_date(value: Any) -> dt.date | None:
    """A catalogue date (``YYYY-MM-DD`` string or date), None when absent or partial."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class DeadlineRow:
    """One deadline of a notice, with its status relative to today."""

    notice: str
    what: str
    date: str
    status: str
    file: str

    def as_row(self) -> dict[str, str]:
        """A table row with Chinese column names."""
        return {"公告": self.notice, "事项": self.what, "截止时间": self.date, "状态": self.status}


def deadline_rows(registry: Any, today: dt.date, files: Iterable[str] | None = None) -> list[DeadlineRow]:
    """Deadlines of the catalogued notices (all, or only ``files``), soonest open first, then closed.

    Args:
        registry: an ``assistant.catalogue.NoticeRegistry`` (the automatic catalogue of the index).
        today: the reference date.
        files: restrict to these notice files.
    """
    wanted = set(files) if files is not None else None
    dated: list[tuple[dt.date, DeadlineRow]] = []
    for rec in registry.records:
        if wanted is not None and rec.file not in wanted:
            continue
        for d in rec.deadlines:
            date = parse_date(d.get("date"))
            if date is None:
                continue
            when = date.isoformat() + (f" {d['time']}" if d.get("time") else "")
            what = str(d.get("what") or "申报截止")
            dated.append((date, DeadlineRow(rec.title, what, when, days_left_label(date, today), rec.file)))
    still_open = sorted((x for x in dated if x[0] >= today), key=lambda x: x[0])
    closed = sorted((x for x in dated if x[0] < today), key=lambda x: x[0], reverse=True)
    return [row for _, row in still_open + closed]


def title_files(snapshot: Any) -> dict[str, str]:
    """Document title → notice file, from an index snapshot."""
    return {str(d.get("title")): name for name, s in snapshot.sources.items() for d in s.documents
            if d.get("title")}


KIND_LABELS_CN = {"call": "申报通知", "policy": "政策措施", "list": "名单公示", "event": "活动培训",
                  "consultation": "征求意见", "other": "其他"}


def notice_rows(snapshot: Any, registry: Any, titles: Mapping[str, str] | None = None,
                today: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per catalogued document: title, kind, status, file, region, year, programmes (by title when
    known), clause count, issuer, 文号, date, phones."""
    titles = titles or {}
    today = today or dt.date.today()
    chunks = {str(d.get("doc_id") or d.get("title")): int(d.get("chunks", 0))
              for s in snapshot.sources.values() for d in s.documents}
    rows: list[dict[str, Any]] = []
    for r in registry.records:
        rows.append({
            "公告": r.title,
            "类型": KIND_LABELS_CN.get(r.kind, r.kind) + ("（附件）" if r.parent else ""),
            "状态": r.status(today).label,
            "文件": r.file,
            "地区": r.region or "",
            "年度": str(r.year or ""),
            "项目": "、".join(titles.get(p["id"], p.get("name") or p["id"]) for p in r.programmes),
            "条款数": chunks.get(r.notice_id, chunks.get(r.title, 0)),
            "发文单位": r.issuer or "",
            "文号": r.doc_number or "",
            "发布日期": r.published or "",
            "电话": "、".join(r.phones),
        })
    return rows


def criteria_rows(result: Mapping[str, Any]) -> list[dict[str, str]]:
    """The per-criterion table of one checker result (its ``to_json()``): mark, condition, clause."""
    rows = []
    for c in result.get("criteria", []) or []:
        ref = c.get("reference") or {}
        status = str(c.get("status", "unknown"))
        rows.append({
            "结果": f"{STATUS_MARKS.get(status, '？')} {STATUS_LABELS.get(status, status)}",
            "条件": str(c.get("description", "")),
            "类型": KIND_LABELS.get(str(c.get("kind", "")), str(c.get("kind", ""))),
            "依据": f"《{ref.get('notice', '')}》{ref.get('section', '')}",
            "原文": squash(str(ref.get("quote", ""))),
            "说明": str(c.get("note") or ""),
        })
    return rows


def citations_html(citations: Sequence[Any]) -> str:
    """An earlier answer's quoted clauses as one block (notice, section, the verbatim quote each): the chat
    page shows earlier turns with one element per answer instead of several per citation."""
    parts = []
    for c in citations:
        parts.append(f"<p><b>《{safe_html(c.notice)}》</b> {safe_html(c.section)}</p>"
                     f"<blockquote>{safe_html(c.quote)}</blockquote>")
    return "".join(parts)


def criteria_html(result: Mapping[str, Any]) -> str:
    """:func:`criteria_rows` as one HTML table (an earlier ruling's table without a dataframe element)."""
    rows = criteria_rows(result)
    if not rows:
        return ""
    head = "".join(f"<th>{safe_html(k)}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{safe_html(v)}</td>" for v in r.values()) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def copy_text(title: str, section: str, text: str) -> str:
    """A clause as a ready-to-paste hotline answer with its citation."""
    return f"根据《{title}》{section}：“{squash(text)}”"


def section_groups(chunks: Sequence[Any]) -> list[tuple[str, list[Any]]]:
    """A document's chunks grouped by top-level heading, in document order (the viewer's navigation)."""
    groups: list[tuple[str, list[Any]]] = []
    for c in sorted(chunks, key=lambda c: c.position):
        head = c.section_path[0] if c.section_path else "（正文）"
        if not groups or groups[-1][0] != head:
            groups.append((head, []))
        groups[-1][1].append(c)
    return groups


def heading_repeated(heading: str, text: str) -> bool:
    """Whether a clause starts with its own heading ("3." before "3．项目…"), so the viewer need not repeat it."""
    h = unicodedata.normalize("NFKC", heading).strip()
    return bool(h) and unicodedata.normalize("NFKC", text).lstrip().startswith(h)


def section_anchor(doc_id: str, section: str) -> str:
    """A stable HTML anchor id for a section of a document."""
    import hashlib

    return "s-" + hashlib.sha1(f"{doc_id}|{section}".encode()).hexdigest()[:10]


def json_text(value: Any) -> str:
    """A value as compact JSON (Chinese kept)."""
    import json

    return json.dumps(value, ensure_ascii=False)


def parse_json_object(text: str, what: str) -> dict[str, Any]:
    """A JSON object typed in a form (InputError in Chinese otherwise)."""
    import json

    from assistant.errors import InputError

    try:
        value = json.loads(text or "")
    except json.JSONDecodeError as exc:
        raise InputError(f"{what}不是合法的 JSON（{exc.msg}）。") from None
    if not isinstance(value, dict):
        raise InputError(f"{what}应为 JSON 对象。")
    return value
