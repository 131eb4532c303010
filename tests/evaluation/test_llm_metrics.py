"""``--llm-metrics``: ragas faithfulness, answer correctness and context precision judged by an
OpenAI-compatible model — here the loopback stub, answering each ragas prompt by its output schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import ConfigError
from assistant.evaluation.dataset import GoldItem
from assistant.evaluation.ragas_scorer import LLM_METRICS, RagasScorer, e5_langchain_embeddings, judge_llm
from assistant.index.embeddings import CachedEmbedder
from tests.conftest import make_settings
from tests.llm.openai_stub import OpenAIStub, Reply

pytestmark = pytest.mark.network

ITEM = GoldItem(id="q1", question="最高资助多少？", kind="fact", reference="每个项目最高资助100万元。",
                reference_contexts=["每个项目最高资助100万元"])
RECORD = {"id": "q1", "answer": "每个项目最高资助100万元。", "contexts": ["每个项目最高资助100万元。", "无关条款"]}


def judge(unfaithful: bool) -> Any:
    """Replies by the JSON schema the ragas prompt asks for (statements, NLI verdicts, TP/FP/FN, verdict)."""

    def reply(body: dict[str, Any]) -> Reply:
        prompt = " ".join(str(m.get("content")) for m in body.get("messages", []))
        if '"TP"' in prompt:
            out: dict[str, Any] = {"TP": [{"statement": "最高资助100万元", "reason": "同参考答案"}],
                                   "FP": [], "FN": []}
        elif '"statements"' in prompt and '"verdict"' in prompt:
            out = {"statements": [{"statement": "最高资助100万元", "reason": "见上下文",
                                   "verdict": 0 if unfaithful else 1}]}
        elif '"statements"' in prompt:
            out = {"statements": ["每个项目最高资助100万元。"]}
        else:
            out = {"reason": "该条款给出了资助上限", "verdict": 1}
        return Reply(content=json.dumps(out, ensure_ascii=False))

    return reply


@pytest.mark.parametrize("unfaithful", [False, True])
def test_llm_metrics_through_openai_protocol(tmp_path: Path, fake_encoder, unfaithful: bool) -> None:  # type: ignore[no-untyped-def]
    with OpenAIStub() as stub:
        stub.push(*[judge(unfaithful)] * 40)
        settings = make_settings(tmp_path, OPENAI_API_KEY="sk-test-eval", OPENAI_BASE_URL=stub.base_url,
                                 SHENBAO_LLM_MODEL="stub-judge", SHENBAO_LLM_RETRIES=0)
        emb = e5_langchain_embeddings(settings, CachedEmbedder(None, encoder=fake_encoder))
        scores = RagasScorer(llm=judge_llm(settings), embeddings=emb).run([ITEM], [RECORD])
        assert stub.received, "the judge was never called"
        assert {r.body.get("model") for r in stub.received} == {"stub-judge"}
        assert all(r.headers.get("authorization") == "Bearer sk-test-eval" for r in stub.received)
    s = scores.per_item["q1"]
    assert set(LLM_METRICS) <= set(s)
    assert s["faithfulness"] == (0.0 if unfaithful else 1.0)
    assert s["llm_context_precision_with_reference"] == pytest.approx(1.0, abs=1e-6)
    assert 0.75 <= s["answer_correctness"] <= 1.0  # factuality 1.0 × 0.75 + similarity × 0.25
    assert fake_encoder.passages > 0  # answer similarity embedded with our encoder, not a download
    assert "non_llm_context_recall" in s  # the offline metrics still run alongside


def test_judge_needs_a_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        judge_llm(make_settings(tmp_path))
