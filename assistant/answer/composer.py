"""The offline answer: deterministic, grounded, cited. Useful on its own, and the LLM path's fallback."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assistant.answer.spans import ANSWER_TYPES, best_spans, question_types, split_sentences
from assistant.ingest.chunker import LEAD_SECTION
from assistant.ingest.quotes import QUOTES_KEY
from assistant.models import AnswerRecord, Citation, RetrievedClause

VERDICT_LABELS = {"eligible": "符合", "ineligible": "不符合", "needs_info": "需补充信息"}
STATUS_MARKS = {"met": "✓", "not_met": "✗", "unknown": "？"}
REFUSAL = "现有公告中未找到与该问题相关的内容。"
_WS = re.compile(r"\s+")
# "有什么要求 / 需要具备什么条件 / 哪些": the answer may need more than one sentence.
_OPEN_QUESTION = re.compile(r"(什么(要求|条件|规定)|哪些|哪几|具备|分别)")


def squash(text: str) -> str:
    """Text with runs of whitespace folded (for display; quotes stay verbatim but for spacing)."""
    return _WS.sub(" ", text).strip()


class CitedAnswerComposer:
    """Builds the answer record from retrieved clauses and, for eligibility, the checker's result.

    Args:
        quote_full_below: clauses up to this many characters are quoted whole, longer ones by their best
            sentences.
        max_citations: at most this many quoted clauses in a fact answer.
    """

    def __init__(self, quote_full_below: int = 180, max_citations: int = 3) -> None:
        if quote_full_below < 20:
            raise ValueError(f"quote_full_below must be ≥ 20, got {quote_full_below!r}")
        if max_citations < 1:
            raise ValueError(f"max_citations must be ≥ 1, got {max_citations!r}")
        self.quote_full_below = quote_full_below
        self.max_citations = max_citations

    # -- facts -----------------------------------------------------------------------------------
    def run(self, question: str, retrieved: Sequence[RetrievedClause], terms: list[str]) -> AnswerRecord:
        """A fact answer: the span that answers first, then the clauses it rests on, quoted."""
        contexts = [r.chunk.text for r in retrieved]
        if not retrieved:
            return AnswerRecord(answer=REFUSAL, refused=True, contexts=contexts)
        ranked = self._rank_for_answer(question, retrieved, terms)
        citations: list[Citation] = []
        blocks: list[str] = []
        for r in ranked[: self.max_citations]:
            quotes = self._quotes(question, r, terms)
            for q in quotes:
                citations.append(Citation(notice=r.chunk.title, section=r.chunk.section, quote=q))
            blocks.append(f"《{r.chunk.title}》{r.chunk.section}：" + "……".join(f"“{squash(q)}”" for q in quotes))
        lead_clause = ranked[0]
        open_question = bool(_OPEN_QUESTION.search(question))
        lead = "……".join(s.text for s in best_spans(question, lead_clause.chunk.text, terms,
                                                     limit=2 if open_question else 1))
        answer = (f"根据《{lead_clause.chunk.title}》{lead_clause.chunk.section}：{squash(lead)}\n\n依据条款：\n"
                  + "\n".join(f"{i}. {b}" for i, b in enumerate(blocks, 1)))
        return AnswerRecord(answer=answer, citations=citations, contexts=contexts)

    def _rank_for_answer(self, question: str, retrieved: Sequence[RetrievedClause],
                         terms: Sequence[str] = ()) -> list[RetrievedClause]:
        """Retrieval order, but among the first few a clause whose sentence holds the asked-for kind of span
        (amount, date …) together with the question's terms comes first."""
        types = question_types(question)
        if not types:
            return list(retrieved)
        # distinctive spans (a 文号, a guide code, a phone number) may lift a clause from further down
        window = 5 if set(types) & {"docno", "code", "contact", "amount"} else 3
        head = list(retrieved[:window])

        def answering(r: RetrievedClause) -> float:
            best = 0.0
            for sentence in split_sentences(r.chunk.text):
                if any(ANSWER_TYPES[t][1].search(sentence) for t in types):
                    best = max(best, 1.0 + sum(1 for t in set(terms) if len(t) >= 2 and t in sentence))
            return best

        head.sort(key=lambda r: -answering(r))  # stable: ties keep retrieval order
        return head + list(retrieved[window:])

    def _quotes(self, question: str, r: RetrievedClause, terms: list[str]) -> list[str]:
        text = r.chunk.text.strip()
        pieces = str(r.chunk.metadata.get(QUOTES_KEY) or "")
        if pieces:
            # a table row or a paragraph the file splits with markup: only its verbatim pieces are quoted
            return [s.text for s in best_spans(question, pieces, terms, limit=2)]
        if len(text) <= self.quote_full_below:
            quotes = [text]
        else:
            quotes = [s.text for s in best_spans(question, text, terms,
                                                 limit=3 if _OPEN_QUESTION.search(question) else 2)]
        if r.chunk.section_path[:1] == (LEAD_SECTION,):
            # a notice's lead is assembled by the cleaner (the lifted page header, text after a dropped 目录):
            # its lines are verbatim one by one, not together
            quotes = [ln.strip() for q in quotes for ln in q.split("\n") if ln.strip()]
        return quotes

    # -- eligibility -----------------------------------------------------------------------------
    def eligibility(self, question: str, results: Sequence[Any], retrieved: Sequence[RetrievedClause],
                    extra_questions: Sequence[str] = ()) -> AnswerRecord:
        """An eligibility answer from checker results (one per candidate programme).

        The verdict is the checker's: ineligible only when every candidate programme rules so.
        """
        verdicts = {r.verdict for r in results}
        if verdicts == {"ineligible"}:
            verdict = "ineligible"
        elif verdicts == {"eligible"}:
            verdict = "eligible"
        else:
            verdict = "needs_info"
        lines: list[str] = []
        citations: list[Citation] = []
        head = {"eligible": "符合申报条件。", "ineligible": "不符合申报条件。", "needs_info": "需补充信息，暂不能判定。"}
        lines.append(f"{VERDICT_LABELS[verdict]}：{head[verdict]}（由规则校验得出，逐条对应公告原文）")
        asks: list[str] = list(extra_questions)
        for res in results:
            lines.append(f"\n【{res.programme_title}】{VERDICT_LABELS[res.verdict]}")
            if getattr(res, "draft_note", ""):
                lines.append(f"（{res.draft_note}）")
            for c in res.criteria:
                if c.kind == "reminder":
                    continue
                ref = c.reference
                mark = STATUS_MARKS.get(c.status, "？")
                tag = {"advisory": "（一般要求，非硬性条件）", "sufficient": "（便捷通道）"}.get(c.kind, "")
                lines.append(f"{mark} {c.description}{tag}：依据《{ref.notice}》{ref.section}：“{squash(ref.quote)}”")
                if c.status in ("not_met", "met") or c.kind != "reminder":
                    citations.append(Citation(notice=ref.notice, section=ref.section, quote=ref.quote))
            for q in res.questions:
                if q not in asks:
                    asks.append(q)
            reminders = [c for c in res.criteria if c.kind == "reminder"]
            if reminders:
                lines.append("材料与承诺提醒：")
                for c in reminders:
                    lines.append(f"· {c.description}：《{c.reference.notice}》{c.reference.section}")
        if verdict == "needs_info" and asks:
            lines.append("\n请补充以下信息：")
            lines.extend(f"{i}. {q}" for i, q in enumerate(asks, 1))
        # unique citations, in order
        seen: set[tuple[str, str]] = set()
        uniq = []
        for c in citations:
            key = (c.notice, c.quote)
            if key not in seen:
                seen.add(key)
                uniq.append(c)
        return AnswerRecord(
            answer="\n".join(lines),
            citations=uniq,
            contexts=[r.chunk.text for r in retrieved],
            verdict=verdict,  # type: ignore[arg-type]
            eligibility={"verdict": verdict, "results": [r.to_json() for r in results], "questions": asks},
        )

    def refusal(self, retrieved: Sequence[RetrievedClause], hotline: str | None = None,
                notice_title: str | None = None) -> AnswerRecord:
        """The "not in the notices" answer, naming the closest programme's hotline when known.

        Args:
            retrieved: the closest clauses (kept as contexts).
            hotline: a contact clause to suggest.
            notice_title: the document the question named, when it does not state the asked detail.
        """
        text = REFUSAL + "本助手只依据已收录的公告作答，不作推测。"
        if notice_title:
            text = f"现有公告中未找到该信息：《{notice_title}》中没有载明这一内容。本助手只依据已收录的公告作答，不作推测。"
        if hotline:
            text += f"\n如需咨询，可联系：{hotline}"
        return AnswerRecord(answer=text, refused=True, contexts=[r.chunk.text for r in retrieved])
