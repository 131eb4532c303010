"""Finding the span of a clause that answers a question: amount, date, count, name, phone, code, duration."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Sentence ends in notices: 。；！？ and line breaks; the numbered items "1．" also start new sentences.
_SENT_SPLIT = re.compile(r"(?<=[。；！？!?])|\n+")

# What a question asks for → a pattern the answering span must contain.
ANSWER_TYPES: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "amount": (
        re.compile(r"(多少钱|多少(的)?(奖励|奖金|补贴|补助|资金|资助|经费)|资助|经费|补助|补贴|奖补|奖励多少|给多少|拿多少|补多少|金额|额度|上限|最高|万元|资金|投入|收入|销售)"),
        re.compile(r"\d+(\.\d+)?\s*(万元|亿元|元|%)|不超过.{0,12}(万元|%)|最高\d+"),
    ),
    "date": (
        re.compile(r"(什么时候|何时|截止|时间|日期|哪天|几号|几月|之前|前注册|期限|多久之前)"),
        re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}:\d{2}"),
    ),
    "contact": (
        re.compile(r"(联系人|联系电话|电话|咨询|联系方式|找谁|联系谁|哪位|负责人是谁)"),
        re.compile(r"联\s*系\s*人|电话|\d{8}|\d{3,4}-\d{7,8}"),
    ),
    "count": (
        re.compile(r"(几项|多少项|几个|多少个|几份|多少份|几家|多少家|多少人|几人|推荐.{0,4}(几|多少)|限报|名额|最多.{0,6}(项|个))"),
        re.compile(r"\d+\s*(项|个|家|人|份)|一式[一二两三四五六七八九十\d]+份"),
    ),
    "code": (
        re.compile(r"(代码|编号|方向|指南)\s*\d{4}|\d{4}.{0,6}(方向|什么|哪)"),
        re.compile(r"(?<!\d)\d{4}(?!\d)"),
    ),
    "duration": (
        re.compile(r"(多长时间|多久|周期|几年|期限|年内|完成时间|实施期|多少天|几天|几个工作日|多少个工作日|有效期)"),
        re.compile(r"(?<![\d下每])([一二两三四五六七八九十]+|\d{1,2})\s*(年(?!度)|个月|个?工作日|天|日内)(?!\d)|年以内|周期"),
    ),
    "age": (
        re.compile(r"(年龄|岁|出生|年纪)"),
        re.compile(r"\d+\s*周岁|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日.{0,6}出生|\d+\s*岁"),
    ),
    "coefficient": (  # a factor, weight or score read off a table ("行业系数是多少" → 0.6)
        re.compile(r"(系数|倍数|权重|分值|得分|多少分|几分)"),
        re.compile(r"(?<![\d.])\d+\.\d+(?![\d.%])|\d+\s*分"),
    ),
    "docno": (
        re.compile(r"(文号|发文字号|文件号)"),
        re.compile(r"〔\d{4}〕\s*\d+\s*号|﹝\d{4}﹞\s*\d+\s*号"),
    ),
}


# a word asking something: the clause holding it is what the question asks about
_QUESTION_WORD = re.compile(r"多少|几|什么|哪|怎么|怎样|如何|多久|多长|何时|吗|呢|是否|有没有|谁")


def asking_clauses(question: str) -> str:
    """The clauses of a question that ask (hold a question word); the whole question when none does:
    in "新增就业补贴，找人社局哪位？" the 补贴 only names the programme, the question asks for a person."""
    clauses = [c for c in re.split(r"[，,；;]", question) if _QUESTION_WORD.search(c)]
    return "，".join(clauses) or question


def question_types(question: str) -> list[str]:
    """The answer types a question asks for (possibly several, possibly none), read from its asking clauses."""
    asking = asking_clauses(question)
    return [name for name, (ask, _) in ANSWER_TYPES.items() if ask.search(asking)]


def split_sentences(text: str) -> list[str]:
    """Sentences of a clause, each a verbatim slice (stripped), empty ones dropped."""
    return [s.strip() for s in _SENT_SPLIT.split(text) if s and s.strip()]


def said_terms(terms: Iterable[str], text: str) -> set[str]:
    """The terms a text says, a term inside a longer one said counting once (连云港市, not also 连云, 港市)."""
    matched = {t for t in terms if t in text}
    return {t for t in matched if not any(t != u and t in u for u in matched)}


def term_weight(term: str) -> float:
    """A said term's weight by its length: a longer name says more ("双边创新合作" over "创新")."""
    return min(len(term), 6) / 2


@dataclass(frozen=True)
class Span:
    """A sentence of a clause with how well it answers."""

    text: str
    score: float


def best_spans(question: str, text: str, terms: list[str], limit: int = 2, title: str = "") -> list[Span]:
    """The sentences of ``text`` that best answer ``question``, in their order in the clause.

    Args:
        question: the question.
        text: one clause.
        terms: the question's content tokens (weighted equally here).
        limit: at most this many sentences.
        title: the clause's notice title: its words name the notice, which any sentence may repeat, so they
            do not count (unless the question has no other words).
    """
    types = question_types(question)
    sents = split_sentences(text)
    own = {t for t in terms if t not in title} or set(terms)
    scored = []
    for i, s in enumerate(sents):
        overlap = sum(term_weight(t) for t in said_terms(own, s))
        typed = sum(1 for t in types if ANSWER_TYPES[t][1].search(s))
        scored.append((overlap + 4.0 * typed, i, s))
    top = sorted(scored, key=lambda x: (-x[0], x[1]))[:limit]
    top = [t for t in top if t[0] > 0] or top[:1]
    return [Span(text=s, score=sc) for sc, _, s in sorted(top, key=lambda x: x[1])]
