"""The HTTP API (``shenbao serve``): a thin edge over the answer service, checker, search and notice admin.

Routes only translate HTTP to service calls and back; who may call what is the ``ACCESS`` table (enforced
by :class:`~assistant.api.guard.ApiGuard` before a body is read), errors become Chinese messages in
:mod:`assistant.api.errors`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from itertools import chain
from typing import Annotated, Any

from fastapi import FastAPI, File, Request, UploadFile
from fastapi.exceptions import HTTPException
from fastapi.responses import PlainTextResponse, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer

from assistant.answer import AnswerService
from assistant.answer.conversation import ConversationSessions
from assistant.api import errors
from assistant.api.guard import ApiGuard
from assistant.api.openai_format import completion, models, sse_chunks
from assistant.api.schemas import (
    MODEL_ID,
    ChatCompletionRequest,
    CheckRequest,
    MatchRequest,
    ReindexRequest,
    SearchRequest,
    message_text,
)
from assistant.auth import AuthSettings, AuthStore, RateLimiter
from assistant.config import Settings, get_settings
from assistant.errors import InputError, NotFoundError, ShenbaoError

# route name → capability (assistant/auth/roles.py); routes not listed are open to applicants
ACCESS = {
    "chat_completions": "chat", "list_models": "chat", "list_notices": "notices_read", "search": "search",
    "check": "check", "list_programmes": "check", "match": "match",
    "upload_notices": "upload", "delete_notice": "delete", "reindex": "reindex",
    "feedback": "feedback_view", "feedback_export": "feedback_export",
}
UPLOAD_ROUTES = frozenset({"upload_notices"})
MATCH_UNAVAILABLE = "申报项目匹配功能尚未上线，请先用 /v1/check 按项目判定资格，或用 /v1/chat/completions 咨询。"
_bearer = HTTPBearer(auto_error=False, description="`shenbao apikey create --role staff|admin` 生成的密钥")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"JSON 中不允许 {name}")


class StrictJSONRoute(APIRoute):
    """Bodies must be UTF-8 JSON without NaN/Infinity; anything else is a 400 with a Chinese message."""

    def get_route_handler(self) -> Callable[..., Any]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Any:
            return await handler(_StrictRequest(request.scope, request.receive))

        return strict


class _StrictRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise HTTPException(400, f"请求体不是合法的 UTF-8 编码（第 {exc.start} 字节起），请用 UTF-8 发送。") from None
            try:
                self._json = json.loads(text, parse_constant=_reject_constant)
            except json.JSONDecodeError as exc:
                raise HTTPException(400, f"请求体不是合法的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）。") from None
            except ValueError as exc:
                raise HTTPException(400, f"请求体不是合法的 JSON（{exc}）。") from None
            except RecursionError:
                raise HTTPException(400, "请求体 JSON 嵌套过深。") from None
        return self._json


def create_app(settings: Settings | None = None, auth: AuthSettings | None = None,
               service: AnswerService | None = None, warm: bool = False) -> FastAPI:
    """The FastAPI application.

    Args:
        settings: data/corpus dirs and model (read from the environment when omitted).
        auth: keys, rate limit, body limits (from the environment when omitted).
        service: the answer service (built over ``settings`` when omitted).
        warm: load the index at start-up so the first request is not the slow one.
    """
    s = settings or get_settings()
    a = auth or AuthSettings.from_env(s)
    svc = service or AnswerService(s)
    conversations = ConversationSessions(svc)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            # load the index once, before the first caller waits for it; a missing index is reported by
            # /healthz and to the first question
            with contextlib.suppress(ShenbaoError):
                svc.retriever  # noqa: B018
        yield

    app = FastAPI(title="申报助手 API", version="1", lifespan=lifespan,
                  description="申报通知问答（OpenAI 协议，model=shenbao）、条款检索、资格判定与公告管理。"
                              "管理接口需要 `Authorization: Bearer <API 密钥>`。")
    app.router.route_class = StrictJSONRoute
    errors.install(app)

    def admin() -> Any:
        from assistant.notice_admin import NoticeAdmin

        return NoticeAdmin(s, max_upload_bytes=a.api_max_upload_bytes)

    @app.get("/healthz", tags=["运行"])
    def healthz() -> dict[str, Any]:
        """Liveness and whether an index is loaded."""
        from assistant.index.store import IndexSnapshot

        ready = IndexSnapshot.path_in(s.data_dir).exists()
        return {"status": "ok", "index_ready": ready, "mode": "llm" if svc.use_llm else "offline",
                "model": MODEL_ID}

    @app.get("/v1/models", name="list_models", tags=["OpenAI 协议"])
    def list_models() -> dict[str, Any]:
        """The one model, ``shenbao``."""
        return models()

    @app.post("/v1/chat/completions", name="chat_completions", tags=["OpenAI 协议"], response_model=None)
    def chat_completions(body: ChatCompletionRequest) -> dict[str, Any] | StreamingResponse:
        """A cited answer to the last user message; earlier user messages are the conversation.

        The message text carries numbered citations; the field ``shenbao`` holds the full result record
        (answer, citations, contexts, verdict, refused, eligibility …). ``stream: true`` sends SSE chunks.
        """
        if body.model != MODEL_ID:
            raise NotFoundError(f"没有模型 {body.model[:50]!r}：请使用 model=\"{MODEL_ID}\"。")
        if body.messages[-1].role != "user":
            raise InputError("最后一条消息应为用户的问题（role=user）。")
        users = [message_text(m) for m in body.messages if m.role == "user"]
        question = users[-1]
        session = conversations.run(users[:-1])
        if not body.stream:
            record = svc.ask(question, session)
            conversations.remember(users, session)
            return completion(record, question)
        items = svc.ask_stream(question, session)  # an unusable question raises here: a plain 400
        first = next(items)  # the offline answer (or the model's first words): index errors raise here too
        usage = bool((body.stream_options or {}).get("include_usage"))

        def events() -> Iterator[str]:
            yield from sse_chunks(chain([first], items), question, include_usage=usage)
            conversations.remember(users, session)

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @app.get("/v1/notices", name="list_notices", tags=["公告"])
    def list_notices() -> dict[str, Any]:
        """The indexed notices (one entry per file, with its documents)."""
        return {"object": "list", "data": admin().list()}

    @app.post("/v1/search", name="search", tags=["检索与判定"])
    def search(body: SearchRequest) -> dict[str, Any]:
        """Ranked clauses (hybrid BM25 + vector search) with notice title, section path and text."""
        from assistant.answer import clean_question
        from assistant.index import RetrievalFilters

        query = clean_question(body.query)
        filters = RetrievalFilters(region=body.region, year=body.year, programme=body.programme)
        results = svc.retriever.run(query, k=body.k, filters=filters)
        return {"object": "list", "data": [r.to_json() for r in results]}

    @app.get("/v1/programmes", name="list_programmes", tags=["检索与判定"])
    def list_programmes() -> dict[str, Any]:
        """Programmes that have eligibility rules (ids for /v1/check)."""
        from assistant.eligibility import list_programmes as programmes

        return {"object": "list", "data": programmes()}

    @app.post("/v1/check", name="check", tags=["检索与判定"])
    def check(body: CheckRequest) -> dict[str, Any]:
        """The rule checker's ruling: eligible / ineligible / needs_info, each criterion with its clause."""
        from assistant.eligibility import ApplicantProfile, EligibilityChecker, list_programmes

        if body.programme_id not in {p["id"] for p in list_programmes()}:
            raise NotFoundError(f"没有项目 {body.programme_id[:50]!r}（GET /v1/programmes 可查看全部项目 id）。")
        profile = ApplicantProfile.from_facts(dict(body.facts))
        return dict(EligibilityChecker().run(body.programme_id, profile).to_json())

    @app.post("/v1/match", name="match", tags=["检索与判定"], status_code=200,
              responses={501: {"description": "匹配服务尚未上线"}})
    def match(body: MatchRequest) -> dict[str, Any]:
        """Programmes the applicant may apply for (501 until the matching service exists)."""
        if importlib.util.find_spec("assistant.matching") is None:
            raise HTTPException(501, MATCH_UNAVAILABLE)
        import assistant.matching as matching

        runner = getattr(matching, "MatchService", None)
        if runner is None:
            raise HTTPException(501, MATCH_UNAVAILABLE)
        result = runner(settings=s).run(dict(body.facts))
        return dict(result.to_json() if hasattr(result, "to_json") else result)

    @app.post("/v1/notices", name="upload_notices", tags=["管理（需密钥）"],
              dependencies=[_security()])
    def upload_notices(files: Annotated[list[UploadFile], File(description="公告文件（.txt .md .pdf .docx .html）")]
                       ) -> dict[str, Any]:
        """Upload notices (admin): saved into the corpus dir and ingested; bad files are refused, not kept."""
        pairs = [(f.filename or "", f.file.read(a.api_max_upload_bytes + 1)) for f in files]
        return admin().upload(pairs).to_json()

    @app.delete("/v1/notices/{notice_id:path}", name="delete_notice", tags=["管理（需密钥）"],
                dependencies=[_security()])
    def delete_notice(notice_id: str) -> dict[str, Any]:
        """Delete a notice (admin) by file name or document id; the file is kept under uploads/deleted."""
        return admin().delete(notice_id)

    @app.post("/v1/reindex", name="reindex", tags=["管理（需密钥）"], dependencies=[_security()])
    def reindex(body: ReindexRequest | None = None) -> dict[str, Any]:
        """Synchronise the index with the corpus dir (admin)."""
        from assistant.notice_admin import report_json

        return report_json(admin().reindex(rebuild=bool(body and body.rebuild)))

    @app.get("/v1/feedback", name="feedback", tags=["管理（需密钥）"], dependencies=[_security()])
    def feedback(limit: int = 200) -> dict[str, Any]:
        """Answer feedback, newest first (staff): question, rating, correction."""
        from assistant.feedback import FeedbackStore

        if not 1 <= limit <= 5000:
            raise InputError("limit 应在 1 到 5000 之间。")
        store = FeedbackStore(s)
        rows = [{"id": e.id, "created": e.created, "question": e.question, "turns": e.turns, "answer": e.answer,
                 "rating": e.rating, "correction": e.correction, "expected_verdict": e.expected_verdict}
                for e in reversed(store.entries()[-limit:])]
        return {"object": "list", "counts": store.counts(), "data": rows}

    @app.get("/v1/feedback/export", name="feedback_export", tags=["管理（需密钥）"],
             dependencies=[_security()], response_class=PlainTextResponse)
    def feedback_export() -> PlainTextResponse:
        """The feedback as evaluation items, one JSON object a line (admin)."""
        from assistant.feedback import FeedbackStore

        return PlainTextResponse(FeedbackStore(s).export_text(), media_type="application/jsonl; charset=utf-8")

    limiter = RateLimiter(a.api_rate_per_minute)
    app.add_middleware(ApiGuard, access=ACCESS, auth=a, store_factory=lambda: AuthStore(a.store_path),
                       limiter=limiter, upload_routes=UPLOAD_ROUTES, routes=app.router.routes)
    return app


def _security() -> Any:
    from fastapi import Security

    return Security(_bearer)
