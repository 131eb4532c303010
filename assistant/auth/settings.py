"""Settings of logins, sessions, API keys and rate limits, read from the environment at first use."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings, float_env, get_settings
from assistant.errors import ConfigError


@dataclass(frozen=True)
class AuthSettings:
    """Where users and keys live and how strict logins and the API are.

    Attributes:
        store_path: the SQLite file of users and API keys (``<data_dir>/auth.sqlite``).
        session_minutes: a web login ends after this many idle minutes (``SHENBAO_SESSION_MINUTES``).
        session_max_hours: and after this many hours whatever happens (``SHENBAO_SESSION_MAX_HOURS``).
        login_max_failures: failed logins per user name (or per client) before a lockout
            (``SHENBAO_LOGIN_MAX_FAILURES``).
        login_lock_minutes: how long the lockout lasts; failures older than this are forgotten
            (``SHENBAO_LOGIN_LOCK_MINUTES``).
        api_require_key: every API endpoint needs a key, not only the staff/admin ones
            (``SHENBAO_API_REQUIRE_KEY=1``).
        api_rate_per_minute: requests per minute per API key (keyless callers: per client address);
            0 turns the limit off (``SHENBAO_API_RATE_LIMIT``).
        api_max_body_bytes: largest JSON request body (``SHENBAO_API_MAX_BODY_KB``).
        api_max_upload_bytes: largest notice upload request (``SHENBAO_API_MAX_UPLOAD_MB``).
    """

    store_path: Path
    session_minutes: float = 60.0
    session_max_hours: float = 12.0
    login_max_failures: int = 5
    login_lock_minutes: float = 15.0
    api_require_key: bool = False
    api_rate_per_minute: float = 120.0
    api_max_body_bytes: int = 256 * 1024
    api_max_upload_bytes: int = 20 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.login_max_failures < 1:
            raise ConfigError(f"SHENBAO_LOGIN_MAX_FAILURES 必须至少为 1，收到 {self.login_max_failures}。")

    @classmethod
    def from_env(cls, settings: Settings | None = None, env: dict[str, str] | None = None) -> AuthSettings:
        """Read from ``env`` (default ``os.environ``); the store sits in the data dir of ``settings``."""
        e = dict(os.environ if env is None else env)
        s = settings or get_settings()
        return cls(
            store_path=s.data_dir / "auth.sqlite",
            session_minutes=float_env("SHENBAO_SESSION_MINUTES", 60.0, e),
            session_max_hours=float_env("SHENBAO_SESSION_MAX_HOURS", 12.0, e),
            login_max_failures=int(float_env("SHENBAO_LOGIN_MAX_FAILURES", 5, e)),
            login_lock_minutes=float_env("SHENBAO_LOGIN_LOCK_MINUTES", 15.0, e),
            api_require_key=e.get("SHENBAO_API_REQUIRE_KEY", "").lower() in {"1", "true", "yes"},
            api_rate_per_minute=float_env("SHENBAO_API_RATE_LIMIT", 120.0, e, allow_zero=True),
            api_max_body_bytes=int(float_env("SHENBAO_API_MAX_BODY_KB", 256, e) * 1024),
            api_max_upload_bytes=int(float_env("SHENBAO_API_MAX_UPLOAD_MB", 20, e) * 1024 * 1024),
        )
