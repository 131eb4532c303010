"""Fixtures of the HTTP API tests: an in-process client over the fixture index, and ``shenbao serve`` on a
loopback port over the real corpus index (the session's, never re-embedded)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EMBED_CACHE, load_benchmark, make_settings


@dataclass
class Keys:
    """API keys created for a test server."""

    staff: str
    admin: str


def auth_settings(settings: Any, tmp: Path | None = None, **overrides: Any) -> Any:
    """Auth settings with the rate limit off unless asked for, the store in the data dir (or ``tmp``)."""
    from assistant.auth import AuthSettings

    a = AuthSettings.from_env(settings, {})
    if tmp is not None:
        a = replace(a, store_path=tmp / "auth.sqlite")
    return replace(a, **{"api_rate_per_minute": 0.0, **overrides})


def make_keys(store_path: Path) -> Keys:
    from assistant.auth import AuthStore

    store = AuthStore(store_path, rounds=4)
    return Keys(staff=store.create_key("staff", "test")[0], admin=store.create_key("admin", "test")[0])


@pytest.fixture
def make_client(tmp_path: Path) -> Callable[..., tuple[Any, Keys]]:
    """``make_client(settings, **auth_overrides)`` → (an in-process TestClient, its keys)."""
    from fastapi.testclient import TestClient

    from assistant.answer import AnswerService
    from assistant.api import create_app

    def _make(settings: Any, **overrides: Any) -> tuple[Any, Keys]:
        a = auth_settings(settings, tmp_path, **overrides)
        keys = make_keys(a.store_path)
        app = create_app(settings, a, AnswerService(settings, use_llm=False))
        return TestClient(app, raise_server_exceptions=False), keys

    return _make


@pytest.fixture
def own_index(tmp_path: Path, fixture_corpus: Path, fixture_settings: Any) -> Any:
    """A private copy of the fixture corpus and its index (for tests that upload or delete)."""
    from assistant.index.builder import IndexBuilder

    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    settings = make_settings(tmp_path / "data", corpus)
    IndexBuilder(settings).run()  # vectors come from the shared cache
    return settings


@pytest.fixture(scope="session")
def corpus_server(tmp_path_factory: pytest.TempPathFactory, corpus_settings: Any) -> Iterator[tuple[str, Keys, Any]]:
    """``shenbao serve`` over the session's corpus index: (base URL ``…/v1``, keys, settings)."""
    a = auth_settings(corpus_settings)
    keys = make_keys(a.store_path)
    env = {"SHENBAO_DATA_DIR": str(corpus_settings.data_dir), "SHENBAO_CORPUS_DIR": str(corpus_settings.corpus_dir),
           "SHENBAO_EMBED_CACHE": str(EMBED_CACHE), "SHENBAO_API_RATE_LIMIT": "0"}
    log = tmp_path_factory.mktemp("api-server") / "server.log"
    with load_benchmark("api_load").api_server(env, log) as url:
        yield url, keys, corpus_settings
