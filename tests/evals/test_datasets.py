"""The gold datasets in evals/datasets/: format, verbatim quotes and coverage of the item kinds.

Fast and index-free: reads the JSONL files and the corpus text only. Every ``*.jsonl`` in the folder is
checked, so hotline feedback exports appended there must meet the same rules.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from assistant.evaluation.dataset import KINDS, VERDICTS, load_dataset

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT / "evals" / "datasets"
CORPUS = ROOT / "corpus"
SHARED_DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
REQUIRED = ("id", "question", "reference", "reference_contexts", "must_include", "source", "kind")
FILES = sorted(DATASETS.glob("*.jsonl"))


def _squash(text: str) -> str:
    """Whitespace-insensitive form used for quotes and must_include (as the scorer compares)."""
    return re.sub(r"\s+", "", text)


def _corpus() -> dict[str, str]:
    return {p.name: _squash(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.txt"))}


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def item_problems(item: dict[str, Any], corpus: dict[str, str]) -> list[str]:
    """Everything wrong with one dataset item (empty when it is valid)."""
    found: list[str] = []
    missing = [k for k in REQUIRED if k not in item]
    if missing:
        return [f"missing fields {missing}"]
    kind = item["kind"]
    if not isinstance(item["id"], str) or not item["id"].strip():
        found.append("id must be a non-empty string")
    if not isinstance(item["question"], str) or not item["question"].strip():
        found.append("question must be a non-empty string")
    if not isinstance(item["reference"], str) or not item["reference"].strip():
        found.append("reference must be a non-empty string")
    if kind not in KINDS:
        found.append(f"kind {kind!r} not in {sorted(KINDS)}")
    if kind == "eligibility":
        if item.get("expected_verdict") not in VERDICTS:
            found.append(f"eligibility item needs expected_verdict in {sorted(VERDICTS)}")
    elif "expected_verdict" in item:
        found.append("expected_verdict only belongs to eligibility items")
    quotes, must = item["reference_contexts"], item["must_include"]
    if not isinstance(quotes, list) or not all(isinstance(q, str) and q.strip() for q in quotes):
        return [*found, "reference_contexts must be a list of non-empty strings"]
    if not isinstance(must, list) or not all(isinstance(m, str) and m.strip() for m in must):
        return [*found, "must_include must be a list of non-empty strings"]
    if "turns" in item and not _is_str_list(item["turns"]):
        found.append("turns must be a list of non-empty strings")
    if kind == "unanswerable":
        if item["source"] is not None:
            found.append("unanswerable item must have source null")
        if quotes:
            found.append("unanswerable item must have no reference_contexts")
        if must:
            found.append("unanswerable item must have no must_include")
    else:
        if item["source"] not in corpus:
            found.append(f"source {item['source']!r} is not a corpus file")
        if not quotes:
            found.append("answerable item needs at least one reference_contexts quote")
    everywhere = "\n".join(corpus.values())
    for q in quotes:
        if _squash(q) not in everywhere:
            found.append(f"quote not verbatim in corpus: {q!r}")
        elif item["source"] in corpus and _squash(q) not in corpus[item["source"]]:
            found.append(f"quote not in its source {item['source']}: {q!r}")
    reference = _squash(item["reference"])
    for m in must:
        if _squash(m) not in reference:
            found.append(f"must_include {m!r} not in reference")
    return found


def test_dataset_folder_holds_dev_and_extra() -> None:
    assert {p.name for p in FILES} >= {"dev.jsonl", "extra.jsonl"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_item_is_valid(path: Path) -> None:
    corpus = _corpus()
    problems = [f"{it.get('id', f'line {n}')}: {p}" for n, it in enumerate(_read(path), 1)
                for p in item_problems(it, corpus)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_loader_reads_every_item(path: Path) -> None:
    raw = _read(path)
    items = load_dataset(path)
    assert [i.id for i in items] == [r["id"] for r in raw]
    assert [i.turns for i in items] == [r.get("turns", []) for r in raw]


def test_ids_unique_across_files() -> None:
    ids = Counter(it["id"] for path in FILES for it in _read(path))
    assert not [i for i, n in ids.items() if n > 1]


def test_dev_is_exact_copy_of_shared() -> None:
    if not SHARED_DEV.exists():
        pytest.skip("shared/eval/dev.jsonl not present in this checkout")
    assert (DATASETS / "dev.jsonl").read_bytes() == SHARED_DEV.read_bytes()


def test_extra_covers_the_required_item_types() -> None:
    items = _read(DATASETS / "extra.jsonl")
    assert len(items) >= 75
    assert all(re.fullmatch(r"x\d{3}", it["id"]) for it in items)
    verdicts = Counter(it.get("expected_verdict") for it in items if it["kind"] == "eligibility")
    assert all(verdicts[v] >= 8 for v in VERDICTS), verdicts
    assert sum(it["kind"] == "unanswerable" for it in items) >= 10
    assert sum(bool(it.get("turns")) for it in items) >= 8
    by_source = Counter(it["source"] for it in items if it["source"])
    assert set(by_source) == set(_corpus()), "every notice in corpus/ is covered"


def test_extra_does_not_copy_dev_questions() -> None:
    dev = {_squash(it["question"]) for it in _read(DATASETS / "dev.jsonl")}
    assert not [it["id"] for it in _read(DATASETS / "extra.jsonl") if _squash(it["question"]) in dev]


@pytest.mark.parametrize("change, expected", [
    ({"reference_contexts": ["公告里根本没有这句话"]}, "not verbatim"),
    ({"must_include": ["999万元"]}, "not in reference"),
    ({"kind": "eligibility"}, "expected_verdict"),
    ({"kind": "unanswerable"}, "source null"),
    ({"kind": "opinion"}, "kind"),
    ({"turns": "上一问"}, "turns"),
    ({"source": "beijing.txt"}, "not a corpus file"),
    ({"reference_contexts": ["连云港市“十四五”科技创新规划 2021年12月"]}, "not in its source"),
])
def test_validator_catches_bad_items(change: dict[str, Any], expected: str) -> None:
    good = _read(DATASETS / "extra.jsonl")[0]
    corpus = _corpus()
    assert item_problems(good, corpus) == []
    problems = item_problems({**good, **change}, corpus)
    assert any(expected in p for p in problems), problems


def test_validator_requires_all_fields() -> None:
    good = _read(DATASETS / "extra.jsonl")[0]
    bad = {k: v for k, v in good.items() if k != "source"}
    assert item_problems(bad, _corpus()) == ["missing fields ['source']"]
