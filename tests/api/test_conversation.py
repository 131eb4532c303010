"""Conversation state for stateless callers: cached by the user turns, else rebuilt by replaying them."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.answer import Session
from assistant.answer.conversation import ConversationSessions


class FakeService:
    """Records asks; each ask adds its question to the session's facts."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def ask(self, question: str, session: Session, use_llm: bool | None = None) -> Any:
        if question == "bad":
            raise ValueError("unusable")
        self.asked.append(question)
        session.facts.setdefault("said", []).append(question)
        session.history.append((question, None))
        return None


def test_continued_conversation_replays_nothing() -> None:
    svc = FakeService()
    conv = ConversationSessions(svc)
    s = conv.run([])
    svc.ask("q1", s)
    conv.remember(["q1"], s)
    s2 = conv.run(["q1"])
    assert s2.facts == {"said": ["q1"]} and conv.replayed == 0
    s2.facts["said"].append("changed")
    assert conv.run(["q1"]).facts == {"said": ["q1"]}  # a copy: one request cannot change another's


def test_unknown_conversation_is_replayed_and_bad_turns_skipped() -> None:
    svc = FakeService()
    conv = ConversationSessions(svc, max_replay=2)
    s = conv.run(["old", "bad", "q2", "q3"])
    assert s.facts == {"said": ["q2", "q3"]} and conv.replayed == 2  # only the last two turns


def test_bounded_memory_and_bad_settings() -> None:
    conv = ConversationSessions(FakeService(), max_conversations=2)
    for i in range(5):
        conv.remember([f"q{i}"], Session())
    assert len(conv._cache) == 2
    for kwargs in ({"max_conversations": 0}, {"max_replay": -1}):
        with pytest.raises(ValueError):
            ConversationSessions(FakeService(), **kwargs)
