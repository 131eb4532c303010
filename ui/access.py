"""Who is logged in, and which pages they may see (the role table is ``assistant/auth/roles.py``).

The login form is our own over the shared bcrypt account store rather than streamlit-authenticator: that
library keeps its own credentials dict (it expects a YAML file it rewrites with login state), so it could
not share the one store that ``shenbao user`` and the API keys use, and it restores sessions through a
cookie component (an iframe) that Streamlit's AppTest cannot run. bcrypt (the library) does the hashing;
:class:`assistant.auth.LoginGuard` does the lockout and expiry, and is shared by every browser session of
the server, so opening a new tab does not reset the failure count.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from assistant.auth import AuthSettings, AuthStore, LoginGuard, Role, WebSession, can
from ui import state

log = logging.getLogger("shenbao.ui")
UI_DIR = Path(__file__).resolve().parent
SESSION_KEY = "auth"


@dataclass(frozen=True)
class PageSpec:
    """A page and the capability needed to see it (None: everyone)."""

    path: str
    title: str
    icon: str
    url_path: str
    capability: str | None
    default: bool = False


PAGES = (
    PageSpec(state.CHAT_PAGE, "申报咨询", ":material/chat:", "chat", "chat", default=True),
    PageSpec(state.CHECK_PAGE, "资格自查", ":material/task_alt:", "check", "check"),
    PageSpec(state.MATCH_PAGE, "项目匹配", ":material/join_inner:", "match", "match"),
    PageSpec(state.LOOKUP_PAGE, "条款检索", ":material/search:", "lookup", "lookup"),
    PageSpec(state.RULES_PAGE, "规则核对", ":material/rule:", "rules", "rule_review"),
    PageSpec(state.FEEDBACK_PAGE, "用户反馈", ":material/reviews:", "feedback", "feedback_view"),
    PageSpec(state.ADMIN_PAGE, "公告管理", ":material/folder_open:", "admin", "upload"),
    PageSpec(state.USERS_PAGE, "用户管理", ":material/group:", "users", "users"),
    PageSpec(state.LOGIN_PAGE, "工作人员登录", ":material/login:", "login", None),
)


def auth_settings() -> AuthSettings:
    """Login settings of this server (environment, read at first use)."""
    return AuthSettings.from_env(state.settings())


@st.cache_resource(show_spinner=False)
def _guard(store_path: str) -> LoginGuard:
    settings = auth_settings()
    return LoginGuard(AuthStore(Path(store_path)), settings)


def guard() -> LoginGuard:
    """The process-wide login guard of the current data dir."""
    return _guard(str(auth_settings().store_path))


def current() -> WebSession | None:
    """This browser session's login, if still valid (expired or revoked ones are dropped here)."""
    session = st.session_state.get(SESSION_KEY)
    if not isinstance(session, WebSession):
        return None
    if guard().validate(session) is None:
        del st.session_state[SESSION_KEY]
        st.session_state["auth_notice"] = "登录已过期或账户已变更，请重新登录。"
        return None
    return session


def role() -> Role | None:
    """The current role (None: anonymous applicant)."""
    s = current()
    return s.role if s else None


def allowed(capability: str) -> bool:
    """Whether the current user may use ``capability``."""
    return can(role(), capability)


def require(capability: str) -> None:
    """Stop the page unless the current user may use ``capability`` (pages also leave the menu)."""
    if not allowed(capability):
        st.error("此页面需要工作人员登录。")
        st.stop()


def available(spec: PageSpec) -> bool:
    """A page exists (the match page appears once it is built)."""
    return (UI_DIR / spec.path).exists()


def visible_pages() -> list[PageSpec]:
    """The pages the current user may see, in menu order."""
    r = role()
    return [p for p in PAGES if available(p) and (p.capability is None or can(r, p.capability))]


def _client() -> str:
    ip = getattr(st.context, "ip_address", None)
    return f"ip:{ip}" if ip else "web"


def login(username: str, password: str) -> WebSession:
    """Log this browser session in (raises AuthError / RateLimitedError with a Chinese message)."""
    session = guard().run(username, password, client=_client())
    st.session_state[SESSION_KEY] = session
    st.session_state.pop("auth_notice", None)
    return session


def logout() -> None:
    """End this browser session's login."""
    s = st.session_state.pop(SESSION_KEY, None)
    if isinstance(s, WebSession):
        log.info("logout: user=%r", s.username)
