"""ragas metrics over result records, made meaningful on Chinese text.

Non-LLM metrics (always, offline): ``NonLLMContextRecall``, ``NonLLMContextPrecisionWithReference``,
``NonLLMStringSimilarity``, ``RougeScore`` and ``BleuScore``, all through ``ragas.evaluate()``. Out of
the box they mislead on our data:

- ROUGE: rouge_score's default tokenizer keeps only ``[a-z0-9]`` — every Chinese text becomes the empty
  token list and scores 0.0. :class:`JiebaRougeScore` hands rouge_score a jieba word tokenizer.
- BLEU: sacrebleu's default ``13a`` tokenizer splits on spaces; ``tokenize="zh"`` segments per character.
- Context recall/precision compare a short gold quote with a whole retrieved clause by normalised
  Levenshtein distance, which the length difference alone pushes below the 0.5 threshold even when the
  clause contains the quote verbatim. :class:`QuoteContainment` scores how well the quote is contained in
  the clause (rapidfuzz ``partial_ratio`` after removing whitespace) instead.

LLM metrics (``--llm-metrics``): faithfulness, answer correctness and context precision with the
configured OpenAI-compatible model as judge; answer correctness embeds with our e5 (no download).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.evaluation.dataset import GoldItem
from assistant.index.embeddings import CachedEmbedder

NON_LLM_CONTEXT_METRICS = ("non_llm_context_recall", "non_llm_context_precision_with_reference")
NON_LLM_ANSWER_METRICS = ("non_llm_string_similarity", "rouge_score", "rouge_score_recall", "bleu_score")
LLM_METRICS = ("faithfulness", "answer_correctness", "llm_context_precision_with_reference")

_WS = re.compile(r"\s+")
_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)


def _ragas() -> Any:
    """Import ragas with its usage tracking off (it would post to the internet on each evaluate)."""
    os.environ["RAGAS_DO_NOT_TRACK"] = "true"
    import ragas

    return ragas


class JiebaWordTokenizer:
    """rouge_score tokenizer: jieba words (precise mode), whitespace and punctuation dropped."""

    def tokenize(self, text: str) -> list[str]:
        """Words of ``text``, ASCII lower-cased."""
        from assistant.index.tokenize import ChineseTokenizer

        tk = ChineseTokenizer._tk()  # the shared jieba instance with our domain dictionary
        return [w.lower() for w in (t.strip() for t in tk.lcut(text)) if w and not _PUNCT.match(w)]


class _JiebaRougeModule:
    """Stands in for the ``rouge_score.rouge_scorer`` module ragas builds its scorer from."""

    @staticmethod
    def RougeScorer(rouge_types: list[str], use_stemmer: bool = False) -> Any:
        from rouge_score import rouge_scorer

        # the stemmer is English-only; the jieba tokenizer replaces the a-z0-9 default
        return rouge_scorer.RougeScorer(rouge_types, tokenizer=JiebaWordTokenizer())


def _metric_classes() -> dict[str, Any]:
    """ragas metric classes plus our Chinese-aware variants (built on first use: ragas imports slowly)."""
    _ragas()
    from ragas.dataset_schema import SingleTurnSample
    from ragas.metrics import RougeScore
    from ragas.metrics.base import MetricType, SingleTurnMetric

    @dataclass
    class QuoteContainment(SingleTurnMetric):
        """How well ``response`` (a gold quote) is contained in ``reference`` (a retrieved clause), 0–1."""

        name: str = "quote_containment"
        _required_columns: dict[Any, set[str]] = field(
            default_factory=lambda: {MetricType.SINGLE_TURN: {"reference", "response"}})

        def init(self, run_config: Any) -> None:
            """Nothing to set up (no model)."""

        async def _single_turn_ascore(self, sample: SingleTurnSample, callbacks: Any) -> float:
            from rapidfuzz import fuzz

            ref, resp = _WS.sub("", sample.reference or ""), _WS.sub("", sample.response or "")
            if not ref or not resp:
                return 0.0
            if resp in ref:
                return 1.0
            return float(fuzz.partial_ratio(resp, ref)) / 100.0

        async def _ascore(self, row: dict[str, Any], callbacks: Any) -> float:
            return await self._single_turn_ascore(SingleTurnSample(**row), callbacks)

    @dataclass
    class JiebaRougeScore(RougeScore):
        """ragas ROUGE with a jieba tokenizer (the default one drops every Chinese character)."""

        def __post_init__(self) -> None:
            self.rouge_scorer = _JiebaRougeModule()

    return {"QuoteContainment": QuoteContainment, "JiebaRougeScore": JiebaRougeScore}


@dataclass
class RagasScores:
    """Per-item ragas scores (``{id: {metric: value}}``; NaN dropped) and their means."""

    per_item: dict[str, dict[str, float]] = field(default_factory=dict)
    means: dict[str, float] = field(default_factory=dict)


def metric_key(name: str) -> str:
    """A stable key for a ragas column: "rouge_score(mode=fmeasure)" → "rouge_score",
    "rouge_score(mode=recall)" → "rouge_score_recall"."""
    return re.sub(r"\(mode=(\w+)\)", lambda m: "" if m.group(1) == "fmeasure" else f"_{m.group(1)}", name)


class RagasScorer:
    """Scores result records with ragas.

    Args:
        k: retrieved contexts given to the context metrics (the first ``k``, as evidence@k).
        containment_threshold: a retrieved clause counts as holding a gold quote from this containment on.
        llm: a ragas LLM for the LLM metrics (None: non-LLM metrics only).
        embeddings: a ragas/LangChain embeddings model for answer correctness.
    """

    def __init__(self, k: int = 5, containment_threshold: float = 0.9, llm: Any = None,
                 embeddings: Any = None) -> None:
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        if not 0.0 < containment_threshold <= 1.0:
            raise ValueError(f"containment_threshold must be in (0, 1], got {containment_threshold!r}")
        if llm is not None and embeddings is None:
            raise ValueError("answer correctness needs embeddings when an LLM judge is given")
        self.k = k
        self.containment_threshold = containment_threshold
        self.llm = llm
        self.embeddings = embeddings

    def non_llm_metrics(self) -> tuple[list[Any], list[Any]]:
        """(context metrics, answer metrics), configured for Chinese."""
        _ragas()
        from ragas.metrics import (
            BleuScore,
            NonLLMContextPrecisionWithReference,
            NonLLMContextRecall,
            NonLLMStringSimilarity,
        )

        cls = _metric_classes()
        ctx = [
            NonLLMContextRecall(_distance_measure=cls["QuoteContainment"](),
                                threshold=self.containment_threshold),
            NonLLMContextPrecisionWithReference(distance_measure=cls["QuoteContainment"](),
                                                threshold=self.containment_threshold),
        ]
        # ROUGE-L recall too: our answers quote whole clauses, so F-measure against a one-line reference
        # mostly measures length; recall says how much of the reference the answer carries
        ans = [NonLLMStringSimilarity(), cls["JiebaRougeScore"](), cls["JiebaRougeScore"](mode="recall"),
               BleuScore(kwargs={"tokenize": "zh"})]
        return ctx, ans

    def llm_metrics(self) -> list[Any]:
        """The LLM-judged metrics (needs ``llm``)."""
        _ragas()
        import warnings

        from langchain_core.embeddings import Embeddings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from ragas.embeddings import LangchainEmbeddingsWrapper
            from ragas.metrics import AnswerCorrectness, Faithfulness, LLMContextPrecisionWithReference

            # a metric given embeddings directly needs ragas's interface (evaluate() only wraps its own)
            emb = (LangchainEmbeddingsWrapper(self.embeddings) if isinstance(self.embeddings, Embeddings)
                   else self.embeddings)
        return [Faithfulness(llm=self.llm),
                AnswerCorrectness(llm=self.llm, embeddings=emb),
                LLMContextPrecisionWithReference(llm=self.llm)]

    def run(self, items: Sequence[GoldItem], records: Sequence[dict[str, Any]],
            progress: Callable[[str], None] | None = None) -> RagasScores:
        """Score every item with a result record; NaN (a failed or inapplicable metric) is left out.

        Context metrics need gold quotes; answer metrics need a reference answer; unanswerable items
        (nothing to compare with) get neither.
        """
        _ragas()
        from ragas import EvaluationDataset
        from ragas.dataset_schema import SingleTurnSample

        by_id = {r["id"]: r for r in records}
        scored = [(g, by_id[g.id]) for g in items if g.id in by_id]
        ctx_metrics, ans_metrics = self.non_llm_metrics()
        out = RagasScores()

        def sample(g: GoldItem, r: dict[str, Any]) -> Any:
            return SingleTurnSample(
                user_input=g.question, response=r.get("answer") or "",
                retrieved_contexts=list((r.get("contexts") or [])[: self.k]) or [""],
                reference=g.reference or "", reference_contexts=list(g.reference_contexts) or None)

        groups: list[tuple[str, list[tuple[GoldItem, dict[str, Any]]], list[Any]]] = [
            ("context", [(g, r) for g, r in scored if g.reference_contexts], ctx_metrics),
            ("answer", [(g, r) for g, r in scored if g.reference and g.kind != "unanswerable"], ans_metrics),
        ]
        if self.llm is not None:
            groups.append(("llm", [(g, r) for g, r in scored if g.reference_contexts and g.reference],
                           self.llm_metrics()))
        for label, pairs, metrics in groups:
            if not pairs:
                continue
            if progress:
                progress(label)
            result = _ragas().evaluate(
                EvaluationDataset(samples=[sample(g, r) for g, r in pairs]), metrics=metrics,
                llm=self.llm, embeddings=self.embeddings, show_progress=False, raise_exceptions=False,
                allow_nest_asyncio=False)
            for (g, _), row in zip(pairs, result.scores, strict=True):
                for name, value in row.items():
                    if isinstance(value, int | float) and not math.isnan(value):
                        out.per_item.setdefault(g.id, {})[metric_key(name)] = float(value)
        names = sorted({n for s in out.per_item.values() for n in s})
        for name in names:
            vals = [s[name] for s in out.per_item.values() if name in s]
            out.means[name] = sum(vals) / len(vals)
        return out


def e5_langchain_embeddings(settings: Settings, embedder: CachedEmbedder | None = None) -> Any:
    """Our e5 encoder (with the content-hash cache of ``settings``) as LangChain ``Embeddings``.

    Args:
        settings: where the embedding cache lives.
        embedder: swappable for tests (default: e5 with that cache).
    """
    from langchain_core.embeddings import Embeddings

    from assistant.index.clause_index import make_embedder

    e5: CachedEmbedder = embedder or make_embedder(settings)

    class _E5(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [v.tolist() for v in e5.embed_passages(texts)]

        def embed_query(self, text: str) -> list[float]:
            return [float(x) for x in e5.embed_query(text)]

    return _E5()


def judge_llm(settings: Settings) -> Any:
    """The configured OpenAI-compatible model as a ragas judge.

    Raises:
        ConfigError: no ``OPENAI_API_KEY`` set.
    """
    if not settings.openai_api_key:
        raise ConfigError("--llm-metrics 需要模型服务：请设置 OPENAI_API_KEY（以及 OPENAI_BASE_URL、"
                          "SHENBAO_LLM_MODEL），或去掉 --llm-metrics 只计算离线指标。")
    _ragas()
    import warnings

    from langchain_openai import ChatOpenAI
    from ragas.llms import LangchainLLMWrapper

    chat = ChatOpenAI(model=settings.llm_model, api_key=settings.openai_api_key,  # type: ignore[arg-type]
                      base_url=settings.openai_base_url, timeout=settings.llm_timeout,
                      max_retries=settings.llm_retries, temperature=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return LangchainLLMWrapper(chat)
