"""The real ``openai`` client against ``shenbao serve`` on 127.0.0.1: completions, streaming, history."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.network]

FACT = "南通市前瞻性技术创新专项每个项目最高资助多少？"
RULING = "我们是赣榆区的企业，能申报产业前瞻与关键技术项目吗？"
_WS = re.compile(r"\s+")


def _client(url: str, key: str | None = None) -> Any:
    from openai import OpenAI

    return OpenAI(base_url=url, api_key=key or "not-needed", timeout=120, max_retries=0)


def _corpus_text(settings: Any) -> str:
    from assistant.index import cached_index

    return "\n".join(_WS.sub("", c.text) for c in cached_index(settings).chunks)


def _assert_cited(content: str, record: dict[str, Any], corpus: str) -> None:
    """Numbered citations in the text, each quote verbatim in the notices (spacing aside) and in the text."""
    assert record["citations"], record
    assert "依据条款：" in content and re.search(r"(^|\n)(1\.|\[1\]) 《", content)
    flat = _WS.sub("", content)
    for c in record["citations"]:
        quote = _WS.sub("", c["quote"])
        assert quote in corpus, f"not verbatim in the notices: {c['quote']}"
        assert quote in flat, f"citation missing from the message text: {c['quote']}"


def test_models_lists_shenbao(corpus_server: Any) -> None:
    url, _, _ = corpus_server
    assert [m.id for m in _client(url).models.list().data] == ["shenbao"]


def test_non_streamed_completion_carries_verbatim_citations(corpus_server: Any) -> None:
    url, _, settings = corpus_server
    done = _client(url).chat.completions.create(model="shenbao", messages=[{"role": "user", "content": FACT}])
    content = done.choices[0].message.content or ""
    record = done.model_extra["shenbao"]
    assert "100万元" in content
    assert record["answer"] in content and record["refused"] is False and record["verdict"] is None
    _assert_cited(content, record, _corpus_text(settings))
    assert done.choices[0].finish_reason == "stop" and done.model == "shenbao"


def test_streamed_completion_carries_verbatim_citations(corpus_server: Any) -> None:
    url, _, settings = corpus_server
    stream = _client(url).chat.completions.create(model="shenbao", stream=True,
                                                  stream_options={"include_usage": True},
                                                  messages=[{"role": "user", "content": RULING}])
    pieces, records, finish = [], [], None
    for chunk in stream:
        extra = chunk.model_extra or {}
        if "shenbao" in extra:
            records.append(extra["shenbao"])
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
            finish = chunk.choices[0].finish_reason or finish
    content = "".join(pieces)
    assert len([p for p in pieces if p]) > 3  # really streamed in pieces
    assert finish == "stop" and len(records) == 1
    record = records[0]
    assert record["verdict"] == "ineligible" and content.startswith("不符合")
    assert "不含赣榆区" in content
    _assert_cited(content, record, _corpus_text(settings))


def test_follow_up_uses_the_history(corpus_server: Any) -> None:
    url, _, _ = corpus_server
    client = _client(url)
    follow_up = "我们是海州区的企业。"
    first = client.chat.completions.create(model="shenbao", messages=[{"role": "user", "content": RULING}])
    history = [{"role": "system", "content": "你是申报助手。"}, {"role": "user", "content": RULING},
               {"role": "assistant", "content": first.choices[0].message.content},
               {"role": "user", "content": follow_up}]
    second = client.chat.completions.create(model="shenbao", messages=history)  # type: ignore[arg-type]
    alone = client.chat.completions.create(model="shenbao", messages=[{"role": "user", "content": follow_up}])
    rec, rec_alone = second.model_extra["shenbao"], alone.model_extra["shenbao"]
    # with the history the statement answers the ruling's question: the same programme, now without 赣榆区
    assert first.model_extra["shenbao"]["verdict"] == "ineligible"
    assert rec["verdict"] == "needs_info"
    assert rec["eligibility"]["results"][0]["programme_title"] == \
        first.model_extra["shenbao"]["eligibility"]["results"][0]["programme_title"]
    assert rec_alone["verdict"] is None  # without it the statement is no ruling question at all


def test_follow_up_in_a_fresh_server_process_is_rebuilt_from_the_history(corpus_server: Any) -> None:
    """A history the server has not seen (another instance answered turn 1) gives the same answer."""
    url, _, _ = corpus_server
    history = [{"role": "user", "content": RULING}, {"role": "assistant", "content": "（另一台服务器的回答）"},
               {"role": "user", "content": "我们是海州区的企业。"}]
    done = _client(url).chat.completions.create(model="shenbao", messages=history)  # type: ignore[arg-type]
    assert done.model_extra["shenbao"]["verdict"] == "needs_info"


def test_client_errors_are_chinese_4xx(corpus_server: Any) -> None:
    import openai

    url, _, _ = corpus_server
    client = _client(url)
    with pytest.raises(openai.NotFoundError) as e:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": FACT}])
    assert "shenbao" in e.value.message and "模型" in e.value.message
    with pytest.raises(openai.BadRequestError) as e2:
        client.chat.completions.create(model="shenbao", messages=[{"role": "user", "content": "   "}])
    assert "问题为空" in e2.value.message
