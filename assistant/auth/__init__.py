"""Staff accounts, API keys, roles, login lockout and rate limits (used by ``ui/`` and ``assistant/api``)."""

from __future__ import annotations

from assistant.auth.login import LoginGuard, WebSession
from assistant.auth.ratelimit import RateLimiter
from assistant.auth.roles import CAPABILITIES, Role, can, required_role
from assistant.auth.settings import AuthSettings
from assistant.auth.store import ApiKey, AuthStore, User

__all__ = ["CAPABILITIES", "ApiKey", "AuthSettings", "AuthStore", "LoginGuard", "RateLimiter", "Role", "User",
           "WebSession", "can", "required_role"]
