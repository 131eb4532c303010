"""Fixtures of the web page tests: Streamlit AppTest against a given index, through the environment."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import EMBED_CACHE, make_settings

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"
TIMEOUT = 120  # the first question loads e5 and jieba (a few seconds on a busy 2-core machine)


def point_app_at(monkeypatch: pytest.MonkeyPatch, settings) -> None:  # type: ignore[no-untyped-def]
    """The page reads its settings from the environment at first use, like the real server."""
    monkeypatch.setenv("SHENBAO_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SHENBAO_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("SHENBAO_EMBED_CACHE", str(EMBED_CACHE))


@pytest.fixture
def make_app(monkeypatch: pytest.MonkeyPatch) -> Callable[..., object]:
    """``make_app(settings)`` → a fresh AppTest (one browser session) of ``ui/app.py`` on that index."""
    from streamlit.testing.v1 import AppTest

    def _make(settings) -> AppTest:  # type: ignore[no-untyped-def]
        point_app_at(monkeypatch, settings)
        return AppTest.from_file(str(APP), default_timeout=TIMEOUT)

    return _make


@pytest.fixture
def own_fixture_index(tmp_path: Path, fixture_corpus: Path, fixture_settings):  # type: ignore[no-untyped-def]
    """A private copy of the fixture corpus and its index (for tests that upload or write feedback)."""
    from assistant.index.builder import IndexBuilder

    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    settings = make_settings(tmp_path / "data", corpus)
    IndexBuilder(settings).run()
    return settings


PASSWORD = "password-123"


def login_as(at, settings, role: str) -> str:  # type: ignore[no-untyped-def]
    """Log an AppTest session in as a (created if missing) ``test-<role>`` account; returns the name."""
    import time

    from assistant.auth import AuthSettings, AuthStore, Role, WebSession

    store = AuthStore(AuthSettings.from_env(settings, {}).store_path, rounds=4)
    name = f"test-{role}"
    if store.user(name) is None:
        store.add_user(name, PASSWORD, role)
    now = time.time()
    at.session_state["auth"] = WebSession(name, Role(role), now, now)
    return name
