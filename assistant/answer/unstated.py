"""Answering "通知未明确…" when the notice a question is about does not give the asked detail.

A question about a known notice that asks for a detail — an amount, a date, a duration, a count, an age
limit — is answered from a sentence holding that kind of value *and* the question's own subject words. When
no sentence of the notice holds both, the notice does not say: the answer states so and shows the nearest
clause as context only, never as if it answered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.spans import ANSWER_TYPES, asking_clauses, question_types, split_sentences
from assistant.index.bm25 import BM25Index
from assistant.models import AnswerRecord, Chunk, Citation, RetrievedClause

_DETAIL_TYPES = ("amount", "date", "count", "age", "duration")
_EXPLICIT_DATE = re.compile(r"截止|日期|哪天|几月|什么时候|何时|哪一天|几号|最晚")
# question wording → what the stating sentence must also say (a deadline is not any date; funding not any sum)
_TOPICS = {
    # a deadline is also a day or hour something is due before ("并于8月18日12点前，将纸质版…")
    r"截止|截至|最晚|最迟": r"截止|截至|结束|前完成|之前|前在|前成立|前已|前报|以前|前提交|前将|前发送|前上传"
                           r"|[日时点]\s*(之|以)?前",
    r"资助|经费|给多少|补助|奖补|拿多少|多少钱|奖励": r"资助|经费|补助|奖补|支持|给予|奖励|补贴",
    # "有效期几年" is answered by a validity period, not any span of years; "多久到账" by a payment's timing
    r"有效期": r"有效期|有效",
    r"到账|账上|拨到|拨付|打款|发放|兑付": r"到账|拨付|拨到|拨款|兑现|兑付|发放|支付|打款|划拨",
}
# question words that are no subject of their own, nor are the words setting the scene ("公示完以后")
_ASKING = re.compile(r"^(多少|几|什么|哪|怎么|如何|是否|有没有|能否|可以|要求|规定|情况|大概|一般|需要"
                     r"|以后|之后|以前|之前|完了|完成后|时候"
                     # distributive words ("每个项目最高资助多少") say how the amount is counted, not what about
                     r"|每个|每项|每家|每户|每人|每年|单个|单项|单家)")


@dataclass(frozen=True)
class UnstatedDetail:
    """The asked detail the notice does not give.

    Attributes:
        title: the notice's title.
        asked: what was asked ("金额", "时间" …).
        nearest: the clause closest to the question (context, not an answer), if any.
    """

    title: str
    asked: str
    nearest: RetrievedClause | None


_ASKED_WORDS = {"amount": "金额或标准", "date": "时间", "count": "数量", "age": "年龄要求", "duration": "期限或时长"}


class UnstatedDetailCheck:
    """Finds questions asking a detail that the notice they are about never states.

    Args:
        subject_terms: how many of the question's subject words (not in the notice's title; nearest the
            asking words first) are checked; a stating sentence holds one of them.
    """

    def __init__(self, subject_terms: int = 2) -> None:
        if subject_terms < 1:
            raise ValueError(f"subject_terms must be ≥ 1, got {subject_terms!r}")
        self.subject_terms = subject_terms

    @staticmethod
    def asking(question: str) -> str:
        """The clauses of a question that ask (hold a question word); the whole question when none does."""
        return asking_clauses(question)

    def asked_types(self, question: str) -> list[str]:
        """The detail kinds the question asks for (in its asking clauses: "资助公示完以后，钱多久到账" asks a
        duration, not an amount)."""
        asking = self.asking(question)
        types = [t for t in question_types(asking) if t in _DETAIL_TYPES]
        if "date" in types and not _EXPLICIT_DATE.search(asking):
            types.remove("date")  # "多长时间内完成" asks for a duration, not a date
        return types

    def subject(self, question: str, titles: Sequence[str], bm25: BM25Index) -> list[str]:
        """The question's rarest words that its notice's title does not already say."""
        title_text = "".join(titles)
        topical = "|".join(_TOPICS)  # "截止", "资助" …: the topic check reads these
        # a piece of an asking word is none either ("有效期" asks; its 效期 is no subject)
        asked = [m.span() for ask, _ in ANSWER_TYPES.values() for m in ask.finditer(question)]

        def inside_asking(t: str) -> bool:
            at = question.find(t)
            return at >= 0 and any(a <= at and at + len(t) <= b for a, b in asked)

        terms = {t for t in bm25.tokenizer.tokens(question)
                 if len(t) >= 2 and t not in title_text and not _ASKING.match(t) and bm25.idf(t) > 0
                 and not re.search(topical, t) and not any(ask.search(t) for ask, _ in ANSWER_TYPES.values())
                 and not inside_asking(t)}
        terms = {t for t in terms if not any(t != u and t in u for u in terms)}  # 申请人, not also 申请
        # the words nearest the asking words ("多长时间能拨到账上" → 拨到, 账上) name what is asked about;
        # words further off set the scene ("公示完以后")
        spans = [m.span() for ask, _ in ANSWER_TYPES.values() for m in ask.finditer(question)]

        def distance(t: str) -> int:
            at = question.find(t)
            if at < 0 or not spans:
                return len(question)
            return min(max(a - (at + len(t)), at - b, 0) for a, b in spans)

        return sorted(terms, key=lambda t: (distance(t), -bm25.idf(t), t))[: self.subject_terms]

    def run(self, question: str, doc_chunks: Sequence[Chunk], retrieved: Sequence[RetrievedClause],
            bm25: BM25Index) -> UnstatedDetail | None:
        """The unstated detail, or None when the notice states it (or the question asks no detail).

        A several-part question is not stated only when no part is: each part is checked on its own.
        """
        from assistant.answer.composer import question_parts

        if not doc_chunks:
            return None
        asked: list[str] = []
        for part in question_parts(question):
            types = self.asked_types(part)
            if not types:
                continue  # "会不会再给奖励？给多少？": the part naming no kind of value is read with the next
            if self._stated(part, types, doc_chunks, bm25):
                return None
            asked.extend(t for t in types if t not in asked)
        if not asked:
            return None
        docs = {c.doc_id for c in doc_chunks}
        nearest = next((r for r in retrieved if r.chunk.doc_id in docs), None)
        return UnstatedDetail(title=(nearest.chunk if nearest else doc_chunks[0]).title,
                              asked="、".join(_ASKED_WORDS[t] for t in asked), nearest=nearest)

    def _stated(self, question: str, types: Sequence[str], doc_chunks: Sequence[Chunk], bm25: BM25Index) -> bool:
        """Some sentence of the notice holds the asked kind of value with the question's subject."""
        # the notice's own names (title, region, issuer) are no subject of the question
        titles = sorted({c.title for c in doc_chunks} | {str(c.metadata.get(k) or "") for c in doc_chunks[:1]
                                                           for k in ("region", "issuer")})
        subject = self.subject(question, titles, bm25)
        need = 1
        asking = self.asking(question)
        topic = next((t for k, t in _TOPICS.items() if re.search(k, asking)), None)
        for c in doc_chunks:
            # a clause's own heading line ("青年科技创新人才项目" above its 申报条件) names what it is about, as
            # its section does
            first = c.text.lstrip().split("\n", 1)[0]
            heading = c.section + (first if len(first) <= 40 else "")
            for sentence in split_sentences(c.text):
                if not any(ANSWER_TYPES[t][1].search(sentence) for t in types):
                    continue
                if topic is not None and not re.search(topic, sentence):
                    continue
                if subject and sum(1 for t in subject if t in sentence or t in heading) < need:
                    continue
                return True
        return False


def not_stated_answer(detail: UnstatedDetail, contexts: Sequence[str], quotes: Sequence[str] = ()) -> AnswerRecord:
    """"通知未明确…": the notice named, the nearest clause quoted as context (refused: no answer invented)."""
    text = (f"通知未明确：《{detail.title}》中没有载明您问的{detail.asked}。"
            "本助手只依据已收录的公告作答，不作推测，建议向发文单位咨询。")
    citations: list[Citation] = []
    if detail.nearest is not None and quotes:
        c = detail.nearest.chunk
        shown = "……".join("“" + re.sub(r"\s+", " ", q).strip() + "”" for q in quotes)
        text += f"\n最相关的条款（仅作背景，并未回答该问题）：《{c.title}》{c.section}：{shown}"
        citations = [Citation(notice=c.title, section=c.section, quote=q) for q in quotes]
    return AnswerRecord(answer=text, refused=True, citations=citations, contexts=list(contexts))
