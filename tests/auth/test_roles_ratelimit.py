"""The role table and the token-bucket rate limiter."""

from __future__ import annotations

import pytest

from assistant.auth import CAPABILITIES, RateLimiter, Role, can
from assistant.errors import ConfigError, InputError, RateLimitedError


def test_each_role_holds_the_roles_below() -> None:
    assert can(None, "chat") and can(None, "check") and not can(None, "lookup") and not can(None, "upload")
    assert can(Role.STAFF, "lookup") and can(Role.STAFF, "rule_review") and can(Role.STAFF, "feedback_view")
    assert not can(Role.STAFF, "upload") and not can(Role.STAFF, "users") and not can(Role.STAFF, "feedback_export")
    assert all(can(Role.ADMIN, c) for c in CAPABILITIES)
    with pytest.raises(KeyError):
        can(Role.ADMIN, "no-such-capability")  # a typo never opens a page
    with pytest.raises(InputError):
        Role.parse("root")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_burst_then_refills() -> None:
    clock = Clock()
    limiter = RateLimiter(60, burst=3, clock=clock)  # one a second
    for _ in range(3):
        limiter.run("a")
    with pytest.raises(RateLimitedError) as e:
        limiter.run("a")
    assert 0 < e.value.retry_after <= 1
    limiter.run("b")  # callers have separate buckets
    clock.now += 0.9
    with pytest.raises(RateLimitedError):
        limiter.run("a")
    clock.now += 0.2
    limiter.run("a")


def test_zero_turns_limiting_off_and_bad_values_are_refused() -> None:
    limiter = RateLimiter(0)
    for _ in range(1000):
        limiter.run("a")
    with pytest.raises(ValueError):
        RateLimiter(-1)


def test_settings_from_env_validate() -> None:
    from pathlib import Path

    from assistant.auth import AuthSettings
    from tests.conftest import make_settings

    s = make_settings(Path("/tmp/x"))
    a = AuthSettings.from_env(s, {"SHENBAO_API_REQUIRE_KEY": "1", "SHENBAO_API_RATE_LIMIT": "0"})
    assert a.api_require_key and a.api_rate_per_minute == 0 and a.store_path == Path("/tmp/x/auth.sqlite")
    for env in ({"SHENBAO_SESSION_MINUTES": "0"}, {"SHENBAO_API_RATE_LIMIT": "-1"},
                {"SHENBAO_LOGIN_MAX_FAILURES": "many"}):
        with pytest.raises(ConfigError, match=next(iter(env))):
            AuthSettings.from_env(s, env)
