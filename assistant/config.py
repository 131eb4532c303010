"""Settings read from the environment at first use (never at import time).

Paths are overridable so tests and a second corpus can live apart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import ConfigError

PACKAGE_ROOT = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_ROOT.parent


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "shenbao"


def float_env(name: str, default: float, env: dict[str, str], allow_zero: bool = False) -> float:
    """A positive number from the environment (``allow_zero``: or 0, e.g. "limit off").

    Raises:
        ConfigError: not a number, or out of range (the message names the variable and its value).
    """
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"环境变量 {name}={raw!r} 不是数字，请改为数字（如 30）。") from None
    if value < 0 or (value == 0 and not allow_zero):
        raise ConfigError(f"环境变量 {name}={raw!r} 必须{'不小于' if allow_zero else '大于'} 0。")
    return value


def _int_env(name: str, default: int, env: dict[str, str]) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"环境变量 {name}={raw!r} 不是整数，请改为整数。") from None
    if value < 0:
        raise ConfigError(f"环境变量 {name}={raw!r} 不能为负数。")
    return value


@dataclass(frozen=True)
class Settings:
    """All runtime settings.

    Attributes:
        data_dir: where the Chroma store, embedding cache and feedback DB live (``SHENBAO_DATA_DIR``).
        corpus_dir: the bundled notices and their catalogue (``SHENBAO_CORPUS_DIR``).
        prompts_dir: prompt files (``SHENBAO_PROMPTS_DIR``).
        chroma_host: with ``CHROMA_HOST``/``CHROMA_PORT``, use a Chroma server instead of the embedded store.
        chroma_port: port of that server.
        openai_api_key: enables LLM mode (``OPENAI_API_KEY``); never logged.
        openai_base_url: any OpenAI-compatible endpoint (``OPENAI_BASE_URL``).
        llm_model: model name (``SHENBAO_LLM_MODEL``).
        llm_timeout: seconds per model request (``SHENBAO_LLM_TIMEOUT``).
        llm_retries: retries per model request (``SHENBAO_LLM_RETRIES``).
        log_questions: whether question text may appear in logs (``SHENBAO_LOG_QUESTIONS``).
        embed_cache: the embedding cache file (``SHENBAO_EMBED_CACHE``), shareable between data dirs.
    """

    data_dir: Path
    corpus_dir: Path
    prompts_dir: Path
    chroma_host: str | None = None
    chroma_port: int = 8000
    openai_api_key: str | None = field(default=None, repr=False)
    openai_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout: float = 30.0
    llm_retries: int = 1
    log_questions: bool = False
    embed_cache: Path | None = None

    @property
    def embed_cache_path(self) -> Path:
        """The embedding cache file (``SHENBAO_EMBED_CACHE``; default inside the data dir)."""
        return self.embed_cache or self.data_dir / "embeddings.sqlite"

    @property
    def llm_enabled(self) -> bool:
        """True when a model endpoint is configured."""
        return bool(self.openai_api_key)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read the settings from ``env`` (default: ``os.environ``), validating every value."""
        e = dict(os.environ if env is None else env)
        host = e.get("CHROMA_HOST") or None
        return cls(
            data_dir=Path(e.get("SHENBAO_DATA_DIR") or _default_data_dir()).expanduser(),
            corpus_dir=Path(e.get("SHENBAO_CORPUS_DIR") or PROJECT_ROOT / "corpus").expanduser(),
            prompts_dir=Path(e.get("SHENBAO_PROMPTS_DIR") or PROJECT_ROOT / "prompts").expanduser(),
            chroma_host=host,
            chroma_port=_int_env("CHROMA_PORT", 8000, e),
            openai_api_key=e.get("OPENAI_API_KEY") or None,
            openai_base_url=e.get("OPENAI_BASE_URL") or None,
            llm_model=e.get("SHENBAO_LLM_MODEL") or "gpt-4o-mini",
            llm_timeout=float_env("SHENBAO_LLM_TIMEOUT", 30.0, e),
            llm_retries=_int_env("SHENBAO_LLM_RETRIES", 1, e),
            log_questions=(e.get("SHENBAO_LOG_QUESTIONS", "").lower() in {"1", "true", "yes"}),
            embed_cache=Path(e["SHENBAO_EMBED_CACHE"]).expanduser() if e.get("SHENBAO_EMBED_CACHE") else None,
        )


def get_settings() -> Settings:
    """Settings from the current environment (read on each call, so tests can change it)."""
    return Settings.from_env()
