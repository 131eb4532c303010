"""Per-process resources (settings, answer service) and per-browser-session state of the web pages.

The answer service and the loaded index are shared by all sessions of the server (they are read-only and
thread-safe); the conversation (``Session``) lives in ``st.session_state`` so one user's facts never reach
another's ruling.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import streamlit as st

from assistant.answer import AnswerService, Session
from assistant.config import Settings, get_settings
from assistant.errors import IndexMissingError, ShenbaoError
from assistant.feedback import FeedbackStore

log = logging.getLogger("shenbao.ui")

CHAT_PAGE = "views/chat.py"
CHECK_PAGE = "views/check.py"
LOOKUP_PAGE = "views/lookup.py"
ADMIN_PAGE = "views/admin.py"
FEEDBACK_PAGE = "views/feedback.py"
RULES_PAGE = "views/rules.py"
USERS_PAGE = "views/users.py"
LOGIN_PAGE = "views/login.py"
MATCH_PAGE = "views/match.py"


def settings() -> Settings:
    """The settings of this server (environment, read at first use)."""
    return get_settings()


def _key(s: Settings) -> str:
    # everything that changes which index/model a service talks to, and nothing secret
    parts = (s.data_dir, s.corpus_dir, s.embed_cache_path, s.chroma_host, s.chroma_port,
             s.llm_enabled, s.llm_model, s.openai_base_url)
    return "|".join(str(x) for x in parts)


@st.cache_resource(show_spinner=False)
def _service(key: str) -> AnswerService:
    del key  # only the cache key
    return AnswerService(get_settings())


def service() -> AnswerService:
    """The process-wide answer service for the current settings."""
    return _service(_key(settings()))


def feedback_store() -> FeedbackStore:
    """The feedback store under the data dir."""
    return FeedbackStore(settings())


def chat_session() -> Session:
    """This browser session's conversation (created on first use, never shared)."""
    if "chat_session" not in st.session_state:
        st.session_state["chat_session"] = Session()
        st.session_state["conversation"] = 0
    session: Session = st.session_state["chat_session"]
    return session


def conversation_id() -> int:
    """Bumped by reset, so widget keys of a new conversation never collide with the old one's."""
    chat_session()
    return int(st.session_state["conversation"])


def reset_chat() -> None:
    """Forget the conversation and its feedback widgets."""
    chat_session().reset()
    st.session_state["conversation"] = conversation_id() + 1
    for k in [k for k in st.session_state if str(k).startswith(("fb-", "fbid-", "fbform-"))]:
        del st.session_state[k]


def index_version() -> str:
    """Which loaded index the page shows (its data dir and snapshot time): per-index tables are cached
    under it, so a rerun reuses them and a re-ingest replaces them."""
    idx = index()
    return f"{idx.settings.data_dir}|{idx.mtime}"


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


@st.cache_resource(show_spinner=False, max_entries=4)
def _catalogue(version: str, overrides: str, overrides_mtime: float, _snapshot: Any) -> Any:
    """The catalogue of one index version (read-only, shared by the sessions)."""
    from assistant.catalogue.registry import NoticeRegistry
    from assistant.ingest import NoticeCatalogue

    del version, overrides_mtime  # only the cache key
    path = Path(overrides)
    corrections = NoticeCatalogue.load(path) if path.exists() else NoticeCatalogue()
    return NoticeRegistry.from_snapshot(_snapshot, corrections)


def catalogue() -> Any:
    """The notice catalogue of the live index (read from the notices, corrected by ``notices.yaml``), or an
    empty one when nothing is indexed or it cannot be read. Built once per index version (not per rerun:
    the chat page asks for it once per answer shown)."""
    from assistant.catalogue.registry import NoticeRegistry

    path = settings().corpus_dir / "notices.yaml"
    try:
        idx = index()
        return _catalogue(f"{idx.settings.data_dir}|{idx.mtime}", str(path), _mtime(path), idx.snapshot)
    except ShenbaoError as exc:
        st.warning(str(exc))
        return NoticeRegistry()


@st.cache_data(show_spinner=False, max_entries=16)
def _examples(version: str, overrides_mtime: float) -> list[str]:
    from assistant.catalogue.examples import ExampleQuestionPicker

    del version, overrides_mtime  # only the cache key
    return ExampleQuestionPicker().run(catalogue())


def example_questions() -> list[str]:
    """Example questions about the notices of the live index (none when nothing is indexed)."""
    try:
        version = index_version()
    except ShenbaoError:
        from assistant.catalogue.examples import ExampleQuestionPicker

        return ExampleQuestionPicker().run(catalogue())
    return _examples(version, _mtime(settings().corpus_dir / "notices.yaml"))


def index() -> Any:
    """The live clause index (reloaded by ``assistant.index`` after a re-ingest)."""
    from assistant.index import cached_index

    return cached_index(settings())


_titles: dict[tuple[str, float], dict[str, list[tuple[str, list[str]]]]] = {}


def title_sections() -> dict[str, list[tuple[str, list[str]]]]:
    """Notice title → [(document id, its section paths)] of the live index (for citation links)."""
    idx = index()
    key = (str(idx.settings.data_dir), idx.mtime)
    if key not in _titles:
        docs: dict[str, dict[str, list[str]]] = {}
        for c in idx.chunks:
            docs.setdefault(c.title, {}).setdefault(c.doc_id, []).append(c.section)
        _titles.clear()  # one index at a time is live per process
        _titles[key] = {t: list(d.items()) for t, d in docs.items()}
    return _titles[key]


@st.cache_resource(show_spinner=False, max_entries=4)
def _title_files(version: str, _snapshot: Any) -> dict[str, str]:
    from ui import present

    del version  # only the cache key
    return present.title_files(_snapshot)


def title_files() -> dict[str, str]:
    """Document title → notice file of the live index (built once per index version)."""
    idx = index()
    return _title_files(f"{idx.settings.data_dir}|{idx.mtime}", idx.snapshot)


@st.cache_resource(show_spinner=False)
def programme_titles() -> dict[str, str]:
    """Programme id → Chinese title, from the eligibility rules (empty when they cannot be read)."""
    try:
        from assistant.eligibility import list_programmes

        return {p["id"]: p["title"] for p in list_programmes()}
    except ShenbaoError:
        return {}


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Show shenbao errors as Chinese messages (no traceback); unexpected ones as a short notice."""
    try:
        yield
    except IndexMissingError as exc:
        st.warning(f"{exc}\n\n也可以在“公告管理”页上传公告或点击“重新索引”。")
    except ShenbaoError as exc:
        st.error(str(exc))
    except Exception as exc:  # the page must keep working for the next question
        log.exception("unexpected error in the web page")
        st.error(f"出现内部错误（{type(exc).__name__}），请重试；如反复出现请联系管理员。")


def draft_store() -> Any:
    """The drafted/reviewed rules of the configured data dir."""
    from assistant.drafting.store import DraftRuleStore

    return DraftRuleStore(settings().data_dir / "rules")
