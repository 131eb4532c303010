"""RuleProposer over the loopback OpenAI stub (real client): valid proposals replace their reminders,
invalid ones are dropped and counted, and a failing model leaves the offline draft as it was."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.drafting import DraftValidator, ProgrammeRef, RuleDrafter
from assistant.drafting.propose import RuleProposer
from assistant.models import Chunk
from tests.conftest import make_settings
from tests.llm.openai_stub import OpenAIStub, Reply

QUOTE = "4.企业具有较为完善的技术创新机制，发展规划和目标明确。"


def _draft(notice_chunks: list[Chunk], programme: ProgrammeRef) -> list[dict[str, Any]]:
    return RuleDrafter().run(notice_chunks, programme).criteria


def _settings(tmp_path: Path, stub: OpenAIStub) -> Any:
    return make_settings(tmp_path / "data", OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=stub.base_url,
                         SHENBAO_LLM_MODEL="stub-model", SHENBAO_LLM_TIMEOUT=2, SHENBAO_LLM_RETRIES=0)


def _reminder_index(criteria: list[dict[str, Any]], quote: str) -> int:
    reminders = [c for c in criteria if c["kind"] == "reminder"]
    return next(i for i, c in enumerate(reminders) if c["reference"]["quote"] == quote)


def test_valid_proposals_replace_reminders_and_invalid_ones_are_dropped(
        tmp_path: Path, notice_chunks: list[Chunk], programme: ProgrammeRef) -> None:
    criteria = _draft(notice_chunks, programme)
    idx = _reminder_index(criteria, QUOTE)
    section = next(c for c in criteria if c["reference"]["quote"] == QUOTE)["reference"]["section"]
    good = {"clause": idx, "condition": "is_true", "params": {"fact": "operating_normally"},
            "description": "须有完善的技术创新机制", "quote": "企业具有较为完善的技术创新机制", "section": section}
    bad = [
        {**good, "condition": "no_such_condition"},                       # condition does not exist
        {**good, "params": {"fact": "no_such_fact"}},                     # params name no profile field
        {**good, "params": {"fact": "operating_normally", "x": 1}},       # params do not fit the condition
        {**good, "quote": "企业年营业收入不低于一亿元"},                     # quote not in the notice
        {**good, "section": "九、不存在的章节"},                             # section not real
    ]
    with OpenAIStub(Reply(content=json.dumps({"rules": [good, *bad]}, ensure_ascii=False))) as stub:
        out, kept, dropped = RuleProposer(_settings(tmp_path, stub)).run(
            programme, criteria, DraftValidator(notice_chunks))
        sent = stub.received[0].body
    assert (kept, dropped) == (1, 5)
    assert QUOTE in sent["messages"][0]["content"]
    proposed = [c for c in out if c.get("origin") == "model"]
    assert len(proposed) == 1 and proposed[0]["certain"] is False and proposed[0]["status"] == "draft"
    assert not any(c["kind"] == "reminder" and c["reference"]["quote"] == QUOTE for c in out)
    assert len(out) == len(criteria)


def test_a_failing_model_leaves_the_offline_draft(tmp_path: Path, notice_chunks: list[Chunk],
                                                  programme: ProgrammeRef) -> None:
    criteria = _draft(notice_chunks, programme)
    with OpenAIStub(Reply(status=500)) as stub:
        out, kept, dropped = RuleProposer(_settings(tmp_path, stub)).run(
            programme, criteria, DraftValidator(notice_chunks))
        stub.errors.clear()
    assert out == criteria and (kept, dropped) == (0, 0)
