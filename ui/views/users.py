"""用户管理 (admin): staff and admin accounts, and API keys (a new key is shown once)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from assistant.auth import AuthStore
from assistant.errors import ShenbaoError
from ui import access

access.require("users")
me = access.current()
store = AuthStore(access.auth_settings().store_path)


def _when(t: float | None) -> str:
    return dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M") if t else ""


st.title("用户管理")
st.subheader("账户")
users = store.users()
st.dataframe(pd.DataFrame([{"用户名": u.username, "角色": u.role.label, "创建": _when(u.created),
                            "更新": _when(u.updated)} for u in users]), hide_index=True, width="stretch")

c1, c2 = st.columns(2)
with c1, st.form("user_add", clear_on_submit=True):
    st.markdown("**新建账户**")
    name = st.text_input("用户名", key="new_user")
    role = st.selectbox("角色", ["staff", "admin"], format_func=lambda r: {"staff": "工作人员", "admin": "管理员"}[r],
                        key="new_role")
    pw1 = st.text_input("密码（至少 8 个字符）", type="password", key="new_pw1")
    pw2 = st.text_input("再输入一次", type="password", key="new_pw2")
    if st.form_submit_button("新建", type="primary"):
        try:
            if pw1 != pw2:
                st.error("两次输入的密码不一致。")
            else:
                store.add_user(name.strip(), pw1, role)
                st.success(f"已新建账户 {name.strip()}。")
                st.rerun()
        except ShenbaoError as exc:
            st.error(str(exc))
with c2, st.form("user_edit", clear_on_submit=True):
    st.markdown("**修改或删除账户**")
    names = [u.username for u in users]
    target = st.selectbox("账户", names, key="edit_user") if names else None
    new_pw = st.text_input("新密码（留空则不改）", type="password", key="edit_pw")
    remove = st.checkbox("删除该账户", key="edit_remove")
    if st.form_submit_button("保存") and target:
        try:
            if remove:
                if me is not None and target == me.username:
                    st.error("不能删除当前登录的账户。")
                else:
                    store.remove_user(target)
                    st.success(f"已删除账户 {target}。")
                    st.rerun()
            elif new_pw:
                store.set_password(target, new_pw)
                st.success(f"已修改 {target} 的密码。")
        except ShenbaoError as exc:
            st.error(str(exc))

st.subheader("API 密钥")
st.caption("供 Open WebUI 等前端或脚本调用 HTTP API（`Authorization: Bearer <密钥>`）。密钥只在创建时显示一次，"
           "库中只存摘要。")
keys = store.api_keys()
st.dataframe(pd.DataFrame([{"编号": k.key_id, "角色": k.role.label, "备注": k.label, "创建": _when(k.created),
                            "状态": "已撤销" if k.revoked else "有效"} for k in keys]), hide_index=True, width="stretch")
k1, k2 = st.columns(2)
with k1, st.form("key_create", clear_on_submit=True):
    krole = st.selectbox("角色", ["staff", "admin"], key="key_role",
                         format_func=lambda r: {"staff": "工作人员", "admin": "管理员"}[r])
    label = st.text_input("备注（如 Open WebUI）", key="key_label", max_chars=100)
    if st.form_submit_button("新建密钥"):
        try:
            key, rec = store.create_key(krole, label)
            st.session_state["new_key"] = (rec.key_id, key)
        except ShenbaoError as exc:
            st.error(str(exc))
new = st.session_state.pop("new_key", None)
if new:
    st.warning(f"新密钥 {new[0]}：请现在复制保存，离开本页后不再显示。")
    st.code(new[1], language=None)
with k2, st.form("key_revoke", clear_on_submit=True):
    live = [k.key_id for k in keys if not k.revoked]
    kid = st.selectbox("撤销密钥", live, key="revoke_id") if live else None
    if st.form_submit_button("撤销") and kid:
        try:
            store.revoke_key(kid)
            st.success(f"已撤销密钥 {kid}。")
            st.rerun()
        except ShenbaoError as exc:
            st.error(str(exc))
