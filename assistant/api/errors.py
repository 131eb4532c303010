"""Every failure of a request becomes an OpenAI-style error with a Chinese message — never a traceback."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from assistant.api.openai_format import error_body
from assistant.errors import (
    AuthError,
    IndexMissingError,
    InputError,
    LLMError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ShenbaoError,
    StoreError,
)

log = logging.getLogger("shenbao.api")
_HAN = re.compile(r"[\u4e00-\u9fff]")

_FIELD_PROBLEMS = {
    "missing": "缺少必填字段",
    "extra_forbidden": "是不支持的字段，请删去",
    "string_type": "应为文字",
    "string_unicode": "应为文字",
    "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数",
    "float_type": "应为数字", "float_parsing": "应为数字", "finite_number": "应为有限的数字",
    "bool_type": "应为 true 或 false", "bool_parsing": "应为 true 或 false",
    "list_type": "应为数组", "tuple_type": "应为数组",
    "dict_type": "应为 JSON 对象", "model_type": "应为 JSON 对象", "model_attributes_type": "应为 JSON 对象",
    "literal_error": "取值不在允许范围内", "enum": "取值不在允许范围内",
    "too_short": "太短（不能为空）", "string_too_short": "不能为空",
    "too_long": "太长", "string_too_long": "太长",
    "greater_than_equal": "太小", "greater_than": "太小", "less_than_equal": "太大", "less_than": "太大",
    "json_invalid": "不是合法的 JSON", "json_type": "应为 JSON",
    "union_tag_invalid": "类型不对", "recursion_loop": "嵌套过深",
}
_STATUS_MESSAGES = {
    400: "请求无法解析：请发送 UTF-8 编码的 JSON（Content-Type: application/json）。",
    404: "没有这个接口。可用接口见 /docs 或 /openapi.json。",
    405: "该接口不支持这种请求方法，请查看 /docs。",
    413: "请求体过大，请精简后重试。",
    415: "不支持的内容类型，请发送 application/json。",
}


def _where(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p != "body"]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out


def validation_message(errors: Sequence[Any]) -> str:
    """The first few field problems of a pydantic error list, in Chinese."""
    lines: list[str] = []
    for e in errors:
        loc = tuple(e.get("loc", ()))
        kind = str(e.get("type", ""))
        if kind == "json_invalid":
            return "请求体不是合法的 JSON，请检查引号、逗号和括号。"
        where = _where(loc)
        if not where:
            line = "缺少请求体（JSON 对象）" if kind == "missing" else "请求体应为 JSON 对象"
        else:
            line = f"字段 {where[:80]} {_FIELD_PROBLEMS.get(kind, '取值不合法')}"
        if line not in lines:
            lines.append(line)
        if len(lines) == 3:
            break
    return "请求格式不正确：" + "；".join(lines or ["取值不合法"]) + "。"


def _json(status: int, message: str, kind: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(message, kind), status_code=status, headers=headers)


def status_of(exc: ShenbaoError) -> tuple[int, str]:
    """HTTP status and OpenAI error type of a shenbao error."""
    if isinstance(exc, RateLimitedError):
        return 429, "rate_limit_error"
    if isinstance(exc, PermissionDeniedError):
        return 403, "permission_error"
    if isinstance(exc, AuthError):
        return 401, "authentication_error"
    if isinstance(exc, NotFoundError):
        return 404, "not_found_error"
    if isinstance(exc, InputError):
        return 400, "invalid_request_error"
    if isinstance(exc, IndexMissingError | StoreError | LLMError):
        return 503, "server_error"
    return 500, "server_error"


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _json(422, validation_message(exc.errors()), "invalid_request_error")

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) and _HAN.search(exc.detail) else None
        message = detail or _STATUS_MESSAGES.get(exc.status_code, f"请求失败（HTTP {exc.status_code}）。")
        kind = ("server_error" if exc.status_code >= 500 else
                "not_found_error" if exc.status_code == 404 else "invalid_request_error")
        return _json(exc.status_code, message, kind, dict(exc.headers or {}))

    @app.exception_handler(ShenbaoError)
    async def _shenbao(request: Request, exc: ShenbaoError) -> JSONResponse:
        status, kind = status_of(exc)
        headers = {"Retry-After": str(max(1, round(exc.retry_after)))} if isinstance(exc, RateLimitedError) else None
        if status >= 500:
            log.warning("api: %s on %s: %s", type(exc).__name__, request.url.path, exc)
        return _json(status, str(exc), kind, headers)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.error("api: internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return _json(500, f"服务内部错误（{type(exc).__name__}），请稍后重试；如反复出现请联系管理员。", "server_error")
