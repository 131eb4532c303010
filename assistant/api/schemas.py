"""Request bodies of the HTTP API (pydantic; unknown fields are refused with a Chinese message)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

MODEL_ID = "shenbao"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class ContentPart(_Strict):
    """One part of a multi-part message (only text parts carry a question)."""

    type: str
    text: str | None = None
    image_url: JsonValue | None = None


class ChatMessage(_Strict):
    """A message of the conversation, as the OpenAI protocol sends it."""

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None
    name: str | None = None
    tool_calls: list[JsonValue] | None = None
    tool_call_id: str | None = None
    refusal: str | None = None


class ChatCompletionRequest(_Strict):
    """``POST /v1/chat/completions``: the OpenAI chat-completions request.

    The sampling parameters of the protocol are accepted (clients send them by default) and ignored: the
    answer is grounded, not sampled. ``n`` must be 1.
    """

    model: str = Field(description="固定为 shenbao")
    messages: list[ChatMessage] = Field(min_length=1, max_length=200, description="对话历史，最后一条为用户的问题")
    stream: bool = False
    stream_options: dict[str, JsonValue] | None = None
    n: int | None = Field(default=None, ge=1, le=1)
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    stop: str | list[str] | None = None
    seed: int | None = None
    user: str | None = None
    logit_bias: dict[str, float] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    response_format: dict[str, JsonValue] | None = None
    tools: list[JsonValue] | None = None
    tool_choice: JsonValue | None = None
    parallel_tool_calls: bool | None = None
    metadata: dict[str, JsonValue] | None = None
    store: bool | None = None
    reasoning_effort: str | None = None
    service_tier: str | None = None
    modalities: list[str] | None = None
    verbosity: str | None = None
    prompt_cache_key: str | None = None
    safety_identifier: str | None = None


class SearchRequest(_Strict):
    """``POST /v1/search``: ranked clauses for a query."""

    query: str = Field(min_length=1, max_length=2000, description="查询词或问题")
    k: int = Field(default=5, ge=1, le=50, description="返回条数")
    region: str | None = Field(default=None, max_length=50, description="只看该地区的公告")
    year: int | None = Field(default=None, ge=1990, le=2100, description="只看该年度的公告")
    programme: str | None = Field(default=None, max_length=100, description="只看该项目（项目 id）")


class CheckRequest(_Strict):
    """``POST /v1/check``: the rule checker's ruling for one programme and the applicant's facts."""

    programme_id: str = Field(min_length=1, max_length=100, description="项目 id（GET /v1/programmes）")
    facts: dict[str, JsonValue] = Field(default_factory=dict, description="申请人信息；未知的不填")


class MatchRequest(_Strict):
    """``POST /v1/match``: programmes an applicant may apply for."""

    facts: dict[str, JsonValue] = Field(default_factory=dict, description="申请人信息；未知的不填")
    question: str | None = Field(default=None, max_length=2000)


class ReindexRequest(_Strict):
    """``POST /v1/reindex``."""

    rebuild: bool = Field(default=False, description="完全重建（新建向量集合）")


def message_text(message: ChatMessage) -> str:
    """The text of a message (text parts joined; other parts ignored)."""
    if message.content is None:
        return ""
    if isinstance(message.content, str):
        return message.content
    return "\n".join(p.text for p in message.content if p.type == "text" and p.text)
