"""The index under damage and contention: the Chroma dir deleted or corrupted (a clear message naming
``shenbao ingest --rebuild``, which repairs it), an ingest killed with SIGKILL while embedding (the previous
index still answers the same search), and queries answered while a re-ingest runs.

The damaged stores are opened by fresh ``shenbao`` processes: Chroma caches its clients per process, so only
a new process sees the disk as a user's next command would.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest

from assistant.answer import AnswerService, Session
from assistant.config import Settings
from assistant.errors import StoreError
from assistant.index import HybridRetriever, cached_index, clear_index_cache
from assistant.index.builder import IndexBuilder
from assistant.index.store import IndexSnapshot
from tests.conftest import make_settings
from tests.reliability.conftest import SHENBAO, TALLY, cli_env, run_cli
from tests.reliability.invariants import is_chinese_message

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

QUERY = "创新券额度最高多少"
VOUCHER = "haibin-2025-innovation-voucher-guide.txt"


def _index(tmp_path: Path, fixture_corpus: Path, cache: Path | None = None) -> Settings:
    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_corpus, corpus)
    extra = {"SHENBAO_EMBED_CACHE": cache} if cache else {}
    settings = make_settings(tmp_path / "data", corpus, **extra)
    IndexBuilder(settings).run()
    return settings


def _env(settings: Settings) -> dict[str, str]:
    return cli_env(settings.data_dir, SHENBAO_CORPUS_DIR=str(settings.corpus_dir),
                   SHENBAO_EMBED_CACHE=str(settings.embed_cache_path))


def _search_ids(settings: Settings) -> list[str]:
    """Top clause ids of QUERY from a fresh process."""
    res = run_cli(["search", QUERY, "--json", "--k", "5"], _env(settings))
    assert res.code == 0 and "Traceback" not in res.err, res.err[-2000:]
    return [hit["id"] for hit in json.loads(res.out)]


def _in_process_ids(settings: Settings) -> list[str]:
    return [r.chunk.chunk_id for r in HybridRetriever(cached_index(settings)).run(QUERY, k=5)]


@pytest.mark.parametrize("damage", ["deleted", "corrupted"])
def test_damaged_chroma_store_gives_a_clear_message_and_rebuild_repairs_it(
        damage: str, tmp_path: Path, fixture_corpus: Path, fixture_settings) -> None:  # type: ignore[no-untyped-def]
    settings = _index(tmp_path, fixture_corpus)
    before = _in_process_ids(settings)
    clear_index_cache()
    chroma = settings.data_dir / "chroma"
    if damage == "deleted":
        shutil.rmtree(chroma)
    else:
        for f in chroma.rglob("*"):
            if f.is_file():
                f.write_bytes(b"\x00garbage, not a database\xff" * 64)
    TALLY["faults"] += 1

    broken = run_cli(["ask", "创新券额度最高多少？"], _env(settings))
    assert "Traceback" not in broken.err
    assert broken.code == 2, (broken.code, broken.out, broken.err)
    assert broken.err.startswith("错误：") and is_chinese_message(broken.err)
    assert "shenbao ingest --rebuild" in broken.err

    rebuilt = run_cli(["ingest", "--rebuild", "--quiet"], _env(settings))
    assert rebuilt.code == 0 and "Traceback" not in rebuilt.err, rebuilt.err[-2000:]
    assert _search_ids(settings) == before
    if damage == "corrupted":
        assert list(settings.data_dir.glob("chroma.corrupt-*")), "the unreadable store is kept aside"


def test_a_corrupt_snapshot_names_the_rebuild_and_rebuild_repairs_it(tmp_path: Path, fixture_corpus: Path,
                                                                    fixture_settings) -> None:  # type: ignore[no-untyped-def]
    settings = _index(tmp_path, fixture_corpus)
    before = _in_process_ids(settings)
    clear_index_cache()
    snap = IndexSnapshot.path_in(settings.data_dir)
    snap.write_bytes(snap.read_bytes()[: snap.stat().st_size // 2])  # a torn write (pre-atomic tools, disk full)
    TALLY["faults"] += 1
    with pytest.raises(StoreError, match="shenbao ingest --rebuild") as exc:
        AnswerService(settings, use_llm=False).ask(QUERY + "？")
    assert is_chinese_message(str(exc.value))
    with pytest.raises(StoreError, match="--rebuild"):
        IndexBuilder(settings).run()  # a plain ingest does not build over a snapshot it cannot read
    assert not IndexBuilder(settings).run(rebuild=True).failures
    clear_index_cache()
    assert _in_process_ids(settings) == before


def _cache_rows(path: Path) -> int:
    with sqlite3.connect(str(path), timeout=30) as conn:
        return int(conn.execute("SELECT count(*) FROM emb").fetchone()[0])


def test_an_ingest_killed_while_embedding_leaves_the_previous_index_answering(
        tmp_path: Path, fixture_corpus: Path, fixture_settings, private_cache: Path) -> None:  # type: ignore[no-untyped-def]
    settings = _index(tmp_path, fixture_corpus, cache=private_cache)
    before_ids = _in_process_ids(settings)
    clear_index_cache()
    snap = IndexSnapshot.path_in(settings.data_dir).read_bytes()
    target = settings.corpus_dir / VOUCHER
    original = target.read_bytes()
    # a changed notice with many new clauses (never embedded before: the cache is a private copy)
    extra = "\n".join(f"{n}．第{n}项补充条款：申报单位须提交编号为 KX-{n:04d}-{os.getpid()} 的服务合同备案材料。"
                      for n in range(1, 400))
    target.write_text(original.decode("utf-8") + "\n\n六、补充条款\n" + extra + "\n", encoding="utf-8")
    rows = _cache_rows(private_cache)

    proc = subprocess.Popen([*SHENBAO, "ingest", "--quiet"], env=_env(settings), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while _cache_rows(private_cache) == rows:  # the first batch of new vectors is written: embedding
            assert proc.poll() is None, f"ingest ended before embedding: {proc.stderr.read().decode()[-800:]}"
            assert time.monotonic() < deadline, "ingest never started embedding"
            time.sleep(0.1)
        assert proc.poll() is None, "ingest finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        if proc.stderr:
            proc.stderr.close()
    TALLY["faults"] += 1
    assert proc.returncode == -signal.SIGKILL

    assert IndexSnapshot.path_in(settings.data_dir).read_bytes() == snap  # never half-switched
    assert _search_ids(settings) == before_ids  # the previous index answers the same search

    target.write_bytes(original)  # and the next ingest runs: the lock died with the process
    again = run_cli(["ingest", "--quiet"], _env(settings))
    assert again.code == 0 and "Traceback" not in again.err, again.err[-2000:]
    assert "未变化" in again.out


def test_queries_are_answered_while_a_reingest_runs(tmp_path: Path, fixture_corpus: Path,
                                                    fixture_settings, private_cache: Path) -> None:  # type: ignore[no-untyped-def]
    settings = _index(tmp_path, fixture_corpus, cache=private_cache)
    service = AnswerService(settings, use_llm=False)
    expected = service.ask(QUERY + "？").answer
    target = settings.corpus_dir / VOUCHER
    extra = "\n".join(f"{n}．第{n}项新增条款：服务机构须在蓝鲸平台登记第 {n} 类服务目录。" for n in range(1, 50))
    target.write_text(target.read_text(encoding="utf-8") + "\n\n六、新增条款\n" + extra + "\n", encoding="utf-8")

    errors: list[BaseException] = []
    answers: list[str] = []
    done = threading.Event()

    def query_loop() -> None:
        while not done.is_set():
            try:
                answers.append(service.ask(QUERY + "？", Session()).answer)
            except BaseException as exc:  # anything at all is a failure here
                errors.append(exc)
                return

    reader = threading.Thread(target=query_loop)
    reader.start()
    try:
        time.sleep(0.3)
        report = IndexBuilder(settings).run()
    finally:
        done.set()
        reader.join(timeout=60)
    TALLY["faults"] += 1
    assert not errors, repr(errors[0])
    assert report.embedded > 0 and not report.failures
    assert len(answers) >= 2
    assert all("20万元" in a for a in answers), [a[:80] for a in answers if "20万元" not in a][:3]
    assert answers[0] == expected
    # and the new clauses are live once the ingest has switched the snapshot
    hits = HybridRetriever(cached_index(settings)).run("蓝鲸平台登记服务目录", k=3)
    assert any("蓝鲸平台" in h.chunk.text for h in hits)


def test_an_unreachable_chroma_server_gives_a_clear_message(corpus_settings) -> None:  # type: ignore[no-untyped-def]
    from tests.reliability.conftest import closed_port

    env = cli_env(corpus_settings.data_dir, CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(closed_port()))
    res = run_cli(["search", QUERY], env)
    TALLY["faults"] += 1
    assert "Traceback" not in res.err
    assert res.code == 2 and res.err.startswith("错误：") and is_chinese_message(res.err), res.err[-1000:]
    assert "CHROMA_HOST" in res.err
