"""The tool-calling agent over any OpenAI-compatible model, grounded and checked after generation.

The model gets two tools, ``search_clauses`` (the hybrid retriever) and ``check_eligibility`` (the rules
checker), and must answer with JSON ``{answer, found, citations[{clause_id, quote}]}``. What it says is
then checked, not trusted: citations must quote, verbatim, a clause it retrieved in this run; a ruling
(符合 / 不符合 / 可以申报 / 不能申报) must match the checker's; the verdict and eligibility fields of the
record are never the model's. Anything that fails a check, and every endpoint failure, gives the offline
answer with a notice instead.

Streaming (:meth:`AgentAnswerer.stream`) yields ``str`` deltas of the provisional answer text, then exactly
one :class:`~assistant.models.AnswerRecord`, always last. The record is authoritative: when the model's
answer was rejected or the endpoint failed midway it is the offline answer (with a notice), and a page must
replace the streamed text with ``record.answer``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
from collections.abc import Iterator, Mapping
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import BaseTool

from assistant.config import Settings
from assistant.errors import LLMError
from assistant.llm.grounding import (
    AnswerJsonParser,
    CitationValidator,
    record_verdicts,
    ruling_allowed,
    stated_rulings,
    tool_eligibility,
)
from assistant.llm.streaming import AnswerFieldStreamer
from assistant.llm.tools import (
    ClauseSearchTool,
    EligibilityCheckTool,
    MatchProgrammesTool,
    Retrieves,
    ToolLedger,
    defuse_tags,
)
from assistant.models import AnswerRecord
from assistant.prompts import PromptTemplateFile

log = logging.getLogger("shenbao.llm")

MIN_CONTEXTS = 5
UNAVAILABLE = "模型服务不可用，已改用离线答案（{}）。"
NOTICE_NO_VALID_CITATION = "模型回答的引用无法在检索到的公告原文中核实，已改用离线答案。"
NOTICE_UNCHECKED_RULING = "模型回答中出现了未经规则校验的资格结论，已改用离线答案（资格结论以规则校验为准）。"
NOTICE_NOT_FOUND = "模型未在检索到的条款中找到答案，已改用离线答案。"
NOTICE_DROPPED = "已删除 {} 条无法在检索到的公告原文中核实的引用。"
NOTICE_PROMPT_LEAK = "模型回答中含有系统内部指令的内容，已改用离线答案。"
LEAK_WINDOW = 16  # an answer sharing this many consecutive characters with the system prompt recites it

StreamItem = str | AnswerRecord
_Piece = str | AIMessage  # what one streamed model call yields: text deltas, then the whole reply


class AgentAnswerer:
    """Answers with a LangChain tool-calling loop over the configured model; falls back to the offline record.

    Args:
        settings: ``openai_api_key``, ``openai_base_url``, ``llm_model``, ``llm_timeout``, ``llm_retries`` and
            ``prompts_dir`` are used; the key goes to the client only (never logged, never in a record).
        service: provides ``retrieve(query, k)`` for ``search_clauses``.
        max_rounds: model calls per question; still asking for tools after that is a failure (a loop).
        max_tool_calls: tool calls honoured per model reply.
        max_answer_chars: the answer length asked for in the system prompt.
        max_output_chars: a reply (or streamed reply) longer than this is abandoned as runaway output.
        max_tokens: a completion-token cap sent as ``max_completion_tokens`` (None: not sent, since some
            compatible servers reject it; ``max_output_chars`` and the timeouts still bound a reply).
        total_timeout: seconds for the whole run (default: ``llm_timeout × (llm_retries + 1)``); each request
            also has ``llm_timeout`` with ``llm_retries`` retries.
        eligibility_tool: the checker tool to wrap; None → ``make_eligibility_tool()`` or the checker API.

    Raises:
        LLMError: no API key configured.
        PromptError: a prompt file is missing or malformed.
    """

    def __init__(self, settings: Settings, service: Retrieves, max_rounds: int = 4, max_tool_calls: int = 4,
                 max_answer_chars: int = 600, max_output_chars: int = 12000, max_tokens: int | None = None,
                 total_timeout: float | None = None, eligibility_tool: BaseTool | None = None) -> None:
        for name, value in (("max_rounds", max_rounds), ("max_tool_calls", max_tool_calls),
                            ("max_answer_chars", max_answer_chars), ("max_output_chars", max_output_chars),
                            ("max_tokens", 1 if max_tokens is None else max_tokens)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if total_timeout is not None and total_timeout <= 0:
            raise ValueError(f"total_timeout must be > 0, got {total_timeout!r}")
        if not settings.openai_api_key:
            raise LLMError("未配置 OPENAI_API_KEY，无法使用模型")
        self.settings = settings
        self.service = service
        self.max_rounds = max_rounds
        self.max_tool_calls = max_tool_calls
        self.max_output_chars = max_output_chars
        self.total_timeout = total_timeout or settings.llm_timeout * (settings.llm_retries + 1)
        self.system_text = PromptTemplateFile.load("system", settings.prompts_dir).render(
            max_answer_chars=max_answer_chars)
        squashed = re.sub(r"\s+", "", self.system_text)
        self._prompt_windows = {squashed[i:i + LEAK_WINDOW] for i in range(len(squashed) - LEAK_WINDOW + 1)}
        self.question_prompt = PromptTemplateFile.load("question", settings.prompts_dir)
        self.parser = AnswerJsonParser(max_answer_chars=max_answer_chars * 3)
        self.validator = CitationValidator()
        self.eligibility_tool = eligibility_tool
        self.model = self._make_model(max_tokens)
        if not settings.log_questions:
            _quiet_client_logs()

    @property
    def mode(self) -> str:
        """The record's ``mode``: ``llm:<model>``."""
        return f"llm:{self.settings.llm_model}"

    def _make_model(self, max_tokens: int | None) -> Any:
        from langchain_openai import ChatOpenAI
        from pydantic import SecretStr

        s = self.settings
        return ChatOpenAI(
            model=s.llm_model, api_key=SecretStr(s.openai_api_key or ""), base_url=s.openai_base_url,
            timeout=s.llm_timeout, max_retries=s.llm_retries, temperature=0, max_completion_tokens=max_tokens,
            # plain chat completions: what every compatible server speaks
            use_responses_api=False, stream_usage=False,
        )

    # -- public ----------------------------------------------------------------------------------
    def run(self, question: str, session: Any, offline: AnswerRecord) -> AnswerRecord:
        """The checked model answer, or the offline record (with a notice) when the answer fails a check.

        Args:
            question: the resolved question.
            session: the conversation (its ``facts`` are the user's stated facts).
            offline: the deterministic answer: the fallback, and the source of the verdict.

        Raises:
            LLMError: the endpoint failed, timed out, looped or returned garbage (message in Chinese).
        """
        if offline.refused:
            return offline  # the coverage gate decides refusals; a model must not answer around it
        record: AnswerRecord | None = None
        for item in self._steps(question, session, offline, stream=False):
            if isinstance(item, AnswerRecord):
                record = item
        if record is None:  # pragma: no cover - _steps always ends with a record
            raise LLMError("模型没有给出回答")
        return record

    def stream(self, question: str, session: Any, offline: AnswerRecord) -> Iterator[StreamItem]:
        """Answer deltas as the model writes them, then the final record (always last, never raises).

        Yields:
            ``str`` pieces of the provisional answer text, then one :class:`AnswerRecord`: the checked model
            answer, or the offline record with a notice (replace the streamed text with ``record.answer``).
        """
        if offline.refused:
            yield offline
            return
        try:
            yield from self._steps(question, session, offline, stream=True)
        except LLMError as exc:
            yield self._fallback(offline, UNAVAILABLE.format(exc))
        except Exception as exc:  # never crash the page: the offline answer stands
            log.warning("LLM stream failed: %s", type(exc).__name__)
            yield self._fallback(offline, f"模型回答出错，已改用离线答案（{type(exc).__name__}）。")

    # -- the loop --------------------------------------------------------------------------------
    def _steps(self, question: str, session: Any, offline: AnswerRecord,
               stream: bool) -> Iterator[StreamItem]:
        ledger = ToolLedger()
        facts = dict(getattr(session, "facts", {}) or {})
        tools: dict[str, BaseTool] = {
            t.name: t for t in (ClauseSearchTool(self.service, ledger).as_tool(),
                                self._eligibility(ledger, facts).as_tool())
        }
        matcher = getattr(self.service, "matcher", None)
        if callable(matcher):  # the answer service offers the match over its catalogue
            match_tool = MatchProgrammesTool(ledger, matcher, facts).as_tool()
            tools[match_tool.name] = match_tool
        llm = self.model.bind_tools(list(tools.values()))
        messages: list[BaseMessage] = [SystemMessage(self.system_text),
                                       HumanMessage(self._user_message(question, facts, offline))]
        deadline = time.monotonic() + self.total_timeout
        for round_no in range(self.max_rounds):
            self._check_deadline(deadline)
            try:
                if stream:
                    streamed: AIMessage | None = None
                    for piece in self._stream_reply(llm, messages, deadline):
                        if isinstance(piece, str):
                            yield piece
                        else:
                            streamed = piece
                    if streamed is None:  # pragma: no cover - _stream_reply always ends with the reply
                        raise LLMError("模型返回了空响应")
                    reply = streamed
                else:
                    reply = self._invoke_reply(llm, messages)
            except LLMError:
                raise
            except Exception as exc:
                raise self._as_llm_error(exc) from None
            calls = list(reply.tool_calls) + list(reply.invalid_tool_calls)
            log.info("llm round %d: %d tool call(s)", round_no + 1, len(calls))
            if not calls:
                yield self._record(_text(reply.content), ledger, offline)
                return
            messages.append(reply)
            messages.extend(self._run_tools(reply, tools))
        raise LLMError(f"模型连续 {self.max_rounds} 轮调用工具仍未给出回答")

    def _eligibility(self, ledger: ToolLedger, facts: Mapping[str, Any]) -> EligibilityCheckTool:
        if self.eligibility_tool is not None:
            return EligibilityCheckTool(ledger, facts, inner=self.eligibility_tool)
        try:  # the service's checker rules with its own data dir's drafts
            checker = getattr(self.service, "checker", None)
        except Exception as exc:  # no index to draft from: the default rules
            log.debug("service checker unavailable (%s)", type(exc).__name__)
            checker = None
        return EligibilityCheckTool.make(ledger, facts, checker=checker)

    def _invoke_reply(self, llm: Any, messages: list[BaseMessage]) -> AIMessage:
        reply = llm.invoke(messages)
        if not isinstance(reply, AIMessage):
            raise LLMError("模型返回了无法解析的响应")
        if len(_text(reply.content)) > self.max_output_chars:
            raise LLMError(f"模型回答过长（超过 {self.max_output_chars} 字），已放弃")
        return reply

    def _stream_reply(self, llm: Any, messages: list[BaseMessage], deadline: float) -> Iterator[_Piece]:
        acc: Any = None
        size = 0
        streamer = AnswerFieldStreamer()
        for chunk in llm.stream(messages):
            acc = chunk if acc is None else acc + chunk
            piece = _text(chunk.content)
            size += len(piece)
            if size > self.max_output_chars:
                raise LLMError(f"模型回答过长（超过 {self.max_output_chars} 字），已放弃")
            self._check_deadline(deadline)
            delta = streamer.run(piece)
            if delta:
                yield delta
        if acc is None:
            raise LLMError("模型返回了空响应")
        yield AIMessage(content=acc.content, tool_calls=acc.tool_calls,
                        invalid_tool_calls=acc.invalid_tool_calls)

    def _run_tools(self, reply: AIMessage, tools: Mapping[str, BaseTool]) -> list[ToolMessage]:
        """One ToolMessage per tool call (the protocol needs an answer to each id)."""
        out: list[ToolMessage] = []
        for n, call in enumerate(reply.tool_calls):
            call_id = call.get("id") or f"call_{n}"
            name = call.get("name", "")
            if n >= self.max_tool_calls:
                content = "本轮工具调用过多，已忽略此调用。"
            elif name not in tools:
                content = f"没有名为 {defuse_tags(str(name))[:40]} 的工具；可用工具：{'、'.join(tools)}。"
            else:
                try:
                    content = str(tools[name].invoke(call.get("args") or {}))
                except Exception as exc:  # bad arguments or a failing step: the model may retry
                    log.info("tool %s failed: %s", name, type(exc).__name__)
                    content = f"工具调用失败（{type(exc).__name__}），请检查参数后重试。"
            out.append(ToolMessage(content=content, tool_call_id=call_id, name=name))
        for n, bad in enumerate(reply.invalid_tool_calls):
            out.append(ToolMessage(content="工具参数不是合法的 JSON，请重试。",
                                   tool_call_id=bad.get("id") or f"invalid_{n}", name=bad.get("name") or ""))
        return out

    def _user_message(self, question: str, facts: Mapping[str, Any], offline: AnswerRecord) -> str:
        if offline.eligibility:
            ruling = json.dumps(offline.eligibility, ensure_ascii=False, default=str)
            checker = ("规则校验结果（系统已用 check_eligibility 对本问题作出判定，资格结论以此为准）：\n"
                       f"<eligibility>\n{defuse_tags(ruling)}\n</eligibility>")
        else:
            checker = "（本问题暂无规则校验结果；若需判定申报资格，请调用 check_eligibility。）"
        known = json.dumps(dict(facts), ensure_ascii=False, default=str) if facts else "（暂无）"
        return self.question_prompt.render(question=defuse_tags(question), facts=defuse_tags(known),
                                           checker_results=checker)

    def _check_deadline(self, deadline: float) -> None:
        if time.monotonic() > deadline:
            raise LLMError(f"模型在 {self.total_timeout:g} 秒内未完成回答")

    # -- after generation ------------------------------------------------------------------------
    def _record(self, content: str, ledger: ToolLedger, offline: AnswerRecord) -> AnswerRecord:
        """The checked record, or the offline one with the reason."""
        parsed = self.parser.run(content)
        if self._recites_prompt(parsed.answer):
            return self._fallback(offline, NOTICE_PROMPT_LEAK)
        if not parsed.found:
            return self._fallback(offline, NOTICE_NOT_FOUND)
        grounded = self.validator.run(parsed.citations, ledger.clauses)
        if grounded.dropped:
            log.info("dropped %d unverifiable citation(s)", grounded.dropped)
        if not grounded.citations:
            return self._fallback(offline, NOTICE_NO_VALID_CITATION)
        # the verdict is the checker's: the offline ruling when there is one, else the tool's
        eligibility = offline.eligibility
        verdict = offline.verdict
        if verdict is None and ledger.rulings:
            eligibility = tool_eligibility(ledger.rulings)
            verdict = eligibility["verdict"]
        allowed = record_verdicts(eligibility) | {str(m.get("verdict")) for m in ledger.matches}
        if not ruling_allowed(stated_rulings(parsed.answer), allowed):
            return self._fallback(offline, NOTICE_UNCHECKED_RULING)
        notices = list(offline.notices)
        if grounded.dropped:
            notices.append(NOTICE_DROPPED.format(grounded.dropped))
        basis = "\n".join(f"{i}. 《{c.notice}》{c.section}：“{c.quote}”"
                          for i, c in enumerate(grounded.citations, 1))
        agent_contexts = [c.text for c in ledger.clauses.values()]
        if len(agent_contexts) < MIN_CONTEXTS:
            agent_contexts = offline.contexts + [t for t in agent_contexts if t not in offline.contexts]
        return AnswerRecord(
            answer=f"{parsed.answer}\n\n依据条款：\n{basis}", citations=grounded.citations,
            contexts=agent_contexts, verdict=verdict, refused=False, mode=self.mode, notices=notices,
            eligibility=eligibility,
        )

    def _recites_prompt(self, answer: str) -> bool:
        """True when the answer repeats a stretch of the system prompt (it must not be revealed)."""
        a = re.sub(r"\s+", "", answer)
        return any(a[i:i + LEAK_WINDOW] in self._prompt_windows for i in range(len(a) - LEAK_WINDOW + 1))

    @staticmethod
    def _fallback(offline: AnswerRecord, notice: str) -> AnswerRecord:
        return dataclasses.replace(offline, notices=[*offline.notices, notice])

    def _as_llm_error(self, exc: Exception) -> LLMError:
        """A Chinese message for an endpoint failure (never the key, never the server's body)."""
        import openai

        s = self.settings
        if isinstance(exc, openai.APITimeoutError):
            msg = f"模型服务超时：{s.llm_timeout:g} 秒内无响应（已重试 {s.llm_retries} 次）"
        elif isinstance(exc, openai.APIConnectionError):
            msg = "无法连接模型服务，请检查 OPENAI_BASE_URL 与网络"
        elif isinstance(exc, openai.AuthenticationError):
            msg = "模型服务拒绝了 API 密钥（HTTP 401），请检查 OPENAI_API_KEY"
        elif isinstance(exc, openai.RateLimitError):
            msg = "模型服务限流（HTTP 429），请稍后再试"
        elif isinstance(exc, openai.APIStatusError):
            msg = f"模型服务返回错误（HTTP {exc.status_code}）"
        else:
            msg = f"模型返回了无法解析的响应（{type(exc).__name__}）"
        log.warning("LLM request failed: %s", type(exc).__name__)
        key = s.openai_api_key
        return LLMError(msg.replace(key, "***") if key else msg)


def _quiet_client_logs() -> None:
    """Keep the clients' DEBUG records (whole request bodies: the question, the clauses) out of the logs.

    ``openai`` logs every request's JSON at DEBUG; with ``shenbao -v`` that would put question text in the
    logs, which ``SHENBAO_LOG_QUESTIONS`` must allow first. The key itself is never in those records.
    """
    for name in ("openai", "httpcore"):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)


def _text(content: Any) -> str:
    """Message content as text (some servers send a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content
                       if isinstance(p, str | dict))
    return ""
