"""Deadline and contact answers completed from the notice catalogue: the status on the day asked, the person
and number — each still quoted from the notice."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from assistant.answer.composer import question_parts
from assistant.catalogue.registry import STATUS_OPEN
from assistant.models import AnswerRecord, Citation

_ASKS_DEADLINE = re.compile(r"(截止|什么时候|何时|哪天|期限|时间|日期|还能(报|申请|申报)|来得及|过期|结束|开始)")
_ASKS_STATUS = re.compile(r"(截止了|过期|还能(报|申请|申报)|来得及|结束了|还在|还有效|还开放|是否截止)")
_ASKS_CONTACT = re.compile(r"(联系人|联系电话|电话|咨询|联系方式|找谁|怎么联系)")
_PHONE = re.compile(r"\d{3,4}-\d{7,8}|(?<!\d)\d{7,8}(?!\d)|1\d{10}")


class CatalogueFactAdder:
    """Adds what the catalogue knows of the cited notice to a fact answer.

    * a deadline question gets the notice's status on ``today`` (申报中·剩余 N 天 / 已截止 with the date),
      leading the answer when it asks whether it is still open ("截止了吗？");
    * a contact question whose answer names no phone number gets the notice's contacts.

    Each line quotes the clause its value was read from.

    Args:
        today: the day statuses are computed for (default: the day asked).
    """

    def __init__(self, today: dt.date | None = None) -> None:
        self.today = today

    def run(self, question: str, record: AnswerRecord, registry: Any,
            locate: Callable[[str, str], str | None] | None = None) -> AnswerRecord:
        """The record with the catalogue's lines added (unchanged when nothing applies).

        Args:
            question: the (resolved) question.
            record: the offline fact answer.
            registry: the notice catalogue (``NoticeRegistry``).
            locate: ``locate(file, quote)`` → the section path of the clause holding the quote (its citation
                names the real section); a quote it cannot place is not cited.
        """
        """The record with the catalogue's lines added (unchanged when nothing applies)."""
        if record.refused or record.verdict or not record.citations or registry is None:
            return record
        notice = self._notice(record, registry)
        if notice is None:
            return record
        today = self.today or dt.date.today()
        if _ASKS_DEADLINE.search(question) and notice.deadlines:
            st = notice.status(today)
            d = st.deadline or {}
            when = f"{d.get('date', '')}{(' ' + d['time']) if d.get('time') else ''}"
            line = (f"《{notice.title}》申报状态（按 {today.isoformat()} 计算）：{st.label}"
                    + (f"，截止时间 {when}" if when.strip() and st.state == STATUS_OPEN else "") + "。")
            quotes = [x["quote"] for x in notice.deadlines if x.get("quote")]
            record.answer = (f"{line}\n{record.answer}" if _ASKS_STATUS.search(question)
                             else f"{record.answer}\n{line}")
            self._cite(record, notice, quotes[:2], locate)
        said = record.answer.split("\n\n依据条款")[0]
        if _ASKS_CONTACT.search(question) and not _PHONE.search(said):
            people = [c for c in notice.contacts if c.get("phones")]
            if people:
                parts = []
                for c in people[:3]:
                    who = "，".join(x for x in (c.get("unit"), c.get("person")) if x)
                    parts.append(f"{who + '，' if who else ''}电话 {'、'.join(c['phones'])}")
                line = f"《{notice.title}》的联系方式：{'；'.join(parts)}。"
                # the contact leads only when it is what the question asks first; otherwise the answer to the
                # first part leads and the contact follows it
                if _ASKS_CONTACT.search(question_parts(question)[0]):
                    record.answer = f"{line}\n{record.answer}"
                else:
                    head, sep, rest = record.answer.partition("\n\n依据条款")
                    record.answer = f"{head}\n{line}{sep}{rest}"
                self._cite(record, notice, [c["quote"] for c in people[:3] if c.get("quote")], locate)
        return record

    @staticmethod
    def _notice(record: AnswerRecord, registry: Any) -> Any:
        """The catalogue record of the notice the answer cites first (an attachment's parent notice)."""
        title = record.citations[0].notice
        rec = next((r for r in registry.records if r.title == title), None)
        if rec is not None and rec.parent:
            rec = registry.get(rec.parent) or rec
        return rec

    @staticmethod
    def _cite(record: AnswerRecord, notice: Any, quotes: list[str],
              locate: Callable[[str, str], str | None] | None) -> None:
        have = {re.sub(r"\s+", "", c.quote) for c in record.citations}
        for q in quotes:
            section = locate(notice.file, q) if locate else None
            if section is not None and re.sub(r"\s+", "", q) not in have:
                record.citations.append(Citation(notice=notice.title, section=section, quote=q))
