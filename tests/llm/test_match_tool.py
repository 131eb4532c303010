"""``match_programmes``: the match service as an agent tool, through the real client and a stub server."""

from __future__ import annotations

import json
from typing import Any

from assistant.answer.session import Session
from assistant.config import Settings
from assistant.llm import AgentAnswerer
from assistant.llm.agent import NOTICE_UNCHECKED_RULING
from assistant.llm.tools import MatchProgrammesTool, ToolLedger
from tests.llm.conftest import MODEL, ClauseService, offline_record
from tests.llm.openai_stub import OpenAIStub, Reply, final_json, tool_call, tool_clauses
from tests.matching.conftest import match_world  # noqa: F401  (the fixture notices and their rules)

Q = "我们能申报哪些项目？"
FACTS = {"registered_place": "南通市", "entity_type": "enterprise", "independent_legal_person": True,
         "invention_patent_count": 2}


class MatchingService(ClauseService):
    """The clause service plus the match over the fixture notices (what AnswerService offers)."""

    def __init__(self, chunks: list[Any], world: Any) -> None:
        super().__init__(chunks)
        self.matcher = world.service


def _payload(content: str) -> dict[str, Any]:
    return dict(json.loads(content.removeprefix("<eligibility>").removesuffix("</eligibility>")))


def test_the_users_facts_override_the_models_and_rulings_are_recorded(match_world: Any) -> None:  # noqa: F811
    ledger = ToolLedger()
    tool = MatchProgrammesTool(ledger, match_world.service, known_facts={"registered_place": "南通市"})
    out = _payload(tool.run({"registered_place": "雄安新区", "entity_type": "enterprise"}))
    rd = next(p for p in out["programmes"] if "研发投入补助" in p["notice"])
    assert rd["verdict"] == "ineligible" and "雄安新区" in rd["failing"][0]["quote"]
    assert {m["programme_id"] for m in ledger.matches} == {p["programme_id"] for p in out["programmes"]}
    assert not ledger.rulings  # a match never becomes the record's single verdict
    bad = tool.run({"registered_date": "去年"})
    assert bad.startswith("<eligibility>\n项目匹配未完成：") and "registered_date" in bad


def test_the_agent_states_a_ruling_the_match_gave(llm_settings: Settings, chunks: list[Any], stub: OpenAIStub,
                                                  match_world: Any) -> None:  # noqa: F811
    service = MatchingService(chunks, match_world)
    quote = "项目原则上两年内完成"

    def answer(body: dict[str, Any]) -> Reply:
        cid = next(c for c, text in tool_clauses(body) if quote in text)
        return Reply(content=final_json("南通市科技成果转化项目：符合申报条件。", [(cid, quote)]))

    stub.push(Reply(tool_calls=[tool_call("match_programmes", {"facts": FACTS}),
                                tool_call("search_clauses", {"query": "完成", "k": 4})]), answer)
    record = AgentAnswerer(llm_settings, service=service).run(Q, Session(facts=FACTS), offline_record(service, Q))
    assert "match_programmes" in stub.received[0].tool_names
    assert record.mode == f"llm:{MODEL}" and record.verdict is None
    assert record.answer.startswith("南通市科技成果转化项目：符合申报条件。")


def test_a_ruling_no_tool_gave_still_falls_back(llm_settings: Settings, chunks: list[Any], stub: OpenAIStub,
                                                match_world: Any) -> None:  # noqa: F811
    service = MatchingService(chunks, match_world)
    quote = "项目原则上两年内完成"

    def answer(body: dict[str, Any]) -> Reply:
        cid = next(c for c, text in tool_clauses(body) if quote in text)
        return Reply(content=final_json("您符合申报条件。", [(cid, quote)]))

    # nothing known: every match row is needs_info or ineligible, so "符合" is the model's own
    stub.push(Reply(tool_calls=[tool_call("match_programmes", {}),
                                tool_call("search_clauses", {"query": "完成", "k": 4})]), answer)
    record = AgentAnswerer(llm_settings, service=service).run(Q, Session(), offline_record(service, Q))
    assert record.mode == "offline" and record.notices == [NOTICE_UNCHECKED_RULING]
