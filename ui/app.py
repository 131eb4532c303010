"""The web page of shenbao: ``streamlit run ui/app.py`` (or ``make run``).

Five pages over the same ``assistant`` package: 申报咨询 (chat), 资格自查 (eligibility form), 项目匹配 (the
applicant against every programme), 条款检索 (hotline clause lookup with the notice viewer) and 公告管理 (notice admin and feedback export).
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run ui/app.py` puts ui/ on sys.path, not the project root that holds `assistant` and `ui`.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from ui import components, state  # noqa: E402

st.set_page_config(page_title="申报助手", page_icon=":material/description:", layout="wide")

pages = [
    st.Page(state.CHAT_PAGE, title="申报咨询", icon=":material/chat:", url_path="chat", default=True),
    st.Page(state.CHECK_PAGE, title="资格自查", icon=":material/task_alt:", url_path="check"),
    st.Page(state.MATCH_PAGE, title="项目匹配", icon=":material/checklist:", url_path="match"),
    st.Page(state.LOOKUP_PAGE, title="条款检索", icon=":material/search:", url_path="lookup"),
    st.Page(state.ADMIN_PAGE, title="公告管理", icon=":material/folder_open:", url_path="admin"),
]
page = st.navigation(pages)
st.sidebar.markdown("**申报助手** · 科技项目申报政策咨询")
components.mode_indicator()
page.run()
