"""Streamlit pieces shared by the pages: answer rendering, citation cards, verdict, feedback, deadlines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
import pyarrow as pa
import streamlit as st

from assistant.answer.composer import squash
from assistant.errors import ShenbaoError
from assistant.models import AnswerRecord
from ui import present, state


def mode_indicator() -> None:
    """离线 or the model name, in the sidebar (the key is never shown)."""
    s = state.settings()
    label = present.mode_label(s.llm_enabled, s.llm_model)
    if s.llm_enabled:
        st.sidebar.badge(label, icon=":material/smart_toy:", color="blue")
    else:
        st.sidebar.badge(label, icon=":material/cloud_off:", color="gray")


def text(body: str) -> None:
    """Notice or answer text shown verbatim (no Markdown interpretation)."""
    st.markdown(present.safe_html(body), unsafe_allow_html=True)


def verdict_badge(verdict: str | None) -> None:
    """符合 / 不符合 / 需补充信息 as a coloured badge."""
    if verdict:
        st.badge(present.verdict_label(verdict), color=present.verdict_color(verdict))  # type: ignore[arg-type]


def _viewer_link(notice: str, section: str) -> None:
    """A link opening the notice viewer of the lookup page at this section."""
    from ui import access

    if not access.allowed("lookup"):
        return  # the notice viewer lives on the staff's lookup page
    doc_id = _doc_of(notice, section)
    if doc_id:
        st.page_link(state.LOOKUP_PAGE, label="在公告原文中查看该章节", icon=":material/article:",
                     query_params={"doc": doc_id, "section": section})


def _doc_of(notice: str, section: str) -> str | None:
    """The document id of a cited notice title (prefer a document that has the cited section)."""
    try:
        docs = state.title_sections()
    except ShenbaoError:
        return None
    candidates = docs.get(notice, [])
    for doc_id, sections in candidates:
        if any(s == section or s.startswith(section) for s in sections):
            return doc_id
    return candidates[0][0] if candidates else None


def citation_cards(record: AnswerRecord) -> None:
    """One expander per quoted clause: notice, section path, the verbatim quote, a link to the section."""
    if not record.citations:
        return
    st.caption(f"引用条款（{len(record.citations)}）")
    for c in record.citations:
        with st.expander(present.safe_label(f"《{c.notice}》 {c.section}"), expanded=False):
            st.markdown(f"**公告**：{present.safe_html(c.notice)}", unsafe_allow_html=True)
            st.markdown(f"**章节**：{present.safe_html(c.section)}", unsafe_allow_html=True)
            st.markdown(f"<blockquote>{present.safe_html(c.quote)}</blockquote>", unsafe_allow_html=True)
            _viewer_link(c.notice, c.section)


def earlier_citations(record: AnswerRecord) -> None:
    """An earlier answer's quoted clauses: one collapsed expander holding one block (no card, link or
    element per citation), so a rerun of a long conversation does not redraw every card."""
    if not record.citations:
        return
    with st.expander(f"引用条款（{len(record.citations)}）", expanded=False):
        st.markdown(present.citations_html(record.citations), unsafe_allow_html=True)


def programme_result(res: dict[str, Any], latest: bool = True) -> None:
    """One checker result: programme and verdict, the decisive clauses, the per-criterion table (for an
    earlier answer: one HTML table in a collapsed expander instead of a dataframe)."""
    title = res.get("programme_title") or res.get("programme_id") or ""
    st.markdown(f"**{present.safe_html(str(title))}** — {present.verdict_label(res.get('verdict'))}",
                unsafe_allow_html=True)
    for c in res.get("criteria", []) or []:
        if c.get("status") == "not_met" and c.get("kind") != "advisory":
            # the decisive clause, readable without scanning the table
            ref = c.get("reference") or {}
            line = (f"✗ {c.get('description', '')}：依据《{ref.get('notice', '')}》"
                    f"{ref.get('section', '')}：“{squash(str(ref.get('quote', '')))}”")
            st.markdown(present.safe_html(line), unsafe_allow_html=True)
    if not latest:
        table = present.criteria_html(res)
        if table:
            with st.expander("逐条核对", expanded=False):
                st.markdown(table, unsafe_allow_html=True)
        return
    rows = present.criteria_rows(res)
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def follow_up_questions(questions: Sequence[str], lead: str) -> None:
    """The facts the checker still needs, as numbered questions."""
    if questions:
        st.markdown(lead)
        for i, q in enumerate(questions, 1):
            st.markdown(f"{i}. {present.safe_html(str(q))}", unsafe_allow_html=True)


def eligibility_block(record: AnswerRecord, latest: bool = True) -> None:
    """The ruling: badge, per-programme criterion table with its clauses, and the follow-up questions."""
    elig = record.eligibility or {}
    verdict_badge(record.verdict)
    for res in elig.get("results", []) or []:
        programme_result(res, latest)
    follow_up_questions(elig.get("questions") or [], "**请补充以下信息**（直接在下方回复即可）：")


def answer_body(record: AnswerRecord, latest: bool = True) -> None:
    """An answer: the ruling block for eligibility answers, the text otherwise; then its notices."""
    if record.verdict:
        # the offline answer repeats the criteria the table shows: its first line is enough;
        # a model's answer is its own phrasing and is shown whole
        text(record.answer.split("\n", 1)[0] if record.mode == "offline" else record.answer)
        eligibility_block(record, latest)
    else:
        text(record.answer)
    for n in record.notices:
        st.info(n)


def deadline_rows(files: Sequence[str] | None = None) -> list[present.DeadlineRow]:
    """The deadlines of the catalogued notices (or of the given files), relative to today."""
    cat = state.catalogue()
    return present.deadline_rows(cat, dt.date.today(), files) if cat is not None else []


@st.cache_resource(show_spinner=False, max_entries=256)
def _deadline_table(version: str, today: str, files: tuple[str, ...] | None) -> pa.Table:
    """The deadline table, once per index version, day and file set (not per rerun and answer); an Arrow
    table, which the page sends as is (a DataFrame is converted to Arrow on every rerun)."""
    del version, today  # only the cache key (the rows are read from the live catalogue, for today)
    return _arrow([r.as_row() for r in deadline_rows(files)])


def _arrow(rows: list[dict[str, str]]) -> pa.Table:
    return pa.Table.from_pylist(rows) if rows else pa.table({})


def deadline_table(files: Sequence[str] | None = None) -> pa.Table:
    """The rows of :func:`deadlines_table` (cached per index version and day)."""
    try:
        version = state.index_version()
    except ShenbaoError:
        return _arrow([r.as_row() for r in deadline_rows(files)])
    return _deadline_table(version, dt.date.today().isoformat(), tuple(files) if files is not None else None)


def deadlines_table(files: Sequence[str] | None = None) -> None:
    """The deadlines of the catalogued notices (or of the given files): 已截止 / 剩余N天."""
    table = deadline_table(files)
    if table.num_rows:
        st.dataframe(table, hide_index=True, width="stretch")
    elif files is None:
        st.caption("公告目录中没有截止时间。")


def cited_files(record: AnswerRecord) -> list[str]:
    """The notice files the citations of an answer come from."""
    try:
        by_title = state.title_files()
    except ShenbaoError:
        return []
    return list(dict.fromkeys(by_title[c.notice] for c in record.citations if c.notice in by_title))


def feedback_widget(question: str, record: AnswerRecord, turns: Sequence[str], key: str) -> None:
    """👍/👎 on an answer; 👎 opens an optional correction (and, for rulings, the right verdict)."""
    fb_key, id_key = f"fb-{key}", f"fbid-{key}"

    def _store() -> None:
        value = st.session_state.get(fb_key)
        if value is None:
            return
        rating = "up" if value == 1 else "down"
        store = state.feedback_store()
        try:
            if id_key in st.session_state:
                store.update(st.session_state[id_key], rating=rating)
            else:
                st.session_state[id_key] = store.add(question, record, rating, turns=turns)
        except ShenbaoError as exc:
            st.session_state[f"fberr-{key}"] = str(exc)

    st.feedback("thumbs", key=fb_key, on_change=_store)
    if err := st.session_state.pop(f"fberr-{key}", None):
        st.error(err)
    if st.session_state.get(fb_key) == 0 and id_key in st.session_state:
        with st.form(f"fbform-{key}", clear_on_submit=False, border=True):
            correction = st.text_area("更正（可选）：正确的答复是什么？", key=f"fbtext-{key}")
            verdict = None
            if record.verdict:
                choice = st.selectbox("正确的结论（可选）", ["（不确定）", "符合", "不符合", "需补充信息"],
                                      key=f"fbverdict-{key}")
                verdict = {"符合": "eligible", "不符合": "ineligible", "需补充信息": "needs_info"}.get(choice)
            quotes_ok = st.checkbox("引用的条款仍然适用于正确答复", value=True, key=f"fbquotes-{key}")
            if st.form_submit_button("提交更正"):
                try:
                    state.feedback_store().update(st.session_state[id_key], correction=correction,
                                                  expected_verdict=verdict, quotes_ok=quotes_ok)
                    st.success("已记录更正，谢谢！它将成为评测数据。")
                except ShenbaoError as exc:
                    st.error(str(exc))
    elif st.session_state.get(fb_key) == 1 and id_key in st.session_state:
        st.caption("已记录，谢谢！")


def answer_meta(record: AnswerRecord) -> None:
    """How the answer was produced and how long it took."""
    st.caption(f"{present.record_mode_label(record.mode)} · {record.latency_ms:.0f} ms")


def render_answer(question: str, record: AnswerRecord, turns: Sequence[str], key: str, latest: bool = True) -> None:
    """Everything under one answer: body, citations, deadlines of the cited notices, meta, feedback.

    Args:
        latest: the newest answer is shown whole; an earlier one (redrawn by every rerun of the page) cheaply:
            its citations and criteria collapsed into one block each, without viewer links or deadlines.
    """
    answer_body(record, latest)
    if latest:
        citation_cards(record)
        files = cited_files(record)
        if files and deadline_table(files).num_rows:
            with st.expander("相关公告的申报截止时间"):
                deadlines_table(files)
    else:
        earlier_citations(record)
    answer_meta(record)
    feedback_widget(question, record, turns, key)
