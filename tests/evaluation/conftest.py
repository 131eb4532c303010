"""Synthetic gold items, result records and a tiny corpus: no index, no model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

CORPUS = {
    "a.txt": "一、申报条件\n项目牵头单位应为在市辖区（不含赣榆区）内注册、"
             "具有独立法人资格的法人单位。\n二、资助标准\n每个项目最高资助 100 万元。\n",
    "sub/b.md": "网上申报截止时间为2024年5月31日17:00。联系电话：85805561。\n",
    "ignored.yaml": "这段文字不在公告里: 只有 txt/md 计入。\n",
}

GOLD: list[dict[str, Any]] = [
    {"id": "g1", "question": "赣榆区企业能否牵头？", "kind": "eligibility",
     "expected_verdict": "ineligible",
     "reference": "不能。", "reference_contexts": ["在市辖区（不含赣榆区）内注册"],
     "must_include": ["不含赣榆区"],
     "source": "a.txt"},
    {"id": "g2", "question": "最高资助多少？", "kind": "fact", "reference": "最高资助100万元。",
     "reference_contexts": ["每个项目最高资助100万元"], "must_include": ["100万元", "最高"],
     "source": "a.txt"},
    {"id": "g3", "question": "截止时间？", "kind": "fact", "reference": "2024年5月31日17:00。",
     "reference_contexts": ["网上申报截止时间为2024年5月31日17:00", "联系电话：85805561"],
     "must_include": ["5月31日"], "source": "b.md"},
    {"id": "g4", "question": "火星项目资助多少？", "kind": "unanswerable", "reference": "",
     "reference_contexts": [], "must_include": [], "source": None},
    {"id": "g5", "question": "那南通的呢？", "kind": "fact", "reference": "85805561",
     "reference_contexts": ["联系电话：85805561"], "must_include": ["85805561"], "source": "b.md",
     "turns": ["连云港的联系电话是多少？"]},
    {"id": "g6", "question": "没有回答记录的题", "kind": "fact", "reference": "x",
     "reference_contexts": ["每个项目最高资助"], "must_include": ["x"], "source": "a.txt"},
]

RESULTS: list[dict[str, Any]] = [
    {"id": "g1", "answer": "不能。牵头单位须在市辖区（不含 赣榆区）内注册。", "verdict": "ineligible",
     "refused": False,
     "citations": [{"notice": "n", "section": "一", "quote": "项目牵头单位应为在市辖区（不含赣榆区）内注册"}],
     "contexts": ["x", "项目牵头单位应为在市辖区（不含赣榆区）内注册、具有独立法人资格的法人单位。"],
     "latency_ms": 40.0},
    {"id": "g2", "answer": "最高资助 100 万元", "verdict": None, "refused": False,
     "citations": [{"notice": "n", "section": "二", "quote": "每个项目最高资助 100\n万元。"},
                   {"notice": "n", "section": "二", "quote": "编造的条款文字"}],
     "contexts": ["a", "b", "c", "d", "e", "每个项目最高资助100万元。"], "latency_ms": 10},
    {"id": "g3", "answer": "截止时间为2024年5月31日。", "verdict": "eligible", "refused": False,
     "citations": [{"notice": "n", "section": "", "quote": ""}],
     "contexts": ["网上申报截止时间为 2024年5月31日 17:00。联系电话：85805561。"], "latency_ms": 25.5},
    {"id": "g4", "answer": "现有公告中未找到。", "verdict": None, "refused": True, "citations": [],
     "contexts": [], "latency_ms": 5.0},
    {"id": "g5", "answer": "联系电话：85805561", "verdict": None, "refused": True, "citations": [],
     "contexts": ["联系电话：85805561"], "latency_ms": "n/a"},
]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """A corpus dir with a nested .md and a non-notice file."""
    d = tmp_path / "corpus"
    for name, text in CORPUS.items():
        (d / name).parent.mkdir(parents=True, exist_ok=True)
        (d / name).write_text(text, encoding="utf-8")
    return d


@pytest.fixture
def gold_file(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "gold.jsonl", GOLD)


@pytest.fixture
def results_file(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "results.jsonl", RESULTS)
