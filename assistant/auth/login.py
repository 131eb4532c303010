"""Web logins: password check with a lockout after repeated failures, and sessions that expire.

Failures are counted per user name and per client (a browser session or address), so neither guessing one
account's password nor spraying one password over many accounts gets far. Failed logins are logged with
the user name and client, never the password.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from assistant.auth.roles import Role
from assistant.auth.settings import AuthSettings
from assistant.auth.store import AuthStore, User
from assistant.errors import AuthError, RateLimitedError

log = logging.getLogger("shenbao.auth")


@dataclass
class WebSession:
    """A logged-in browser session.

    Attributes:
        username: the account.
        role: its role at login (re-checked against the store on every page run).
        started: UNIX time of the login.
        last_seen: UNIX time of the last page run.
    """

    username: str
    role: Role
    started: float
    last_seen: float

    def expired(self, settings: AuthSettings, now: float | None = None) -> bool:
        """Idle longer than ``session_minutes`` or older than ``session_max_hours``."""
        t = time.time() if now is None else now
        return (t - self.last_seen > settings.session_minutes * 60
                or t - self.started > settings.session_max_hours * 3600)

    def touch(self, now: float | None = None) -> None:
        """Mark activity (each page run)."""
        self.last_seen = time.time() if now is None else now


class LoginGuard:
    """Checks a login; after ``login_max_failures`` failures of a name or client within
    ``login_lock_minutes`` that name or client is locked out for the rest of that window.

    Args:
        store: the user store.
        settings: lockout thresholds.
        clock: seconds (swappable in tests).
    """

    def __init__(self, store: AuthStore, settings: AuthSettings, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def run(self, username: str, password: str, client: str) -> WebSession:
        """A new session for the right password.

        Raises:
            RateLimitedError: too many recent failures for this name or client (checked first: a locked
                account cannot be probed further).
            AuthError: wrong name or password.
        """
        name = (username or "").strip()
        keys = [f"user:{name.lower()}", f"client:{client}"]
        window = self.settings.login_lock_minutes * 60
        now = self.clock()
        with self._lock:
            for k in keys:
                recent = [t for t in self._failures.get(k, []) if now - t < window]
                self._failures[k] = recent
                if len(recent) >= self.settings.login_max_failures:
                    wait = window - (now - recent[0])
                    log.warning("login refused (locked): user=%r client=%s", name[:64], client)
                    raise RateLimitedError(f"登录失败次数过多，请 {max(1, round(wait / 60))} 分钟后再试。",
                                           retry_after=wait)
        try:
            user: User = self.store.verify_password(name, password)
        except AuthError:
            with self._lock:
                for k in keys:
                    self._failures.setdefault(k, []).append(now)
                count = len(self._failures[keys[0]])
            log.warning("login failed: user=%r client=%s failures=%d", name[:64], client, count)
            raise
        with self._lock:
            self._failures.pop(keys[0], None)
        log.info("login: user=%r role=%s client=%s", user.username, user.role.value, client)
        return WebSession(user.username, user.role, now, now)

    def validate(self, session: WebSession) -> WebSession | None:
        """The session if it is still good: not expired, and its user still exists with the same role."""
        if session.expired(self.settings, self.clock()):
            return None
        user = self.store.user(session.username)
        if user is None or user.role is not session.role:
            return None
        session.touch(self.clock())
        return session
