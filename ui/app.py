"""The web page of shenbao: ``streamlit run ui/app.py`` (or ``make run``).

Applicants (anonymous) see 申报咨询 (chat) and 资格自查 (eligibility form); staff who log in add 条款检索 (clause
lookup with the notice viewer), 规则核对 and 用户反馈; admins add 公告管理 (upload/delete/re-index/feedback
export) and 用户管理. A page a role may not see is not in the menu, so its URL leads to the default page;
each restricted page also checks the role itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run ui/app.py` puts ui/ on sys.path, not the project root that holds `assistant` and `ui`.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from ui import access, components  # noqa: E402

st.set_page_config(page_title="申报助手", page_icon=":material/description:", layout="wide")

session = access.current()
pages = [st.Page(p.path, title="账户" if (p.capability is None and session) else p.title, icon=p.icon,
                 url_path=p.url_path, default=p.default) for p in access.visible_pages()]
page = st.navigation(pages)
st.sidebar.markdown("**申报助手** · 科技项目申报政策咨询")
if session is not None:
    st.sidebar.caption(f"已登录：{session.username}（{session.role.label}）")
    if st.sidebar.button("退出登录", key="logout", icon=":material/logout:"):
        access.logout()
        st.rerun()
components.mode_indicator()
page.run()
