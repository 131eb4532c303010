"""RuleDrafter: a programme's condition clauses → rules of the eligibility vocabulary, as draft rule data.

Deterministic and model-free. Each condition clause (see :mod:`assistant.drafting.clauses`) is read by small
clause readers — place of registration, dates, applicant kinds, thresholds, qualifications, credit, ongoing
projects, the leader's degree and age, partners — driven by the phrase table ``lexicon.yaml``. Every rule
keeps the clause verbatim as its quote, with the section path. A clause no reader understands becomes a
``reminder`` ("需自行确认：<quote>"). A reading that is not certain (an undefined word, alternatives the
vocabulary does not model, an inferred date limit) is marked ``certain: false``: the checker then never
rules an applicant out on it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.drafting.clauses import ConditionClause, ProgrammeRef, find_condition_clauses, load_lexicon
from assistant.eligibility.gazetteer import Gazetteer, Place, load_gazetteer
from assistant.eligibility.profile import ApplicantProfile
from assistant.models import Chunk

_WS = re.compile(r"\s+")
_DATE = r"(\d{4})年(\d{1,2})月(\d{1,2})日"
_NUM = r"(\d+(?:\.\d+)?)"
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

#: the profile facts a condition without a ``fact`` parameter reads (asked for when unknown)
CONDITION_FACTS: dict[str, list[str]] = {
    "registered_in_area": ["registered_place"],
    "registered_in_city_districts_excluding": ["registered_district"],
    "registered_in_city_urban_area": ["registered_district"],
    "degree_or_title": ["degree", "professional_title"],
    "lab_qualified": ["intl_joint_lab_level", "key_lab_level"],
    "born_on_or_after_by_gender": ["gender", "birth_year"],
    "partner_company_in": ["has_enterprise_partner", "enterprise_partner_city"],
    "partner_country_in": ["partner_country"],
    "partner_is_foreign_country": ["partner_country"],
    "partner_in_hmt": ["partner_region"],
    "partner_belt_road": ["partner_belt_road_country"],
    "holds_qualification": ["qualifications_held"],
    "lacks_qualification": ["qualifications_held"],
    "no_talent_programme": ["selected_talent_programmes"],
}


@dataclass
class Reading:
    """One rule read from a clause: the condition, its typed params and how sure the reading is."""

    condition: str
    params: dict[str, Any]
    description: str
    certain: bool = True
    when: dict[str, list[Any]] = field(default_factory=dict)
    kind: str | None = None
    any_of: str | None = None

    def key(self) -> str:
        """Condition and params as one comparable string."""
        return self.condition + json.dumps(self.params, ensure_ascii=False, sort_keys=True)


@dataclass
class DraftResult:
    """The drafted rules of one programme and what happened to its clauses."""

    programme: ProgrammeRef
    criteria: list[dict[str, Any]]
    clauses: list[ConditionClause]
    mapped: int
    reminders: int

    def to_rule_file(self, file: str, notice: str) -> dict[str, Any]:
        """The rules as one rule-file mapping (loadable by ``assistant.eligibility.rules.load_rule_data``)."""
        return {"file": file, "notice_id": self.programme.notice_id, "notice": notice, "status": "draft",
                "programmes": [{"id": self.programme.id, "title": self.programme.title,
                                "criteria": self.criteria}]}


def squash(text: str) -> str:
    """The text without whitespace (quotes are compared this way)."""
    return _WS.sub("", text)


def _number(text: str) -> float | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if text in _CN_NUM:
        return float(_CN_NUM[text])
    return None


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


class RuleDrafter:
    """Drafts rules for one programme from one document's chunks.

    Args:
        gazetteer: place names (default the bundled one).
        lexicon: the phrase table (default ``lexicon.yaml``).
    """

    def __init__(self, gazetteer: Gazetteer | None = None, lexicon: dict[str, Any] | None = None) -> None:
        self.gaz = gazetteer or load_gazetteer()
        self.lex = lexicon or load_lexicon()
        for key in ("flags", "quantities", "entity_words", "qualifications", "relative_places"):
            if key not in self.lex:
                raise ValueError(f"起草词表缺少 {key!r} 部分，请对照 lexicon.yaml 修正。")
        self._readers: list[Callable[[str, ProgrammeRef], list[Reading]]] = [
            self._place, self._dates, self._entity, self._legal_person, self._flags, self._thresholds,
            self._degree, self._age, self._nationality, self._projects, self._talent, self._partners,
            self._labs, self._named_applicant, self._qualifications, self._products,
        ]

    # ------------------------------------------------------------------ the run
    def run(self, chunks: Sequence[Chunk], programme: ProgrammeRef,
            siblings: Sequence[ProgrammeRef] = ()) -> DraftResult:
        """Draft rules for ``programme`` from its document's ``chunks``.

        Args:
            chunks: the document's clauses (``assistant.ingest.parse_notice_file``), ``doc_id`` = notice id.
            programme: the programme (with the notice's region and year).
            siblings: every programme of the same document (itself included), for scoping clauses.

        Returns:
            The drafted criteria (rule-file dicts, status ``draft``) and clause counts.
        """
        docs = set(programme.doc_ids or (programme.notice_id,))
        doc_chunks = [c for c in chunks if c.doc_id in docs] or list(chunks)
        if programme.sections:  # a policy's measure: its own sub-section only
            doc_chunks = [c for c in doc_chunks if c.section in programme.sections] or doc_chunks
        progs = list(siblings) if siblings else [programme]
        clauses = [c for c in find_condition_clauses(doc_chunks, progs) if c.applies_to(programme.id)]
        criteria: list[dict[str, Any]] = []
        seen: set[str] = set()
        mapped = reminders = 0
        kept: list[ConditionClause] = []
        # "满足下列条件之一": (section, item numbers or all, the intro clause)
        alt: tuple[str, set[str] | None, str] | None = None
        for clause in clauses:
            readings = self.read(clause.text, programme)
            flat = squash(clause.text)
            if alt is not None and not clause.section.startswith(alt[0]):
                alt = None
            if readings and re.search(self.lex["alternatives_intro"], squash(clause.section)):
                head = next(h for h in reversed(clause.section.split(" > "))
                            if re.search(self.lex["alternatives_intro"], squash(h)))
                for r in readings:  # under a heading "满足下列条件之一": one met alternative meets the group
                    r.certain = False
                    r.any_of = programme.id + "-any-" + hashlib.sha1(head.encode()).hexdigest()[:6]
            if alt is not None and readings:
                item = re.match(r"^[（(]?(\d+)[)）.．、]", flat)
                if alt[1] is None or (item and item.group(1) in alt[1]):
                    for r in readings:  # one alternative of several: never rules out on its own
                        r.certain = False
                        r.any_of = programme.id + "-any-" + hashlib.sha1(alt[2].encode()).hexdigest()[:6]
            intro = re.search(self.lex["alternatives_intro"], flat)
            if intro:
                nums = re.search(r"第([\d、，,和及]+)条", flat)
                alt = (clause.section, set(re.findall(r"\d+", nums.group(1))) if nums else None, flat)
            if not readings and clause.origin == "cue":
                continue  # outside the condition sections only what the vocabulary reads counts
            kept.append(clause)
            if readings:
                mapped += 1
            else:
                reminders += 1
                criteria.append(self._criterion(programme, clause, None))
                continue
            for r in readings:
                if r.key() in seen:
                    continue
                seen.add(r.key())
                criteria.append(self._criterion(programme, clause, r))
        used: dict[str, int] = {}
        for crit in criteria:  # the same sentence twice (in two sections): distinct ids
            n = used.get(crit["id"], 0)
            used[crit["id"]] = n + 1
            if n:
                crit["id"] = f"{crit['id']}-{n + 1}"
        return DraftResult(programme, criteria, kept, mapped, reminders)

    def read(self, sentence: str, programme: ProgrammeRef) -> list[Reading]:
        """Every rule one clause states (empty: no reader understood it)."""
        s = squash(sentence)
        shortcut = self._shortcut(s)
        if shortcut:
            return shortcut
        if re.search(r"不受[^。；]{0,20}限制|免申即享|可[^。；]{0,4}直接(纳入|认定)", s) and "不得" not in s:
            return []  # an exemption or a shortcut, not a condition
        out: list[Reading] = []
        for reader in self._readers:
            out.extend(reader(s, programme))
        when = self._when(s)
        for r in out:
            for k, v in when.items():
                r.when.setdefault(k, v)
        return out

    def _criterion(self, prog: ProgrammeRef, clause: ConditionClause, r: Reading | None) -> dict[str, Any]:
        s = squash(clause.text)
        quote = clause.text.strip()
        base = {"reference": {"section": clause.section, "quote": quote}, "status": "draft"}
        if r is None:
            digest = hashlib.sha1(f"{prog.id}|{s}".encode()).hexdigest()[:8]
            return {"id": f"{prog.id}-r-{digest}", "kind": "reminder", "description": f"需自行确认：{quote}",
                    "certain": True, **base}
        digest = hashlib.sha1(f"{prog.id}|{s}|{r.key()}".encode()).hexdigest()[:8]
        kind = r.kind or ("advisory" if re.search(self.lex["advisory_cue"], s) else "hard")
        facts = [r.params["fact"]] if isinstance(r.params.get("fact"), str) else []
        facts += list(r.params.get("facts") or []) + list((r.params.get("dates") or {}).keys())
        facts += CONDITION_FACTS.get(r.condition, [])
        crit: dict[str, Any] = {
            "id": f"{prog.id}-{digest}", "kind": kind, "description": r.description,
            "facts": list(dict.fromkeys(facts)), "condition": r.condition, "params": r.params,
            "certain": r.certain, **base,
        }
        if r.when:
            crit["when"] = r.when
        if r.any_of:
            crit["any_of"] = r.any_of
        if re.search(r"牵头(申报)?单位(应|须|必须|近)", s) and "applicant_role" not in r.when:
            crit["unless"] = {"applicant_role": ["partner"]}
        return crit

    # ------------------------------------------------------------------ applicability
    def _when(self, s: str) -> dict[str, list[Any]]:
        m = re.search(r"(申报|牵头申报|申请)?(单位|主体)为([^，。；]{2,16}?)的", s)
        if m:
            codes = self._entity_codes(m.group(3))
            if codes:
                return {"entity_type": codes}
        m = re.search(r"以(研发|孵化)机构为建设内容的", s)
        if m:
            return {"offshore_institution_type": ["rd_institution" if m.group(1) == "研发" else "incubator"]}
        return {}

    def _entity_codes(self, text: str) -> list[str]:
        codes: list[str] = []
        rest = text
        for entry in self.lex["entity_words"]:
            m = re.search(entry["pattern"], rest)
            if m:
                codes.extend(c for c in entry["codes"] if c not in codes)
                rest = rest[: m.start()] + "#" + rest[m.end():]
        return codes

    # ------------------------------------------------------------------ places
    def _region(self, prog: ProgrammeRef) -> Place | None:
        return self.gaz.resolve(prog.region) if prog.region else None

    def _relative(self, word: str, prog: ProgrammeRef) -> str | None:
        """我市 / 本省 / 新区 → the notice's city, province or own area."""
        region = self._region(prog)
        if region is None:
            return None
        rel = self.lex["relative_places"]
        if re.fullmatch(rel["city"], word):
            if region.kind == "city":
                return region.name
            return region.city if region.kind == "district" else None
        if re.fullmatch(rel["province"], word):
            return region.province
        if rel.get("local") and re.fullmatch(rel["local"], word):
            return region.name
        if re.fullmatch(rel["region"], word):
            return region.name if region.admin == "new_area" or region.kind == "district" else None
        return None

    def _area_before(self, s: str, end: int, prog: ProgrammeRef) -> tuple[str, bool] | None:
        """The area named in the few characters before ``end``: (canonical name, stated explicitly)."""
        window_start = max(0, end - 26)
        window = s[window_start:end]
        best: tuple[int, str, bool] | None = None
        for mention in self.gaz.find(window):
            if mention.place.kind in ("province", "city", "district"):
                best = (mention.start, mention.place.name, True)
        rel = self.lex["relative_places"]
        for level in ("city", "province", "region", "local"):
            for rm in re.finditer(rel.get(level) or "(?!)", window):
                name = self._relative(rm.group(0), prog)
                if name and (best is None or rm.start() > best[0]):
                    best = (rm.start(), name, False)
        if best is None:
            return None
        _, name, explicit = best
        tail = window[best[0]:]
        if re.search(r"三县", tail):
            place = self.gaz.resolve(name)
            for owner in (name, place.city if place else None, prog.region):
                if owner and f"{owner}三县" in self.gaz.groups:
                    name = f"{owner}三县"
                    break
        return name, explicit

    def _place(self, s: str, prog: ProgrammeRef) -> list[Reading]:
        out: list[Reading] = []
        m = re.search(r"市辖区[（(]不含([^）)]+)[）)]", s)
        region = self._region(prog)
        if m and region is not None and region.kind == "city":
            excluded = [n for n in re.split(r"[、和及]", m.group(1)) if n]
            return [Reading("registered_in_city_districts_excluding",
                            {"city": region.name, "excluded": excluded, "admin_kinds": ["district", "zone"]},
                            f"须在{region.name}市辖区（不含{'、'.join(excluded)}）内注册")]
        m = re.search(r"在?([\u4e00-\u9fa5]{2,6}?)市区(内)?注册", s)
        if m:
            city = self.gaz.city(m.group(1)) or (region if region and region.kind == "city" else None)
            if city is not None:
                return [Reading("registered_in_city_urban_area", {"city": city.name},
                                f"须在{city.name}市区注册（市区范围以通知为准）")]
        for m in re.finditer(r"(登记注册|注册登记|注册成立|注册|设立|成立)", s):
            if re.match(r"(资本|资金|商标|地址)", s[m.end():m.end() + 2]):
                continue
            found = self._area_before(s, m.start(), prog)
            if found is None:
                continue
            area = found[0]
            excluded = re.findall(r"[（(]不含([^）)]+)[）)]", s[max(0, m.start() - 30):m.start()])
            params: dict[str, Any] = {"area": area}
            if excluded:
                params["excluded"] = [n for n in re.split(r"[、和及]", excluded[0]) if n]
            # "在X注册或建有分支机构": an alternative place the vocabulary does not model
            alt_place = bool(re.search(r"^[^。；]{0,12}或", s[m.end():]))
            out.append(Reading("registered_in_area", params, f"须在{area}注册", certain=not alt_place))
            if (re.search(r"纳税", s[m.start():m.end() + 8]) or re.search(r"注册[^。；]{0,4}纳税|纳税[^。；]{0,4}注册", s)) \
                    and not re.search(r"(依法|正常|按时)纳税", s):
                out.append(Reading("place_in_area", {"fact": "tax_place", "area": area}, f"须在{area}纳税"))
            break
        mh = re.search(r"(招用|招聘|吸纳)[^。；，]{0,12}?户籍", s)
        if mh:
            found = self._area_before(s, mh.end() - 2, prog)
            if found is not None:
                out.append(Reading("place_in_area", {"fact": "hire_hukou_place", "area": found[0]},
                                   f"新招用人员户籍须在{found[0]}"))
        if not any(r.condition == "registered_in_area" for r in out):
            m = re.search(r"([\u4e00-\u9fa5]{2,6}?)(省|市)?内的?(具有独立法人资格的)?(高等院校|高校|企业|企事业单位|单位|科研院所)", s)
            if m:
                found = self._area_before(s, m.start(4), prog)
                if found is not None:
                    out.append(Reading("registered_in_area", {"area": found[0]}, f"须为{found[0]}内的单位"))
        if re.search(r"统计(关系|在|于)|入统", s):
            m2 = re.search(r"统计|入统", s)
            found = self._area_before(s, m2.start(), prog) if m2 else None
            if found is not None:
                out.append(Reading("place_in_area", {"fact": "statistics_place", "area": found[0]},
                                   f"统计关系须在{found[0]}"))
        if not any(r.params.get("fact") == "tax_place" for r in out):
            # "在本地缴纳税收" / "并在本地纳税": a tax place named right before the word
            mt = re.search(r"纳税|缴纳税收", s)
            found = self._area_before(s, mt.start(), prog) if mt and not re.search(r"依法纳税|正常纳税", s) else None
            if mt and found is not None and re.search(r"在[^。；，]{0,4}(缴纳)?$", s[:mt.start()]):
                out.append(Reading("place_in_area", {"fact": "tax_place", "area": found[0]}, f"须在{found[0]}纳税"))
        m = re.search(r"(项目)?(实施地|建设地)点?(须|应|必须)?(在|位于|为)", s)
        if m:
            head = s[m.end():m.end() + 10]
            where: str | None = None
            for level in ("city", "province", "region", "local"):
                rm = re.match(self.lex["relative_places"].get(level) or "(?!)", head)
                if rm:
                    where = self._relative(rm.group(0), prog)
            if where is None:
                hit = next(iter(self.gaz.find(head[:8])), None)
                where = hit.place.name if hit is not None and hit.start == 0 else None
            if where:
                out.append(Reading("place_in_area", {"fact": "project_place", "area": where}, f"项目须在{where}实施"))
        return out

    # ------------------------------------------------------------------ dates
    def _dates(self, s: str, prog: ProgrammeRef) -> list[Reading]:
        out: list[Reading] = []
        for m in re.finditer(_DATE + r"(?P<incl>[（(]含[)）])?(前|之前|以前)", s):
            date = _iso(m.group(1), m.group(2), m.group(3))
            if date is None:
                continue
            after = s[m.end(): m.end() + 40]
            if re.search(r"并购或注册成立|(研发|孵化)机构", after[:30]) or re.search(r"境外|海外", s[:m.start()][-20:]):
                fact = "overseas_institution_date"
            elif re.search(r"注册|成立|设立|登记", after[:24]):
                fact = "registered_date"
            else:
                continue
            day = int(m.group(3))
            last = calendar.monthrange(int(m.group(1)), int(m.group(2)))[1]
            inclusive, certain = (True, True) if m.group("incl") or day == last else (False, day == 1)
            out.append(Reading("date_before", {"fact": fact, "date": date, "inclusive": inclusive},
                               f"须于{m.group(0)}{'注册成立' if fact == 'registered_date' else '完成并购或注册'}",
                               certain=certain))
        for m in re.finditer(_DATE + r"[(（]?[含]?[)）]?(至|到|-|—|～|~)" + _DATE + r"[(（]?[含]?[)）]?(期间|之间|内)?", s):
            start, end = _iso(*m.group(1, 2, 3)), _iso(*m.group(5, 6, 7))
            around = s[max(0, m.start() - 12):m.end() + 16]
            dated = next((str(e["fact"]) for e in self.lex.get("periods") or [] if re.search(e["pattern"], around)),
                         None)
            if start and end and dated:
                out.append(Reading("date_on_or_after", {"fact": dated, "date": start}, f"须在{start}（含）以后"))
                out.append(Reading("date_before", {"fact": dated, "date": end, "inclusive": True},
                                   f"须在{end}（含）以前"))
        after_dates = []
        for m in re.finditer(_DATE + r"([（(]含[)）])?(以后|之后|后)", s):
            date = _iso(m.group(1), m.group(2), m.group(3))
            tail = s[m.end(): m.end() + 12]
            if date is None:
                continue
            if re.search(r"购置|购买|采购", s[max(0, m.start() - 16):m.start()]):
                after_dates.append(("equipment_purchase_date", date))
            elif re.search(r"来|工作|到岗|入职", tail):
                after_dates.append(("local_arrival_date", date))
            elif re.search(r"签订|签署", tail):
                after_dates.append(("agreement_date", date))
            elif re.search(r"注册|成立|设立", tail):
                after_dates.append(("registered_date", date))
        if len(after_dates) >= 2 and re.search(r"或", s):
            out.append(Reading("any_date_on_or_after", {"dates": dict(after_dates)},
                               "须在所列日期以后来本地工作或签订协议（满足其一）"))
        elif len(after_dates) == 1:
            fact, date = after_dates[0]
            out.append(Reading("date_on_or_after", {"fact": fact, "date": date}, f"须在{date}（含）以后"))
        ym = re.search(r"成立(时间)?(满|超过|已满|达到)?([\d一二两三四五六七八九十]+)(个)?(年|周年)(以上|及以上)?", s)
        if ym and (years := _number(ym.group(3))) is not None and prog.year:
            out.append(Reading("years_since_at_least",
                               {"fact": "registered_date", "years": years, "as_of": f"{prog.year}-01-01"},
                               f"成立满{ym.group(3)}年", certain=False))
        return out

    # ------------------------------------------------------------------ the applicant
    def _entity(self, s: str, prog: ProgrammeRef) -> list[Reading]:
        m = re.search(r"以([^，。；]{2,20}?)为主体申报", s)
        if m:
            codes = self._entity_codes(m.group(1))
            if codes:
                return [Reading("value_in", {"fact": "entity_type", "allowed": codes},
                                f"申报主体须为{m.group(1)}")]
        m = re.search(r"(申报|申请)(单位|企业|主体)(应|须|必须)?(为|是)([^。；]{2,60})", s)
        if not m or "为主体" in s:
            return []
        phrase = re.split(r"[。；，,]", m.group(5))[0]
        if re.match(r"^[^，]{0,16}的$", phrase[:17]) and phrase.endswith("的"):
            return []
        noun = phrase.rsplit("的", 1)[-1]
        noun = re.sub(r"[（(][^）)]*[）)]", "", noun)
        codes = self._entity_codes(noun)
        if not codes:
            return []
        params: dict[str, Any] = {"fact": "entity_type", "allowed": codes}
        full = {"enterprise", "public_institution", "university", "research_institute", "new_rd_institution"}
        if re.search(r"等|科技型|创新型|或其", noun):
            params.update(excluded=["individual"], open_list=True)
        elif set(codes) == full:
            params["excluded"] = ["individual", "other"]
        return [Reading("value_in", params, f"申报单位须为{noun}", certain=not params.get("open_list"))]

    def _legal_person(self, s: str, prog: ProgrammeRef) -> list[Reading]:
        if "独立法人" not in s or re.search(r"(不具有|非)独立法人|孵化机构须具有独立法人", s):
            return []
        return [Reading("is_true", {"fact": "independent_legal_person"}, "申报单位须具有独立法人资格")]

    def _flags(self, s: str, prog: ProgrammeRef) -> list[Reading]:
        out: list[Reading] = []
        hit: set[str] = set()
        for entry in self.lex["flags"]:
            if not re.search(entry["pattern"], s) or entry.get("not_with") in hit:
                continue
            hit.add(entry["fact"])
            bar = bool(entry.get("bar"))
            cond = "is_false" if bar else "is_true"
            label = ApplicantProfile.field_label(entry["fact"])
            desc = (f"不得存在：{label}" if bar else f"须满足：{label}")
            out.append(Reading(cond, {"fact": entry["fact"]}, desc, certain=entry.get("certain", True)))
        return out

    def _measure(self, table: list[dict[str, Any]], before: str, after: str = "") -> str | None:
        """The measure a number refers to: named before it in the same sub-clause, else right after it."""
        clause = re.split(r"[，,；;。：:]", before)[-1] or before[-20:]
        best: tuple[int, str] | None = None
        for entry in table:  # the measure named closest before the number
            ends = [m.end() for m in re.finditer(entry["pattern"], clause)]
            if ends and (best is None or max(ends) > best[0]):
                best = (max(ends), str(entry["fact"]))
        if best is None and re.search(r"占[^，。；]{0,12}(比重|比例)", clause):  # "…，且占营业收入比重…"
            for entry in table:
                ends = [m.end() for m in re.finditer(entry["pattern"], before[-60:])]
                if ends and (best is None or max(ends) > best[0]):
                    best = (max(ends), str(entry["fact"]))
        if best is not None:
            return best[1]
        head = re.split(r"[，,；;。]", after)[0][:12]
        return next((str(e["fact"]) for e in table if re.search(e["pattern"], head)), None)

    def _comparator(self, before: str, after: str) -> str | None:
        if re.match(r"^[（(]不含[)）]", after) or re.search(r"(超过|高于|多于|大于)$", before):
            return "amount_strictly_above" if not re.search(r"不(超过|高于|多于|大于)$", before) else "at_most"
        if re.search(r"(不超过|不高于|不多于|低于|少于|小于)$", before) and not re.search(r"不(少|低|小)于$", before):
            return "at_most"
        if re.match(r"^(以下|以内)", after):
            return "at_most"
        if re.search(r"(不少于|不低于|不得少于|不得低于|不小于|达到|达|在|为|累计为|满)$", before) or \
                re.match(r"^(以上|及以上)", after):
            return "at_least"
        return None

    def _thresholds(self, s: str, prog: ProgrammeRef) -> list[Reading]:
        out: list[Reading] = []
        alt = bool(re.search(self.lex["alternative_cue"], s))
        q = self.lex["quantities"]
        specs = [(_NUM + r"(亿元|万元|亿|万)", q["amount"], "万元"), (_NUM + r"[%％]", q["share"], "%"),
                 (_NUM + r"(人|名|件)", q["count"], "人"), (_NUM + r"(平方米|㎡)", q["area"], "平方米"),
                 (r"(?<![\d.])(\d{1,2})(个)?(年|周年)(?![度底末前后])", q.get("years") or [], "年"),
                 (r"(?<![\d.])(\d{1,4})家", q.get("firms") or [], "家"),
                 (r"(?<![\d.])(\d{1,3})个月", q.get("months") or [], "个月")]
        for pattern, table, unit in specs:
            for m in re.finditer(pattern, s):
                before, after = s[: m.start()], s[m.end():]
                if re.match(r"^([（(]不?含[)）])?(以上|以下|及以上)的[，,]", after):
                    continue  # "投资500万元以上的，应…": scopes a duty, not a condition
                fact = self._measure(table, before, after)
                cmp_ = self._comparator(before[-6:], after)
                if fact is None or cmp_ is None:
                    continue
                value = float(m.group(1)) * (10000 if unit == "万元" and m.group(2).startswith("亿") else 1)
                if fact in ("project_duration_years", "niche_years", "served_enterprise_count",
                            "labour_contract_months") and cmp_ == \
                        "amount_strictly_above":
                    cmp_ = "at_least"
                if cmp_ == "amount_strictly_above" and fact not in ("rd_investment_wan", "annual_revenue_wan",
                                                                   "rd_expense_wan", "total_assets_wan", "rd_equipment_value_wan", "project_investment_wan",
                                                                   "output_value_wan", "registered_capital_wan"):
                    cmp_ = "at_least"
                threshold: float | int = int(value) if value.is_integer() else value
                words = {"at_least": "不少于", "at_most": "不超过", "amount_strictly_above": "多于"}[cmp_]
                label = ApplicantProfile.field_label(fact)
                out.append(Reading(cmp_, {"fact": fact, "threshold": threshold},
                                   f"{label}{words}{threshold}{unit}", certain=not alt and unit != "家"))
        return out

    def _degree(self, s: str, prog: ProgrammeRef) -> list[Reading]:
        # read the sub-clause that names the degree ("…，项目负责人有博士及以上学历，…优先支持…")
        parts = [p for p in re.split(r"[，,；;]", s) if re.search(r"学位|学历|职称|职务", p)]
        s = "，".join(parts) if parts else s
        deg = next((d["code"] for d in self.lex["degrees"] if re.search(d["pattern"] + r"(及以上)?(学位|学历)", s)),
                   None)
        title = next((t["code"] for t in self.lex["titles"] if re.search(t["pattern"], s)), None)
        if deg and title and re.search(r"或", s):
            return [Reading("degree_or_title", {"degrees": [deg], "titles": [title]},
                            "须具有所列学位或职称（满足其一）")]
        if deg and not re.search(r"突破学历|优先", s):
            return [Reading("value_in", {"fact": "degree", "allowed": [deg]}, "须具有所列学位（学历）",
                            certain=deg == "doctor")]
        if title and not deg:
            return [Reading("value_in", {"fact": "professional_title", "allowed": [title]}, "须具有所列职称",
                            certain=False)]
        return []

    def _age(self, s: str, prog: ProgrammeRef) -> list[Reading]:
        m = re.search(r"男性[^。]*?" + _DATE + r"[（(]含[)）]以后出生[^。]*?女性[^。]*?" + _DATE, s)
        if m and prog.year:
            male, female = _iso(*m.group(1, 2, 3)), _iso(*m.group(4, 5, 6))
            if male and female:
                return [Reading("born_on_or_after_by_gender",
                                {"thresholds": {"male": male, "female": female}, "reference_year": prog.year},
                                "年龄（出生日期）须符合按性别所列的要求")]
        m = re.search(r"年龄(不超过|不满|在)(\d{2})(周)?岁(以下|以内)?", s)
        if m and "男性" not in s:
            return [Reading("at_most", {"fact": "age", "threshold": int(m.group(2))},
                            f"年龄不超过{m.group(2)}周岁", certain=False)]
        return []

    def _nationality(self, s: str, prog: ProgrammeRef) -> list[Reading]:
        if re.search(r"(为|是)外国籍|外籍(人才|专家)须", s):
            return [Reading("value_in", {"fact": "nationality", "allowed": ["foreign"]}, "引进人才须为外国籍")]
        return []

    def _kinds(self, text: str) -> list[str]:
        kinds: list[str] = []
        rest = text
        for entry in self.lex["project_kinds"]:
            m = re.search(entry["pattern"], rest)
            if m:
                kinds.extend(k for k in entry["codes"] if k not in kinds)
                rest = rest[: m.start()] + "#" + rest[m.end():]
        return kinds

    def _projects(self, s: str, prog: ProgrammeRef) -> list[Reading]:
        out: list[Reading] = []
        if re.search(r"在研项目(的)?负责人不得(牵头)?申报", s):
            out.append(Reading("holding_nothing", {"fact": "leader_ongoing_projects"},
                               "主持在研项目的负责人不得牵头申报"))
        found = [(m.group(1), m.group(2)) for m in re.finditer(
            r"有在研([^，。；]{2,40}?)项目的([^，。；]{0,60}?)(，)?不得(再)?(牵头)?申报", s)]
        found += [(m.group(1), m.group(2)) for m in re.finditer(
            r"有([^，。；]{2,40}?)在研项目的([^，。；]{0,30}?)(，)?不得(再)?(牵头)?申报", s)]
        for what, subject in found:
            kinds = self._kinds(what)
            if not kinds:
                continue
            fact = "leader_ongoing_projects" if "负责人" in subject else "ongoing_projects"
            when = {}
            codes = self._entity_codes(subject) if fact == "ongoing_projects" else []
            if re.search(r"实验室|研究中心", subject):
                codes = ["university", "research_institute"]
            if codes:
                when = {"entity_type": codes}
            out.append(Reading("not_holding", {"fact": fact, "kinds": kinds},
                               f"有在研{what}项目的{subject or '单位'}不得申报", when=when))
        return out

    def _talent(self, s: str, prog: ProgrammeRef) -> list[Reading]:
        m = re.search(r"已入选([^。；]{2,40}?)的人选不得申报", s)
        if not m:
            return []
        names = [n for n in re.split(r"或|、|和", m.group(1)) if len(n) >= 2]
        return [Reading("no_talent_programme", {"barred": names}, f"已入选{m.group(1)}的不得申报")]

    def _partners(self, s: str, prog: ProgrammeRef) -> list[Reading]:
        out: list[Reading] = []
        m = re.search(r"联合至少\d+家([\u4e00-\u9fa5]{2,8}?)企业", s)
        if m:
            place = self.gaz.resolve(m.group(1))
            if place is not None:
                out.append(Reading("partner_company_in", {"area": place.name}, f"须联合{place.name}企业参与"))
        elif re.search(r"(必须|须)有企业联合|企业实质性参与", s):
            out.append(Reading("is_true", {"fact": "has_enterprise_partner"}, "须有企业联合并实质性参与"))
        m = re.search(r"与([^。；]{2,60}?)等国[^。；]{0,12}(签署|签订)", s)
        if m:
            listed = [x.place.name for x in self.gaz.find(m.group(1)) if x.place.kind == "country"]
            if listed:
                out.append(Reading("partner_country_in", {"listed": listed, "open_list": True},
                                   "合作方须在所列国家（等）"))
        m = re.search(r"合作国别不包括([^。；]+)", s)
        if m:
            excluded = [x.place.name for x in self.gaz.find(m.group(1)) if x.place.kind == "country"]
            if excluded:
                out.append(Reading("value_not_in", {"fact": "partner_country", "excluded": excluded},
                                   "合作国别不包括所列国家"))
        if re.search(r"面向(但不限于)?港澳台地区", s):
            out.append(Reading("partner_in_hmt", {}, "合作方须在港澳台地区"))
        elif re.search(r"面向但不限于[^。；]{2,80}等(国家|产业技术创新能力强的国家)", s) and "港澳台" not in s:
            out.append(Reading("partner_is_foreign_country", {}, "合作方须在外国"))
        if re.search(r"所在国家应为[^。；]{0,6}“?一带一路”?共建国家|所在国家应为已同中国签订共建“一带一路”", s):
            out.append(Reading("partner_belt_road", {}, "主要外方合作机构须在“一带一路”共建国家"))
        return out

    def _labs(self, s: str, prog: ProgrammeRef) -> list[Reading]:
        if not (re.search(r"国际联合研究中心|联合实验室", s) and re.search(r"重点实验室", s) and "之一" in s):
            return []
        intl = ["national", "provincial"] if re.search(r"国家部委或省|省政府有关部门", s) else ["national"]
        key = ["national", "provincial"] if re.search(r"国家或省重点实验室|省重点实验室", s) else ["national"]
        return [Reading("lab_qualified", {"intl_lab_levels": intl, "key_lab_levels": key},
                        "须拥有所列国际联合研究中心/联合实验室或重点实验室（满足其一）")]

    def _named_applicant(self, s: str, prog: ProgrammeRef) -> list[Reading]:
        m = re.search(r"申报主体为([\u4e00-\u9fa5]{4,30}?(中心|研究院|研究所|公司|大学|学院))", s)
        if not m:
            return []
        return [Reading("name_is", {"fact": "organization_name", "names": [m.group(1)]},
                        f"申报主体须为{m.group(1)}")]

    def _qualifications(self, s: str, prog: ProgrammeRef) -> list[Reading]:
        kinds: list[str] = []
        rest = s
        for entry in self.lex["qualifications"]:
            m = re.search(entry["pattern"], rest)
            if m:
                kinds.append(entry["code"])
                rest = rest[: m.start()] + "#" + rest[m.end():]
        if not kinds:
            return []
        if re.search(r"控股|关系|同一集团|关联", s):
            return []  # about a related company holding it, not the applicant
        if re.search(self.lex["bar_cue"], s) and re.search(r"已(被)?(认定|成为|获评|入选)|已是", s):
            return [Reading("lacks_qualification", {"kinds": kinds}, "已获所列认定的不予支持（推荐）",
                            certain=False)]
        if re.search(r"(须|需|应|必须)(为|是|通过|获得|具有|具备)|通过[^。；]{0,12}(评定|认定)|有效期内", s) \
                and not re.search(r"可|优先|鼓励|免申", s):
            return [Reading("holds_qualification", {"kinds": kinds}, "须已获所列资质认定（满足其一）",
                            certain=len(kinds) == 1)]
        return []

    def _shortcut(self, s: str) -> list[Reading]:
        """已被认定为X的（单位）…免申即享/直接纳入/自动认定: holding X is a shortcut (kind ``sufficient``)."""
        if not re.search(self.lex["shortcut_cue"], s) or re.search(r"不得|不予", s):
            return []
        m = re.search(r"已(被|经)?(认定为|入选|获评|评为|成为|纳入)([^，。；]{3,30}?)的", s)
        if not m:
            return []
        name = m.group(3)
        codes = [q["code"] for q in self.lex["qualifications"] if re.search(q["pattern"], name)]
        if len(codes) == 1:
            return [Reading("holds_qualification", {"kinds": codes}, f"已获{name}认定的可直接纳入（免申即享）",
                            kind="sufficient")]
        level = next((lv for lv in ("国家级", "省级", "市级") if lv in name), None)
        params: dict[str, Any] = {"names": [name]}
        if level:
            params["level"] = level
        return [Reading("holds_recognition", params, f"已被认定为{name}的可直接认定（免申即享）",
                        kind="sufficient")]

    def _products(self, s: str, prog: ProgrammeRef) -> list[Reading]:
        """产品在（A、B、C）范围内 / 属于A、B领域: the applicant's products or field must be listed."""
        m = re.search(r"(产品|领域|行业)[^。；，]{0,12}[（(]([^）)]{2,80})[）)][^。；]{0,2}范围内", s)
        if not m:
            return []
        items = [x for x in re.split(r"[、，,和及]", m.group(2)) if 1 < len(x) <= 12]
        if len(items) < 2:
            return []
        open_list = m.group(2).rstrip().endswith("等")
        params: dict[str, Any] = {"fact": "industry", "keywords": [x.rstrip("等") for x in items]}
        if open_list:
            params["open_list"] = True
        return [Reading("text_matches_any", params, f"产品（领域）须在所列范围内：{'、'.join(items)}")]
