"""用户反馈 (staff): counts and the latest judgements of answers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from ui import access, state

access.require("feedback_view")
st.title("用户反馈")
store = state.feedback_store()
with state.user_errors():
    counts = store.counts()
    c1, c2, c3 = st.columns(3)
    c1.metric("有用", counts["up"])
    c2.metric("无用", counts["down"])
    c3.metric("更正", counts["corrections"])
    entries = store.entries()
    if not entries:
        st.info("还没有反馈。")
    else:
        st.dataframe(pd.DataFrame([
            {"时间": dt.datetime.fromtimestamp(e.created).strftime("%Y-%m-%d %H:%M"), "问题": e.question,
             "评价": "有用" if e.rating == "up" else "无用", "更正": e.correction or ""}
            for e in reversed(entries[-200:])
        ]), hide_index=True, width="stretch")
    if not access.allowed("feedback_export"):
        st.caption("导出为评测数据需要管理员权限（“公告管理”页）。")
