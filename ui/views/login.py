"""工作人员登录: staff and admins log in here; applicants need no account."""

from __future__ import annotations

import streamlit as st

from assistant.errors import AuthError, RateLimitedError
from ui import access, present

st.title("工作人员登录")
session = access.current()
if session is not None:
    st.success(f"已登录：{session.username}（{session.role.label}）")
    if st.button("退出登录", key="logout_page", icon=":material/logout:"):
        access.logout()
        st.rerun()
    st.stop()

notice = st.session_state.pop("auth_notice", None)
if notice:
    st.info(notice)
st.caption("申报人无需登录即可使用“申报咨询”和“资格自查”。工作人员账户由管理员用 `shenbao user add` 创建。")
with st.form("login", clear_on_submit=False):
    username = st.text_input("用户名", key="login_user", max_chars=64)
    password = st.text_input("密码", type="password", key="login_password", max_chars=200)
    go = st.form_submit_button("登录", type="primary")
if go:
    try:
        s = access.login(username, password)
    except RateLimitedError as exc:
        st.error(str(exc))
    except AuthError as exc:
        st.error(str(exc))
    else:
        st.session_state.pop("login_password", None)
        st.success(f"欢迎，{present.safe_label(s.username)}。")
        st.rerun()
