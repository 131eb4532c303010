"""Shared fixtures: network blocked by default, temp data dirs, session-scoped indexes.

Embedding the whole corpus costs ~45 s on 2 cores, so it happens at most once per session (and the
vectors are cached by content hash in ``.shenbao-cache/`` across runs); most tests use the small fixture
notices in ``tests/fixtures/notices/``.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURE_NOTICES = Path(__file__).resolve().parent / "fixtures" / "notices"
# a small new notice that upload tests (page, API, browser) add to an index
UPLOAD_NOTICE = """临海市2025年度科技型中小企业研发费用补助申报通知

一、补助对象
在临海市注册的科技型中小企业。

二、补助标准
按上年度研发费用增量的10%给予补助，单个企业最高补助50万元。

三、申报时间
申报截止时间为2025年9月30日。
"""
EMBED_CACHE = ROOT / ".shenbao-cache" / "embeddings.sqlite"

os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SHENBAO_LLM_MODEL", "CHROMA_HOST", "CHROMA_PORT"):
    os.environ.pop(var, None)  # tests configure the model and Chroma server explicitly

_real_connect = socket.socket.connect
_LOOPBACK = ("127.", "localhost", "::1")


def _guarded_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else str(address)
    if self.family == socket.AF_UNIX or str(host).startswith(_LOOPBACK):
        return _real_connect(self, address)
    raise OSError(f"network blocked in tests: {address!r}")


@pytest.fixture(autouse=True)
def _block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only loopback and unix sockets: a test never reaches the internet (nor a model hub)."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's default data dir is its own empty temp dir: the user's real data dir (an index, drafted rules
    from an earlier `make run`) never leaks into a test, nor does one test's drafts into another's."""
    monkeypatch.setenv("SHENBAO_DATA_DIR", str(tmp_path_factory.mktemp("default-data")))
    if not os.environ.get("SHENBAO_EMBED_CACHE"):
        monkeypatch.setenv("SHENBAO_EMBED_CACHE", str(EMBED_CACHE))


def load_benchmark(name: str):  # type: ignore[no-untyped-def]
    """A script of ``benchmarks/`` imported as a module (the tests reuse its workload and server helpers)."""
    import importlib.util
    import sys

    path = ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"shenbao_benchmark_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def make_settings(data_dir: Path, corpus_dir: Path | None = None, **extra: object):  # type: ignore[no-untyped-def]
    """Settings for a temp data dir with the shared embedding cache."""
    from assistant.config import Settings

    env = {
        "SHENBAO_DATA_DIR": str(data_dir),
        "SHENBAO_CORPUS_DIR": str(corpus_dir or ROOT / "corpus"),
        "SHENBAO_EMBED_CACHE": str(EMBED_CACHE),
    }
    env.update({k: str(v) for k, v in extra.items()})
    return Settings.from_env(env)


@pytest.fixture
def env_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data dir set in the environment (for CLI tests), sharing the embedding cache."""
    data = tmp_path / "data"
    monkeypatch.setenv("SHENBAO_DATA_DIR", str(data))
    monkeypatch.setenv("SHENBAO_EMBED_CACHE", str(EMBED_CACHE))
    return data


@pytest.fixture(scope="session")
def fixture_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus dir holding the small fixture notices and the real catalogue."""
    d = tmp_path_factory.mktemp("fixture-corpus")
    for p in FIXTURE_NOTICES.iterdir():
        shutil.copy(p, d / p.name)
    shutil.copy(ROOT / "corpus" / "notices.yaml", d / "notices.yaml")
    return d


@pytest.fixture(scope="session")
def fixture_settings(tmp_path_factory: pytest.TempPathFactory, fixture_corpus: Path):  # type: ignore[no-untyped-def]
    """Settings of an index built once from the fixture notices."""
    from assistant.index.builder import IndexBuilder

    settings = make_settings(tmp_path_factory.mktemp("fixture-data"), fixture_corpus)
    IndexBuilder(settings).run()
    return settings


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Settings of an index built once from the real four notices."""
    from assistant.index.builder import IndexBuilder

    settings = make_settings(tmp_path_factory.mktemp("corpus-data"))
    IndexBuilder(settings).run()
    return settings


@pytest.fixture(scope="session")
def corpus_service(corpus_settings):  # type: ignore[no-untyped-def]
    """The offline answering pipeline over the real corpus."""
    from assistant.answer import AnswerService

    return AnswerService(corpus_settings, use_llm=False)


@pytest.fixture
def fresh_index_cache() -> Iterator[None]:
    """Forget loaded indexes around a test that rewrites one."""
    from assistant.index import clear_index_cache

    clear_index_cache()
    yield
    clear_index_cache()


class FakeEncoder:
    """A deterministic stand-in for e5: character-bigram hashing into 384 dims (counts its calls)."""

    def __init__(self) -> None:
        self.passages = 0
        self.queries = 0

    @staticmethod
    def _vec(text: str):  # type: ignore[no-untyped-def]
        import numpy as np

        v = np.zeros(384, dtype=np.float32)
        for a, b in itertools.pairwise(text):
            v[hash(a + b) % 384] += 1.0
        n = float(np.linalg.norm(v)) or 1.0
        return v / n

    def passage(self, texts: list[str]):  # type: ignore[no-untyped-def]
        import numpy as np

        self.passages += len(texts)
        return np.stack([self._vec(t) for t in texts])

    def query(self, texts: list[str]):  # type: ignore[no-untyped-def]
        import numpy as np

        self.queries += len(texts)
        return np.stack([self._vec(t) for t in texts])


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    """A fresh fake embedding model."""
    return FakeEncoder()
