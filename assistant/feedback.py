"""Answer feedback (👍/👎 with an optional correction), stored in SQLite and exported as evaluation items.

Hotline staff mark answers in the web page; :meth:`FeedbackStore.export_jsonl` turns the usable ones into
gold items in the format of ``shared/eval/README.md`` (``id, question, reference, reference_contexts,
must_include, source, kind, expected_verdict`` and ``turns`` for follow-ups), which ``shenbao eval`` reads.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant.config import Settings, get_settings
from assistant.errors import InputError, StoreError
from assistant.models import AnswerRecord

Rating = Literal["up", "down"]
RATINGS: tuple[str, ...] = ("up", "down")
VERDICTS: tuple[str, ...] = ("eligible", "ineligible", "needs_info")
MAX_CORRECTION_CHARS = 4000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    question TEXT NOT NULL,
    turns TEXT NOT NULL,
    answer TEXT NOT NULL,
    record TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    correction TEXT,
    expected_verdict TEXT,
    quotes_ok INTEGER NOT NULL DEFAULT 1
)
"""


@dataclass(frozen=True)
class FeedbackEntry:
    """One stored judgement of an answer.

    Attributes:
        id: row id (the export's item id is ``fb-<id>``).
        created: UNIX time of the judgement.
        question: the question as asked.
        turns: earlier questions of the same conversation (a follow-up needs them to make sense).
        answer: the answer text shown.
        record: the full answer record (``AnswerRecord.to_json()``).
        rating: ``up`` or ``down``.
        correction: the corrected answer typed by the user, if any.
        expected_verdict: for eligibility answers, the ruling the user says is right, if given.
        quotes_ok: whether the quoted clauses still support the (corrected) answer.
    """

    id: int
    created: float
    question: str
    turns: list[str]
    answer: str
    record: dict[str, Any]
    rating: str
    correction: str | None = None
    expected_verdict: str | None = None
    quotes_ok: bool = True


@dataclass
class ExportReport:
    """What an export wrote and what it left out (a 👎 without a correction is no reference)."""

    path: Path
    written: int = 0
    skipped: list[int] = field(default_factory=list)


class FeedbackStore:
    """SQLite store of answer feedback under the data dir (``feedback.sqlite``), safe across threads.

    Args:
        settings: where the data dir is (read from the environment when omitted).
        path: the database file; default ``<data_dir>/feedback.sqlite``.
    """

    FILE_NAME = "feedback.sqlite"

    def __init__(self, settings: Settings | None = None, path: Path | None = None) -> None:
        self.settings = settings or get_settings()
        self.path = Path(path) if path is not None else self.settings.data_dir / self.FILE_NAME
        if self.path.exists() and self.path.is_dir():
            raise ValueError(f"feedback path must be a file, got the directory {self.path}")
        self._lock = threading.Lock()
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), timeout=10)
            if not self._ready:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(_SCHEMA)
                conn.commit()
                self._ready = True
            return conn
        except sqlite3.Error as exc:
            raise StoreError(
                f"无法打开反馈数据库 {self.path}（{exc}）。请检查 SHENBAO_DATA_DIR 是否可写。") from exc

    # -- writing ---------------------------------------------------------------------------------
    def add(self, question: str, record: AnswerRecord | Mapping[str, Any], rating: str,
            correction: str | None = None, expected_verdict: str | None = None,
            turns: Sequence[str] = (), quotes_ok: bool = True) -> int:
        """Store one judgement and return its id.

        Args:
            question: the question as asked.
            record: the answer record shown (or its JSON).
            rating: ``up`` (👍) or ``down`` (👎).
            correction: the right answer, when the user typed one.
            expected_verdict: for eligibility answers, the right ruling (eligible/ineligible/needs_info).
            turns: the earlier questions of the conversation.
            quotes_ok: whether the quoted clauses support the corrected answer.

        Raises:
            InputError: unknown rating or verdict, empty question, or an over-long correction.
        """
        if rating not in RATINGS:
            raise InputError(f"反馈只能是 👍（up）或 👎（down），收到 {rating!r}。")
        if expected_verdict is not None and expected_verdict not in VERDICTS:
            raise InputError(f"正确结论应为 {'/'.join(VERDICTS)} 之一，收到 {expected_verdict!r}。")
        question = (question or "").strip()
        if not question:
            raise InputError("反馈缺少问题文本。")
        correction = (correction or "").strip() or None
        if correction and len(correction) > MAX_CORRECTION_CHARS:
            raise InputError(
                f"更正内容过长（{len(correction)} 字），请精简到 {MAX_CORRECTION_CHARS} 字以内。")
        rec = record.to_json() if isinstance(record, AnswerRecord) else dict(record)
        with self._lock:
            conn = self._connect()
            try:
                cur = conn.execute(
                    "INSERT INTO feedback (created, question, turns, answer, record, rating, correction,"
                    " expected_verdict, quotes_ok) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (time.time(), question, json.dumps(list(turns), ensure_ascii=False),
                     str(rec.get("answer", "")), json.dumps(rec, ensure_ascii=False), rating, correction,
                     expected_verdict, int(quotes_ok)),
                )
                conn.commit()
                return int(cur.lastrowid or 0)
            except sqlite3.Error as exc:
                raise StoreError(f"反馈保存失败（{exc}）。请检查 {self.path} 是否可写。") from exc
            finally:
                conn.close()

    def update(self, entry_id: int, rating: str | None = None, correction: str | None = None,
               expected_verdict: str | None = None, quotes_ok: bool | None = None) -> None:
        """Change a stored judgement (the page stores 👎 at once and the correction when it is sent).

        Raises:
            InputError: unknown id, rating or verdict, or an over-long correction.
        """
        if rating is not None and rating not in RATINGS:
            raise InputError(f"反馈只能是 👍（up）或 👎（down），收到 {rating!r}。")
        if expected_verdict is not None and expected_verdict not in VERDICTS:
            raise InputError(f"正确结论应为 {'/'.join(VERDICTS)} 之一，收到 {expected_verdict!r}。")
        sets: dict[str, Any] = {}
        if rating is not None:
            sets["rating"] = rating
        if correction is not None:
            text = correction.strip()
            if len(text) > MAX_CORRECTION_CHARS:
                raise InputError(
                    f"更正内容过长（{len(text)} 字），请精简到 {MAX_CORRECTION_CHARS} 字以内。")
            sets["correction"] = text or None
        if expected_verdict is not None:
            sets["expected_verdict"] = expected_verdict
        if quotes_ok is not None:
            sets["quotes_ok"] = int(quotes_ok)
        if not sets:
            return
        with self._lock:
            conn = self._connect()
            try:
                cur = conn.execute(
                    # column names come from the fixed keys above, values are bound
                    f"UPDATE feedback SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
                    (*sets.values(), entry_id),
                )
                conn.commit()
                if cur.rowcount == 0:
                    raise InputError(f"没有编号为 {entry_id} 的反馈。")
            except sqlite3.Error as exc:
                raise StoreError(f"反馈保存失败（{exc}）。请检查 {self.path} 是否可写。") from exc
            finally:
                conn.close()

    # -- reading ---------------------------------------------------------------------------------
    def entries(self) -> list[FeedbackEntry]:
        """Every stored judgement, oldest first."""
        if not self.path.exists():
            return []
        with self._lock:
            conn = self._connect()
            try:
                rows = conn.execute(
                    "SELECT id, created, question, turns, answer, record, rating, correction,"
                    " expected_verdict, quotes_ok FROM feedback ORDER BY id"
                ).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"反馈数据库 {self.path} 无法读取（{exc}）。") from exc
            finally:
                conn.close()
        return [
            FeedbackEntry(id=r[0], created=r[1], question=r[2], turns=json.loads(r[3]), answer=r[4],
                          record=json.loads(r[5]), rating=r[6], correction=r[7], expected_verdict=r[8],
                          quotes_ok=bool(r[9]))
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        """Number of 👍, 👎 and corrections stored."""
        es = self.entries()
        return {"up": sum(e.rating == "up" for e in es), "down": sum(e.rating == "down" for e in es),
                "corrections": sum(bool(e.correction) for e in es)}

    # -- export ----------------------------------------------------------------------------------
    def eval_items(self, sources: Mapping[str, str] | None = None) -> tuple[list[dict[str, Any]], list[int]]:
        """Gold items from the usable judgements, and the ids left out.

        A 👍 makes the shown answer the reference; a 👎 with a correction makes the correction the
        reference; a 👎 without one says only that the answer was wrong, so it is left out.

        Args:
            sources: notice title → corpus file name (default: read from the live index snapshot).
        """
        if sources is None:
            sources = notice_sources(self.settings.data_dir)
        items: list[dict[str, Any]] = []
        skipped: list[int] = []
        for e in self.entries():
            if e.rating == "down" and not e.correction:
                skipped.append(e.id)
                continue
            items.append(_eval_item(e, sources))
        return items, skipped

    def export_jsonl(self, path: Path, sources: Mapping[str, str] | None = None) -> ExportReport:
        """Write the gold items (one JSON object a line) to ``path``, replacing it."""
        items, skipped = self.eval_items(sources)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(it, ensure_ascii=False) + "\n" for it in items), encoding="utf-8")
        return ExportReport(path=path, written=len(items), skipped=skipped)

    def export_text(self, sources: Mapping[str, str] | None = None) -> str:
        """The same JSONL as text (the web page's download button)."""
        items, _ = self.eval_items(sources)
        return "".join(json.dumps(it, ensure_ascii=False) + "\n" for it in items)


def notice_sources(data_dir: Path) -> dict[str, str]:
    """Notice title → corpus file, from the live index snapshot (empty when there is no index)."""
    from assistant.index.store import IndexSnapshot

    try:
        snap = IndexSnapshot.load(data_dir)
    except StoreError:
        return {}
    return {str(d["title"]): name for name, s in snap.sources.items() for d in s.documents if d.get("title")}


def _eval_item(e: FeedbackEntry, sources: Mapping[str, str]) -> dict[str, Any]:
    rec = e.record
    verdict = rec.get("verdict")
    refused = bool(rec.get("refused"))
    citations = [c for c in rec.get("citations") or [] if isinstance(c, Mapping)]
    if e.expected_verdict or verdict:
        kind = "eligibility"
    elif refused and not e.correction:
        kind = "unanswerable"  # 👍 on "现有公告中未找到": the corpus has no answer
    else:
        kind = "fact"
    quotes = [str(c.get("quote", "")) for c in citations if c.get("quote")] if e.quotes_ok else []
    quotes = list(dict.fromkeys(quotes))
    source = None
    if kind != "unanswerable":
        for c in citations:
            source = sources.get(str(c.get("notice", "")))
            if source:
                break
    item: dict[str, Any] = {
        "id": f"fb-{e.id:05d}",
        "question": e.question,
        "reference": e.correction or e.answer,
        "reference_contexts": quotes,
        "must_include": [],
        "source": source,
        "kind": kind,
    }
    if kind == "eligibility":
        item["expected_verdict"] = e.expected_verdict or (verdict if e.rating == "up" else None)
    if e.turns:
        item["turns"] = list(e.turns)
    return item
