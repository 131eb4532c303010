"""One retrieval path: in LLM mode, ``search_clauses`` given the question verbatim returns the clause the
offline answer cites first (routed, focused), shown to the model through the real client and a loopback
OpenAI-compatible server (slow: the session-wide corpus index)."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest

from assistant.answer import AnswerService
from assistant.config import Settings
from tests.conftest import ROOT
from tests.llm.conftest import API_KEY, MODEL
from tests.llm.openai_stub import OpenAIStub, Reply, final_json, tool_call, tool_clauses

pytestmark = pytest.mark.slow

DEV = [json.loads(line) for line in (ROOT / "evals" / "datasets" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
       if line.strip()]
FACTS = [d for d in DEV if d["kind"] == "fact"]


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_search_clauses_holds_the_clause_the_offline_answer_cites_first(corpus_settings: Settings) -> None:
    offline = AnswerService(corpus_settings, use_llm=False)
    settings = dataclasses.replace(corpus_settings, openai_api_key=API_KEY, llm_model=MODEL, llm_timeout=5.0,
                                   llm_retries=0)
    held, asked, misses = 0, 0, []
    for item in FACTS:
        record = offline.ask(item["question"])
        if record.refused or not record.citations:
            continue
        first = _flat(record.citations[0].quote)
        seen: list[str] = []

        def reply(body: dict[str, Any], seen: list[str] = seen) -> Reply:
            clauses = tool_clauses(body)
            seen.extend(text for _, text in clauses)
            return Reply(content=final_json("见条款。", [(clauses[0][0], clauses[0][1][:10])] if clauses else []))

        with OpenAIStub() as stub:
            stub.push(Reply(tool_calls=[tool_call("search_clauses", {"query": item["question"], "k": 5})]), reply)
            AnswerService(dataclasses.replace(settings, openai_base_url=stub.base_url)).ask(item["question"])
        asked += 1
        if any(first in _flat(t) for t in seen):
            held += 1
        else:
            misses.append(item["id"])
    assert asked >= 15
    assert held / asked >= 0.95, f"search_clauses missed the offline answer's first clause on {misses}"
