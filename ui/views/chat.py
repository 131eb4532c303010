"""申报咨询: the applicant's chat — cited answers, rulings with their clauses, follow-up questions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import streamlit as st

from assistant.models import AnswerRecord
from ui import components, state


def _ask_later(question: str) -> None:
    st.session_state["pending_question"] = question


def _streamed(service: Any, question: str, session: Any) -> AnswerRecord:
    """LLM mode: show the model's text as it is written, then replace it by the checked record."""
    items = service.ask_stream(question, session)  # InputError here, before anything is shown
    result: dict[str, AnswerRecord] = {}

    def deltas() -> Iterator[str]:
        for item in items:
            if isinstance(item, AnswerRecord):
                result["record"] = item
            else:
                yield item

    live = st.empty()
    with live.container():
        st.write_stream(deltas())
    live.empty()  # the record is authoritative (it may be the offline fallback)
    return result["record"]


session = state.chat_session()
conv = state.conversation_id()

st.title("申报咨询")
st.caption("依据已收录的项目申报通知/指南作答：每个回答都附公告原文条款；能否申报由规则逐条校验，不作猜测。")

with st.sidebar:
    if st.button("新对话（清空）", key="reset", icon=":material/refresh:", width="stretch"):
        state.reset_chat()
        session = state.chat_session()
        conv = state.conversation_id()
    st.markdown("**示例问题**")
    for i, ex in enumerate(state.example_questions()):
        st.button(ex, key=f"example-{i}", on_click=_ask_later, args=(ex,), width="stretch")
    with st.expander("申报截止时间", expanded=False):
        components.deadlines_table()

history = list(session.history)
# a question is being asked in this run (typed, or an example clicked): then no earlier answer is the newest
asking = bool(st.session_state.get("pending_question") or st.session_state.get("chat_question"))
if not history:
    with st.chat_message("assistant"):
        st.markdown("您好！我可以回答科技项目申报通知中的问题，例如申报条件、资助额度、截止时间、联系人，"
                    "也可以判断贵单位能否申报。请在下方输入问题，或点击左侧的示例问题。")

for i, (q, rec) in enumerate(history):
    with st.chat_message("user"):
        components.text(q)
    with st.chat_message("assistant"):
        # only the newest answer is drawn whole; earlier ones cheaply (every rerun redraws them all)
        latest = i == len(history) - 1 and not asking
        components.render_answer(q, rec, [h[0] for h in history[:i]], key=f"{conv}-{i}", latest=latest)

typed = st.chat_input("请输入您的问题，例如“我们是2023年注册的企业，能申报吗？”", max_chars=2000,
                      key="chat_question")
question = typed or st.session_state.pop("pending_question", None)
if question:
    with st.chat_message("user"):
        components.text(question)
    with st.chat_message("assistant"), state.user_errors():
        service = state.service()
        turns = [h[0] for h in session.history]
        if service.use_llm:
            record = _streamed(service, question, session)
        else:
            with st.spinner("正在检索公告并核对条款…"):
                record = service.ask(question, session)
        components.render_answer(session.history[-1][0] if session.history else question, record, turns,
                                 key=f"{conv}-{len(session.history) - 1}")
