"""The scale-out path: CHROMA_HOST/CHROMA_PORT → HttpClient against a real `chroma run` server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.index import HybridRetriever
from assistant.index.builder import IndexBuilder
from assistant.index.clause_index import ClauseIndex
from tests.conftest import make_settings

pytestmark = [pytest.mark.slow, pytest.mark.network]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        pytest.skip("chroma CLI not installed")
    port = _free_port()
    proc = subprocess.Popen([str(exe), "run", "--path", str(tmp_path_factory.mktemp("chroma-srv")),
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("chroma server did not start")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_ingest_and_search_through_a_chroma_server(tmp_path: Path, fixture_corpus: Path, chroma_server: int) -> None:
    settings = make_settings(tmp_path / "data", fixture_corpus, CHROMA_HOST="127.0.0.1", CHROMA_PORT=chroma_server)
    report = IndexBuilder(settings).run()
    assert report.chunks > 0 and report.embedded >= 0
    assert not (tmp_path / "data" / "chroma").exists()  # nothing embedded locally: vectors live on the server
    index = ClauseIndex.open(settings)
    assert index.store.count() == report.chunks
    results = HybridRetriever(index).run("申报截止时间", k=3)
    assert results and results[0].score > 0
    # the routed path filters the server's vectors to the routed notice (a `where` on doc_id)
    from assistant.routing import routed_retriever

    routed = routed_retriever(HybridRetriever(index))
    decision = routed.router.run("海滨市科技创新券的额度最高多少？")
    found = routed.run("海滨市科技创新券的额度最高多少？", k=3, decision=decision)
    assert decision.routed and found and {r.chunk.doc_id for r in found} <= set(decision.doc_ids)
    again = IndexBuilder(settings).run()
    assert again.embedded == 0
