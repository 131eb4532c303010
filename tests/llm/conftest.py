"""Fixtures for the LLM path: a scripted OpenAI server, settings pointing at it, and a small clause service
whose clauses are real corpus text (fast: no index, no embeddings)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answer.composer import CitedAnswerComposer
from assistant.config import Settings
from assistant.models import AnswerRecord, Chunk, RetrievedClause
from tests.conftest import ROOT, make_settings
from tests.llm.openai_stub import OpenAIStub

API_KEY = "sk-test-7f3a9c1e5b2d4680aa"  # recognisable, so a leak anywhere is found by a substring search
MODEL = "stub-model"
GUIDES = ROOT / "corpus" / "lianyungang-2024-municipal-programme-guides.txt"
INDUSTRY = "2024年度市重点研发计划（产业前瞻与关键技术）项目指南"

# (notice title, section, a unique piece of the corpus line that is the clause)
CLAUSE_LINES = [
    (INDUSTRY, "三、申报要求 > 1.", "同一企业不得同时申报市重点研发计划和市科技成果转化计划项目"),
    (INDUSTRY, "三、申报要求 > 2.", "项目牵头单位应为在市辖区（不含赣榆区）内注册"),
    (INDUSTRY, "三、申报要求 > 4.", "项目牵头单位近三年内须有授权发明专利"),
    (INDUSTRY, "三、申报要求 > 6.", "项目原则上两年内完成"),
    ("2024年度市创新能力建设计划项目指南", "（三）新型研发机构奖补", "单个机构补助最高200万元"),
    ("2024年度市创新能力建设计划项目指南", "（四）研发管理体系贯标", "给予一次性补助5万元"),
]


def corpus_line(piece: str, path: Path = GUIDES) -> str:
    """The whole corpus line holding ``piece`` (fails loudly if the corpus changed)."""
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if piece in ln]
    assert lines, f"corpus no longer contains {piece!r}"
    return lines[0]


def make_chunk(title: str, section: str, text: str, position: int) -> Chunk:
    path = tuple(section.split(" > "))
    doc = "lyg-2024-guides/test"
    return Chunk(chunk_id=Chunk.make_id(doc, position, path, text), doc_id=doc, title=title,
                 section_path=path, text=text, position=position, source=GUIDES.name)


class ClauseService:
    """``retrieve(query, k)`` over a few clauses, ranked by shared character bigrams (records its queries)."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        self.queries: list[tuple[str, int]] = []

    def retrieve(self, question: str, k: int = 8) -> list[RetrievedClause]:
        self.queries.append((question, k))
        grams = {question[i:i + 2] for i in range(len(question) - 1)}
        scored = [(sum(1 for i in range(len(c.text) - 1) if c.text[i:i + 2] in grams), -n, c)
                  for n, c in enumerate(self.chunks)]
        scored.sort(reverse=True, key=lambda t: (t[0], t[1]))
        return [RetrievedClause(chunk=c, score=float(s)) for s, _, c in scored[:k] if s > 0]


@pytest.fixture
def chunks() -> list[Chunk]:
    """Real corpus clauses as chunks."""
    return [make_chunk(t, s, corpus_line(p), n) for n, (t, s, p) in enumerate(CLAUSE_LINES)]


@pytest.fixture
def service(chunks: list[Chunk]) -> ClauseService:
    """The clause service the agent's search tool calls."""
    return ClauseService(chunks)


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    """A running scripted server (script it with ``stub.push``)."""
    with OpenAIStub() as s:
        yield s


@pytest.fixture
def llm_settings(tmp_path: Path, stub: OpenAIStub) -> Settings:
    """Settings with the model pointing at the stub: 2 s timeout, no retries."""
    return make_settings(tmp_path / "data", OPENAI_API_KEY=API_KEY, OPENAI_BASE_URL=stub.base_url,
                         SHENBAO_LLM_MODEL=MODEL, SHENBAO_LLM_TIMEOUT=2, SHENBAO_LLM_RETRIES=0)


def offline_record(service: ClauseService, question: str) -> AnswerRecord:
    """The offline composer's answer over the same clauses (the agent's fallback)."""
    retrieved = service.retrieve(question, 8)
    service.queries.clear()
    terms = [question[i:i + 2] for i in range(len(question) - 1)]
    return CitedAnswerComposer().run(question, retrieved, terms)
