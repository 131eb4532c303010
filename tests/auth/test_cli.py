"""``shenbao user …`` and ``shenbao apikey …``: exit codes, messages, and no secret echoed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from assistant.cli import main

PASSWORD = "correct horse 7"


def _run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str],
         stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_user_commands(env_data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = _run(capsys, monkeypatch, ["user", "add", "alice", "--role", "admin", "--password-stdin"], PASSWORD + "\n")
    assert code == 0 and "alice" in out and PASSWORD not in out
    code, _, err = _run(capsys, monkeypatch, ["user", "add", "alice", "--password-stdin"], PASSWORD + "\n")
    assert code == 2 and "已存在" in err and "Traceback" not in err
    code, _, err = _run(capsys, monkeypatch, ["user", "add", "bob", "--password-stdin"], "short\n")
    assert code == 2 and "至少" in err
    code, out, _ = _run(capsys, monkeypatch, ["user", "list"])
    assert code == 0 and "alice" in out and "admin" in out and "bob" not in out
    code, out, _ = _run(capsys, monkeypatch, ["user", "passwd", "alice", "--password-stdin"], "another pass 9\n")
    assert code == 0
    from assistant.auth import AuthSettings, AuthStore

    assert AuthStore(AuthSettings.from_env().store_path).verify_password("alice", "another pass 9").username == "alice"
    code, out, _ = _run(capsys, monkeypatch, ["user", "remove", "alice"])
    assert code == 0
    code, _, err = _run(capsys, monkeypatch, ["user", "remove", "alice"])
    assert code == 2 and "没有用户" in err
    code, _, _ = _run(capsys, monkeypatch, ["user"])
    assert code == 2


def test_apikey_commands(env_data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = _run(capsys, monkeypatch, ["apikey", "create", "--role", "staff", "--label", "Open WebUI"])
    assert code == 0
    key = out.splitlines()[0]
    assert key.startswith("sbk_")
    key_id = key.split("_")[1]
    code, out, _ = _run(capsys, monkeypatch, ["apikey", "list"])
    assert code == 0 and key_id in out and "Open WebUI" in out and key not in out and key.split("_", 2)[2] not in out
    code, out, _ = _run(capsys, monkeypatch, ["apikey", "revoke", key_id])
    assert code == 0
    code, out, _ = _run(capsys, monkeypatch, ["apikey", "list"])
    assert "已撤销" in out
    code, _, err = _run(capsys, monkeypatch, ["apikey", "create", "--role", "applicant"])
    assert code == 2 and "applicant" in err


def test_serve_refuses_a_bad_port(env_data_dir: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = _run(capsys, monkeypatch, ["serve", "--port", "70000"])
    assert code == 2 and "--port" in err
