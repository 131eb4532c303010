"""Fixtures of the match tests: the fixture notices (two calls, one policy) catalogued and their rules drafted.

No embedding: the match reads the catalogue and the rules, never a vector. ``match_world`` parses the files
(the ingest path) and drafts their rules as ``shenbao rules draft`` does; ``match_index`` is a real index of
them (built with a fake encoder) with rules drafted by the CLI, for the CLI and the page.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import load_benchmark, make_settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "matching"
NOTICES = FIXTURES / "notices"
PROFILES = FIXTURES / "profiles"
#: the fixture day: the 研发投入补助 call is open (截止 2026-12-20), the 南通 call is closed (2026-03-31)
DAY = "2026-12-01"


@dataclass
class MatchWorld:
    """The fixture notices' catalogue and checker."""

    registry: Any
    checker: Any
    rules_dir: Path

    def service(self) -> Any:
        """A match service over them."""
        from assistant.matching import MatchService

        return MatchService(registry=self.registry, checker=self.checker)


@pytest.fixture(scope="session")
def match_world(tmp_path_factory: pytest.TempPathFactory) -> MatchWorld:
    """The fixture notices catalogued and drafted (parse only)."""
    from assistant.catalogue.registry import NoticeRegistry, parse_and_catalogue
    from assistant.eligibility import EligibilityChecker
    from assistant.eligibility.rules import RULES_DIR, load_rules
    from assistant.ingest.catalogue import NoticeCatalogue

    records, chunks = [], []
    for p in sorted(NOTICES.iterdir()):
        _, file_chunks, recs = parse_and_catalogue(p, NoticeCatalogue())
        records += recs
        chunks += file_chunks
    rules_dir = tmp_path_factory.mktemp("match-rules") / "rules"
    load_benchmark("_match_world").draft_rules(records, chunks, rules_dir)
    return MatchWorld(NoticeRegistry(records), EligibilityChecker(load_rules(RULES_DIR, rules_dir)), rules_dir)


@pytest.fixture(scope="session")
def match_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Settings of a real index of the fixture notices (fake encoder) whose rules ``shenbao rules draft`` drafted."""
    from assistant.cli import main
    from assistant.index.builder import IndexBuilder
    from assistant.index.embeddings import CachedEmbedder
    from tests.conftest import FakeEncoder

    base = tmp_path_factory.mktemp("match-index")
    corpus = base / "corpus"
    shutil.copytree(NOTICES, corpus)
    settings = make_settings(base / "data", corpus)
    IndexBuilder(settings, embedder=CachedEmbedder(None, encoder=FakeEncoder())).run()
    saved = {k: os.environ.get(k) for k in ("SHENBAO_DATA_DIR", "SHENBAO_CORPUS_DIR")}
    os.environ["SHENBAO_DATA_DIR"] = str(settings.data_dir)
    os.environ["SHENBAO_CORPUS_DIR"] = str(corpus)
    try:
        assert main(["rules", "draft"]) == 0
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    yield settings
