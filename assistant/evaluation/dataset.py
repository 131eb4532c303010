"""Gold datasets in the format of shared/eval/README.md (plus optional multi-turn ``turns``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import InputError

KINDS = {"fact", "eligibility", "unanswerable"}
VERDICTS = {"eligible", "ineligible", "needs_info"}


@dataclass(frozen=True)
class GoldItem:
    """One gold question; ``turns`` (earlier questions of a conversation) precede ``question``."""

    id: str
    question: str
    kind: str
    reference: str = ""
    reference_contexts: list[str] = field(default_factory=list)
    must_include: list[str] = field(default_factory=list)
    source: str | None = None
    expected_verdict: str | None = None
    turns: list[str] = field(default_factory=list)


def load_dataset(path: Path) -> list[GoldItem]:
    """Read and validate a JSONL dataset.

    Raises:
        InputError: missing file, bad JSON, or an item missing a field (line number in the message).
    """
    if not path.exists():
        raise InputError(f"数据集文件不存在：{path}")
    items: list[GoldItem] = []
    ids: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw: dict[str, Any] = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path.name} 第 {n} 行不是合法 JSON：{exc.msg}") from None
        for key in ("id", "question", "kind"):
            if not raw.get(key):
                raise InputError(f"{path.name} 第 {n} 行缺少字段 {key}。")
        if raw["kind"] not in KINDS:
            raise InputError(f"{path.name} 第 {n} 行 kind={raw['kind']!r} 无效，应为 {sorted(KINDS)} 之一。")
        if raw.get("expected_verdict") not in VERDICTS | {None}:
            raise InputError(f"{path.name} 第 {n} 行 expected_verdict={raw['expected_verdict']!r} 无效。")
        if raw["id"] in ids:
            raise InputError(f"{path.name} 第 {n} 行 id={raw['id']!r} 重复。")
        ids.add(raw["id"])
        items.append(GoldItem(
            id=raw["id"], question=raw["question"], kind=raw["kind"], reference=raw.get("reference", ""),
            reference_contexts=list(raw.get("reference_contexts") or []),
            must_include=list(raw.get("must_include") or []), source=raw.get("source"),
            expected_verdict=raw.get("expected_verdict"), turns=list(raw.get("turns") or []),
        ))
    if not items:
        raise InputError(f"数据集 {path} 是空的。")
    return items
