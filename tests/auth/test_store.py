"""The account and key store: bcrypt hashes only, keys stored as digests, both sides of every limit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant.auth import AuthStore, Role
from assistant.errors import AuthError, InputError, NotFoundError

PASSWORD = "correct horse 7"


@pytest.fixture
def store(tmp_path: Path) -> AuthStore:
    return AuthStore(tmp_path / "auth.sqlite", rounds=4)


def test_passwords_are_kept_only_as_bcrypt_hashes(store: AuthStore) -> None:
    store.add_user("alice", PASSWORD, "admin")
    raw = store.path.read_bytes()
    assert PASSWORD.encode() not in raw
    (digest,) = sqlite3.connect(store.path).execute("SELECT password_hash FROM users").fetchone()
    assert digest.startswith("$2b$04$")  # bcrypt, with the configured cost
    assert oct(store.path.stat().st_mode & 0o777) == "0o600"


def test_login_with_the_right_password_only(store: AuthStore) -> None:
    store.add_user("alice", PASSWORD, "staff")
    assert store.verify_password("alice", PASSWORD).role is Role.STAFF
    for name, pw in (("alice", PASSWORD + "x"), ("alice", ""), ("bob", PASSWORD), ("", ""), ("a" * 500, PASSWORD)):
        with pytest.raises(AuthError, match="用户名或密码错误"):
            store.verify_password(name, pw)


@pytest.mark.parametrize(("password", "ok"), [("1234567", False), ("12345678", True),
                                              ("a" * 72, True), ("a" * 73, False),
                                              ("密" * 24, True), ("密" * 25, False)])
def test_password_length_both_sides(store: AuthStore, password: str, ok: bool) -> None:
    if ok:
        store.add_user("u1", password, "staff")
        assert store.verify_password("u1", password).username == "u1"
    else:
        with pytest.raises(InputError, match="密码"):
            store.add_user("u1", password, "staff")


@pytest.mark.parametrize(("name", "ok"), [("ab", True), ("a", False), ("a" * 64, True), ("a" * 65, False),
                                          ("li.wei@hotline", True), ("../x", False), ("张三", False), ("-x", False)])
def test_user_names(store: AuthStore, name: str, ok: bool) -> None:
    if ok:
        assert store.add_user(name, PASSWORD, "staff").username == name
    else:
        with pytest.raises(InputError, match="用户名"):
            store.add_user(name, PASSWORD, "staff")


def test_add_passwd_role_remove(store: AuthStore) -> None:
    store.add_user("alice", PASSWORD, "staff")
    with pytest.raises(InputError, match="已存在"):
        store.add_user("alice", PASSWORD, "staff")
    with pytest.raises(InputError, match="角色"):
        store.add_user("bob", PASSWORD, "applicant")  # applicants are anonymous: no accounts
    store.set_password("alice", "new password 8")
    with pytest.raises(AuthError):
        store.verify_password("alice", PASSWORD)
    store.set_role("alice", "admin")
    assert store.user("alice").role is Role.ADMIN  # type: ignore[union-attr]
    assert [u.username for u in store.users()] == ["alice"]
    store.remove_user("alice")
    assert store.users() == [] and store.user("alice") is None
    for call in (lambda: store.remove_user("alice"), lambda: store.set_password("alice", PASSWORD)):
        with pytest.raises(NotFoundError):
            call()


def test_api_keys_are_stored_as_digests_and_can_be_revoked(store: AuthStore) -> None:
    key, rec = store.create_key("staff", "Open WebUI")
    assert key.startswith(f"sbk_{rec.key_id}_") and rec.role is Role.STAFF
    assert key.encode() not in store.path.read_bytes() and key.split("_", 2)[2].encode() not in store.path.read_bytes()
    assert store.verify_key(key).key_id == rec.key_id
    assert [k.label for k in store.api_keys()] == ["Open WebUI"]
    for bad in ("", "sk-123", key[:-1] + ("A" if key[-1] != "A" else "B"), key + "x", f"sbk_{rec.key_id}_" + "A" * 43):
        with pytest.raises(AuthError):
            store.verify_key(bad)
    store.revoke_key(rec.key_id)
    with pytest.raises(AuthError, match="已撤销"):
        store.verify_key(key)
    with pytest.raises(NotFoundError):
        store.revoke_key(rec.key_id)
    with pytest.raises(InputError):
        store.create_key("applicant")


def test_bad_rounds_are_refused(tmp_path: Path) -> None:
    for rounds in (3, 17):
        with pytest.raises(ValueError, match="rounds"):
            AuthStore(tmp_path / "a.sqlite", rounds=rounds)
