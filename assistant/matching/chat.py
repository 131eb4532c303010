"""The match in the chat: "我们能申报哪些项目？" with the session's facts → the match summary, cited; a later
statement of facts ("我们有2项发明专利") re-runs the match and says what changed."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.matching.profile_reader import profile_from_facts
from assistant.matching.report import GROUP_TITLES, MatchReport, ProgrammeMatch
from assistant.matching.service import MatchService
from assistant.models import AnswerRecord, Citation

# "能申报哪些项目 / 可以报什么 / 有哪些项目适合我们 / 符合哪些政策": what can the applicant apply to
_ASKS_MATCH = re.compile(
    r"(能|可以|可|能够|适合|符合|够格)[^，。？?]{0,6}(申报|申请|报)?[^，。？?]{0,4}(哪些|哪几|什么|哪个|哪类)"
    r"[^，。？?]{0,6}(项目|计划|专项|政策|资金|通知|补贴|认定)?"
    r"|(哪些|哪几|什么)[^，。？?]{0,8}(项目|计划|专项|政策)[^，。？?]{0,6}(能|可以|可|适合|符合)[^，。？?]{0,4}(申报|申请|报)?"
)
_FIRST_PERSON = re.compile(r"(我们|我司|本单位|我单位|本公司|我公司|我院|我校|贵单位|本企业|我企业|我方)")
ORIGIN = "对话"
MAX_LISTED = 8


def asks_for_match(question: str, has_facts: bool = False) -> bool:
    """Does the question ask what the applicant can apply to (not whether it can apply to one programme)?"""
    return bool(_ASKS_MATCH.search(question)) and (bool(_FIRST_PERSON.search(question)) or has_facts)


class MatchAnswerComposer:
    """A match report → a chat answer: the open programmes by verdict, the clauses ruling others out (quoted),
    the questions that would settle most rulings, and the closed and long-term ones in brief.

    Args:
        max_listed: rows listed per part.
    """

    def __init__(self, max_listed: int = MAX_LISTED) -> None:
        if max_listed < 1:
            raise ValueError(f"max_listed must be ≥ 1, got {max_listed!r}")
        self.max_listed = max_listed

    def run(self, report: MatchReport, before: MatchReport | None = None) -> AnswerRecord:
        """The cited answer (``eligibility`` holds the compact rows; the verdict field stays empty)."""
        lines: list[str] = []
        citations: list[Citation] = []
        if before is not None:
            changes = report.changes_since(before)
            lines.append("根据您补充的信息重新匹配，变化如下：" if changes else "根据您补充的信息重新匹配，结论没有变化。")
            lines += [f"· {c}" for c in changes[: self.max_listed]]
            if len(changes) > self.max_listed:
                lines.append(f"· ……另有 {len(changes) - self.max_listed} 项变化")
            lines.append("")
        known = "；".join(f"{f['label']}：{_value(f['value'])}" for f in report.facts) or "暂无"
        lines.append(f"按您提供的信息（{known}），已对公告目录中的申报项目逐条规则校验（结论由规则得出，逐条对应公告原文）：")
        current = [r for r in report.rows if r.group in ("open", "no_deadline")]
        if not current:
            lines.append("\n目前没有正在申报的项目。")
        for verdict, title in (("eligible", "符合申报条件"), ("needs_info", "需补充信息后判定"),
                               ("unchecked", "需对照原文自行确认"), ("ineligible", "不符合")):
            rows = [r for r in current if r.verdict == verdict]
            if not rows:
                continue
            lines.append(f"\n【{title}】（{len(rows)} 项）")
            for r in rows[: self.max_listed]:
                lines.append(self._line(r))
                citations += self._citations(r)
            if len(rows) > self.max_listed:
                lines.append(f"……另有 {len(rows) - self.max_listed} 项，可在“项目匹配”页查看全部并导出。")
        for group in ("closed", "policy"):
            rows = report.group(group)
            if rows:
                counts = Counter(r.verdict_label for r in rows)
                brief = "，".join(f"{k} {v} 项" for k, v in counts.items())
                names = ""
                for r in rows:
                    if r.verdict in ("eligible", "needs_info") and len(names) < 160:
                        names += ("；" if names else "") + _name(r)
                lines.append(f"\n【{GROUP_TITLES[group]}】{len(rows)} 项（{brief}）" + (f"：{names}" if names else ""))
        asks = self._top_questions(current)
        lead = "补充以下信息可判定更多项目（直接回复即可）："
        if not asks:  # nothing open waits for a fact: what the next rounds of closed calls would ask
            asks = self._top_questions(report.group("closed"))
            lead = "补充以下信息可判定往期项目（便于准备下一批，直接回复即可）："
        if asks:
            lines.append("\n" + lead)
            lines += [f"{i}. {q}" for i, q in enumerate(asks, 1)]
        uniq: list[Citation] = []
        for c in citations:
            if all((c.notice, c.quote) != (u.notice, u.quote) for u in uniq):
                uniq.append(c)
        rows_json = [{"programme_id": r.programme_id, "verdict": r.verdict, "notice": r.notice_title,
                      "programme": r.programme_name, "status": r.status_label, "group": r.group,
                      "questions": [m.question for m in r.missing]}
                     for r in report.rows if r.verdict != "unchecked"]
        return AnswerRecord(answer="\n".join(lines).strip(), citations=uniq, contexts=[c.quote for c in uniq],
                            verdict=None, eligibility={"match": True, "date": report.date, "results": rows_json,
                                                       "questions": asks, "counts": report.counts()})

    def _line(self, r: ProgrammeMatch) -> str:
        tail = f"（{r.status_label}，{r.rules_label}）"
        if r.verdict == "ineligible":
            c = r.failing[0]
            facts = "、".join(f"{f['label']}：{_value(f['value'])}" for f in c.facts)
            return (f"· {_name(r)}{tail}：依据《{c.notice}》{c.section}：“{_squash(c.quote)}”"
                    + (f"（与您的{facts}不符）" if facts else ""))
        if r.verdict == "needs_info":
            return f"· {_name(r)}{tail}：还需 {len(r.missing)} 项信息——" + "；".join(m.label for m in r.missing)
        if r.verdict == "eligible":
            basis = next((c for c in r.conditions if c.kind == "hard"), None)
            cite = f"：依据《{basis.notice}》{basis.section}：“{_squash(basis.quote)}”等" if basis else ""
            return f"· {_name(r)}{tail}{cite}"
        return f"· {_name(r)}{tail}：{r.note}"

    @staticmethod
    def _citations(r: ProgrammeMatch) -> list[Citation]:
        refs = r.failing if r.verdict == "ineligible" else [c for c in r.conditions if c.kind == "hard"][:1]
        return [Citation(notice=c.notice, section=c.section, quote=c.quote) for c in refs]

    def _top_questions(self, rows: Sequence[ProgrammeMatch]) -> list[str]:
        """The questions most open rulings wait for (at most three)."""
        counts: Counter[str] = Counter(m.question for r in rows if r.verdict == "needs_info" for m in r.missing)
        return [q for q, _ in counts.most_common(3)]


def _name(r: ProgrammeMatch) -> str:
    if r.programme_name and r.programme_name != r.notice_title:
        return f"《{r.notice_title}》{r.programme_name}"
    return f"《{r.notice_title}》"


def _value(v: Any) -> str:
    from assistant.eligibility.profile import VALUE_LABELS

    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, list):
        return "、".join(VALUE_LABELS.get(str(x), str(x)) for x in v)
    return VALUE_LABELS.get(str(v), str(v))


def _squash(text: str) -> str:
    return " ".join(text.split())


class MatchChat:
    """One chat turn of the match: a match question, or facts supplied after a match answer.

    Args:
        service: the match service (the answer service passes its catalogue and checker).
        composer: the answer composer.
    """

    def __init__(self, service: MatchService, composer: MatchAnswerComposer | None = None) -> None:
        self.service = service
        self.composer = composer or MatchAnswerComposer()

    def run(self, question: str, session: Any, stated: Mapping[str, Any], supplying: bool) -> AnswerRecord | None:
        """The match answer for this turn, or None when the turn is not about the match.

        Args:
            question: the user's question.
            session: the conversation (``facts`` accumulate; ``match`` holds the last report).
            stated: the facts the extractor read from this question.
            supplying: the question only states facts (not a ruling question about one programme).
        """
        before = getattr(session, "match", None)
        if not asks_for_match(question, has_facts=bool(stated)) and not (before is not None and stated and supplying):
            return None
        previous = dict(session.facts)
        facts = {**previous, **dict(stated)}
        report = self.service.run(profile_from_facts(facts, ORIGIN))
        session.facts = facts
        session.match = report
        session.pending_eligibility = False
        return self.composer.run(report, before if facts != previous else None)
