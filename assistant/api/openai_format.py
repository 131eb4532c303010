"""Answer records in the OpenAI chat-completions protocol: one completion, or server-sent event chunks.

The message text is the answer with its numbered citations (``[1] 《notice》section：“quote”``) unless the
answer already lists them; the full result record rides along as the extra field ``shenbao``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from assistant.answer.composer import squash
from assistant.api.schemas import MODEL_ID
from assistant.models import AnswerRecord

CITATIONS_HEAD = "依据条款："
REVISED = "\n\n（以上为模型草稿；核对引用后的答案如下）\n\n"
PIECE_CHARS = 24


def answer_text(record: AnswerRecord) -> str:
    """The answer with numbered citations: the record's own list when it has one, else one appended."""
    text = record.answer
    if not record.citations or f"\n{CITATIONS_HEAD}\n1. " in text:
        return text
    lines = [f"[{i}] 《{c.notice}》{c.section}：“{squash(c.quote)}”" for i, c in enumerate(record.citations, 1)]
    return f"{text}\n\n{CITATIONS_HEAD}\n" + "\n".join(lines)


def _usage(question: str, text: str) -> dict[str, int]:
    # characters, not tokens: shenbao has no tokenizer of the client's model; clients only display it
    p, c = len(question), len(text)
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def completion(record: AnswerRecord, question: str) -> dict[str, Any]:
    """A non-streamed ``chat.completion`` object."""
    text = answer_text(record)
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": None},
                     "finish_reason": "stop", "logprobs": None}],
        "usage": _usage(question, text),
        "shenbao": record.to_json(),
    }


def _chunk(cid: str, created: int, delta: dict[str, Any], finish: str | None = None,
           **extra: Any) -> str:
    body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def _pieces(text: str) -> Iterator[str]:
    for i in range(0, len(text), PIECE_CHARS):
        yield text[i:i + PIECE_CHARS]


def sse_chunks(items: Iterable[str | AnswerRecord], question: str,
               include_usage: bool = False) -> Iterator[str]:
    """Server-sent events for ``ask_stream`` items: provisional model text as it comes, then whatever the
    checked record adds (its citations) — or, when the record is not what was streamed (the offline
    fallback), a marked revision with the checked answer. The last data chunk carries ``shenbao``.
    """
    cid = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    yield _chunk(cid, created, {"role": "assistant", "content": ""})
    sent = ""
    record: AnswerRecord | None = None
    for item in items:
        if isinstance(item, AnswerRecord):
            record = item
            break
        if item:
            sent += item
            yield _chunk(cid, created, {"content": item})
    if record is None:  # pragma: no cover - ask_stream always ends with the record
        raise RuntimeError("answer stream ended without its record")
    final = answer_text(record)
    rest = final[len(sent):] if final.startswith(sent) else (REVISED + final if sent else final)
    for piece in _pieces(rest):
        yield _chunk(cid, created, {"content": piece})
    extra: dict[str, Any] = {"shenbao": record.to_json()}
    if include_usage:
        extra["usage"] = _usage(question, sent + rest)
    yield _chunk(cid, created, {}, "stop", **extra)
    yield "data: [DONE]\n\n"


def error_body(message: str, kind: str = "invalid_request_error", code: str | None = None) -> dict[str, Any]:
    """The OpenAI error shape, with a Chinese message that says what to do."""
    return {"error": {"message": message, "type": kind, "code": code, "param": None}}


def models() -> dict[str, Any]:
    """``GET /v1/models``."""
    return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "shenbao"}]}
