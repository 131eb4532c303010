"""规则核对 (staff): every eligibility rule beside the clause it rests on, and whether that clause is still in
the indexed notices (a re-issued notice can change a clause a rule quotes)."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from assistant.errors import ShenbaoError
from ui import access, state

KIND_LABELS = {"hard": "硬性条件", "advisory": "一般要求", "reminder": "提醒"}
_WS = re.compile(r"\s+")

access.require("rule_review")
st.title("规则核对")
st.caption("每条资格规则及其依据的公告原文；“原文在索引中”为否的规则需要核对（公告可能已更新）。")
with state.user_errors():
    from assistant.eligibility import EligibilityChecker, list_programmes

    checker = EligibilityChecker()
    progs = {p["id"]: p for p in list_programmes()}
    try:
        indexed = "\n".join(_WS.sub("", c.text) for c in state.index().chunks)
    except ShenbaoError:
        indexed = None
    pid = st.selectbox("项目", list(progs), key="rules_programme",
                       format_func=lambda x: f"{progs[x]['title']}（{progs[x]['notice']}）")
    prog = checker.programme(pid)
    rows = []
    for c in prog.criteria:
        quote = c.reference.quote
        rows.append({
            "规则": c.id, "条件": c.description, "类型": KIND_LABELS.get(c.kind, c.kind),
            "依据": f"《{c.reference.notice}》{c.reference.section}", "原文": quote,
            "原文在索引中": "—" if indexed is None else ("是" if _WS.sub("", quote) in indexed else "否"),
        })
    missing = sum(1 for r in rows if r["原文在索引中"] == "否")
    c1, c2 = st.columns(2)
    c1.metric("规则条数", len(rows))
    c2.metric("原文未找到", missing)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
