"""Which programme(s) an eligibility question is ruled against — ONE function, :func:`scope_programmes`.

Until notice routing (``NoticeRouter``) lands, the notice a question is about is read from retrieval: the
notices (an attachment counts for its notice) of the top retrieved clauses, ranked by rank, minus notices of
another region than the one the question names, weighed with the question's words of the notice's title,
a year it names and whether the notice is a call for applications (see :func:`ranked_notices`). Only
programmes of that notice are candidates — never a programme of another city or year. Among them the one
best matching the question (its title's words in the question, and the retrieved clauses it cites) is ruled
on; the answer then says which (``ProgrammeScope.note``). A programme the question names by a seed alias
(the extractor's ``programme_id`` / ``programme_candidates``) is kept when its notice is among the
retrieved ones or retrieval offers no notice with rules. To swap in the router: replace the ranked notice list
(:func:`ranked_notices`) by the router's notices, keep the rest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.eligibility.gazetteer import load_gazetteer
from assistant.models import RetrievedClause

TOP_CLAUSES = 8
_YEAR = re.compile(r"(20\d{2})\s*年(度|第|的)?(?!\d{1,2}月)")
_GENERIC = re.compile(r"(20\d{2}年度?|关于|组织|开展|申报|工作|通知|项目|企业|认定|雄安新区|新区|的|第[一二三四五六七八九十\d]+批)")


@dataclass
class ProgrammeScope:
    """The programmes to rule on, the notice they belong to, and what to tell the applicant.

    Attributes:
        programme_ids: the programmes (empty: no ruling can be scoped).
        notice_id: the notice they belong to, when read from retrieval.
        named: True when the question named the programme (no need to say which).
        note: "按《…》中的「…」判定" when the programme was chosen for the applicant.
        considered: the notices looked at, best first (for logs and the report).
    """

    programme_ids: list[str] = field(default_factory=list)
    notice_id: str | None = None
    named: bool = True
    note: str = ""
    considered: list[str] = field(default_factory=list)


def _root(registry: Any, doc_id: str) -> str:
    rec = registry.get(doc_id) if registry is not None else None
    return rec.parent if rec is not None and rec.parent and not rec.programmes else doc_id


def _question_regions(question: str) -> list[Any]:
    gaz = load_gazetteer()
    return [m.place for m in gaz.find(question) if m.place.kind in ("province", "city", "district")]


def _region_conflicts(places: Sequence[Any], region: str | None) -> bool:
    """The question names places and none of them lies in (or contains) the notice's region."""
    if not places or not region:
        return False
    gaz = load_gazetteer()
    for place in places:
        inside = gaz.within(place, region)
        if inside is None or inside:
            return False
        area = gaz.resolve(region)
        if area is not None and place.name in gaz.chain(area):
            return False
    return True


def ranked_notices(question: str, registry: Any, retrieved: Sequence[RetrievedClause]) -> list[str]:
    """Notice ids the top retrieved clauses belong to, best first, without notices of a region the question
    rules out.

    A notice's score: its clauses' retrieval ranks (Σ 1/(rank+1), capped at 1 so one long notice does not
    drown the rest), plus how much of its title the question says (up to 1), plus 0.75 when the question names
    its year, plus 0.3 for a call for applications (an eligibility question is about applying).
    """
    scores: dict[str, float] = {}
    for rank, r in enumerate(retrieved[:TOP_CLAUSES]):
        nid = _root(registry, r.chunk.doc_id)
        scores[nid] = scores.get(nid, 0.0) + 1.0 / (rank + 1)
    places = _question_regions(question)
    years = {int(m.group(1)) for m in _YEAR.finditer(question)
             if not re.match(r"\s*(在|就)?[^，,。]{0,3}(注册|成立|设立|购|招|提款|贷款|被)", question[m.end():])}
    q = re.sub(r"\s+", "", question)
    ranked: list[tuple[float, str]] = []
    for nid, retrieval in scores.items():
        rec = registry.get(nid) if registry is not None else None
        if rec is not None and _region_conflicts(places, rec.region):
            continue
        score = min(retrieval, 1.0)
        if rec is not None:
            names = [rec.title, *(str(p.get("name") or "") for p in rec.programmes)]
            score += max(_title_overlap(q, t) for t in names)
            score += 0.75 if rec.year in years else 0.0
            score += 0.3 if rec.kind == "call" else 0.0
        ranked.append((score, nid))
    return [nid for _, nid in sorted(ranked, key=lambda x: -x[0])]


def _title_overlap(question: str, title: str) -> float:
    """The words of a title the question says: shared bigrams of the title's distinctive part, 6 = all."""
    core = _GENERIC.sub("", re.sub(r"[\s“”\"《》（）()、，,：:]", "", title))
    return min(1.0, len(_bigrams(core) & _bigrams(question)) / 6)


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


# what a ruling question says besides naming a notice: who asks, the verb, particles, punctuation
_CONTENT = re.compile(r"我们|我司|我单位|本单位|我公司|本公司|我院|我校|我|本人|能否|能不能|可不可以|可否|可以|是否|还能|能|"
                      r"申报|申请|报名|参加|牵头|项目|这个|那个|该|吗|么|呢|吧|啊|的|了|[^\u4e00-\u9fff]")


def _title_score(question: str, title: str) -> float:
    core = _GENERIC.sub("", re.sub(r"[\s“”\"《》（）()、，,：:]", "", title))
    tb = _bigrams(core)
    return len(tb & _bigrams(question)) / len(tb) if tb else 0.0


def scope_programmes(question: str, session: Any, registry: Any, retrieved: Sequence[RetrievedClause],
                     rulebook: Any, extracted: Any = None) -> ProgrammeScope:
    """The programme(s) of the notice the question is about that the ruling is on.

    Args:
        question: the (follow-up resolved) question.
        session: the conversation (``programme_id``: the programme ruled on before).
        registry: the notice catalogue (``NoticeRegistry``) of the index; None: notices are documents.
        retrieved: the retrieved clauses, best first.
        rulebook: the checker's rules (``RuleBook``): only programmes with rules are candidates.
        extracted: the extractor's output (``programme_id`` / ``programme_candidates`` from seed aliases).

    Returns:
        The scope; ``programme_ids`` empty when no notice with rules is in view.
    """
    progs = rulebook.programmes
    session_pid = getattr(session, "programme_id", None) if session is not None else None
    if not _CONTENT.sub("", re.sub(r"\s+", "", question)) and session_pid not in progs:
        return ProgrammeScope([])  # "我们能申报吗？" naming nothing, with nothing under discussion: ask, not rule
    by_notice: dict[str, list[str]] = {}
    for pid, p in progs.items():
        if any(c.kind in ("hard", "advisory", "sufficient") for c in p.criteria):
            by_notice.setdefault(p.notice_id, []).append(pid)
    ranked = ranked_notices(question, registry, retrieved)
    with_rules = [n for n in ranked if by_notice.get(n)][:3]
    explicit = getattr(extracted, "programme_id", None)
    cands = [c for c in (getattr(extracted, "programme_candidates", None) or []) if c in progs]
    if explicit and explicit in progs:
        return ProgrammeScope([explicit], progs[explicit].notice_id, True, considered=ranked)
    if cands:
        cand_notices = {progs[c].notice_id for c in cands}
        if not with_rules or cand_notices & set(with_rules):
            return ProgrammeScope(cands[:6], None, True, considered=ranked)
    if not with_rules:
        if session is not None and getattr(session, "programme_id", None) in progs:
            return ProgrammeScope([session.programme_id], progs[session.programme_id].notice_id, True,
                                  considered=ranked)
        return ProgrammeScope([], considered=ranked)
    nid = with_rules[0]
    q = re.sub(r"\s+", "", question)
    if (session_pid in progs and progs[session_pid].notice_id != nid
            and _title_score(q, progs[by_notice[nid][0]].notice) < 0.34):
        # a follow-up ("我们是海州区的企业。") that names no other notice stays on the one under discussion
        return ProgrammeScope([str(session_pid)], progs[str(session_pid)].notice_id, True, considered=ranked)
    sections: dict[str, float] = {}
    for rank, r in enumerate(retrieved[:TOP_CLAUSES]):
        sections.setdefault(r.chunk.section, 1.0 / (rank + 1))
    best: tuple[float, str] | None = None
    for pid in by_notice[nid]:
        p = progs[pid]
        cited = sum(sections.get(c.reference.section, 0.0) for c in p.criteria if c.kind != "reminder")
        score = 2.0 * _title_score(q, p.title) + min(cited, 1.5)
        if session is not None and getattr(session, "programme_id", None) == pid:
            score += 0.3  # the programme the conversation is about
        if best is None or score > best[0]:
            best = (score, pid)
    assert best is not None
    pid = best[1]
    named = len(by_notice[nid]) == 1 and _title_score(q, progs[pid].title) >= 0.5
    note = "" if named else f"按《{progs[pid].notice}》中的「{progs[pid].title}」判定；如您要申报的是其他类别，请说明。"
    return ProgrammeScope([pid], nid, named, note, considered=ranked)
