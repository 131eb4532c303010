"""Ingest: idempotent, replaces changed notices, skips bad files, and never leaves a broken index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.errors import IndexMissingError, StoreError
from assistant.index import HybridRetriever
from assistant.index.builder import IndexBuilder, ingest_lock
from assistant.index.clause_index import ClauseIndex, make_store
from assistant.index.store import IndexSnapshot
from tests.conftest import make_settings


@pytest.fixture
def corpus_copy(tmp_path: Path, fixture_corpus: Path) -> Path:
    d = tmp_path / "corpus"
    shutil.copytree(fixture_corpus, d)
    return d


def _search(settings, q: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.chunk.text for r in HybridRetriever(ClauseIndex.open(settings)).run(q, k=5)]


def test_reingest_unchanged_notices_embeds_nothing(tmp_path: Path, corpus_copy: Path) -> None:
    settings = make_settings(tmp_path / "data", corpus_copy)
    first = IndexBuilder(settings).run()
    assert first.chunks > 0 and not first.failures
    assert all(c.section_path for c in IndexSnapshot.load(settings.data_dir).live_chunks())
    again = IndexBuilder(settings).run()
    assert again.embedded == 0
    assert {f.status for f in again.files} == {"unchanged"}
    assert again.chunks == first.chunks


def test_a_changed_notice_replaces_its_old_chunks(tmp_path: Path, corpus_copy: Path) -> None:
    settings = make_settings(tmp_path / "data", corpus_copy)
    IndexBuilder(settings).run()
    before = IndexSnapshot.load(settings.data_dir)
    target = sorted(p for p in corpus_copy.iterdir() if p.suffix == ".txt")[0]
    old_ids = set(before.sources[target.name].chunk_ids)
    target.write_text(target.read_text(encoding="utf-8") + "\n\n九、补充说明\n本通知新增条款：申报单位须提交蓝鲸计划承诺书。\n",
                      encoding="utf-8")
    report = IndexBuilder(settings).run()
    status = {f.file: f.status for f in report.files}
    assert status[target.name] == "changed"
    after = IndexSnapshot.load(settings.data_dir)
    new_ids = set(after.sources[target.name].chunk_ids)
    assert new_ids != old_ids
    assert not (set(before.chunks) - set(after.chunks)) & set(after.chunks)  # stale ids gone from the snapshot
    assert any("蓝鲸计划" in t for t in _search(settings, "蓝鲸计划承诺书"))
    store = make_store(settings, after.collection, ClauseIndex.open(settings).embedder)
    assert store.count() == len(after.chunks)


def test_a_corrupt_file_is_skipped_by_name_and_the_others_ingested(tmp_path: Path, corpus_copy: Path) -> None:
    (corpus_copy / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<<>>\nthis is not a pdf")
    (corpus_copy / "empty.txt").write_text("", encoding="utf-8")
    settings = make_settings(tmp_path / "data", corpus_copy)
    report = IndexBuilder(settings).run()
    failed = {f.file: f.message for f in report.failures}
    assert set(failed) == {"broken.pdf", "empty.txt"}
    assert all(name in msg for name, msg in failed.items())
    assert report.chunks > 0


def test_an_interrupted_ingest_leaves_the_previous_index_answering(tmp_path: Path, corpus_copy: Path) -> None:
    settings = make_settings(tmp_path / "data", corpus_copy)
    IndexBuilder(settings).run()
    before = _search(settings, "申报截止时间")
    snap_before = IndexSnapshot.path_in(settings.data_dir).read_bytes()
    target = sorted(p for p in corpus_copy.iterdir() if p.suffix == ".txt")[0]
    target.write_text(target.read_text(encoding="utf-8") + "\n\n十、新增\n新增一条会被中断的条款。\n", encoding="utf-8")

    def exploding_store(s, collection, embedder):  # type: ignore[no-untyped-def]
        store = make_store(s, collection, embedder)

        def add(*_a, **_k):  # type: ignore[no-untyped-def]
            raise KeyboardInterrupt  # killed while writing vectors

        store.add = add
        return store

    with pytest.raises(KeyboardInterrupt):
        IndexBuilder(settings, store_factory=exploding_store).run()
    assert IndexSnapshot.path_in(settings.data_dir).read_bytes() == snap_before
    assert _search(settings, "申报截止时间") == before


def test_a_corrupt_snapshot_asks_for_rebuild_and_rebuild_repairs_it(tmp_path: Path, corpus_copy: Path) -> None:
    settings = make_settings(tmp_path / "data", corpus_copy)
    IndexBuilder(settings).run()
    IndexSnapshot.path_in(settings.data_dir).write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreError, match="--rebuild"):
        ClauseIndex.open(settings)
    with pytest.raises(StoreError, match="--rebuild"):
        IndexBuilder(settings).run()
    report = IndexBuilder(settings).run(rebuild=True)
    assert report.chunks > 0
    assert _search(settings, "申报截止时间")


def test_no_index_yet_says_to_ingest(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="shenbao ingest"):
        ClauseIndex.open(make_settings(tmp_path / "empty"))


def test_two_ingests_at_once_are_refused(tmp_path: Path, corpus_copy: Path) -> None:
    settings = make_settings(tmp_path / "data", corpus_copy)
    with ingest_lock(settings.data_dir), pytest.raises(StoreError, match="正在运行"):
        IndexBuilder(settings).run()
