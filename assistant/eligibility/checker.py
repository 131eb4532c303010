"""The deterministic eligibility checker and the rule drift check.

Verdict logic (three-valued): ``ineligible`` when any hard criterion — or a reminder the stated facts
break — is not met (all failing ones listed); otherwise ``eligible`` when a certain ``sufficient`` shortcut
(已被认定为X的…免申即享) is met; otherwise ``needs_info`` when a hard criterion is unknown or an advisory one
(一般要求/原则上) is unknown or unmet; ``eligible`` only when every hard and advisory criterion is met.
Alternatives (criteria sharing an ``any_of`` group, "满足下列条件之一") count as met together once one is met. Questions are asked for exactly the facts the open criteria still need.

Drafted rules (status ``draft``) take part like any other, but a draft rule marked not ``certain`` never
counts as "not met": its failure becomes ``unknown`` with a question naming the clause to check. A ruling
that rests on any draft rule says so (``draft_note``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant.eligibility.conditions import get_condition
from assistant.eligibility.profile import VALUE_LABELS, ApplicantProfile
from assistant.eligibility.rules import (
    DRAFT_NOTE,
    RULES_DIR,
    Criterion,
    Programme,
    Reference,
    RuleBook,
    load_rules,
)
from assistant.errors import RuleError

Verdict = Literal["eligible", "ineligible", "needs_info"]
Status = Literal["met", "not_met", "unknown"]
VERDICTS: tuple[str, ...] = ("eligible", "ineligible", "needs_info")
VERDICT_LABELS = {"eligible": "符合", "ineligible": "不符合", "needs_info": "需补充信息"}
STATUS_LABELS = {"met": "满足", "not_met": "不满足", "unknown": "待确认"}
CONFIRM_FACT = "confirmed_criteria"


@dataclass
class CriterionResult:
    """One criterion evaluated against a profile."""

    id: str
    kind: str
    status: Status
    description: str
    facts: list[str]
    reference: Reference
    missing: list[str] = field(default_factory=list)
    note: str = ""
    rule_status: str = "reviewed"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"id": self.id, "kind": self.kind, "status": self.status, "description": self.description,
                "facts": self.facts, "missing": self.missing, "note": self.note,
                "rule_status": self.rule_status, "reference": self.reference.to_json()}


@dataclass
class EligibilityResult:
    """The ruling on one programme: verdict, per-criterion results, and what to ask."""

    programme_id: str
    programme_title: str
    notice: str
    verdict: Verdict
    criteria: list[CriterionResult]
    questions: list[str]
    missing_facts: list[str]
    not_applicable: list[str] = field(default_factory=list)
    draft_note: str = ""

    @property
    def rests_on_draft(self) -> bool:
        """True when any criterion evaluated is a drafted rule not yet reviewed."""
        return bool(self.draft_note)

    @property
    def failing(self) -> list[CriterionResult]:
        """The criteria that make the verdict ineligible."""
        return [c for c in self.criteria if c.status == "not_met" and c.kind not in ("advisory", "sufficient")]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready result (the ``eligibility`` part of an answer record, and ``shenbao check --json``)."""
        return {
            "programme_id": self.programme_id, "programme_title": self.programme_title, "notice": self.notice,
            "verdict": self.verdict, "verdict_label": VERDICT_LABELS[self.verdict],
            "failing": [c.id for c in self.failing], "criteria": [c.to_json() for c in self.criteria],
            "questions": self.questions, "missing_facts": self.missing_facts,
            "not_applicable": self.not_applicable, "draft_note": self.draft_note,
        }


def _fmt(values: tuple[Any, ...]) -> str:
    return "、".join(VALUE_LABELS.get(str(v), str(v)) for v in values)


class EligibilityChecker:
    """Rules the profile against a programme's criteria; never guesses a missing fact.

    Args:
        rules: the rule book; default all files in ``assistant/eligibility/rules/``.
    """

    def __init__(self, rules: RuleBook | None = None) -> None:
        self.rules = rules or default_rules()
        if not self.rules.programmes:
            raise RuleError("规则库为空：没有任何项目规则。")

    def programme(self, programme_id: str) -> Programme:
        """The programme (RuleError naming ``shenbao check --list`` when unknown)."""
        return self.rules.get(programme_id)

    def run(self, programme_id: str, profile: ApplicantProfile) -> EligibilityResult:
        """The ruling on ``programme_id`` for ``profile``.

        Raises:
            RuleError: unknown programme id.
        """
        prog = self.programme(programme_id)
        results: list[CriterionResult] = []
        skipped: list[str] = []
        for crit in prog.criteria:
            res = self._evaluate(crit, profile)
            if res is None:
                skipped.append(crit.id)
            else:
                results.append(res)
        met_groups = {c.any_of for c in prog.criteria if c.any_of and c.id in {r.id for r in results if r.status == "met"}}
        for r in results:  # one met alternative of a group meets the group
            crit = next(c for c in prog.criteria if c.id == r.id)
            if crit.any_of in met_groups and r.status != "met":
                r.status, r.missing, r.note = "met", [], "已满足其中之一"
        blocking = [r for r in results if r.status == "not_met" and r.kind not in ("advisory", "sufficient")]
        shortcut = [r for r in results if r.kind == "sufficient" and r.status == "met"
                    and next(c for c in prog.criteria if c.id == r.id).certain]
        open_ = [] if shortcut else [r for r in results if r.kind in ("hard", "advisory") and r.status != "met"]
        verdict: Verdict = "ineligible" if blocking else ("needs_info" if open_ else "eligible")
        missing: list[str] = []
        questions: list[str] = []
        if verdict == "needs_info":
            for r in open_:
                if r.status == "not_met":  # an advisory rule not met: reviewers may waive it
                    q = (f"“{r.description}”为一般要求（原则上），您的情况不满足；能否破格请向通知联系人确"
                        f"认，"
                         "确认后可在 confirmed_criteria 中填写该条编号 " + r.id + "。")
                    if q not in questions:
                        questions.append(q)
                    continue
                for f in r.missing:
                    if f == CONFIRM_FACT:
                        crit = next(c for c in prog.criteria if c.id == r.id)
                        default = f"“{r.description}”通知未作界定，请向通知联系人确认。"
                        if crit.is_draft and not crit.certain:
                            default = (f"请对照通知原文自行确认是否符合：“{crit.reference.quote}”"
                                       f"（{crit.reference.section}）。")
                        q = (crit.confirm_question or default) + \
                            f"（确认符合后可在 confirmed_criteria 中填写 {r.id}）"
                    else:
                        q = ApplicantProfile.missing_fact_question(f)
                    if f not in missing or f == CONFIRM_FACT:
                        if f not in missing:
                            missing.append(f)
                        if q not in questions:
                            questions.append(q)
        drafted = any(r.rule_status == "draft" for r in results)
        return EligibilityResult(
            programme_id=prog.id, programme_title=prog.title, notice=prog.notice, verdict=verdict,
            criteria=results, questions=questions, missing_facts=missing, not_applicable=skipped,
            draft_note=DRAFT_NOTE if drafted else "")

    # ------------------------------------------------------------------ one criterion
    def _evaluate(self, crit: Criterion, p: ApplicantProfile) -> CriterionResult | None:
        """The criterion's result, or None when it does not apply to this applicant."""
        for fact, values in crit.unless.items():
            if getattr(p, fact) in values:
                return None
        gate_missing: list[str] = []
        for fact, values in crit.when.items():
            value = getattr(p, fact)
            if value is None:
                gate_missing.append(fact)
            elif value not in values:
                return None
        facts = list(dict.fromkeys([*crit.when, *crit.facts]))

        def result(status: Status, missing: list[str] | None = None, note: str = "") -> CriterionResult:
            return CriterionResult(id=crit.id, kind=crit.kind, status=status, description=crit.description,
                                   facts=facts, reference=crit.reference, missing=missing or [], note=note,
                                   rule_status=crit.status)

        if gate_missing:
            missing = gate_missing + [f for f in crit.facts
                                      if getattr(p, f) is None and f not in gate_missing]
            note = f"适用于{_fmt(next(iter(crit.when.values())))}" if crit.when else ""
            return result("unknown", missing, note)
        if crit.condition is None:
            return result("unknown", note="材料/承诺提醒")
        if p.confirmed_criteria and crit.id in p.confirmed_criteria:
            return result("met", note="已向通知联系人确认")
        outcome = get_condition(crit.condition)(p, **crit.params)
        if outcome is True:
            return result("met")
        if outcome is False:
            if crit.kind == "sufficient":
                return result("not_met", note="不适用该便捷通道")
            if crit.is_draft and not crit.certain:  # an uncertain parse never rules the applicant out
                return result("unknown", [CONFIRM_FACT], note="系统自动整理的条款，请对照原文确认")
            return result("not_met")
        return result("unknown", [f for f in crit.facts if getattr(p, f) is None] or [CONFIRM_FACT])


def default_rules(data_dir: Path | None = None) -> RuleBook:
    """The seed rules plus the reviewed/drafted rules in the data dir (``<data_dir>/rules``), seeds overriding.

    Args:
        data_dir: whose drafted rules; None → the configured data dir (``SHENBAO_DATA_DIR``).
    """
    if data_dir is None:
        from assistant.config import get_settings

        data_dir = get_settings().data_dir
    return load_rules(RULES_DIR, data_dir / "rules")


_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """The text with all whitespace removed (quotes are compared whitespace-insensitively)."""
    return _WS.sub("", text)


class RuleDriftCheck:
    """Flags rules whose quoted clause is no longer in the (re-ingested) notice file they cite.

    Args:
        rules: the rule book; default all rule files.
    """

    def __init__(self, rules: RuleBook | None = None) -> None:
        self.rules = rules or load_rules()

    def run(self, texts: dict[str, str]) -> list[str]:
        """Ids of rules citing a file in ``texts`` (file name → raw text) whose quote it no longer holds.

        Files not in ``texts`` are not judged (they were not re-ingested).
        """
        squashed = {name.rsplit("/", 1)[-1]: squash(text) for name, text in texts.items()}
        drifted: list[str] = []
        for crit in self.rules.criteria():
            text = squashed.get(crit.reference.file)
            if text is not None and squash(crit.reference.quote) not in text:
                drifted.append(crit.id)
        return drifted
