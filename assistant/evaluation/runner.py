"""Runs every gold item through an answerer (``AnswerService.ask``: the same path as ``shenbao ask``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from assistant.answer import Session
from assistant.errors import ShenbaoError
from assistant.evaluation.dataset import GoldItem
from assistant.models import AnswerRecord


class Answerer(Protocol):
    """What the runner needs: ours (AnswerService) or the naive baseline."""

    def ask(self, question: str, session: Session) -> AnswerRecord: ...


def write_jsonl(records: Sequence[dict[str, Any]], path: Path) -> None:
    """Write records one JSON object a line, atomically (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    tmp.replace(path)


class EvalRunner:
    """Answers a dataset and writes ``results.jsonl``.

    Multi-turn items ask their earlier ``turns`` first, in one session, and record the answer to the
    final ``question`` (the one that is scored).

    Args:
        service: the answering pipeline (default: ours, offline unless a model is configured).
    """

    def __init__(self, service: Answerer | None = None) -> None:
        if service is None:
            from assistant.answer import AnswerService

            service = AnswerService()
        self.service = service

    def run(self, items: Sequence[GoldItem], out_dir: Path,
            progress: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
        """Answer each item and write ``out_dir/results.jsonl``; returns the records.

        A question the pipeline rejects (an :class:`ShenbaoError`) becomes a record with ``error`` set and
        an empty answer, so one bad item cannot stop a release run.
        """
        records = []
        for item in items:
            session = Session()
            try:
                for turn in item.turns:
                    self.service.ask(turn, session)
                rec: dict[str, Any] = self.service.ask(item.question, session).to_json()
            except ShenbaoError as exc:
                rec = {"answer": "", "citations": [], "contexts": [], "verdict": None, "refused": False,
                       "mode": "error", "latency_ms": None, "error": str(exc)}
            records.append({"id": item.id, **rec})
            if progress:
                progress(1)
        write_jsonl(records, out_dir / "results.jsonl")
        return records
