"""Programme rules as data: ``rules/*.yaml`` (one file per notice) loaded into typed criteria.

A rule file names its notice (``notice_id``, ``notice`` title, corpus ``file``) and lists its programmes;
each programme lists criteria: id, kind (hard / advisory / reminder), description, the facts it needs, the
named condition with its parameters, optional applicability (``when`` / ``unless``), and the reference —
section path and the verbatim quote of the clause. Criteria shared by several programmes of a notice are
written once under ``shared`` and included by id.

Every rule has a review ``status``: ``reviewed`` (hand-written seed rules, and drafts a person accepted) or
``draft`` (drafted from the notice text, not yet reviewed), and a ``certain`` flag: a rule whose clause was
not parsed with certainty never rules an applicant out (the checker turns its "not met" into a question).
Rules are read from the repo's ``rules/`` (seed rules) and from a data directory of reviewed or drafted rules
per notice; a seed programme overrides a data-dir programme of the same id.
"""

from __future__ import annotations

import datetime as dt
import inspect
import types
import typing
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from assistant import yamlio
from assistant.eligibility.conditions import get_condition
from assistant.eligibility.profile import ApplicantProfile
from assistant.errors import RuleError

RULES_DIR = Path(__file__).resolve().parent / "rules"

Kind = Literal["hard", "advisory", "reminder", "sufficient"]
#: ``sufficient``: a shortcut the notice grants (已被认定为X的…免申即享/直接纳入/自动认定): met, it settles the
#: open criteria (eligible unless a hard criterion is not met); unmet or unknown, it changes nothing.
KINDS: tuple[str, ...] = ("hard", "advisory", "reminder", "sufficient")
RuleStatus = Literal["draft", "reviewed"]
STATUSES: tuple[str, ...] = ("draft", "reviewed")
#: The note a ruling carries when it rests on any rule not yet reviewed by a person.
DRAFT_NOTE = "依据系统自动整理的申报条件，尚未经人工审核"


@dataclass(frozen=True)
class Reference:
    """Where a criterion comes from: the corpus file, the notice, its section path and the verbatim quote."""

    file: str
    notice_id: str
    notice: str
    section: str
    quote: str

    def to_json(self) -> dict[str, str]:
        """JSON-ready fields."""
        return {"file": self.file, "notice_id": self.notice_id, "notice": self.notice,
                "section": self.section, "quote": self.quote}


@dataclass(frozen=True)
class Criterion:
    """One condition of a programme, tied to its clause.

    Attributes:
        id: stable rule id (unique across all rule files).
        kind: ``hard`` (not met → ineligible), ``advisory`` (一般要求/原则上: never ineligible, but unmet or
            unknown leaves the ruling open), ``reminder`` (materials/declarations: never asks; fails only
            when the stated facts break it, e.g. 同时申报 both programmes) or ``sufficient`` (a shortcut such
            as 免申即享: when met with certainty, the criteria still open do not hold the ruling back).
        description: one Chinese line.
        facts: profile fields the condition reads.
        condition: name of a function in :mod:`assistant.eligibility.conditions` (None for plain reminders).
        params: its parameters.
        when: applies only when each named fact has one of the listed values (unknown → asked).
        unless: does not apply when a named fact has one of the listed values (unknown → applies).
        confirm_question: asked when the facts are known but the notice leaves the case open.
        reference: the clause.
        status: ``reviewed`` or ``draft`` (drafted from the text, not yet reviewed).
        certain: False when the drafter could not parse the clause with certainty: never ``not met``.
        reviewed_by: who reviewed (accepted/edited/added) the rule.
        reviewed_at: when (ISO date-time).
        any_of: a group name shared by alternatives ("满足下列条件之一"): one met member meets them all.
    """

    id: str
    kind: Kind
    description: str
    facts: tuple[str, ...]
    condition: str | None
    params: dict[str, Any]
    when: dict[str, tuple[Any, ...]]
    unless: dict[str, tuple[Any, ...]]
    confirm_question: str | None
    reference: Reference
    status: RuleStatus = "reviewed"
    certain: bool = True
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    any_of: str | None = None

    @property
    def is_draft(self) -> bool:
        """True for a rule not yet reviewed by a person."""
        return self.status == "draft"


@dataclass(frozen=True)
class Programme:
    """A programme (or guide sub-type) with application conditions."""

    id: str
    title: str
    notice_id: str
    notice: str
    file: str
    family: str
    criteria: tuple[Criterion, ...] = field(default_factory=tuple)

    def summary(self) -> dict[str, Any]:
        """id, Chinese title, notice title and counts, for ``shenbao check --list`` and the form."""
        kinds = [c.kind for c in self.criteria]
        return {"id": self.id, "title": self.title, "notice": self.notice, "notice_id": self.notice_id,
                "family": self.family, "hard": kinds.count("hard"), "advisory": kinds.count("advisory"),
                "reminder": kinds.count("reminder"), "sufficient": kinds.count("sufficient"),
                "draft": sum(c.is_draft for c in self.criteria)}


def _tuple_map(raw: Any, where: str) -> dict[str, tuple[Any, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RuleError(f"{where}：when/unless 应为“字段: [取值…]”的映射。")
    out: dict[str, tuple[Any, ...]] = {}
    for key, values in raw.items():
        if key not in ApplicantProfile.model_fields:
            raise RuleError(f"{where}：when/unless 引用了不存在的申请人字段 {key!r}。")
        out[key] = tuple(values if isinstance(values, list) else [values])
    return out


def _accepts(annotation: Any, value: Any) -> bool:
    """Loose runtime check of a parameter value against its annotation (str, float, bool, list[str], dict …)."""
    if annotation is inspect.Parameter.empty or annotation is Any:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_accepts(a, value) for a in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if annotation is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation in (str, bool):
        return isinstance(value, annotation)
    if origin is list:
        (inner,) = typing.get_args(annotation) or (Any,)
        return isinstance(value, list) and all(_accepts(inner, v) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    return True


def check_params(condition: str, params: dict[str, Any], where: str) -> None:
    """Raise RuleError unless ``params`` fit the condition's keyword parameters (names, required, types).

    ``fact`` / ``facts`` values must name profile fields.
    """
    func = get_condition(condition)
    sig = inspect.signature(func)
    hints = typing.get_type_hints(func)
    accepted = {n: prm for n, prm in sig.parameters.items() if prm.kind == inspect.Parameter.KEYWORD_ONLY}
    for key, value in params.items():
        if key not in accepted:
            raise RuleError(f"{where}：条件 {condition} 没有参数 {key!r}（可用：{'、'.join(accepted) or '无'}）。")
        if not _accepts(hints.get(key, Any), value):
            raise RuleError(f"{where}：条件 {condition} 的参数 {key}={value!r} 类型不对。")
    for name, prm in accepted.items():
        if prm.default is inspect.Parameter.empty and name not in params:
            raise RuleError(f"{where}：条件 {condition} 缺少参数 {name!r}。")
    named = [params["fact"]] if isinstance(params.get("fact"), str) else []
    named += list(params.get("facts") or []) + list((params.get("dates") or {}).keys())
    for f in named:
        if f not in ApplicantProfile.model_fields:
            raise RuleError(f"{where}：参数引用了不存在的申请人字段 {f!r}。")


def _criterion(raw: dict[str, Any], defaults: dict[str, str], where: str) -> Criterion:
    try:
        cid = str(raw["id"])
        kind = raw["kind"]
        ref = raw["reference"]
        reference = Reference(
            file=str(ref.get("file", defaults["file"])),
            notice_id=str(ref.get("notice_id", defaults["notice_id"])),
            notice=str(ref.get("notice", defaults["notice"])),
            section=str(ref["section"]),
            quote=str(ref["quote"]),
        )
        description = str(raw["description"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise RuleError(f"{where}：条目缺少 {exc}（每条须有 id、kind、description、reference.section/quote"
            f"）。") from None
    where = f"{where} 规则 {cid}"
    if kind not in KINDS:
        raise RuleError(f"{where}：kind 应为 {'/'.join(KINDS)}，收到 {kind!r}。")
    facts = tuple(raw.get("facts") or [])
    for f in facts:
        if f not in ApplicantProfile.model_fields:
            raise RuleError(f"{where}：facts 引用了不存在的申请人字段 {f!r}。")
    cond = raw.get("condition")
    if cond is None and kind != "reminder":
        raise RuleError(f"{where}：硬性条件和一般要求必须给出 condition。")
    if cond is not None:
        get_condition(cond)
    params = _iso_dates(dict(raw.get("params") or {}))
    if cond is not None:
        check_params(cond, params, where)
    status = raw.get("status", defaults.get("status", "reviewed"))
    if status not in STATUSES:
        raise RuleError(f"{where}：status 应为 {'/'.join(STATUSES)}，收到 {status!r}。")
    certain = raw.get("certain", True)
    if not isinstance(certain, bool):
        raise RuleError(f"{where}：certain 应为 true/false，收到 {certain!r}。")
    review = raw.get("review") or {}
    return Criterion(
        id=cid, kind=kind, description=description, facts=facts, condition=cond, params=params,
        when=_tuple_map(raw.get("when"), where), unless=_tuple_map(raw.get("unless"), where),
        confirm_question=raw.get("confirm_question"), reference=reference, status=status, certain=certain,
        reviewed_by=review.get("by"), reviewed_at=None if review.get("at") is None else str(review.get("at")),
        any_of=None if raw.get("any_of") is None else str(raw.get("any_of")),
    )


def _iso_dates(value: Any) -> Any:
    """YAML turns 2023-01-01 into a date; conditions take ISO strings (also inside dicts and lists)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_dates(v) for v in value]
    return value


def load_rule_file(path: Path) -> list[Programme]:
    """The programmes of one rule file.

    Raises:
        RuleError: unreadable YAML, a missing key, an unknown condition or profile field.
    """
    where = f"规则文件 {path.name}"
    try:
        data = yamlio.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleError(f"无法读取{where}：{exc}。请检查文件是否存在且为合法 YAML。") from None
    return load_rule_data(data, where)


def load_rule_data(data: Any, where: str = "规则数据") -> list[Programme]:
    """The programmes of one parsed rule file (a mapping with file, notice_id, notice, programmes).

    Raises:
        RuleError: a missing key, an unknown condition, bad params or an unknown profile field.
    """
    if not isinstance(data, dict):
        raise RuleError(f"{where} 应为 YAML 映射（含 file、notice_id、notice、programmes）。")
    try:
        defaults = {"file": str(data["file"]), "notice_id": str(data["notice_id"]),
            "notice": str(data["notice"]), "status": str(data.get("status", "reviewed"))}
        shared = {str(c["id"]): _criterion(c, defaults, where) for c in data.get("shared") or []}
        programmes = []
        for raw in data["programmes"]:
            crits: list[Criterion] = []
            for inc in raw.get("include") or []:
                if inc not in shared:
                    raise RuleError(f"{where}：项目 {raw['id']} 引用了未定义的共用规则 {inc!r}。")
                crits.append(shared[inc])
            crits.extend(_criterion(c, defaults, where) for c in raw.get("criteria") or [])
            programmes.append(Programme(
                id=str(raw["id"]), title=str(raw["title"]), notice_id=defaults["notice_id"],
                notice=defaults["notice"], file=defaults["file"], family=str(raw.get("family", raw["id"])),
                criteria=tuple(crits)))
    except (KeyError, TypeError) as exc:
        raise RuleError(
            f"{where} 格式有误（缺少 {exc}），须有 file、notice_id、notice、programmes。") from None
    return programmes


@dataclass(frozen=True)
class RuleBook:
    """Every programme of every rule file, by id."""

    programmes: dict[str, Programme]

    def get(self, programme_id: str) -> Programme:
        """The programme with this id.

        Raises:
            RuleError: unknown id (the message says how to list the ids).
        """
        try:
            return self.programmes[programme_id]
        except KeyError:
            raise RuleError(
                f"未知的项目 id：{programme_id!r}。可运行 `shenbao check --list` 查看全部项目 id。") from None

    def criteria(self) -> list[Criterion]:
        """Every distinct criterion (shared ones once)."""
        seen: dict[str, Criterion] = {}
        for prog in self.programmes.values():
            for c in prog.criteria:
                seen.setdefault(c.id, c)
        return list(seen.values())


    def merged(self, other: RuleBook) -> RuleBook:
        """This book plus ``other``'s programmes whose ids this book does not define (this one overrides)."""
        progs = dict(other.programmes)
        progs.update(self.programmes)
        return RuleBook(progs)


@lru_cache(maxsize=4)
def load_rules(rules_dir: Path = RULES_DIR, data_rules_dir: Path | None = None) -> RuleBook:
    """All rule files in ``rules_dir`` (cached), merged with the per-notice files of ``data_rules_dir``.

    A programme defined in ``rules_dir`` (the reviewed seed rules) overrides one of the same id in the data
    dir. Draft and reviewed data-dir files are both loaded; their rules carry their own status.

    Raises:
        RuleError: a malformed file, or a programme/criterion id defined twice with different content.
    """
    seed = _load_dir(rules_dir, required=True)
    if data_rules_dir is None or not data_rules_dir.is_dir():
        return seed
    return seed.merged(_load_dir(data_rules_dir, required=False))


def _load_dir(rules_dir: Path, required: bool) -> RuleBook:
    files = sorted(rules_dir.glob("*.yaml"))
    if not files and required:
        raise RuleError(f"规则目录 {rules_dir} 中没有 .yaml 规则文件。")
    programmes: dict[str, Programme] = {}
    by_id: dict[str, Criterion] = {}
    for path in files:
        for prog in load_rule_file(path):
            if prog.id in programmes:
                raise RuleError(f"项目 id {prog.id} 重复定义（{path.name}）。")
            for c in prog.criteria:
                if c.id in by_id and by_id[c.id] != c:
                    raise RuleError(f"规则 id {c.id} 重复定义且内容不同（{path.name}），请改用唯一的 id。")
                by_id[c.id] = c
            programmes[prog.id] = prog
    return RuleBook(programmes)


def list_programmes() -> list[dict[str, Any]]:
    """Summaries (id, title, notice, counts) of every programme, in rule-file order."""
    return [p.summary() for p in load_rules().programmes.values()]
