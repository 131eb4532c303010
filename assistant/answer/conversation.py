"""Sessions for stateless callers: an OpenAI-style client sends the whole conversation with each request.

The follow-up resolver and the accumulated facts need the earlier turns' state. :class:`ConversationSessions`
keeps the session reached after each conversation (keyed by its user turns) and hands out a copy when the
next request continues it; a conversation it has not seen (a restart, another server) is rebuilt by
replaying its user turns offline — the offline pipeline is deterministic, so the rebuilt state is the one
the turns produced.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from assistant.answer.session import Session


def _key(questions: Sequence[str]) -> str:
    h = hashlib.sha256()
    for q in questions:
        h.update(q.encode("utf-8", errors="replace"))
        h.update(b"\x1e")
    return h.hexdigest()


def copy_session(session: Session) -> Session:
    """An independent copy (two requests continuing one conversation must not share state)."""
    return Session(history=list(session.history), facts=copy.deepcopy(session.facts),
                   programme_id=session.programme_id, pending_eligibility=session.pending_eligibility)


class ConversationSessions:
    """Session state per conversation prefix, bounded in memory.

    Args:
        service: the answer service (replays use its offline path).
        max_conversations: sessions kept (least recently used ones are dropped).
        max_replay: at most this many earlier user turns are replayed (older ones hardly matter).
    """

    def __init__(self, service: Any, max_conversations: int = 2000, max_replay: int = 8) -> None:
        if max_conversations < 1:
            raise ValueError(f"max_conversations must be ≥ 1, got {max_conversations!r}")
        if max_replay < 0:
            raise ValueError(f"max_replay must be ≥ 0, got {max_replay!r}")
        self.service = service
        self.max_conversations = max_conversations
        self.max_replay = max_replay
        self._cache: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()
        self.replayed = 0  # turns replayed so far (the tests check that a continued conversation replays none)

    def run(self, earlier: Sequence[str]) -> Session:
        """A fresh session holding the state reached after the user turns ``earlier``."""
        earlier = list(earlier)[-self.max_replay:] if self.max_replay else []
        if not earlier:
            return Session()
        with self._lock:
            hit = self._cache.get(_key(earlier))
            if hit is not None:
                self._cache.move_to_end(_key(earlier))
                return copy_session(hit)
        session = Session()
        for q in earlier:
            try:
                self.service.ask(q, session, use_llm=False)
            except Exception:
                continue
            self.replayed += 1
        return session

    def remember(self, questions: Sequence[str], session: Session) -> None:
        """Keep the state reached after ``questions`` (the earlier turns plus the one just answered)."""
        questions = list(questions)[-self.max_replay:] if self.max_replay else []
        if not questions:
            return
        with self._lock:
            self._cache[_key(questions)] = copy_session(session)
            self._cache.move_to_end(_key(questions))
            while len(self._cache) > self.max_conversations:
                self._cache.popitem(last=False)
