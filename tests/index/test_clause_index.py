"""The process-wide index cache: lock-free hot path, snapshot change checks at most once per second."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.index import clause_index
from assistant.index.clause_index import ClauseIndex, cached_index
from assistant.index.store import IndexSnapshot


@pytest.fixture
def stale_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = ClauseIndex.is_stale

    def counting(self: ClauseIndex) -> bool:
        calls.append(1)
        return original(self)

    monkeypatch.setattr(ClauseIndex, "is_stale", counting)
    return calls


def test_the_hot_path_checks_the_snapshot_at_most_once_per_interval(fixture_settings: Any, fresh_index_cache: None,
                                                                     stale_checks: list[int],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(clause_index.time, "monotonic", lambda: now[0])
    first = cached_index(fixture_settings)
    stale_checks.clear()
    for _ in range(50):
        assert cached_index(fixture_settings) is first
    assert stale_checks == []  # no file touched within the interval
    now[0] += clause_index.STALE_CHECK_SECONDS + 0.01
    assert cached_index(fixture_settings) is first
    assert len(stale_checks) == 1  # one check once the interval passed
    assert cached_index(fixture_settings) is first
    assert len(stale_checks) == 1


def test_a_snapshot_saved_in_this_process_is_seen_at_once(fixture_settings: Any, fresh_index_cache: None,
                                                          stale_checks: list[int],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(clause_index.time, "monotonic", lambda: now[0])
    first = cached_index(fixture_settings)
    snap = IndexSnapshot.load(fixture_settings.data_dir)
    snap.save(fixture_settings.data_dir)  # a re-ingest's switch (same chunks, new file)
    again = cached_index(fixture_settings)  # no time passed
    assert stale_checks  # the write made it look
    assert again is not first and len(again.chunks) == len(first.chunks)
