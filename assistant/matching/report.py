"""The match report: one row per programme, grouped and ordered, with JSON, CSV, Markdown and chat renderings.

Groups: ``open`` (calls 申报中), ``no_deadline`` (calls whose text states no deadline), ``closed`` (往期，可关注
下一批) and ``policy`` (长期政策，按细则申请). Inside a group: eligible first, then needs_info by how few facts
are missing, then unchecked (no rule could be checked), then ineligible; sooner deadlines first on ties.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any, Literal

MatchVerdict = Literal["eligible", "needs_info", "unchecked", "ineligible"]
Group = Literal["open", "no_deadline", "closed", "policy"]

VERDICT_LABELS: dict[str, str] = {"eligible": "符合", "needs_info": "需补充信息", "unchecked": "需对照原文",
                                  "ineligible": "不符合"}
VERDICT_ORDER = {"eligible": 0, "needs_info": 1, "unchecked": 2, "ineligible": 3}
GROUP_TITLES: dict[str, str] = {
    "open": "正在申报",
    "no_deadline": "未载明截止日期的申报通知（请向通知联系人确认是否仍在受理）",
    "closed": "往期，可关注下一批",
    "policy": "长期政策，按细则申请",
}
GROUP_ORDER: tuple[Group, ...] = ("open", "no_deadline", "closed", "policy")


@dataclass
class ClauseRef:
    """A criterion of a ruling: its description and the clause it rests on, with the facts it read."""

    rule_id: str
    description: str
    notice: str
    section: str
    quote: str
    facts: list[dict[str, Any]] = field(default_factory=list)
    status: str = ""
    kind: str = "hard"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"rule_id": self.rule_id, "description": self.description, "notice": self.notice,
                "section": self.section, "quote": self.quote, "facts": self.facts, "status": self.status,
                "kind": self.kind}


@dataclass
class MissingFact:
    """A fact the ruling still needs, with its question (``confirmed_criteria`` names a clause to check)."""

    fact: str
    label: str
    question: str

    def to_json(self) -> dict[str, str]:
        """JSON-ready fields."""
        return {"fact": self.fact, "label": self.label, "question": self.question}


@dataclass
class ProgrammeMatch:
    """One programme of one notice, ruled for the profile."""

    notice_id: str
    notice_title: str
    notice_kind: str
    file: str
    programme_id: str
    programme_name: str
    group: Group
    status: str
    status_label: str
    days_left: int | None
    deadline: str | None
    verdict: MatchVerdict
    rules: str  # reviewed / draft / none
    failing: list[ClauseRef] = field(default_factory=list)
    missing: list[MissingFact] = field(default_factory=list)
    conditions: list[ClauseRef] = field(default_factory=list)
    note: str = ""

    @property
    def verdict_label(self) -> str:
        """符合 / 需补充信息 / 需对照原文 / 不符合."""
        return VERDICT_LABELS[self.verdict]

    @property
    def rules_label(self) -> str:
        """已审核规则 / 草稿规则（未经人工审核） / 无规则."""
        return {"reviewed": "已审核规则", "draft": "草稿规则（未经人工审核）"}.get(self.rules, "尚无规则")

    def sort_key(self) -> tuple[Any, ...]:
        """Verdict, fewest missing facts, soonest deadline, title."""
        return (VERDICT_ORDER[self.verdict], len(self.missing) if self.verdict == "needs_info" else 0,
                self.days_left if self.days_left is not None else 10**6, self.deadline or "", self.notice_title,
                self.programme_id)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready row."""
        return {
            "notice_id": self.notice_id, "notice_title": self.notice_title, "notice_kind": self.notice_kind,
            "file": self.file, "programme_id": self.programme_id, "programme_name": self.programme_name,
            "group": self.group, "group_title": GROUP_TITLES[self.group], "status": self.status,
            "status_label": self.status_label, "days_left": self.days_left, "deadline": self.deadline,
            "verdict": self.verdict, "verdict_label": self.verdict_label, "rules": self.rules,
            "rules_label": self.rules_label, "failing": [c.to_json() for c in self.failing],
            "missing": [m.to_json() for m in self.missing], "conditions": [c.to_json() for c in self.conditions],
            "note": self.note,
        }


@dataclass
class MatchReport:
    """Every programme ruled for one profile on one day, grouped and ordered."""

    date: str
    rows: list[ProgrammeMatch]
    facts: list[dict[str, Any]] = field(default_factory=list)
    unused: list[dict[str, str]] = field(default_factory=list)
    skipped_kinds: dict[str, int] = field(default_factory=dict)
    demoted: int = 0
    elapsed_ms: float = 0.0

    def group(self, name: str) -> list[ProgrammeMatch]:
        """The rows of one group, in order."""
        return [r for r in self.rows if r.group == name]

    def counts(self) -> dict[str, dict[str, int]]:
        """Rows per group and verdict."""
        out: dict[str, dict[str, int]] = {}
        for r in self.rows:
            out.setdefault(r.group, {}).setdefault(r.verdict, 0)
            out[r.group][r.verdict] += 1
        return out

    def by_programme(self) -> dict[str, ProgrammeMatch]:
        """Rows by programme id."""
        return {r.programme_id: r for r in self.rows}

    def changes_since(self, before: MatchReport) -> list[str]:
        """What a re-run changed: verdicts, and needs_info rows now missing fewer facts (Chinese lines)."""
        old = before.by_programme()
        lines: list[str] = []
        for r in self.rows:
            prev = old.get(r.programme_id)
            if prev is None:
                continue
            name = _row_name(r)
            if prev.verdict != r.verdict:
                lines.append(f"{name}：{prev.verdict_label} → {r.verdict_label}")
            elif r.verdict == "needs_info" and len(r.missing) != len(prev.missing):
                lines.append(f"{name}：仍需补充信息（待补充 {len(prev.missing)} 项 → {len(r.missing)} 项）")
        return lines

    def to_json(self) -> dict[str, Any]:
        """The ``shenbao match --json`` document."""
        return {"date": self.date, "counts": self.counts(), "facts": self.facts, "unused": self.unused,
                "skipped_kinds": self.skipped_kinds, "demoted_rulings": self.demoted,
                "elapsed_ms": round(self.elapsed_ms, 1),
                "groups": {g: [r.to_json() for r in self.group(g)] for g in GROUP_ORDER}}

    # ------------------------------------------------------------------ exports
    def table_rows(self) -> list[dict[str, str]]:
        """Flat rows for the page's table and the CSV/Markdown exports (hotline staff read them aloud)."""
        out = []
        for r in self.rows:
            out.append({
                "分组": GROUP_TITLES[r.group].split("（")[0], "通知": r.notice_title, "项目": r.programme_name,
                "状态": r.status_label, "结论": r.verdict_label, "规则": r.rules_label,
                "不符合的条款": "；".join(f"《{c.notice}》{c.section}：“{c.quote}”" for c in r.failing),
                "需补充的信息": "；".join(m.question for m in r.missing),
                "说明": r.note, "项目编号": r.programme_id,
            })
        return out

    def to_csv(self) -> str:
        """CSV (UTF-8 with a BOM so spreadsheet programs read the Chinese)."""
        rows = self.table_rows()
        buf = io.StringIO()
        if rows:
            writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return "\ufeff" + buf.getvalue()

    def to_markdown(self) -> str:
        """A Markdown report: facts with their sources, then one table per group."""
        lines = [f"# 可申报项目匹配（{self.date}）", "", "## 申请人信息（及来源）", ""]
        lines += [f"- {f['label']}：{_cell(f['value'])}（{f['source']}）" for f in self.facts] or ["- （无）"]
        for g in GROUP_ORDER:
            rows = self.group(g)
            if not rows:
                continue
            lines += ["", f"## {GROUP_TITLES[g]}（{len(rows)}）", "",
                      "| 通知 | 项目 | 状态 | 结论 | 规则 | 依据 / 需补充 |", "| --- | --- | --- | --- | --- | --- |"]
            for r in rows:
                basis = "；".join(f"《{c.notice}》{c.section}：“{c.quote}”" for c in r.failing)
                if r.verdict == "needs_info":
                    basis = "；".join(m.question for m in r.missing)
                elif r.verdict == "unchecked" or r.verdict == "eligible":
                    basis = r.note
                lines.append(f"| {_cell(r.notice_title)} | {_cell(r.programme_name)} | {r.status_label} | "
                             f"{r.verdict_label} | {r.rules_label} | {_cell(basis)} |")
        return "\n".join(lines) + "\n"


def _row_name(r: ProgrammeMatch) -> str:
    if r.programme_name and r.programme_name != r.notice_title:
        return f"《{r.notice_title}》{r.programme_name}"
    return f"《{r.notice_title}》"


def _cell(value: Any) -> str:
    text = "、".join(map(str, value)) if isinstance(value, list) else str(value)
    return " ".join(text.replace("|", "｜").split())
