"""ragas non-LLM metrics give meaningful numbers on Chinese (offline, through ragas.evaluate)."""

from __future__ import annotations

import asyncio

import pytest

from assistant.evaluation.dataset import GoldItem
from assistant.evaluation.ragas_scorer import JiebaWordTokenizer, RagasScorer

CLAUSE = ("项目牵头单位应为在市辖区（不含赣榆区）内注册、具有独立法人资格的法人单位，"
          "近三年内须有授权发明专利。")
REF = "不能。牵头单位应为在市辖区（不含赣榆区）内注册、具有独立法人资格的法人单位。"
ITEMS = [
    GoldItem(id="same", question="赣榆区企业能否牵头？", kind="fact", reference=REF,
             reference_contexts=["项目牵头单位应为在市辖区（不含赣榆区）内注册"]),
    GoldItem(id="other", question="最高资助多少？", kind="fact", reference="每个项目最高资助100万元。",
             reference_contexts=["每个项目最高资助100万元"]),
    GoldItem(id="near", question="截止时间？", kind="fact", reference="申报截止时间为2024年5月31日。",
             reference_contexts=["网上申报截止时间为2024年5月31日"]),
    GoldItem(id="none", question="火星项目？", kind="unanswerable"),
]
RECORDS = [
    {"id": "same", "answer": REF, "contexts": [CLAUSE, "其他条款"]},
    {"id": "other", "answer": "联系电话：85805561，联系人张老师。",
     "contexts": ["联系人：张老师，联系电话：85805561"]},
    {"id": "near", "answer": "申报截止时间为2024年6月30日。",
     "contexts": ["申报材料纸质版一式两份", "网上申报截止时间为 2024年5月31日 17:00"]},
    {"id": "none", "answer": "现有公告中未找到。", "contexts": [], "refused": True},
]


@pytest.fixture(scope="module")
def scores():  # type: ignore[no-untyped-def]
    return RagasScorer(k=5).run(ITEMS, RECORDS)


def test_identical_answer_scores_about_one(scores) -> None:  # type: ignore[no-untyped-def]
    s = scores.per_item["same"]
    for name in ("non_llm_string_similarity", "rouge_score", "rouge_score_recall", "bleu_score",
                 "non_llm_context_recall"):
        assert s[name] == pytest.approx(1.0, abs=1e-6), name
    assert s["non_llm_context_precision_with_reference"] == pytest.approx(1.0, abs=1e-6)


def test_unrelated_answer_scores_low(scores) -> None:  # type: ignore[no-untyped-def]
    s = scores.per_item["other"]
    assert s["rouge_score"] < 0.2 and s["bleu_score"] < 0.2 and s["non_llm_string_similarity"] < 0.3
    assert s["non_llm_context_recall"] == 0.0


def test_near_answer_in_between_and_rank_matters(scores) -> None:  # type: ignore[no-untyped-def]
    s = scores.per_item["near"]
    for name in ("rouge_score", "bleu_score", "non_llm_string_similarity"):
        assert 0.3 < s[name] < 1.0, name
    assert s["non_llm_context_recall"] == 1.0  # whitespace inside the clause does not matter
    assert s["non_llm_context_precision_with_reference"] == pytest.approx(0.5, abs=1e-6)  # relevant at rank 2


def test_unanswerable_items_are_not_scored_and_means(scores) -> None:  # type: ignore[no-untyped-def]
    assert "none" not in scores.per_item
    assert scores.means["non_llm_context_recall"] == pytest.approx(2 / 3)


def test_stock_ragas_would_be_meaningless_on_chinese() -> None:
    """Why the fixes exist: stock ROUGE gives 0.0 on identical Chinese, stock context recall misses
    a verbatim quote inside a longer clause."""
    from ragas.dataset_schema import SingleTurnSample
    from ragas.metrics import NonLLMContextRecall, RougeScore

    rouge = asyncio.run(RougeScore().single_turn_ascore(SingleTurnSample(reference=REF, response=REF)))
    recall = asyncio.run(NonLLMContextRecall().single_turn_ascore(SingleTurnSample(
        retrieved_contexts=[CLAUSE], reference_contexts=["项目牵头单位应为在市辖区（不含赣榆区）内注册"])))
    assert rouge == 0.0 and recall == 0.0


def test_jieba_tokenizer_words() -> None:
    toks = JiebaWordTokenizer().tokenize("每个项目最高资助 100 万元。")
    assert "资助" in toks and "100" in toks and "。" not in toks and " " not in toks


def test_bad_settings() -> None:
    with pytest.raises(ValueError):
        RagasScorer(k=0)
    with pytest.raises(ValueError):
        RagasScorer(containment_threshold=1.5)
    with pytest.raises(ValueError, match="embeddings"):
        RagasScorer(llm=object())


def test_rouge_recall_rewards_an_answer_that_carries_the_reference() -> None:
    long_answer = "根据公告：" + REF + "依据条款：" + CLAUSE * 3
    item = GoldItem(id="long", question="赣榆区企业能否牵头？", kind="fact", reference=REF)
    s = RagasScorer().run([item], [{"id": "long", "answer": long_answer, "contexts": [CLAUSE]}]).per_item["long"]
    assert s["rouge_score_recall"] > 0.95 and s["rouge_score"] < 0.6
