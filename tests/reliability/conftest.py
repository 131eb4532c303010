"""Shared helpers of the reliability group: the CLI in a real subprocess, index fingerprints, a free port,
a private copy of the embedding cache for tests that embed new text or kill a process mid-write, and
the tallies the closing report quotes (inputs tried, faults injected)."""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import EMBED_CACHE, ROOT

SHENBAO = [sys.executable, "-m", "assistant"]
TALLY: Counter[str] = Counter()  # "inputs" and "faults", printed at the end of the session


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:  # pragma: no cover
    """Print what the reliability tests tried (the figures of the issue's closing note)."""
    if TALLY:
        terminalreporter.write_line(
            "reliability: " + ", ".join(f"{k} {v}" for k, v in sorted(TALLY.items())))


@dataclass
class CliResult:
    """A finished ``shenbao`` process."""

    code: int
    out: str
    err: str


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """A clean environment for a ``shenbao`` subprocess: this data dir, the shared cache, no model."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "SHENBAO_", "CHROMA_"))}
    env.update({"SHENBAO_DATA_DIR": str(data_dir), "SHENBAO_EMBED_CACHE": str(EMBED_CACHE),
                "SHENBAO_CORPUS_DIR": str(ROOT / "corpus"), "HF_HUB_OFFLINE": "1",
                "ANONYMIZED_TELEMETRY": "False", "PYTHONIOENCODING": "utf-8"})
    env.update(extra)
    return env


def run_cli(args: Sequence[str], env: dict[str, str], stdin: str | None = None,
            timeout: float = 120) -> CliResult:
    """Run ``shenbao ARGS`` to completion (a real process: the console entry point's code path)."""
    proc = subprocess.run([*SHENBAO, *args], env=env, input=stdin, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=timeout, cwd=ROOT)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def index_fingerprint(data_dir: Path) -> dict[str, str]:
    """sha256 of every file under ``index/`` (the snapshot that says which clauses are live)."""
    base = data_dir / "index"
    return {str(p.relative_to(base)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(base.rglob("*")) if p.is_file()}


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def private_cache(tmp_path: Path) -> Path:
    """A consistent copy of the shared embedding cache (SQLite backup API), so that embedding new text or
    killing a process mid-write never touches the shared file."""
    dst = tmp_path / "embeddings.sqlite"
    src_conn = sqlite3.connect(str(EMBED_CACHE), timeout=30)
    dst_conn = sqlite3.connect(str(dst))
    try:
        src_conn.backup(dst_conn)
    finally:
        src_conn.close()
        dst_conn.close()
    return dst
