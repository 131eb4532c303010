"""Example questions drawn from the catalogue of the live index (the chat page shows them), so that a
hotline whose index holds only its own notices is shown questions about those notices."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

# "关于组织申报2025年度××项目的通知" → "2025年度××项目"
_WRAPPER = re.compile(r"^(.{0,30}?关于)?(组织|开展|做好|印发|转发|申报|征集|组织开展|组织申报)*(.+?)"
                      r"(申报|认定|评价|推荐|征集|遴选)?(工作)?(有关事项)?的?(通知|公告|通告|函)$")


def short_title(title: str) -> str:
    """The object of a notice's title, without the 关于…的通知 wrapping (at most 40 characters)."""
    t = re.sub(r"\s+", "", title)
    for _ in range(2):  # a forwarding notice wraps the forwarded title: 关于转发《关于…的通知》的通知
        m = _WRAPPER.match(t)
        t = (m.group(3) if m else t).strip("《》“”")
    return t[:40]


class ExampleQuestionPicker:
    """Picks example questions from the catalogue: open calls first (then the newest ones), one question a
    notice, each of a kind the notice can answer (deadline, amount, conditions, contact).

    Args:
        limit: how many questions at most.
    """

    def __init__(self, limit: int = 4) -> None:
        if limit < 1:
            raise ValueError(f"limit must be ≥ 1, got {limit!r}")
        self.limit = limit

    def run(self, registry: Any, today: dt.date | None = None) -> list[str]:
        """The questions (empty when the catalogue is empty)."""
        today = today or dt.date.today()
        notices = [r for r in registry.notices(include_attachments=False)]
        calls = [r for r in notices if r.kind == "call"] or notices
        calls.sort(key=lambda r: (r.status(today).state != "申报中", str(r.published or r.year or "")),
                   reverse=False)
        open_first = [r for r in calls if r.status(today).state == "申报中"]
        rest = sorted((r for r in calls if r not in open_first), key=lambda r: str(r.published or r.year or ""),
                      reverse=True)
        out: list[str] = []
        kinds = ("conditions", "amount", "deadline", "contact")
        for i, rec in enumerate([*open_first, *rest]):
            q = self._question(rec, kinds[i % len(kinds):] + kinds[: i % len(kinds)])
            if q and q not in out:
                out.append(q)
            if len(out) >= self.limit:
                break
        return out

    @staticmethod
    def _question(rec: Any, kinds: tuple[str, ...]) -> str | None:
        name = short_title(rec.title)
        if not name:
            return None
        for kind in kinds:
            if kind == "deadline" and rec.deadlines:
                return f"{name}什么时候截止？"
            if kind == "amount" and rec.amounts:
                return f"{name}最高支持多少钱？"
            if kind == "contact" and rec.contacts:
                return f"{name}的联系电话是多少？"
            if kind == "conditions" and rec.programmes:
                return f"{name}的申报条件是什么？"
        return f"{name}有哪些要求？"
