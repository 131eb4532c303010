"""Users (bcrypt password hashes) and API keys (SHA-256 digests) in one SQLite file under the data dir.

Passwords are stored only as bcrypt hashes (slow by design). An API key is 256 random bits: a fast digest
is enough to make the stored value useless to a thief, and it lets every API request check its key in
microseconds. Neither a password nor a key is ever logged or returned after creation.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import bcrypt

from assistant.auth.roles import Role
from assistant.errors import AuthError, InputError, NotFoundError, StoreError

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further: a longer password would be silently truncated
KEY_PREFIX = "sbk"
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$")
_KEY = re.compile(rf"^{KEY_PREFIX}_([0-9a-f]{{10}})_([A-Za-z0-9_-]{{43}})$")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS users (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('staff', 'admin')),
        password_hash TEXT NOT NULL,
        created REAL NOT NULL,
        updated REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS api_keys (
        key_id TEXT PRIMARY KEY,
        digest TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('staff', 'admin')),
        label TEXT NOT NULL DEFAULT '',
        created REAL NOT NULL,
        revoked REAL)""",
)


@dataclass(frozen=True)
class User:
    """A staff or admin account (never carries its password hash out of the store)."""

    username: str
    role: Role
    created: float
    updated: float


@dataclass(frozen=True)
class ApiKey:
    """An API key's public record: its id (the 10 hex digits after ``sbk_``), role and label."""

    key_id: str
    role: Role
    label: str
    created: float
    revoked: float | None = None


def check_username(name: object) -> str:
    """A valid user name (letters, digits, ``_ . @ -``; 2–64 characters).

    Raises:
        InputError: anything else.
    """
    if not isinstance(name, str) or not _USERNAME.match(name):
        raise InputError("用户名只能包含字母、数字和 _ . @ -，长度 2–64 个字符，且以字母或数字开头。")
    return name


def check_password(password: object) -> bytes:
    """The password as UTF-8 bytes, checked for length.

    Raises:
        InputError: shorter than 8 characters or longer than 72 bytes (bcrypt's limit).
    """
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise InputError(f"密码至少需要 {MIN_PASSWORD_CHARS} 个字符。")
    raw = password.encode("utf-8", errors="strict")
    if len(raw) > MAX_PASSWORD_BYTES:
        raise InputError(f"密码过长（超过 {MAX_PASSWORD_BYTES} 字节，约 24 个汉字或 72 个字母），请缩短。")
    return raw


class AuthStore:
    """Users and API keys of one data dir, safe across threads and processes (SQLite; owner-only file).

    Args:
        path: the database file (``AuthSettings.store_path``).
        rounds: bcrypt cost factor for new hashes (4–16; each step doubles the time; 12 ≈ 0.3 s).
    """

    def __init__(self, path: Path, rounds: int = 12) -> None:
        if not 4 <= rounds <= 16:
            raise ValueError(f"bcrypt rounds must be between 4 and 16, got {rounds!r}")
        self.path = Path(path)
        self.rounds = rounds
        self._lock = threading.Lock()
        self._ready = False
        # a hash to compare against when the user does not exist, so timing does not tell who exists
        self._dummy = bcrypt.hashpw(b"not-a-password", bcrypt.gensalt(rounds)).decode()

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fresh = not self.path.exists()
            conn = sqlite3.connect(str(self.path), timeout=10)
            if fresh:
                os.chmod(self.path, 0o600)  # hashes are nobody else's business
            if not self._ready:
                for stmt in _SCHEMA:
                    conn.execute(stmt)
                conn.commit()
                self._ready = True
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"无法打开用户数据库 {self.path}（{exc}）。请检查 SHENBAO_DATA_DIR 是否可写。") from exc
        try:
            with self._lock:
                yield conn
                conn.commit()
        except sqlite3.Error as exc:
            raise StoreError(f"用户数据库 {self.path} 读写失败（{exc}）。") from exc
        finally:
            conn.close()

    # -- users -----------------------------------------------------------------------------------
    def add_user(self, username: str, password: str, role: Role | str) -> User:
        """Create an account.

        Raises:
            InputError: bad name, password or role, or the name is taken.
        """
        name = check_username(username)
        r = Role.parse(role.value if isinstance(role, Role) else role, staff_only=True)
        digest = bcrypt.hashpw(check_password(password), bcrypt.gensalt(self.rounds)).decode()
        now = time.time()
        with self._db() as db:
            if db.execute("SELECT 1 FROM users WHERE username = ?", (name,)).fetchone():
                raise InputError(f"用户 {name} 已存在；修改密码请用 `shenbao user passwd {name}`。")
            db.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?)", (name, r.value, digest, now, now))
        return User(name, r, now, now)

    def set_password(self, username: str, password: str) -> None:
        """Replace a user's password.

        Raises:
            NotFoundError: no such user.
            InputError: the password is too short or too long.
        """
        digest = bcrypt.hashpw(check_password(password), bcrypt.gensalt(self.rounds)).decode()
        with self._db() as db:
            cur = db.execute("UPDATE users SET password_hash = ?, updated = ? WHERE username = ?",
                             (digest, time.time(), username))
            if cur.rowcount == 0:
                raise NotFoundError(f"没有用户 {username}（`shenbao user list` 可查看全部用户）。")

    def set_role(self, username: str, role: Role | str) -> None:
        """Change a user's role.

        Raises:
            NotFoundError: no such user.
        """
        r = Role.parse(role.value if isinstance(role, Role) else role, staff_only=True)
        with self._db() as db:
            cur = db.execute("UPDATE users SET role = ?, updated = ? WHERE username = ?",
                             (r.value, time.time(), username))
            if cur.rowcount == 0:
                raise NotFoundError(f"没有用户 {username}。")

    def remove_user(self, username: str) -> None:
        """Delete an account (its web sessions end at their next page run).

        Raises:
            NotFoundError: no such user.
        """
        with self._db() as db:
            if db.execute("DELETE FROM users WHERE username = ?", (username,)).rowcount == 0:
                raise NotFoundError(f"没有用户 {username}（`shenbao user list` 可查看全部用户）。")

    def users(self) -> list[User]:
        """Every account, by name."""
        with self._db() as db:
            rows = db.execute("SELECT username, role, created, updated FROM users ORDER BY username").fetchall()
        return [User(r[0], Role(r[1]), r[2], r[3]) for r in rows]

    def user(self, username: str) -> User | None:
        """One account, or None."""
        with self._db() as db:
            r = db.execute("SELECT username, role, created, updated FROM users WHERE username = ?",
                           (username,)).fetchone()
        return User(r[0], Role(r[1]), r[2], r[3]) if r else None

    def verify_password(self, username: str, password: str) -> User:
        """The account when the password is right (constant work whether or not the user exists).

        Raises:
            AuthError: unknown user or wrong password (one message for both).
        """
        row = None
        if isinstance(username, str) and _USERNAME.match(username):
            with self._db() as db:
                row = db.execute("SELECT username, role, created, updated, password_hash FROM users"
                                 " WHERE username = ?", (username,)).fetchone()
        try:
            given = str(password).encode("utf-8", errors="replace")[:MAX_PASSWORD_BYTES]
            ok = bcrypt.checkpw(given, (row[4] if row else self._dummy).encode())
        except ValueError:  # a malformed stored hash: treated as a wrong password, never a crash
            ok = False
        if not (ok and row):
            raise AuthError("用户名或密码错误。")
        return User(row[0], Role(row[1]), row[2], row[3])

    # -- API keys --------------------------------------------------------------------------------
    def create_key(self, role: Role | str, label: str = "") -> tuple[str, ApiKey]:
        """A new key: ``(the key itself — shown once, never stored — and its public record)``."""
        r = Role.parse(role.value if isinstance(role, Role) else role, staff_only=True)
        label = (label or "").strip()
        if len(label) > 100:
            raise InputError("密钥备注最多 100 个字符。")
        key_id = secrets.token_hex(5)
        key = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
        now = time.time()
        with self._db() as db:
            db.execute("INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, NULL)",
                       (key_id, _digest(key), r.value, label, now))
        return key, ApiKey(key_id, r, label, now)

    def api_keys(self) -> list[ApiKey]:
        """Every key's public record, newest first (revoked ones included)."""
        with self._db() as db:
            rows = db.execute("SELECT key_id, role, label, created, revoked FROM api_keys"
                              " ORDER BY created DESC").fetchall()
        return [ApiKey(r[0], Role(r[1]), r[2], r[3], r[4]) for r in rows]

    def revoke_key(self, key_id: str) -> None:
        """Revoke a key by its id (takes effect at its next request).

        Raises:
            NotFoundError: no such key.
        """
        with self._db() as db:
            cur = db.execute("UPDATE api_keys SET revoked = ? WHERE key_id = ? AND revoked IS NULL",
                             (time.time(), key_id))
            if cur.rowcount == 0:
                raise NotFoundError(f"没有未撤销的密钥 {key_id}（`shenbao apikey list` 可查看）。")

    def verify_key(self, key: str) -> ApiKey:
        """The key's record when it is valid and not revoked.

        Raises:
            AuthError: malformed, unknown or revoked.
        """
        m = _KEY.match(key or "")
        if not m:
            raise AuthError("API 密钥格式不正确：应为 `Authorization: Bearer sbk_…`（由 `shenbao apikey create` 生成）。")
        with self._db() as db:
            r = db.execute("SELECT key_id, role, label, created, revoked, digest FROM api_keys WHERE key_id = ?",
                           (m.group(1),)).fetchone()
        if not r or not hmac.compare_digest(r[5], _digest(key)) or r[4] is not None:
            raise AuthError("API 密钥无效或已撤销，请向管理员申请新的密钥。")
        return ApiKey(r[0], Role(r[1]), r[2], r[3], r[4])


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("ascii", errors="replace")).hexdigest()
