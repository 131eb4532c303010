"""MatchService: one applicant profile against every programme of every call notice in the catalogue.

Rulings are the deterministic :class:`~assistant.eligibility.EligibilityChecker`'s. On top of it the match
keeps one promise the report states: an ``ineligible`` row only ever rests on a clause that a *known* fact
contradicts — a failing criterion that reads no known fact (which the checker should never produce) is not
allowed to rule the applicant out and becomes a question instead (counted as ``demoted``). A programme whose
rules hold nothing the checker can decide (only reminders, or no rules drafted yet) is ``unchecked``, never
``eligible``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

from assistant.catalogue.registry import STATUS_CLOSED, STATUS_OPEN, NoticeRecord, NoticeRegistry
from assistant.eligibility.checker import CONFIRM_FACT, CriterionResult, EligibilityChecker, EligibilityResult
from assistant.eligibility.profile import ApplicantProfile
from assistant.eligibility.rules import Programme
from assistant.errors import InputError
from assistant.matching.profile_reader import SourcedProfile, profile_from_facts, read_profile_text
from assistant.matching.report import ClauseRef, Group, MatchReport, MatchVerdict, MissingFact, ProgrammeMatch

#: a criterion naming the first fact may be decided by the others (qualifications held / not held …)
COMPANION_FACTS: dict[str, tuple[str, ...]] = {
    "qualifications_held": ("qualifications_held", "qualifications_not_held"),
    "qualifications_not_held": ("qualifications_held", "qualifications_not_held"),
    "registered_place": ("registered_place", "registered_district", "registered_city", "registered_province"),
    "registered_district": ("registered_place", "registered_district", "registered_city", "registered_province"),
    "registered_city": ("registered_place", "registered_district", "registered_city", "registered_province"),
    "birth_year": ("birth_year", "birth_date", "age", "born_from_year"),
}
MATCH_KINDS = ("call", "policy")
ProfileInput = SourcedProfile | ApplicantProfile | Mapping[str, Any] | str | None


_REGISTRIES: dict[tuple[str, ...], NoticeRegistry] = {}
_REGISTRY_LOCK = threading.Lock()


def cached_registry(settings: Any = None) -> NoticeRegistry:
    """The catalogue of the configured index, read once per index version (the snapshot of 137 notices takes
    seconds to read; a page or an API request must not pay that each time)."""
    from assistant.config import get_settings
    from assistant.index.store import IndexSnapshot

    s = settings or get_settings()
    snap = IndexSnapshot.path_in(s.data_dir)
    overrides = s.corpus_dir / "notices.yaml"
    key = tuple(str(x) for x in (snap, snap.stat().st_mtime_ns if snap.exists() else 0, overrides,
                                 overrides.stat().st_mtime_ns if overrides.exists() else 0))
    with _REGISTRY_LOCK:
        if key not in _REGISTRIES:
            _REGISTRIES.clear()  # one index version at a time
            _REGISTRIES[key] = NoticeRegistry.load(s)
        return _REGISTRIES[key]


def parse_date(value: dt.date | str | None) -> dt.date:
    """The day asked (today when None).

    Raises:
        InputError: not a YYYY-MM-DD date.
    """
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"日期 {value!r} 无效，请写成 YYYY-MM-DD，例如 2025-09-01。") from None


def as_sourced(profile: ProfileInput, origin: str = "申请人信息") -> SourcedProfile:
    """Any accepted profile input as a :class:`SourcedProfile`.

    A mapping is a fact mapping (``{"record": "<pasted record>"}`` is read as a company record); a string is
    a pasted record or JSON text.

    Raises:
        InputError / ProfileError: unusable input (Chinese message).
    """
    if isinstance(profile, SourcedProfile):
        return profile
    if isinstance(profile, ApplicantProfile):
        return profile_from_facts(profile.known(), origin)
    if isinstance(profile, str):
        return read_profile_text(profile)
    if profile is None:
        return profile_from_facts({}, origin)
    if isinstance(profile, Mapping):
        if set(profile) == {"record"} and isinstance(profile["record"], str):
            return read_profile_text(profile["record"])
        if isinstance(profile.get("facts"), Mapping):
            return profile_from_facts(profile["facts"], origin)
        return profile_from_facts(profile, origin)
    raise InputError(f"申请人信息应为 JSON 对象或企业信息文本，收到的是 {type(profile).__name__}。")


def _status_label(rec: NoticeRecord, today: dt.date) -> tuple[str, str, int | None, str | None]:
    st = rec.status(today)
    deadline = str(st.deadline["date"]) if st.deadline else None
    if st.state == STATUS_OPEN:
        label = f"申报中·剩余{st.days_left}天" if st.days_left else "申报中·今天截止"
        return st.state, label, st.days_left, deadline
    if st.state == STATUS_CLOSED:
        return st.state, f"已截止（{deadline}）", None, deadline
    return st.state, "无截止日期", None, None


class MatchService:
    """Rules one profile against every programme of every call notice (and lists policy notices apart).

    Args:
        registry: the notice catalogue; default the configured index's (loaded at first use).
        checker: the eligibility checker; default the seed rules plus the data dir's drafted rules.
        settings: used to load the defaults (environment at first use when omitted).
        kinds: notice kinds matched (``call`` rows are grouped by status, ``policy`` rows apart).
    """

    def __init__(self, registry: NoticeRegistry | None = None, checker: EligibilityChecker | None = None,
                 settings: Any = None, kinds: Iterable[str] = MATCH_KINDS) -> None:
        self.kinds = tuple(kinds)
        bad = [k for k in self.kinds if k not in MATCH_KINDS]
        if bad or not self.kinds:
            raise ValueError(f"kinds 只能取 {'/'.join(MATCH_KINDS)}，收到 {list(kinds)!r}")
        self._registry = registry
        self._checker = checker
        self._settings = settings

    @property
    def registry(self) -> NoticeRegistry:
        """The notice catalogue (loaded at first use, shared while the index is unchanged)."""
        if self._registry is None:
            self._registry = cached_registry(self._settings)
        return self._registry

    @property
    def checker(self) -> EligibilityChecker:
        """The eligibility checker (rules loaded at first use)."""
        if self._checker is None:
            from assistant.eligibility.checker import default_rules

            # the seed rules plus the drafted/reviewed rules of these settings' data dir
            self._checker = EligibilityChecker(default_rules(self._settings.data_dir if self._settings else None))
        return self._checker

    def run(self, profile: ProfileInput, today: dt.date | str | None = None,
            open_only: bool = False) -> MatchReport:
        """Every programme ruled for ``profile`` on ``today``.

        Args:
            profile: facts (mapping), a pasted record or JSON text, an ``ApplicantProfile`` or a
                ``SourcedProfile`` (the facts' sources are shown with the rulings).
            today: the day asked (``YYYY-MM-DD`` or a date; default today).
            open_only: only calls open on that day.

        Raises:
            InputError / ProfileError: unusable profile or date.
        """
        t0 = time.perf_counter()
        sp = as_sourced(profile)
        day = parse_date(today)
        rows: list[ProgrammeMatch] = []
        skipped: dict[str, int] = {}
        demoted = 0
        for rec in self.registry.notices(include_attachments=False):
            if rec.kind not in self.kinds:
                skipped[rec.kind] = skipped.get(rec.kind, 0) + 1
                continue
            state, label, days_left, deadline = _status_label(rec, day)
            # a policy with a dated round is listed like a call; without one it is 长期政策，按细则申请
            group: Group = "open" if state == STATUS_OPEN else "closed" if state == STATUS_CLOSED else (
                "policy" if rec.kind == "policy" else "no_deadline")
            if open_only and group != "open":
                continue
            for pid, name in self._programmes(rec):
                row = ProgrammeMatch(
                    notice_id=rec.notice_id, notice_title=rec.title, notice_kind=rec.kind, file=rec.file,
                    programme_id=pid, programme_name=name, group=group, status=state, status_label=label,
                    days_left=days_left, deadline=deadline, verdict="unchecked", rules="none")
                demoted += self._rule(row, sp)
                rows.append(row)
        rows.sort(key=lambda r: (r.group != "open", r.group != "no_deadline", r.group != "closed", r.sort_key()))
        return MatchReport(date=day.isoformat(), rows=rows, facts=sp.facts_json(),
                           unused=[{"text": t, "reason": r} for t, r in sp.unused], skipped_kinds=skipped,
                           demoted=demoted, elapsed_ms=(time.perf_counter() - t0) * 1000)

    # ------------------------------------------------------------------ one programme
    def _programmes(self, rec: NoticeRecord) -> list[tuple[str, str]]:
        """The programmes of a notice: the catalogue's; else those its rules were drafted under (a policy's
        measures, ``<notice_id>-pN``); else the notice itself as one programme."""
        if rec.programmes:
            return [(str(p["id"]), str(p.get("name") or rec.title)) for p in rec.programmes]
        drafted = sorted((pid, prog.title) for pid, prog in self.checker.rules.programmes.items()
                         if pid.startswith(f"{rec.notice_id}-p") and pid[len(rec.notice_id) + 2:].isdigit())
        return drafted or [(rec.notice_id, rec.title)]

    def _rule(self, row: ProgrammeMatch, sp: SourcedProfile) -> int:
        """Fill the row's verdict from the checker; returns how many failing criteria were demoted."""
        prog: Programme | None = self.checker.rules.programmes.get(row.programme_id)
        if prog is None:
            row.note = "尚无该项目的申报条件规则，请对照通知原文确认。"
            if row.group == "policy":
                row.note = "长期政策，按细则申请；" + row.note
            return 0
        if row.programme_name == row.programme_id:  # the override file names a programme by its id only
            row.programme_name = prog.title
        row.rules = "draft" if any(c.is_draft for c in prog.criteria) else "reviewed"
        res = self.checker.run(row.programme_id, sp.profile)
        row.conditions = [self._ref(c, sp) for c in res.criteria]
        checked = [c for c in res.criteria if c.kind in ("hard", "advisory")]
        if not checked:
            row.verdict = "unchecked"
            row.note = "规则中没有可自动核对的条件（仅有材料/承诺提醒），请对照原文确认。"
            return 0
        verdict: MatchVerdict = res.verdict
        demoted = 0
        if verdict == "ineligible":
            grounded = [c for c in res.failing if self._known_facts(c, sp.profile)]
            demoted = len(res.failing) - len(grounded)
            row.failing = [self._ref(c, sp) for c in grounded]
            if not grounded:
                verdict = "needs_info"
                res = _open_questions(res)
        if verdict == "needs_info":
            row.missing = self._missing(res)
        hard = sum(c.kind == "hard" for c in checked)
        unread = [c for c in prog.criteria if c.is_draft and c.condition is None]
        if verdict == "eligible" and unread:
            # drafted rules left some condition clauses unread: "all hard rules pass" is not "eligible" yet
            verdict = "needs_info"
            row.missing = [MissingFact(CONFIRM_FACT, "需对照原文确认的条款",
                                       f"请对照原文确认是否符合：“{c.reference.quote}”（{c.reference.section}）")
                           for c in unread]
            row.note = f"已读出的 {hard} 项硬性条件均满足；另有 {len(unread)} 条条款未能自动核对"
        elif verdict == "eligible":
            row.note = f"{hard} 项硬性条件均满足"
        row.verdict = verdict
        if row.group == "policy":
            row.note = ("长期政策，按细则申请；" + row.note).rstrip("；")
        return demoted

    @staticmethod
    def _known_facts(c: CriterionResult, profile: ApplicantProfile) -> list[str]:
        names: list[str] = []
        for f in c.facts:
            for g in COMPANION_FACTS.get(f, (f,)):
                if getattr(profile, g, None) is not None and g not in names:
                    names.append(g)
        return names

    def _ref(self, c: CriterionResult, sp: SourcedProfile) -> ClauseRef:
        facts = []
        for f in self._known_facts(c, sp.profile):
            src = sp.source_of(f)
            facts.append({"fact": f, "label": ApplicantProfile.field_label(f),
                          "value": sp.profile.known().get(f), "source": src.label() if src else ""})
        ref = c.reference
        return ClauseRef(rule_id=c.id, description=c.description, notice=ref.notice, section=ref.section,
                         quote=ref.quote, facts=facts, status=c.status, kind=c.kind)

    @staticmethod
    def _missing(res: EligibilityResult) -> list[MissingFact]:
        """The facts still needed, each with its question (clauses to confirm are named by the question)."""
        out: list[MissingFact] = []
        asked: set[str] = set()
        for f in res.missing_facts:
            if f == CONFIRM_FACT:
                continue
            q = ApplicantProfile.field_question(f)
            out.append(MissingFact(f, ApplicantProfile.field_label(f), q))
            asked.update({q, ApplicantProfile.missing_fact_question(f)})  # the checker asks "标签：问题"
        for q in res.questions:
            if q not in asked:
                out.append(MissingFact(CONFIRM_FACT, "需对照原文确认的条款", q))
        return out


def _open_questions(res: EligibilityResult) -> EligibilityResult:
    """A ruling whose failing criteria read no known fact, turned into the questions for those facts."""
    missing = list(res.missing_facts)
    questions = list(res.questions)
    for c in res.failing:
        for f in c.facts or [CONFIRM_FACT]:
            if f not in missing:
                missing.append(f)
                questions.append(ApplicantProfile.field_question(f))
    return EligibilityResult(programme_id=res.programme_id, programme_title=res.programme_title,
                             notice=res.notice, verdict="needs_info", criteria=res.criteria,
                             questions=questions, missing_facts=missing, not_applicable=res.not_applicable,
                             draft_note=res.draft_note)
