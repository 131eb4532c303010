"""The offline answer: deterministic, grounded, cited. Useful on its own, and the LLM path's fallback."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from assistant.answer.spans import (
    ANSWER_TYPES,
    asking_clauses,
    best_spans,
    question_types,
    said_terms,
    split_sentences,
    term_weight,
)
from assistant.ingest.chunker import LEAD_SECTION
from assistant.ingest.quotes import QUOTES_KEY
from assistant.models import AnswerRecord, Chunk, Citation, RetrievedClause

VERDICT_LABELS = {"eligible": "符合", "ineligible": "不符合", "needs_info": "需补充信息"}
STATUS_MARKS = {"met": "✓", "not_met": "✗", "unknown": "？"}
REFUSAL = "现有公告中未找到与该问题相关的内容。"
_WS = re.compile(r"\s+")
# "有什么要求 / 需要具备什么条件 / 哪些": the answer may need more than one sentence.
_OPEN_QUESTION = re.compile(r"(什么(要求|条件|规定)|哪些|哪几|具备|分别)")


_PART_END = re.compile(r"[？?]+")
# a term the question quotes from the notice: “研究与试验发展人员数”
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,30})[”\"」』]")
# what an open question asks → the section that answers it, where the notice has one:
# (asks, unless it also says, the answering section's heading)
_SECTION_INTENTS: tuple[tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]], ...] = (
    # who may apply ("需要满足什么条件", "申报条件有哪些", "申报主体有什么要求") — not materials, forms or dates,
    # whose "要求" are of another kind
    (re.compile(r"(什么|哪些|啥|何种)(条件|资格)|(条件|资格)(是什么|是啥|有哪些|有什么|包括)|需要?满足|要满足|"
                r"门槛|(对象|主体|单位|企业|机构)(有什么|有哪些|需要?什么)要求|谁(能|可以)"),
     re.compile(r"材料|格式|装订|报送|提交|盖章|时间|日期|截止|上传|填报|申报书|附件"),
     re.compile(r"条件|资格|支持对象|申报对象|申报主体|补助对象|奖励对象|扶持对象|适用对象|认定标准")),
    # how to apply ("怎么申报", "申报流程是什么", "在哪里申请")
    (re.compile(r"(怎么|怎样|如何|在哪|去哪)(申报|申请|报名|提交|报送|办理)|(申报|申请|报名)(流程|程序|步骤|方式|途径|渠道)"),
     re.compile(r"(条件|资格)"),
     re.compile(r"申报(方式|程序|流程|途径|渠道|办法)|申请(方式|程序|流程|途径)|组织(方式|实施|申报)|报送(方式|要求)"
                r"|工作(程序|流程)|办理(流程|程序|方式)")),
)
_QUESTION_WORD = re.compile(r"多少|几|什么|哪|怎么|怎样|如何|多久|多长|何时|吗|呢|是否|有没有|谁")
# a part that only names another subject ("其他企业呢？", "那个人的呢"): it asks what the part before asked
_ELLIPTIC = re.compile(r"(呢|怎么样|如何|又是?)$")
# question wording → what the answering sentence also says (a deadline is not any date; funding not any sum)
# kinds of value that answer by themselves: a phone or a document number is what "找谁/文号" asks, wherever it is
_SELF_EVIDENT = {"contact", "docno", "code"}
_DEADLINE_ASK = r"截止|截至|最晚|最迟|哪天|几号"
# a deadline to the day or hour: "11月7日前", "3月18日17时前", "5月25日下班前"
_DUE = re.compile(r"\d\s*日\s*(之|以)?前|\d\s*日\s*(止|截止)|\d\s*[时点]\s*(之|以)?前|日\s*下班前")
TOPICS = {
    _DEADLINE_ASK: r"截止|截至|结束|前完成|之前|前在|前成立|前已|前报|以前|前提交|前将|前发送|前上传|下班前"
                               r"|日前|时前|前申报",
    r"资助|经费|给多少|补助|奖补|拿多少|多少钱|奖励|补贴": r"资助|经费|补助|奖补|支持|给予|奖励|补贴",
    r"电话|咨询|找谁|联系": r"联\s*系|电话|咨询",
}
_LIST_INTRO = re.compile(r"(下列|以下|如下).{0,12}[：:]?$|[：:]$")
_LIST_INTRO_INSIDE = re.compile(r"(下列|以下|如下)[^。；]{0,12}[：:]")
_LIST_ITEM = re.compile(r"^\s*([（(]?[\d一二三四五六七八九十]+[）)．.、])")


def question_parts(question: str) -> list[str]:
    """The parts of a several-part question ("最多报几个？什么时候截止？发到哪？"), each a question of its own;
    one part for an ordinary question."""
    parts = [p.strip("，,。 ") for p in _PART_END.split(question)]
    parts = [p for p in parts if len(p) >= 3]
    if len(parts) < 2:
        # a comma piece is a part when it asks (a question word) for a kind of value: "资助公示完以后，钱多久到账"
        # is one question about the money, its first piece only sets the scene
        parts = [p.strip() for p in re.split(r"[，,、]", question) if question_types(p) and _QUESTION_WORD.search(p)]
    return parts if len(parts) >= 2 else [question]


def own_terms(terms: Iterable[str], chunk: Chunk) -> set[str]:
    """The question's words that tell one clause of a notice from another: not in its title or region (every
    clause of the notice is about those); all words when nothing else is left."""
    names = f"{chunk.title} {chunk.metadata.get('region') or ''}"
    terms = {t for t in terms if len(t) >= 2}
    return {t for t in terms if t not in names} or terms


def part_types(parts: Sequence[str]) -> list[list[str]]:
    """The kinds of span each part asks for; a part naming none that follows one ("补多少？其他企业呢？")
    asks what the part before it asked."""
    out: list[list[str]] = []
    for part in parts:
        types = question_types(part)
        if not types and out and _ELLIPTIC.search(part):
            types = list(out[-1])
        out.append(types)
    return out


def best_sentence(part: str, clauses: Sequence[RetrievedClause], terms: Sequence[str],
                  types: Sequence[str] | None = None,
                  prefer: Collection[str] = ()) -> tuple[RetrievedClause, str] | None:
    """The sentence (and its clause) answering one part of a question: it holds the part's kind of span
    (a date, an amount, a phone …), says the part's topic ("截止" → a deadline) and most of its terms; earlier
    clauses win ties. None when the part asks no kind of span or no sentence holds one.

    Args:
        part: one part of the question.
        clauses: where to look, best first.
        terms: the question's content tokens.
        types: the kinds of span asked (default: read from the part).
        prefer: document ids whose sentences win a near tie (the notice an applicant deals with, not the
            higher body's notice it forwards).
    """
    types = question_types(part) if types is None else list(types)
    if not types:
        return None
    part_terms = sorted({t for t in terms if len(t) >= 2 and t in part} or set(terms))
    asking = asking_clauses(part)  # "补贴，找人社局哪位" asks for a person, not about the 补贴
    topic = next((t for k, t in TOPICS.items() if re.search(k, asking)), None)
    best: tuple[float, int, RetrievedClause, str] | None = None
    for rank, r in enumerate(clauses):
        # words of the notice's own title are in every clause of it: they tell no sentence from another
        own = own_terms(part_terms, r.chunk)
        # the clause's own heading says what its value is ("（二）申报截止时间" over "2026年3月18日")
        heading = r.chunk.section_path[-1] if r.chunk.section_path else ""
        for sentence in split_sentences(r.chunk.text):
            if not any(ANSWER_TYPES[t][1].search(sentence) for t in types):
                continue
            said = f"{sentence} {heading}"
            # a word of the heading counts half: it names the clause's topic, not what this sentence says
            hits = sum((1.0 if t in sentence else 0.5) * term_weight(t) for t in said_terms(own, said))
            on_topic = bool(topic and re.search(topic, said))
            if not hits and not on_topic and not set(types) <= _SELF_EVIDENT:
                continue  # a number alone ("6个月") answers no part that says nothing of it
            score = hits - 0.01 * rank
            if on_topic:
                score += 3.0  # "截止" asks for the deadline, not any date
                if topic == TOPICS[_DEADLINE_ASK] and _DUE.search(sentence):
                    score += 0.5  # a day (or hour) it is due by, not a period "2022年11月之前"
            if r.chunk.doc_id in prefer:
                score += 1.5
            if best is None or score > best[0]:
                best = (score, rank, r, sentence)
    return (best[2], best[3]) if best else None


def with_list_items(text: str, spans: Sequence[str], limit: int = 6) -> list[str]:
    """The spans, each one that introduces a list ("须符合下列条件之一：") followed by the list's items."""
    sents = split_sentences(text)
    out: list[str] = []
    for span in spans:
        out.append(span)
        if span not in sents or not (_LIST_INTRO.search(span) or _LIST_INTRO_INSIDE.search(span)):
            continue
        i = sents.index(span) + 1
        # the items of the list: the span itself may hold item 1, the next sentences the rest
        while i < len(sents) and len(out) < len(spans) + limit and _LIST_ITEM.match(sents[i]):
            if sents[i] not in out:
                out.append(sents[i])
            i += 1
    return out


def is_list_intro(chunk: Chunk) -> bool:
    """The clause only introduces a list ("申报单位应具备以下条件："): its items are the clauses after it."""
    return bool(_LIST_INTRO.search(chunk.text.strip()))


def list_items_after(intro: Chunk, following: Sequence[Chunk], limit: int = 6) -> list[Chunk]:
    """The items of a list whose intro is a clause of its own: the clauses right after it that sit under its
    heading ("（一）案例提交内容" → "（一）案例提交内容 > 1.", "> 2." …); none when the next clause starts
    another heading (a "现将有关事项通知如下：" opens the notice, not a list)."""
    items: list[Chunk] = []
    depth = len(intro.section_path)
    for c in following[:limit]:
        if c.doc_id != intro.doc_id or len(c.section_path) <= depth or c.section_path[:depth] != intro.section_path:
            break
        items.append(c)
    return items


def context_text(chunk: Chunk) -> str:
    """A clause as context: an item of a list whose intro is its numbered heading ("7.按评价指标达到45分以上或满足
    下列条件之一:" over "(2) 近两年研发费用…") carries that intro — the item alone does not say what it is
    an alternative or a condition of."""
    if len(chunk.section_path) >= 2:
        parent = chunk.section_path[-2].strip()
        if (_LIST_ITEM.match(parent) and (_LIST_INTRO.search(parent) or _LIST_INTRO_INSIDE.search(parent))
                and _WS.sub("", parent) not in _WS.sub("", chunk.text)):
            return f"{parent}\n{chunk.text}"
    return chunk.text


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
    def run(self, question: str, retrieved: Sequence[RetrievedClause], terms: list[str],
            prefer: Collection[str] = ()) -> AnswerRecord:
        """A fact answer: the span that answers first, then the clauses it rests on, quoted.

        Args:
            question: the question.
            retrieved: the ranked clauses.
            terms: the question's content tokens.
            prefer: document ids whose sentences win a near tie for a part's answer (see :func:`best_sentence`).
        """
        contexts = [context_text(r.chunk) for r in retrieved]
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
        open_question = bool(_OPEN_QUESTION.search(question))
        # a question of several parts ("几号截止？交到哪？找谁？"): each part answered by its own clause, the
        # first part's answer leading
        answers = self.part_answers(question, ranked, terms, prefer=prefer)
        if answers:
            lead_clause, lead = answers[0]
        else:
            lead_clause = ranked[0]
            spans = [s.text for s in best_spans(question, lead_clause.chunk.text, terms, title=lead_clause.chunk.title,
                                                limit=2 if open_question else 1)]
            lead = "……".join(with_list_items(lead_clause.chunk.text, spans))
            if is_list_intro(lead_clause.chunk):  # the list's items are the clauses ranked right after it
                items = list_items_after(lead_clause.chunk, [r.chunk for r in ranked[1:]])
                lead = " ".join([lead, *(squash(c.text) for c in items)])
        answer = f"根据《{lead_clause.chunk.title}》{lead_clause.chunk.section}：{squash(lead)}"
        cited = {r.chunk.chunk_id for r in ranked[: self.max_citations]}
        for n, (part_clause, sentence) in enumerate(answers):
            where = f"《{part_clause.chunk.title}》{part_clause.chunk.section}"
            if n:
                answer += f"\n{where}：{squash(sentence)}"
            if part_clause.chunk.chunk_id not in cited:
                cited.add(part_clause.chunk.chunk_id)
                quotes = self._quotes(question, part_clause, terms)
                citations.extend(Citation(notice=part_clause.chunk.title, section=part_clause.chunk.section, quote=q)
                                 for q in quotes)
                blocks.append(f"{where}：" + "……".join(f"“{squash(q)}”" for q in quotes))
        answer += "\n\n依据条款：\n" + "\n".join(f"{i}. {b}" for i, b in enumerate(blocks, 1))
        return AnswerRecord(answer=answer, citations=citations, contexts=contexts)

    def part_answers(self, question: str, ranked: Sequence[RetrievedClause], terms: Sequence[str],
                     window: int = 6, prefer: Collection[str] = ()) -> list[tuple[RetrievedClause, str]]:
        """For each further part of a several-part question, the sentence (and its clause) that answers it:
        the sentence holding the part's kind of span with most of its terms, among the first clauses."""
        parts = question_parts(question)
        if len(parts) < 2:
            return []
        out: list[tuple[RetrievedClause, str]] = []
        said = ""
        for part, types in zip(parts, part_types(parts), strict=True):
            found = best_sentence(part, ranked[:window], terms, types, prefer=prefer)
            if found is None:
                continue
            flat = re.sub(r"\s+", "", found[1])
            if flat in said:
                continue  # the lead (or an earlier part) already says it
            said += flat
            out.append(found)
        return out

    def _rank_for_answer(self, question: str, retrieved: Sequence[RetrievedClause],
                         terms: Sequence[str] = (), weights: Mapping[str, float] | None = None
                         ) -> list[RetrievedClause]:
        """Retrieval order, but among the first few a clause whose sentence holds the asked-for kind of span
        (amount, date …) together with the question's terms comes first; for an open question ("项目名称有什么
        规定？") asking no kind of span, given term weights, the clause saying most of the question's own words
        comes first."""
        types = question_types(question)
        if not types:
            return self._rank_open(retrieved, terms, weights, question) if weights is not None else list(retrieved)
        # a clause holding the asked kind of span may lift itself from the first five (routed retrieval ranks
        # within one notice, where the answering clause is often not first)
        window = 5
        head = list(retrieved[:window])

        # a guide code the question names (编号4002) is answered by the clause listing that very code
        codes = re.findall(r"(?<!\d)(\d{4})(?![\d年])", question) if "code" in types else []

        def answering(r: RetrievedClause) -> float:
            best = 0.0
            # the notice's title words are in every clause of it: they tell no clause from another
            own = own_terms(terms, r.chunk)
            for sentence in split_sentences(r.chunk.text):
                if codes and any(re.search(rf"(?<!\d){c}(?!\d)", sentence) for c in codes):
                    best = max(best, 100.0)
                if any(ANSWER_TYPES[t][1].search(sentence) for t in types):
                    best = max(best, 1.0 + sum(term_weight(t) for t in said_terms(own, sentence)))
            return best

        head.sort(key=lambda r: -answering(r))  # stable: ties keep retrieval order
        return head + list(retrieved[window:])

    @staticmethod
    def _rank_open(retrieved: Sequence[RetrievedClause], terms: Sequence[str], weights: Mapping[str, float],
                   question: str = "", window: int = 8) -> list[RetrievedClause]:
        """Among the first few clauses, the one saying most (by weight) of the question's words that are not
        the notice's own names (its title and region: every clause of it is about those) comes first; a word
        inside a longer matched word counts once (项目名称, not also 名称), and a term the question quotes
        (“研究与试验发展人员数”) counts in full where the clause says it verbatim."""
        head = list(retrieved[:window])
        quoted = [re.sub(r"\s+", "", m) for m in _QUOTED.findall(question)]

        def weigh(words: set[str], text: str) -> float:
            return sum(weights.get(t, 0.0) for t in said_terms(words, text))

        def said(r: RetrievedClause) -> float:
            own = own_terms(terms, r.chunk)
            text = re.sub(r"\s+", "", r.chunk.text)
            # one sentence saying the words answers; words scattered over a long clause only back it
            best = max((weigh(own, re.sub(r"\s+", "", s)) for s in split_sentences(r.chunk.text)), default=0.0)
            bonus = sum(weights.get(t, 0.0) for q in quoted if q and q in text and q not in r.chunk.title
                        for t in terms if t in q)
            return best + 0.3 * weigh(own, text) + bonus

        # a question asking the conditions (or how to apply) is answered from the section setting them, where
        # there is one
        section = next((sec for asks, unless, sec in _SECTION_INTENTS
                        if asks.search(question) and not unless.search(question)), None)

        def in_section(r: RetrievedClause) -> bool:
            return section is not None and bool(section.search(r.chunk.section))

        head.sort(key=lambda r: (not in_section(r), -said(r)))  # stable: ties keep retrieval order
        return head + list(retrieved[window:])

    def _quotes(self, question: str, r: RetrievedClause, terms: list[str]) -> list[str]:
        text = r.chunk.text.strip()
        pieces = str(r.chunk.metadata.get(QUOTES_KEY) or "")
        if pieces:
            # a table row or a paragraph the file splits with markup: only its verbatim pieces are quoted
            return [s.text for s in best_spans(question, pieces, terms, limit=2, title=r.chunk.title)]
        if len(text) <= self.quote_full_below:
            quotes = [text]
        else:
            quotes = [s.text for s in best_spans(question, text, terms, title=r.chunk.title,
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
            contexts=[context_text(r.chunk) for r in retrieved],
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
        return AnswerRecord(answer=text, refused=True, contexts=[context_text(r.chunk) for r in retrieved])
