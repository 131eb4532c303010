"""Applicant facts from what users have at hand, each fact with where it came from.

A profile comes from a JSON object of :class:`~assistant.eligibility.profile.ApplicantProfile` fields (a file,
the form page, the chat's stated facts) or from a pasted company record as business-registry pages print it
("企业名称：…", "成立日期：2025-01-21", "注册地址：…", "企业规模：中小微型企业" …). The record reader is
deterministic and table-driven (``record_fields.yaml``): a fact is only what a line states, never a guess — a
record that does not mention a qualification leaves it unknown, it does not make it "not held".
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant import yamlio
from assistant.eligibility.gazetteer import load_gazetteer
from assistant.eligibility.profile import ApplicantProfile, _enum_value
from assistant.errors import InputError, ProfileError

FIELDS_FILE = Path(__file__).resolve().parent / "record_fields.yaml"
MAX_RECORD_CHARS = 20_000
PLACE_FIELDS = ("registered_province", "registered_city", "registered_district", "registered_place")

_LABELLED = re.compile(r"^\s*([^：:\s]{2,12})\s*[：:]\s*(.*)$")
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_DATE = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)")
_NONE_WORDS = ("无", "暂无", "没有", "否", "0", "0条", "0项", "0个", "未")


@dataclass(frozen=True)
class FactSource:
    """Where a fact came from: the origin (企业信息记录 / JSON 文件 / 表单 / 对话) and the line or key."""

    origin: str
    text: str
    line: int | None = None

    def label(self) -> str:
        """"企业信息记录第 12 行：成立日期：2025-01-21"."""
        where = f" 第 {self.line} 行" if self.line else ""
        return f"{self.origin}{where}：{self.text}"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"origin": self.origin, "text": self.text, "line": self.line}


@dataclass
class SourcedProfile:
    """A validated profile, the source of each known fact, and the record lines not used (with why)."""

    profile: ApplicantProfile
    sources: dict[str, FactSource] = field(default_factory=dict)
    unused: list[tuple[str, str]] = field(default_factory=list)

    def source_of(self, fact: str) -> FactSource | None:
        """Where a fact came from (None for a fact not known)."""
        return self.sources.get(fact)

    def merged(self, facts: Mapping[str, Any], origin: str) -> SourcedProfile:
        """A new profile: these facts (from ``origin``, e.g. 对话) over this one's."""
        profile = self.profile.merged(facts)
        sources = dict(self.sources)
        for name, value in facts.items():
            sources[name] = FactSource(origin, f"{ApplicantProfile.field_label(name)}：{_show(value)}")
        return _complete(SourcedProfile(profile, sources, list(self.unused)))

    def facts_json(self) -> list[dict[str, Any]]:
        """Every known fact with its label, value and source, in field order."""
        out = []
        for name, value in self.profile.known().items():
            src = self.sources.get(name)
            out.append({"fact": name, "label": ApplicantProfile.field_label(name), "value": value,
                        "source": src.label() if src else ""})
        return out

    def to_json(self) -> dict[str, Any]:
        """Facts with sources and the unused record lines."""
        return {"facts": self.facts_json(), "unused": [{"text": t, "reason": r} for t, r in self.unused]}


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


def _complete(sp: SourcedProfile) -> SourcedProfile:
    """Facts derived during validation (a district fills city and province) take the source they came from."""
    known = sp.profile.known()
    place_src = next((sp.sources[f] for f in reversed(PLACE_FIELDS) if f in sp.sources), None)
    for name in known:
        if name not in sp.sources and name in PLACE_FIELDS and place_src is not None:
            sp.sources[name] = place_src
    for name in [n for n in sp.sources if n not in known]:
        del sp.sources[name]
    return sp


def profile_from_facts(facts: Mapping[str, Any] | None, origin: str) -> SourcedProfile:
    """A profile from a fact mapping (JSON file, form, chat), each fact sourced to ``origin``.

    Raises:
        ProfileError: an unknown field or a bad value (Chinese message naming it).
    """
    profile = ApplicantProfile.from_facts(facts)
    sources = {name: FactSource(origin, f"{ApplicantProfile.field_label(name)}：{_show(value)}")
               for name, value in (facts or {}).items() if value is not None}
    return _complete(SourcedProfile(profile, sources))


@lru_cache(maxsize=1)
def load_record_fields(path: Path = FIELDS_FILE) -> dict[str, Any]:
    """The label table of company records."""
    data = yamlio.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "labels" not in data:
        raise ProfileError(f"企业信息字段表 {path} 格式有误（缺少 labels）。")
    return data


class CompanyRecordReader:
    """A pasted company record → applicant facts, each sourced to its line.

    Args:
        table: the label table (default ``record_fields.yaml``).
        origin: the name shown as the facts' origin.
    """

    def __init__(self, table: Mapping[str, Any] | None = None, origin: str = "企业信息记录") -> None:
        self.table = dict(table or load_record_fields())
        for key in ("labels", "name_suffixes", "ignored"):
            if key not in self.table:
                raise ValueError(f"企业信息字段表缺少 {key!r} 部分，请对照 record_fields.yaml 修正。")
        self.origin = origin
        self._label_of: dict[str, dict[str, Any]] = {}
        for spec in self.table["labels"].values():
            for s in spec["spellings"]:
                self._label_of[s] = spec
        self._quals = list(self.table.get("qualification_labels") or [])

    def run(self, text: str) -> SourcedProfile:
        """The facts the record states.

        Raises:
            InputError: empty or overlong text, or nothing recognisable in it.
            ProfileError: a recognised value the profile refuses (named in the message).
        """
        if not isinstance(text, str) or not text.strip():
            raise InputError("企业信息为空：请粘贴企业名称、成立日期、注册地址、所属行业、企业规模、资质等信息。")
        if len(text) > MAX_RECORD_CHARS:
            raise InputError(f"企业信息过长（{len(text)} 字），请只粘贴企业基本信息（{MAX_RECORD_CHARS} 字以内）。")
        facts: dict[str, Any] = {}
        sources: dict[str, FactSource] = {}
        unused: list[tuple[str, str]] = []
        fallback_place: tuple[str, FactSource] | None = None
        for no, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line:
                continue
            src = FactSource(self.origin, line, no)
            label, value = self._split(line)
            if label is None:
                self._unlabelled(line, src, facts, sources)
                continue
            if not value:
                continue
            if label in self.table["ignored"]:
                unused.append((line, str(self.table["ignored"][label])))
                continue
            spec = self._label_of.get(label)
            if spec is None and label in self._quals:
                self._qualification_flag(label, value, src, facts, sources, unused)
                continue
            if spec is None:
                unused.append((line, "未识别的字段"))
                continue
            if spec["reader"] == "place_fallback":
                fallback_place = (value, src)
                continue
            if not self._read(spec, value, src, facts, sources):
                unused.append((line, "无法识别该值"))
        if "registered_place" not in facts and fallback_place is not None:
            self._place(fallback_place[0], fallback_place[1], facts, sources)
        if not facts:
            raise InputError("未能从企业信息中识别出任何申报条件相关的事实（如成立日期、注册地址、企业规模、资质）。"
                             "请按“字段：值”逐行粘贴，或改用 JSON 文件。")
        profile = ApplicantProfile.from_facts(facts)
        return _complete(SourcedProfile(profile, sources, unused))

    # ------------------------------------------------------------------ lines
    def _split(self, line: str) -> tuple[str | None, str]:
        m = _LABELLED.match(line)
        if m:
            return m.group(1), m.group(2).strip()
        # "经营风险 0条": a known label, a space, the value
        head, _, rest = line.partition(" ")
        if rest and (head in self._label_of or head in self.table["ignored"] or head in self._quals):
            return head, rest.strip()
        return None, ""

    def _unlabelled(self, line: str, src: FactSource, facts: dict[str, Any],
                    sources: dict[str, FactSource]) -> None:
        """A bare unit name or credit code (registry pages print them without a label)."""
        if _CREDIT_CODE.match(line):
            self._credit_code(line, src, facts, sources)
        elif "organization_name" not in facts and len(line) <= 40 and self._suffix(line):
            self._name(line, src, facts, sources)

    def _suffix(self, name: str) -> dict[str, Any] | None:
        best = max((s for s in self.table["name_suffixes"] if name.endswith(s)), key=len, default=None)
        return None if best is None else dict(self.table["name_suffixes"][best])

    def _set(self, facts: dict[str, Any], sources: dict[str, FactSource], name: str, value: Any,
             src: FactSource, override: bool = True) -> None:
        if override or name not in facts:
            facts[name] = value
            sources[name] = src

    # ------------------------------------------------------------------ readers
    def _read(self, spec: Mapping[str, Any], value: str, src: FactSource, facts: dict[str, Any],
              sources: dict[str, FactSource]) -> bool:
        reader = spec["reader"]
        fact = spec.get("fact")
        if reader == "name":
            return self._name(value, src, facts, sources)
        if reader == "credit_code":
            return self._credit_code(value, src, facts, sources)
        if reader == "date":
            m = _DATE.search(value)
            if not m:
                return False
            try:
                day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return False
            self._set(facts, sources, str(fact), day.isoformat(), src)
            return True
        if reader == "place":
            return self._place(value, src, facts, sources)
        if reader == "text":
            self._set(facts, sources, str(fact), value[:60], src)
            return True
        if reader == "scale":
            return self._scale(value, src, facts, sources)
        if reader == "qualifications":
            return self._qualifications(value, src, facts, sources)
        if reader in ("amount_wan", "count", "patents"):
            return self._number(reader, fact, value, src, facts, sources)
        if reader == "company_type":
            kinds = self.table.get("company_types") or {}
            hit = max((k for k in kinds if k in value), key=len, default=None)
            if hit is None:
                return False
            for name, v in kinds[hit].items():
                self._set(facts, sources, name, v, src)
            return True
        if reader == "none_listed":
            v = value.strip()
            if v in _NONE_WORDS:
                self._set(facts, sources, str(fact), False, src, override=False)
                return True
            m = _NUMBER.search(v)
            if (m and float(m.group(1)) > 0) or v in ("是", "有"):
                self._set(facts, sources, str(fact), True, src)
                return True
            return False
        return False

    def _name(self, value: str, src: FactSource, facts: dict[str, Any], sources: dict[str, FactSource]) -> bool:
        name = value.strip()[:100]
        self._set(facts, sources, "organization_name", name, src)
        for fact, v in (self._suffix(name) or {}).items():
            self._set(facts, sources, fact, v, src, override=False)
        return True

    def _credit_code(self, value: str, src: FactSource, facts: dict[str, Any],
                     sources: dict[str, FactSource]) -> bool:
        """统一社会信用代码: its first two characters name the registering authority and the kind of unit
        (GB 32100-2015: 91 enterprise, 12 public institution); nothing else is read from it."""
        code = value.strip().upper()
        if not _CREDIT_CODE.match(code):
            return False
        kind = {"91": "enterprise", "12": "public_institution"}.get(code[:2])
        if kind:
            self._set(facts, sources, "entity_type", kind, src, override=False)
        return True

    def _place(self, value: str, src: FactSource, facts: dict[str, Any], sources: dict[str, FactSource]) -> bool:
        """The finest place of the address that lies inside every coarser place named before it."""
        gaz = load_gazetteer()
        best = None
        for m in gaz.find(value):
            if best is None or gaz.within(m.place, best.name) is True:
                best = m.place
        if best is None:
            return False
        for f in PLACE_FIELDS:
            facts.pop(f, None)
        self._set(facts, sources, "registered_place", best.name, src)
        return True

    def _scale(self, value: str, src: FactSource, facts: dict[str, Any], sources: dict[str, FactSource]) -> bool:
        if any(w in value for w in self.table.get("scale_large") or []):
            return self._qual(facts, sources, "sme", False, src)
        if any(w in value for w in self.table.get("scale_small") or []):
            return self._qual(facts, sources, "sme", True, src)
        return False

    def _qual(self, facts: dict[str, Any], sources: dict[str, FactSource], code: str, held: bool,
              src: FactSource) -> bool:
        name = "qualifications_held" if held else "qualifications_not_held"
        values = sorted({*facts.get(name, []), code})
        facts[name] = values
        sources[name] = src if name not in sources else FactSource(
            self.origin, f"{sources[name].text}；{src.text}", sources[name].line)
        return True

    def _qualifications(self, value: str, src: FactSource, facts: dict[str, Any],
                        sources: dict[str, FactSource]) -> bool:
        from assistant.eligibility.profile import Qualification

        allowed = set(_literal_args(Qualification))
        parts = [p.strip() for p in re.split(r"[,，、;；/\s]+", value) if p.strip()]
        if len(parts) == 1 and parts[0] in _NONE_WORDS:  # "资质：无": the record states it holds none
            for code in sorted(allowed - {"sme", "foreign_invested", "incubated", "listed_company"}):
                self._qual(facts, sources, code, False, src)
            return True
        read = False
        for part in parts:
            code = _enum_value(part.replace("认定", "").replace("企业企业", "企业"))
            if code in allowed:
                read = self._qual(facts, sources, str(code), True, src) or read
        return read

    def _qualification_flag(self, label: str, value: str, src: FactSource, facts: dict[str, Any],
                            sources: dict[str, FactSource], unused: list[tuple[str, str]]) -> None:
        code = _enum_value(label)
        v = value.strip()
        if v in ("是", "有", "已认定", "已获得"):
            self._qual(facts, sources, str(code), True, src)
        elif v in ("否", "无", "未认定", "没有"):
            self._qual(facts, sources, str(code), False, src)
        else:
            unused.append((src.text, "无法识别该值"))

    def _number(self, reader: str, fact: Any, value: str, src: FactSource, facts: dict[str, Any],
                sources: dict[str, FactSource]) -> bool:
        m = _NUMBER.search(value.replace(",", ""))
        if not m:
            return False
        number = float(m.group(1))
        if reader == "amount_wan":
            if "亿" in value:
                number *= 10_000
            elif "万" not in value:
                number /= 10_000
            self._set(facts, sources, str(fact), number, src)
        elif reader == "count":
            self._set(facts, sources, str(fact), int(number), src)
        else:
            count = int(number)
            self._set(facts, sources, "invention_patent_count", count, src)
            self._set(facts, sources, "has_granted_invention_patent", count > 0, src)
            if count > 0:
                self._set(facts, sources, "has_own_ip", True, src)
        return True


def _literal_args(tp: Any) -> list[str]:
    from typing import get_args

    return [a for a in get_args(tp) if isinstance(a, str)]


def looks_like_json(text: str) -> bool:
    """True when the text is a JSON object (else it is read as a company record)."""
    return text.lstrip().startswith("{")


def read_profile_text(text: str, origin: str = "企业信息记录") -> SourcedProfile:
    """A profile from pasted text: a JSON object of profile fields, or a company record.

    Raises:
        InputError: unreadable JSON, an empty record, or nothing recognisable.
        ProfileError: an unknown field or a bad value.
    """
    if looks_like_json(text):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"申请人信息不是合法的 JSON（第 {exc.lineno} 行：{exc.msg}）。") from None
        if isinstance(data, dict) and isinstance(data.get("facts"), dict):
            data = data["facts"]
        return profile_from_facts(data, origin)
    return CompanyRecordReader(origin=origin).run(text)


def read_profile_file(path: Path) -> SourcedProfile:
    """A profile from a file: JSON facts (``{"registered_place": "雄安新区", …}``) or a company record text.

    Raises:
        InputError: the file cannot be read, or holds nothing usable.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取申请人信息文件 {path}：{exc}。请检查路径，并以 UTF-8 保存。") from None
    origin = f"JSON 文件 {Path(path).name}" if looks_like_json(text) else f"企业信息 {Path(path).name}"
    return read_profile_text(text, origin)
