"""Conversation state: follow-ups resolve against earlier turns; stated facts accumulate per session."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

_FOLLOW_UP = re.compile(r"^(那|那么|那如果|如果是|还有|另外|再问|换成|改成)|呢[？?]?$")
_PLACE = re.compile(r"(连云港|南通|江苏|苏州|南京|无锡|徐州|常州|淮安|盐城|扬州|镇江|泰州|宿迁)(市|省)?")


@dataclass
class Session:
    """One user's conversation: never shared between users (the UI keeps one per browser session).

    Attributes:
        history: (question as resolved, answer record) pairs.
        facts: applicant facts stated so far (accumulate across turns).
        programme_id: the programme the conversation is about, once known.
        match: the last match report ("我们能申报哪些项目？"), so supplied facts re-run it.
    """

    history: list[tuple[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    programme_id: str | None = None
    pending_eligibility: bool = False
    match: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def last_question(self) -> str | None:
        """The previous question (resolved form)."""
        return self.history[-1][0] if self.history else None

    def reset(self) -> None:
        """Forget everything (the page's reset button)."""
        self.history.clear()
        self.facts.clear()
        self.programme_id = None
        self.pending_eligibility = False
        self.match = None


class FollowUpResolver:
    """Turns "那南通的呢？" or "截止时间呢？" into a self-contained question using the previous turn.

    Args:
        max_follow_up_chars: only questions this short can be follow-ups.
    """

    def __init__(self, max_follow_up_chars: int = 20) -> None:
        if max_follow_up_chars < 1:
            raise ValueError(f"max_follow_up_chars must be ≥ 1, got {max_follow_up_chars!r}")
        self.max_follow_up_chars = max_follow_up_chars

    def run(self, question: str, previous: str | None, names_programme: bool) -> str:
        """The question to answer; unchanged when it stands on its own."""
        q = question.strip()
        if not previous or names_programme or len(q) > self.max_follow_up_chars:
            return q
        if not (_FOLLOW_UP.search(q) or len(q) <= 8):
            return q
        core = _FOLLOW_UP.sub("", q).strip("，,。？? ")
        new_place = _PLACE.search(core)
        old_place = _PLACE.search(previous)
        if new_place and old_place:
            # "那南通的呢？": the same question about another place
            place = new_place.group(1) + (new_place.group(2) or old_place.group(2) or "")
            return previous.replace(old_place.group(0), place, 1)
        # "截止时间呢？": the new ask about the previous subject
        subject = re.split(r"[，,。？?]", previous)[0]
        subject = re.sub(r"(的?(联系人|联系电话|截止时间|截止日期|申报条件|要求|资助|经费|期限|是什么|有什么|多少|哪些|能否|可以|能不能|吗).*)$",
                         "", subject)
        return f"{subject}的{core}？" if core else previous
