"""The ASGI layer in front of every route: body size, API key, role and rate limit — before any body is
read, so a keyless caller cannot make the server parse a body on an endpoint it may not use.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.openai_format import error_body
from assistant.auth import ApiKey, AuthSettings, AuthStore, RateLimiter, can, required_role
from assistant.errors import AuthError, RateLimitedError, StoreError

log = logging.getLogger("shenbao.api")


class BodyTooLargeError(HTTPException):
    """The request body grew past the limit while it was read (no or a false Content-Length).

    An ``HTTPException`` so that FastAPI's body reading passes it on instead of making it a generic 400.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large_message(limit))


def json_error(status: int, message: str, kind: str, headers: Mapping[str, str] | None = None) -> tuple[
        int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers and body of an OpenAI-style error."""
    body = json.dumps(error_body(message, kind), ensure_ascii=False).encode("utf-8")
    hs = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    hs += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return status, hs, body


class ApiGuard:
    """Pure ASGI middleware.

    Args:
        app: the FastAPI app (its routes are matched here to learn each one's capability).
        access: route name → capability (see :mod:`assistant.auth.roles`); unlisted routes need none.
        auth: limits and ``api_require_key``.
        store: users and keys.
        limiter: per-caller rate limiter.
        upload_routes: route names whose body may be as large as an upload.
    """

    def __init__(self, app: ASGIApp, access: Mapping[str, str], auth: AuthSettings,
                 store_factory: Callable[[], AuthStore], limiter: RateLimiter,
                 upload_routes: frozenset[str] = frozenset(), routes: Any = None) -> None:
        self.app = app
        self.access = dict(access)
        self.auth = auth
        self._store_factory = store_factory
        self._store: AuthStore | None = None
        self.limiter = limiter
        self.upload_routes = upload_routes
        self.routes = routes

    @property
    def store(self) -> AuthStore:
        """The key store, opened at first keyed request."""
        if self._store is None:
            self._store = self._store_factory()
        return self._store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        name = self._route_name(scope)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        refusal = self._refusal(scope, name, headers)
        if refusal is not None:
            await _respond(send, *refusal)
            return
        limit = self.auth.api_max_upload_bytes if name in self.upload_routes else self.auth.api_max_body_bytes
        try:
            declared = int(headers.get("content-length", "0") or 0)
        except ValueError:
            await _respond(send, *json_error(400, "请求头 Content-Length 不是数字。", "invalid_request_error"))
            return
        if declared > limit:
            await _respond(send, *_too_large(limit))
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLargeError(limit)
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracking_send)
        except BodyTooLargeError:
            if not started:
                await _respond(send, *_too_large(limit))

    def _route_name(self, scope: Scope) -> str | None:
        for route in self.routes or []:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return str(getattr(route, "name", "") or "") or None
        return None

    def _refusal(self, scope: Scope, name: str | None, headers: Mapping[str, str]) -> tuple[
            int, list[tuple[bytes, bytes]], bytes] | None:
        """An error response, or None when the caller may go on (the caller's key is put in the scope)."""
        capability = self.access.get(name or "")
        needs_key = self.auth.api_require_key or bool(capability and not can(None, capability))
        auth_header = headers.get("authorization", "")
        key: ApiKey | None = None
        if auth_header:
            scheme, _, token = auth_header.partition(" ")
            try:
                if scheme.lower() != "bearer" or not token.strip():
                    raise AuthError("Authorization 请求头格式应为 `Bearer <API 密钥>`。")
                key = self.store.verify_key(token.strip())
            except AuthError as exc:
                # OpenAI clients always send some key: on an open endpoint a foreign one is just anonymous
                if needs_key:
                    log.warning("api: rejected key for %s %s", scope.get("method"), scope.get("path"))
                    return json_error(401, str(exc), "authentication_error", {"WWW-Authenticate": "Bearer"})
            except StoreError as exc:
                return json_error(503, str(exc), "server_error")
        role = key.role if key else None
        if key is None and needs_key:
            need = required_role(capability).label if capability and not can(None, capability) else None
            msg = (f"此接口需要{need}的 API 密钥：请在请求头加 `Authorization: Bearer <密钥>`（由管理员用 "
                   "`shenbao apikey create` 生成）。") if need else \
                "本服务要求 API 密钥：请在请求头加 `Authorization: Bearer <密钥>`（向管理员申请）。"
            return json_error(401, msg, "authentication_error", {"WWW-Authenticate": "Bearer"})
        if capability and not can(role, capability):
            return json_error(403, f"您的密钥（{role.label if role else '匿名'}）无权使用此接口，需要"
                              f"{required_role(capability).label}密钥。", "permission_error")
        client = scope.get("client") or ("unknown", 0)
        caller = f"key:{key.key_id}" if key else f"ip:{client[0]}"
        try:
            self.limiter.run(caller)
        except RateLimitedError as exc:
            return json_error(429, str(exc), "rate_limit_error", {"Retry-After": str(max(1, round(exc.retry_after)))})
        scope.setdefault("state", {})["api_key"] = key
        return None


def _too_large_message(limit: int) -> str:
    size = f"{limit / 1024 / 1024:.0f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    return f"请求体过大（上限 {size}），请精简后重试。"


def _too_large(limit: int) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    return json_error(413, _too_large_message(limit), "invalid_request_error")


async def _respond(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
