"""Runs every gold item through ``AnswerService.ask`` (the same path as ``shenbao ask``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant.answer import AnswerService, Session
from assistant.evaluation.dataset import GoldItem


class EvalRunner:
    """Answers a dataset and writes ``results.jsonl``.

    Args:
        service: the answering pipeline (offline unless a model is configured).
    """

    def __init__(self, service: AnswerService | None = None) -> None:
        self.service = service or AnswerService()

    def run(self, items: Sequence[GoldItem], out_dir: Path,
            progress: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
        """Answer each item (earlier ``turns`` first, in one session) and write the result records."""
        out_dir.mkdir(parents=True, exist_ok=True)
        records = []
        for item in items:
            session = Session()
            for turn in item.turns:
                self.service.ask(turn, session)
            rec = self.service.ask(item.question, session).to_json()
            records.append({"id": item.id, **rec})
            if progress:
                progress(1)
        tmp = out_dir / "results.jsonl.tmp"
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        tmp.replace(out_dir / "results.jsonl")
        return records
