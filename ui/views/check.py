"""资格自查: choose a programme, fill the applicant form (from the profile model), get the ruling."""

from __future__ import annotations

from typing import Any

import streamlit as st

from assistant.errors import ShenbaoError
from ui import components, state

GROUPS = {"unit": "申报单位", "platform": "平台与机构", "partner": "合作方", "project": "项目",
          "person": "负责人/申请人"}
UNKNOWN = "（未知）"
YES, NO = "是", "否"


def _programmes() -> list[Any]:
    from assistant.eligibility import list_programmes

    return list(list_programmes())


def _field_widget(f: dict[str, Any], key: str) -> Any:
    """One form widget for a profile field; returns the value, None when left unknown."""
    label, helptext, kind = f["label"] or f["name"], f.get("question"), f.get("type")
    choices = f.get("choices") or []
    if kind == "choice":
        options = [UNKNOWN, *[c["value"] for c in choices]]
        labels = {c["value"]: c["label"] for c in choices}
        v = st.selectbox(label, options, format_func=lambda x: labels.get(x, x), key=key, help=helptext)
        return None if v == UNKNOWN else v
    if kind == "multi_choice":
        labels = {c["value"]: c["label"] for c in choices}
        hint = "未知则不选；没有请选“无”" if "none" in labels else "未知则不选"
        v = st.multiselect(label, [c["value"] for c in choices], format_func=lambda x: labels.get(x, x),
                           key=key, help=helptext, placeholder=hint)
        return v or None
    if kind == "yes_no":
        v = st.radio(label, [UNKNOWN, YES, NO], horizontal=True, key=key, help=helptext)
        return None if v == UNKNOWN else v == YES
    if kind in ("number", "integer"):
        v = st.number_input(label, value=None, min_value=0.0 if kind == "number" else 0,
                            step=1.0 if kind == "number" else 1, key=key, help=helptext)
        return v
    if kind == "list":
        v = st.text_input(label, key=key, help=(helptext or "") + "（多项用顿号或逗号分隔）")
        return [x.strip() for x in v.replace("，", ",").replace("、", ",").split(",") if x.strip()] or None
    placeholder = "YYYY-MM-DD（只知道年月可写 YYYY-MM）" if kind == "date" else ""
    v = st.text_input(label, key=key, help=helptext, placeholder=placeholder)
    return v.strip() or None


def _form(programme_id: str, wanted: set[str] | None) -> dict[str, Any] | None:
    """The applicant form; returns the stated facts when submitted."""
    from assistant.eligibility import ApplicantProfile

    schema = ApplicantProfile.form_schema()
    facts: dict[str, Any] = {}
    with st.form(f"profile-{programme_id}"):
        for group, title in GROUPS.items():
            fields = [f for f in schema
                      if f.get("group") == group and (wanted is None or f["name"] in wanted)]
            if not fields:
                continue
            with st.expander(title, expanded=group == "unit" or wanted is not None):
                cols = st.columns(2)
                for i, f in enumerate(fields):
                    with cols[i % 2]:
                        value = _field_widget(f, key=f"pf-{f['name']}")
                    if value is not None:
                        facts[f["name"]] = value
        submitted = st.form_submit_button("判断能否申报", type="primary")
    return facts if submitted else None


def _show_result(result: dict[str, Any]) -> None:
    components.verdict_badge(result.get("verdict"))
    st.caption("结论由规则逐条校验得出，每条条件均对应公告原文。")
    components.programme_result(result)
    components.follow_up_questions(result.get("questions") or [], "**还需要以下信息才能判定：**")


def _hand_over(programme: dict[str, Any], facts: dict[str, Any]) -> None:
    """Continue in the chat with these facts: the conversation knows the programme and the answers."""
    session = state.chat_session()
    session.facts.update(facts)
    session.programme_id = programme["id"]
    session.pending_eligibility = True
    st.session_state["pending_question"] = f"我们能申报{programme['title']}吗？"


def _facts_read(checker: Any, programme_id: str) -> set[str]:
    """The profile fields a programme's criteria read (its rule data), for a short form."""
    prog = checker.programme(programme_id)
    return {f for c in prog.criteria for f in (*c.facts, *c.when, *c.unless)}


st.title("资格自查")
st.caption("选择要申报的项目，填写单位和项目情况；不清楚的项留空（按“未知”处理，结论为“需补充信息”，不会猜测）。")
with state.user_errors():
    from assistant.eligibility import ApplicantProfile, EligibilityChecker, list_programmes

    checker = EligibilityChecker()
    by_id = {p["id"]: p for p in list_programmes()}
    pid = st.selectbox("申报项目", list(by_id), key="check_programme",
                       format_func=lambda x: f"{by_id[x]['title']}（{by_id[x]['notice']}）")
    prog = by_id[pid]
    only_needed = st.toggle("只显示该项目用到的条件", value=True, key="only_needed")
    facts = _form(pid, _facts_read(checker, pid) if only_needed else None)
    if facts is not None:
        try:
            profile = ApplicantProfile.from_facts(facts)
            result = checker.run(pid, profile)
        except ShenbaoError as exc:
            st.error(str(exc))
        else:
            st.session_state["check_result"] = (pid, result.to_json(), profile.known())
    saved = st.session_state.get("check_result")
    if saved and saved[0] == pid:
        _, result_json, known = saved
        _show_result(result_json)
        if st.button("在咨询中继续（带上以上信息）", key="handover", icon=":material/chat:"):
            _hand_over(prog, known)
            st.switch_page(state.CHAT_PAGE)
