"""The notices a match runs over, built from the files without embedding: catalogue records and drafted rules.

What ``shenbao ingest`` + ``shenbao rules draft`` would give, minus the vectors (the match reads no vector):
every file is read once with ``parse_and_catalogue`` (the ingest path), the records form the
``NoticeRegistry``, and every programme of every document is drafted the way ``shenbao rules draft`` does
(``notice_programmes`` over the chunks, ``RuleDrafter`` + ``DraftValidator``, stored by ``DraftRuleStore``
in ``<data_dir>/rules``). Parsing the seeds and the 137 Xiong'an files takes about a minute, so the parsed
files are kept in a pickle under ``out/`` keyed by the files' contents.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEEDS = ROOT / "corpus"
XIONGAN = ROOT.parent / "shared" / "corpus-xiongan"
CACHE_DIR = ROOT / "out" / "match-world"
NOTICE_SUFFIXES = (".md", ".txt", ".html", ".htm", ".pdf", ".docx")


@dataclass
class World:
    """The catalogue and the chunks of the files, and where their drafted rules are stored."""

    registry: Any
    chunks: list[Any]
    files: list[str]
    rules_dir: Path


def notice_files(*dirs: Path) -> list[Path]:
    """The notice files of the directories (not the override file, not a company record)."""
    out: list[Path] = []
    for d in dirs:
        out += sorted(p for p in d.iterdir() if p.suffix.lower() in NOTICE_SUFFIXES
                      and not p.name.startswith("company_"))
    return out


def _digest(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    h.update((SEEDS / "notices.yaml").read_bytes())
    return h.hexdigest()[:16]


def parse_files(paths: Sequence[Path]) -> tuple[list[Any], list[Any]]:
    """(records, chunks) of the files, from the pickle when the files are unchanged."""
    from assistant.catalogue.registry import parse_and_catalogue
    from assistant.ingest.catalogue import NoticeCatalogue

    cache = CACHE_DIR / f"{_digest(paths)}.pickle"
    if cache.exists():
        with cache.open("rb") as fh:
            records, chunks = pickle.load(fh)
        return records, chunks
    overrides = NoticeCatalogue.load(SEEDS / "notices.yaml")
    records, chunks = [], []
    for p in paths:
        _, file_chunks, recs = parse_and_catalogue(p, overrides)
        records += recs
        chunks += file_chunks
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as fh:
        pickle.dump((records, chunks), fh)
    return records, chunks


def draft_rules(records: Sequence[Any], chunks: Sequence[Any], rules_dir: Path) -> int:
    """Draft every programme of the catalogue into ``rules_dir`` (as ``shenbao rules draft`` does); notices
    drafted."""
    from assistant.catalogue.registry import NoticeRegistry
    from assistant.drafting.auto import CatalogueDraftRunner
    from assistant.drafting.registry import catalogue_programmes
    from assistant.drafting.store import DraftRuleStore

    runner = CatalogueDraftRunner(DraftRuleStore(rules_dir))
    return len(runner.run(catalogue_programmes(NoticeRegistry(list(records)), chunks)))


def build(data_dir: Path, *dirs: Path) -> World:
    """The world of the notice files in ``dirs`` (default the seeds and the shared Xiong'an notices)."""
    from assistant.catalogue.registry import NoticeRegistry

    paths = notice_files(*(dirs or (SEEDS, XIONGAN)))
    records, chunks = parse_files(paths)
    rules_dir = data_dir / "rules"
    if not rules_dir.is_dir():
        draft_rules(records, chunks, rules_dir)
    return World(NoticeRegistry(records), chunks, [p.name for p in paths], rules_dir)
