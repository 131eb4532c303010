"""The chat page in LLM mode against the scripted OpenAI stub: streamed answer, model shown, key never shown,
and the offline answer with a notice when the endpoint fails."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.llm.openai_stub import OpenAIStub, Reply, final_json, tool_call, tool_clauses
from tests.ui.test_pages import ask, texts

API_KEY = "sk-test-ui-5d1e7a93c0b24f68"
MODEL = "stub-ui-model"
QUESTION = "海滨市创新券单张额度最高是多少？"
QUOTE = "单张创新券额度最高20万元"



@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as s:
        yield s


@pytest.fixture
def llm_app(make_app: Callable, fixture_settings: Any, stub: OpenAIStub,
            monkeypatch: pytest.MonkeyPatch) -> Any:
    at = make_app(fixture_settings)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
    monkeypatch.setenv("SHENBAO_LLM_MODEL", MODEL)
    monkeypatch.setenv("SHENBAO_LLM_TIMEOUT", "5")
    monkeypatch.setenv("SHENBAO_LLM_RETRIES", "0")
    return at


def _cite(body: dict[str, Any]) -> Reply:
    cid = next(cid for cid, text in tool_clauses(body) if QUOTE in text)
    return Reply(content=final_json("单张创新券额度最高20万元，同一企业本年度限申领一次。", [(cid, QUOTE)]),
                 chunk_chars=3)


def test_llm_answer_is_streamed_then_shown_with_its_citations(llm_app: Any, stub: OpenAIStub) -> None:
    stub.push(Reply(tool_calls=[tool_call("search_clauses", {"query": "创新券 额度", "k": 4})]), _cite)
    llm_app.run()
    assert f":blue-badge[:material/smart_toy: 模型：{MODEL}]" in texts(llm_app)
    ask(llm_app, QUESTION)
    page = texts(llm_app)
    assert "同一企业本年度限申领一次" in page  # the model's phrasing …
    assert f"模型：llm:{MODEL}" in page  # … marked as the model's
    assert any("海滨市2025年度科技创新券项目申报指南" in e.label for e in llm_app.expander)
    assert all(r.body.get("stream") is True for r in stub.received)  # the page asked for a stream
    assert API_KEY not in page
    record = llm_app.session_state["chat_session"].history[-1][1]
    assert record.mode == f"llm:{MODEL}" and record.citations[0].quote == QUOTE


def test_endpoint_failure_falls_back_to_the_offline_answer(llm_app: Any, stub: OpenAIStub) -> None:
    stub.push(Reply(status=503, content="overloaded"))
    llm_app.run()
    ask(llm_app, QUESTION)
    page = texts(llm_app)
    assert "20万元" in page and "离线答案" in page
    assert "模型服务不可用" in "\n".join(i.value for i in llm_app.info)
    assert API_KEY not in page
