"""项目匹配: an applicant (form, pasted company record or JSON) against every programme of the catalogue — a table
per group with verdict badges, the clause behind each ruling, the questions still open, CSV/Markdown export.

Thin: reading the profile, ruling and exporting are ``assistant.matching``'s.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from assistant.errors import ShenbaoError
from ui import present, state

FORM_FIELDS = ("entity_type", "organization_name", "registered_place", "registered_date",
               "independent_legal_person", "qualifications_held", "qualifications_not_held", "industry",
               "annual_revenue_wan", "rd_expense_wan", "employee_count", "invention_patent_count",
               "dishonest_listed", "serious_violation")
UNKNOWN = "（未知）"
BADGE_COLORS = {"eligible": "green", "needs_info": "orange", "unchecked": "gray", "ineligible": "red"}
FIRST_ROWS = 30


def _widget(f: dict[str, Any]) -> Any:
    """One form widget for a profile field; None when left unknown."""
    label, helptext, kind = f["label"] or f["name"], f.get("question"), f.get("type")
    key = f"mf-{f['name']}"
    labels = {c["value"]: c["label"] for c in f.get("choices") or []}
    if kind == "choice":
        v = st.selectbox(label, [UNKNOWN, *labels], format_func=lambda x: labels.get(x, x), key=key, help=helptext)
        return None if v == UNKNOWN else v
    if kind == "multi_choice":
        return st.multiselect(label, list(labels), format_func=lambda x: labels.get(x, x), key=key,
                              help=helptext, placeholder="未知则不选") or None
    if kind == "yes_no":
        v = st.radio(label, [UNKNOWN, "是", "否"], horizontal=True, key=key, help=helptext)
        return None if v == UNKNOWN else v == "是"
    if kind in ("number", "integer"):
        return st.number_input(label, value=None, min_value=0.0 if kind == "number" else 0,
                               step=1.0 if kind == "number" else 1, key=key, help=helptext)
    v = st.text_input(label, key=key, help=helptext,
                      placeholder="YYYY-MM-DD（只知道年月可写 YYYY-MM）" if kind == "date" else "")
    return v.strip() or None


def _form_facts() -> dict[str, Any] | None:
    from assistant.eligibility import ApplicantProfile

    schema = {f["name"]: f for f in ApplicantProfile.form_schema()}
    facts: dict[str, Any] = {}
    with st.form("match-form"):
        cols = st.columns(2)
        for i, name in enumerate(FORM_FIELDS):
            with cols[i % 2]:
                value = _widget(schema[name])
            if value is not None:
                facts[name] = value
        submitted = st.form_submit_button("匹配全部项目", type="primary")
    return facts if submitted else None


def _pasted() -> str | None:
    with st.form("match-paste"):
        text = st.text_area("企业信息", height=260, key="match-record",
                            placeholder="粘贴工商信息页面的内容（企业名称、成立日期、注册地址、所属行业、企业规模、资质……），"
                                        "或 JSON 对象，如 {\"registered_place\": \"雄安新区\"}")
        submitted = st.form_submit_button("匹配全部项目", type="primary")
    return text if submitted else None


def _clause_lines(row: dict[str, Any]) -> None:
    """What a ruling rests on: failing clauses with the facts they contradict, else the conditions read."""
    refs = row["failing"] or row["conditions"]
    for c in refs:
        mark = {"met": "✓", "not_met": "✗", "unknown": "？"}.get(c.get("status", ""), "·")
        st.markdown(present.safe_html(f"{mark} {c['description']}"), unsafe_allow_html=True)
        st.markdown(f"<blockquote>《{present.safe_html(c['notice'])}》{present.safe_html(c['section'])}："
                    f"{present.safe_html(c['quote'])}</blockquote>", unsafe_allow_html=True)
        for f in c.get("facts") or []:
            st.caption(f"{f['label']}：{f['value']}（{f['source']}）")
    if not refs:
        st.caption(row["note"] or "没有可显示的条款。")


def _row(row: dict[str, Any], i: int) -> None:
    name = row["notice_title"] if row["programme_name"] == row["notice_title"] else \
        f"{row['notice_title']} · {row['programme_name']}"
    with st.container(border=True):
        left, right = st.columns([5, 2])
        with left:
            st.markdown(f"**{present.safe_html(name)}**", unsafe_allow_html=True)
            st.caption(f"{row['status_label']} · {row['rules_label']}")
            for m in row["missing"]:
                st.markdown(present.safe_html(f"？ {m['question']}"), unsafe_allow_html=True)
            if row["verdict"] in ("unchecked", "eligible") and row["note"]:
                st.caption(row["note"])
        with right:
            st.badge(row["verdict_label"], color=BADGE_COLORS[row["verdict"]])  # type: ignore[arg-type]
            with st.popover("依据条款", width="stretch"):
                _clause_lines(row)


def _show(report: Any) -> None:
    from assistant.matching.report import GROUP_ORDER, GROUP_TITLES

    data = report.to_json()
    counts = data["counts"]
    summary = "；".join(f"{GROUP_TITLES[g].split('（')[0]} {sum(counts[g].values())} 项" for g in GROUP_ORDER
                       if g in counts)
    st.success(f"已匹配（{report.date}）：{summary}。结论由规则逐条校验得出，每条对应公告原文。")
    with st.expander(f"申请人信息及来源（{len(report.facts)} 项）", expanded=False):
        for f in report.facts:
            st.markdown(present.safe_html(f"· {f['label']}：{f['value']} ← {f['source']}"), unsafe_allow_html=True)
        for u in report.unused:
            st.caption(f"未使用：{u['text'][:60]} —— {u['reason']}")
    c1, c2 = st.columns(2)
    c1.download_button("导出 CSV", report.to_csv().encode("utf-8"), file_name=f"项目匹配-{report.date}.csv",
                       mime="text/csv", key="match-csv", icon=":material/download:")
    c2.download_button("导出 Markdown", report.to_markdown().encode("utf-8"),
                       file_name=f"项目匹配-{report.date}.md", mime="text/markdown", key="match-md",
                       icon=":material/download:")
    show_all = st.toggle("显示全部项目", value=False, key="match-all")
    for g in GROUP_ORDER:
        rows = data["groups"][g]
        if not rows:
            continue
        st.subheader(f"{GROUP_TITLES[g]}（{len(rows)}）")
        for i, row in enumerate(rows if show_all else rows[:FIRST_ROWS]):
            _row(row, i)
        if not show_all and len(rows) > FIRST_ROWS:
            st.caption(f"另有 {len(rows) - FIRST_ROWS} 项，打开“显示全部项目”或导出查看。")


st.title("项目匹配")
st.caption("填写或粘贴企业信息，逐个判定公告目录中的全部申报项目：符合 / 需补充信息 / 不符合（附原文条款）。"
           "未提供的信息按“未知”处理，只会列为需补充的问题，不会当作不符合。")
with state.user_errors():
    from assistant.matching import MatchService, profile_from_facts, read_profile_text

    day = st.date_input("按哪一天判断申报状态", value=dt.date.today(), key="match-date")
    open_only = st.toggle("只看正在申报的通知", value=False, key="match-open")
    form_tab, paste_tab = st.tabs(["填写表单", "粘贴企业信息 / JSON"])
    profile = None
    with form_tab:
        facts = _form_facts()
        if facts is not None:
            profile = ("form", facts)
    with paste_tab:
        text = _pasted()
        if text is not None:
            profile = ("paste", text)
    if profile is not None:
        try:
            kind, value = profile
            sp = profile_from_facts(value, "表单") if kind == "form" else read_profile_text(value)
            report = MatchService(settings=state.settings()).run(sp, today=day, open_only=open_only)
        except ShenbaoError as exc:
            st.error(str(exc))
        else:
            st.session_state["match-report"] = report
    saved = st.session_state.get("match-report")
    if saved is not None:
        _show(saved)
