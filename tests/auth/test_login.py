"""Login lockout, session expiry, and that failed logins are logged without the password."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.auth import AuthSettings, AuthStore, LoginGuard, Role, WebSession
from assistant.errors import AuthError, RateLimitedError

PASSWORD = "correct horse 7"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def guard(tmp_path: Path) -> tuple[LoginGuard, Clock]:
    store = AuthStore(tmp_path / "auth.sqlite", rounds=4)
    store.add_user("alice", PASSWORD, "admin")
    settings = AuthSettings(store_path=store.path, login_max_failures=3, login_lock_minutes=10,
                            session_minutes=30, session_max_hours=8)
    clock = Clock()
    return LoginGuard(store, settings, clock=clock), clock


def test_locked_after_too_many_failures_then_free_again(guard: tuple[LoginGuard, Clock]) -> None:
    g, clock = guard
    for _ in range(3):
        with pytest.raises(AuthError):
            g.run("alice", "wrong password", client="tab-1")
    with pytest.raises(RateLimitedError, match="分钟后再试"):
        g.run("alice", PASSWORD, client="tab-2")  # even the right password, even from another tab
    clock.now += 10 * 60 + 1
    assert g.run("alice", PASSWORD, client="tab-2").role is Role.ADMIN


def test_two_failures_do_not_lock(guard: tuple[LoginGuard, Clock]) -> None:
    g, _ = guard
    for _ in range(2):
        with pytest.raises(AuthError):
            g.run("alice", "wrong password", client="tab-1")
    assert g.run("alice", PASSWORD, client="tab-1").username == "alice"


def test_one_client_spraying_many_names_is_locked(guard: tuple[LoginGuard, Clock]) -> None:
    g, _ = guard
    for name in ("bob", "carol", "dave"):
        with pytest.raises(AuthError):
            g.run(name, PASSWORD, client="tab-9")
    with pytest.raises(RateLimitedError):
        g.run("alice", PASSWORD, client="tab-9")


def test_failed_logins_are_logged_without_the_password(guard: tuple[LoginGuard, Clock],
                                                       caplog: pytest.LogCaptureFixture) -> None:
    g, _ = guard
    caplog.set_level(logging.DEBUG, logger="shenbao.auth")
    secret = "hunter2-secret-guess"
    with pytest.raises(AuthError):
        g.run("alice", secret, client="tab-1")
    g.run("alice", PASSWORD, client="tab-1")
    assert "login failed" in caplog.text and "alice" in caplog.text
    assert secret not in caplog.text and PASSWORD not in caplog.text


def test_sessions_expire_when_idle_or_old(guard: tuple[LoginGuard, Clock]) -> None:
    g, clock = guard
    s = g.run("alice", PASSWORD, client="t")
    clock.now += 29 * 60
    assert g.validate(s) is s  # 29 idle minutes: still good, and touched
    clock.now += 29 * 60
    assert g.validate(s) is s
    clock.now += 31 * 60
    assert g.validate(s) is None  # 31 idle minutes
    s2 = g.run("alice", PASSWORD, client="t")
    for _ in range(17):  # active every 29 minutes, but 8 hours is the most
        clock.now += 29 * 60
        if g.validate(s2) is None:
            break
    assert clock.now - s2.started > 8 * 3600 - 29 * 60
    assert g.validate(s2) is None


def test_removed_user_or_changed_role_ends_the_session(guard: tuple[LoginGuard, Clock]) -> None:
    g, _ = guard
    s = g.run("alice", PASSWORD, client="t")
    g.store.set_role("alice", "staff")
    assert g.validate(s) is None
    s = g.run("alice", PASSWORD, client="t")
    g.store.remove_user("alice")
    assert g.validate(s) is None


def test_session_expiry_both_sides() -> None:
    settings = replace(AuthSettings(store_path=Path("x")), session_minutes=10, session_max_hours=1)
    s = WebSession("a", Role.STAFF, started=0, last_seen=0)
    assert not s.expired(settings, now=600) and s.expired(settings, now=601)
