"""Offline fact extraction: a Chinese question → applicant profile facts and the programme it names.

Deterministic and conservative: a fact is filled only when the question states it (places through the
gazetteer, dates, amounts, qualifications, project kinds), with negation (没有/无/未/不/非) read in the few
characters before a cue. Places that name the programme ("连云港市重点研发计划") are not taken as the
applicant's registration; countries and 港澳台 are read as the cooperation partner.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from assistant import yamlio
from assistant.eligibility.gazetteer import Gazetteer, PlaceMention, load_gazetteer
from assistant.errors import RuleError

# --------------------------------------------------------------------------- programme vocabulary
ALIASES_PATH = Path(__file__).resolve().parent / "programme_aliases.yaml"


@dataclass(frozen=True)
class ProgrammeVocabulary:
    """Programme names/aliases and the notice regions they belong to (data, see ``programme_aliases.yaml``).

    The extractor takes this as input; the notice catalogue will supply it for every programme.
    """

    aliases: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...]
    regions: tuple[dict[str, Any], ...] = ()
    scopes: dict[str, dict[str, Any]] = field(default_factory=dict)
    fallback: tuple[dict[str, Any], ...] = ()
    arrival_cue: str = r"来.{0,4}工作|入职|到岗"

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ProgrammeVocabulary:
        """Build from the parsed YAML mapping.

        Raises:
            RuleError: a missing key or a bad regular expression.
        """
        try:
            aliases = tuple((re.compile(a["pattern"]), str(a.get("scope", "any")), tuple(a["ids"]))
                            for a in data.get("aliases") or [])
            scopes = dict(data.get("scopes") or {})
            for _, scope, _ in aliases:
                if scope not in scopes and scope != "any":
                    raise RuleError(f"项目别名表引用了未定义的 scope {scope!r}。")
            return cls(aliases=aliases, regions=tuple(data.get("regions") or ()), scopes=scopes,
                       fallback=tuple(data.get("fallback") or ()),
                       arrival_cue=str(data.get("arrival_cue") or cls.arrival_cue))
        except (KeyError, TypeError, re.error) as exc:
            raise RuleError(f"项目别名表格式有误：{exc}。") from None

    @classmethod
    def load(cls, path: Path = ALIASES_PATH) -> ProgrammeVocabulary:
        """The vocabulary in a YAML file (default: the bundled hand aliases)."""
        try:
            data = yamlio.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise RuleError(f"无法读取项目别名表 {path}：{exc}。") from None
        return cls.from_data(data if isinstance(data, dict) else {})

    def region_of(self, text: str) -> str | None:
        """Which notice region a question is about (first matching region cue)."""
        for region in self.regions:
            if re.search(region["pattern"], text):
                return str(region["name"])
        return None

    def city_of(self, programme_id: str) -> str | None:
        """The city of a programme's notice (from its region's id prefix), if the region has one."""
        for region in self.regions:
            prefix = region.get("programme_prefix")
            if prefix and programme_id.startswith(prefix):
                return region.get("city")
        return None

    def scoped(self, ids: tuple[str, ...], scope: str, region: str | None, text: str) -> list[str]:
        """The alias's programmes narrowed by the question's region."""
        spec = self.scopes.get(scope) or {}
        by_region = spec.get("by_region") or {}
        if region in by_region:
            rule = by_region[region]
            if "ids" in rule:
                return list(rule["ids"])
            return [i for i in ids if i.startswith(rule.get("prefix", ""))]
        if region in (spec.get("drop_in") or []) and not (spec.get("keep_if") and re.search(spec["keep_if"], text)):
            return []
        return list(ids)


# "不报/没打算申报/未同时申请 X": X is a programme the applicant is NOT applying for ("能不能报" is a question).
_NOT_APPLYING = (r"(?<![能可是要])(不|没有?|未|并未|从未)(打算|准备|想|计划|会|再)?(同时|再|另外|去)?(申报|申请|报)")
# A programme mention that describes a held or parallel project, not the one applied for.
_CONTEXT_BEFORE = re.compile(r"(在研|承担|主持|同时(申报|申请)|已(经)?(申报|申请|获|立项)|还申报了|正在申报"
    r"|获得过|承担过|" + _NOT_APPLYING + ")"
    r"[^，,。；;？?]{0,8}$")
_CONTEXT_AFTER = re.compile(r"^[^，,。；;？?]{0,8}?(在研|项目在研|尚未(验收|结题)|还没(验收|结题))")

# --------------------------------------------------------------------------- fact vocabulary
_NEG = re.compile(r"(没有|没|无|未|不|非|尚未|还没有|还没|并未|从未)")
_ENTITY_WORDS: list[tuple[str, str]] = [
    (r"新型研发机构", "new_rd_institution"),
    (r"科研院所|研究所|研究院|科研机构|研究中心|中科院", "research_institute"),
    (r"高校|大学|学院|高等院校|我校|本校", "university"),
    (r"事业单位|医院", "public_institution"),
    (r"公司|企业|我司|本司|厂|集团|民企|国企", "enterprise"),
]
_PROJECT_KINDS: list[tuple[str, str]] = [
    (r"省.{0,6}(揭榜挂帅|赛马)|(揭榜挂帅|赛马).{0,3}制", "provincial_jiebang_saima"),
    (r"市.{0,6}揭榜挂帅|揭榜挂帅", "city_jiebang"),
    (r"省.{0,6}(国际科技合作|港澳台科技合作|国际合作)", "provincial_intl"),
    (r"省.{0,6}成果转化", "provincial_transfer"),
    (r"(市.{0,6})?成果转化", "city_transfer"),
    (r"省.{0,6}(科技计划|重点研发|科技项目|项目)", "provincial_st"),
    (r"(市.{0,6})?重点研发", "city_key_rd"),
    (r"市.{0,6}(科技计划|科技项目)", "city_other"),
]
# "入选（了）X计划": the talent programme's name as said (compared by name with the rule's list)
_TALENT = re.compile(r"(入选|获评|入围|获得)(了|过)?(?P<name>[^，,。；;？?的]{2,16}?(计划|工程))")

_NUM = r"(\d+(?:\.\d+)?)"
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
    "九": 9}


_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_AMOUNT = re.compile(r"(?P<num>\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+)(?P<more>多|余|来)?(?P<mid>千|百)?"
                     r"(?P<big>万|亿)(?P<more2>多|余)?元?")


def cn_amount_wan(num: str, mid: str | None, big: str) -> float | None:
    """An amount in 万元: "3000"+"万" → 3000, "三千"+"万" → 3000, "3"+"千"+"万" → 3000, "0.3"+"亿" → 3000."""
    if re.fullmatch(r"\d+(?:\.\d+)?", num):
        value = float(num)
    else:
        value, cur = 0.0, 0.0
        for ch in num:
            if ch in _CN_DIGITS:
                cur = float(_CN_DIGITS[ch])
            elif ch in _CN_UNITS:
                value += (cur or 1) * _CN_UNITS[ch]
                cur = 0.0
            else:
                return None
        value += cur
    value *= {"千": 1000, "百": 100, None: 1}[mid]
    return value * 10000 if big == "亿" else value


def _cn_number(text: str) -> float | None:
    """A small Chinese numeral (一…九十九) or Arabic number."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if text == "十":
        return 10.0
    m = re.fullmatch(r"([一二两三四五六七八九])?十([一二三四五六七八九])?", text)
    if m:
        return float(_CN_DIGITS.get(m.group(1) or "一", 1) * 10 + _CN_DIGITS.get(m.group(2) or "零", 0))
    if len(text) == 1 and text in _CN_DIGITS:
        return float(_CN_DIGITS[text])
    return None


@dataclass
class Extraction:
    """What a question states: profile facts, the programme (when unambiguous) and candidate programmes."""

    facts: dict[str, Any] = field(default_factory=dict)
    programme_id: str | None = None
    programme_candidates: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"facts": self.facts, "programme_id": self.programme_id,
                "programme_candidates": self.programme_candidates}


def negated(text: str, start: int, window: int = 6) -> bool:
    """True when a negation word stands in the few characters before ``start`` (same clause only).

    "不少于/不超过/不低于/不含" are quantity phrases, not negation.
    """
    left = re.split(r"[，,。；;？?！!、]", text[max(0, start - window):start])[-1]
    left = re.sub(r"不(少于|超过|低于|含|到|足)", "", left)
    left = re.sub(r"(有没有|是否|是不是|能不能|可不可以|有无)", "", left)
    left = re.sub(r"无锡|无论|不论|无需|不仅|不但|无人机|不锈钢|非常|未来", "", left)
    return bool(_NEG.search(left))


class FactExtractor:
    """Turns a question into profile facts and a programme guess.

    Args:
        reference_year: the year "今年/去年" refer to — the application round of the notices (2024).
        gazetteer: place names; default the bundled one.
        programmes: programme names/aliases and their regions; default the bundled hand aliases.
    """

    def __init__(self, reference_year: int = 2024, gazetteer: Gazetteer | None = None,
                 programmes: ProgrammeVocabulary | None = None) -> None:
        if not 2000 <= int(reference_year) <= 2100:
            raise ValueError(f"reference_year 应在 2000–2100 之间，收到 {reference_year!r}")
        self.reference_year = int(reference_year)
        self.gaz = gazetteer or load_gazetteer()
        self.vocab = programmes or ProgrammeVocabulary.load()

    def run(self, question: str) -> Extraction:
        """Facts and programme of ``question`` (never raises on odd input; unknown stays absent)."""
        text = self._normalise(question if isinstance(question, str) else "")
        out = Extraction()
        ids, cands = self._programme(text)
        out.programme_id, out.programme_candidates = ids, cands
        facts: dict[str, Any] = {}
        mentions = self.gaz.find(text)
        self._places(text, mentions, facts)
        self._zone_by_programme(mentions, cands, facts)
        self._entity(text, facts)
        self._role(text, facts)
        self._dates(text, facts)
        self._person(text, facts)
        self._amounts(text, facts)
        self._projects(text, facts)
        self._flags(text, facts)
        self._general(text, facts)
        self._recognitions_and_equipment(text, facts)
        out.facts = facts
        return out

    # ------------------------------------------------------------------ text
    @staticmethod
    def _normalise(q: str) -> str:
        table = str.maketrans("０１２３４５６７８９．％：，（）", "0123456789.%:,()")
        q = q.translate(table)
        q = re.sub(r"(?<=\d),(?=\d{3})", "", q)  # 1,500万
        return re.sub(r"\s+", "", q)

    # ------------------------------------------------------------------ programme
    def _programme(self, text: str) -> tuple[str | None, list[str]]:
        region = self.vocab.region_of(text)
        groups: list[list[str]] = []
        covered: list[tuple[int, int]] = []
        for rx, scope, ids in self.vocab.aliases:
            for m in rx.finditer(text):
                if any(s <= m.start() < e or s < m.end() <= e for s, e in covered):
                    continue
                if _CONTEXT_BEFORE.search(text[: m.start()]) or _CONTEXT_AFTER.search(text[m.end():]):
                    covered.append((m.start(), m.end()))
                    continue
                picked = self.vocab.scoped(ids, scope, region, text)
                if not picked:
                    continue
                covered.append((m.start(), m.end()))
                groups.append(picked)
        # a family named alongside one of its lines ("基础研究计划青年项目"): keep the specific line
        found: list[str] = []
        for g in groups:
            if any(set(h) < set(g) for h in groups):
                continue
            found.extend(i for i in g if i not in found)
        if not found:
            for fb in self.vocab.fallback:
                if region == fb.get("region") and re.search(fb["pattern"], text):
                    found = list(fb["ids"])
                    break
            else:
                return None, []
        if len(found) == 1:
            return found[0], found
        return None, found

    # ------------------------------------------------------------------ places
    _PROGRAMME_AFTER = re.compile(
        r"^(市|省)?(的)?(\d{4}年度?)?[“‘]?(重点研发|基础研究|前瞻|创新能力|政策引导|软科学|国际科技|港澳台科技|外国|高端外国"
        r"|科技成果转化|成果转化|科技计划|科技局|科技厅|专项|计划|市级|引进|重点国别|一带一路|双创|花果山)")
    _PARTNER_BEFORE = re.compile(r"(合作方|合作伙伴|外方|合作单位|合作机构|对方|合作国|与|和|同|跟|联合)[^"
        r"，,。；;]{0,6}$")
    _PARTNER_AFTER = re.compile(r"^[^，,。；;]{0,8}(合作|的合作|方|机构开展|伙伴)")
    _COMPANY_AFTER = re.compile(r"^(市|省)?(的)?[^，,。；;]{0,4}(企业|公司)")

    def _places(self, text: str, mentions: list[PlaceMention], facts: dict[str, Any]) -> None:
        own_city: str | None = None
        for m in mentions:
            before, after = text[: m.start], text[m.end:]
            place = m.place
            if place.kind in ("country", "region"):
                if re.search(r"(来自|是|为)$", before) and re.match(r"^(籍|国籍|人|专家)", after):
                    continue  # the talent's nationality, not a partner
                if place.kind == "country" and not negated(text, m.start):
                    facts.setdefault("partner_country", place.name)
                elif place.kind == "region" and not negated(text, m.start):
                    facts.setdefault("partner_region", place.name)
                continue
            if (self._PROGRAMME_AFTER.match(after) or self._names_programme(after)) and not re.search(
                    r"(注册|位于|在|落户)$", before):
                continue  # names the programme's notice, not the applicant
            if re.match(r"^(工作|来|参与)", after) or re.search(r"来$", before):
                continue  # 来连云港工作: the talent's move, not registration
            if self._PARTNER_BEFORE.search(before) and self._COMPANY_AFTER.match(after):
                city = self._city_of(place)
                if city:
                    facts.setdefault("enterprise_partner_city", city)
                facts.setdefault("has_enterprise_partner", True)
                continue
            if self._PARTNER_BEFORE.search(before[-3:]) and self._PARTNER_AFTER.match(after):
                continue
            if place.kind == "zone_word":
                zone = self.gaz.district(place.name, own_city or self._city_in(text))
                if zone is not None and "registered_district" not in facts:
                    facts["registered_district"] = zone.name
                continue
            if place.kind == "province":
                facts.setdefault("registered_province", place.name)
            elif place.kind == "city":
                if "registered_city" not in facts:
                    facts["registered_city"] = place.name
                    own_city = place.name
            elif place.kind == "district" and "registered_district" not in facts:
                if facts.get("registered_city") and facts["registered_city"] != place.city:
                    continue  # a district of another city than stated: do not contradict
                facts["registered_district"] = place.name
                facts.setdefault("registered_city", place.city)
        if "registered_district" in facts:
            district = self.gaz.district(facts["registered_district"])
            if district is not None:
                facts["registered_city"] = district.city
        if "registered_city" in facts:
            city_place = self.gaz.city(facts["registered_city"])
            if city_place is not None:
                # "上海…苏州": the finer place wins, the province follows it
                facts["registered_province"] = city_place.province
        if re.search(r"(在|于|本市|我市)?(境外|国外|海外)注册", text):
            facts.pop("registered_city", None)

    def _zone_by_programme(self, mentions: list[PlaceMention], programmes: list[str],
                           facts: dict[str, Any]) -> None:
        """"开发区的公司" with no city named: the city of the notice asked about (all candidates agree)."""
        if "registered_district" in facts or not programmes:
            return
        cities = {self.vocab.city_of(p) for p in programmes}
        if len(cities) != 1 or None in cities:
            return
        city = cities.pop()
        for m in mentions:
            if m.place.kind == "zone_word":
                zone = self.gaz.district(m.place.name, city)
                if zone is not None:
                    facts["registered_district"] = zone.name
                    facts["registered_city"] = zone.city
                    facts["registered_province"] = zone.province
                return

    @staticmethod
    def _names_programme(after: str) -> bool:
        """"连云港青年科技创新人才项目": the words up to the clause end name a programme, not a unit."""
        clause = re.split(r"[，,。；;？?！!]", after, maxsplit=1)[0][:16]
        if re.match(r"^(市|省|县|区)?(的)?(一家|一所|某)?[^，,。]{0,3}(企业|公司|高校|大学|单位|机构|研究|"
            r"医院|科研)", clause):
            return False
        return bool(re.search(r"(项目|计划|专项|指南)(吗|么|呢|$)", clause))

    def _city_of(self, place: Any) -> str | None:
        return place.city if place.kind in ("city", "district") else None

    def _city_in(self, text: str) -> str | None:
        for m in self.gaz.find(text):
            if m.place.kind in ("city", "district"):
                return m.place.city
        return None

    # ------------------------------------------------------------------ unit
    def _entity(self, text: str, facts: dict[str, Any]) -> None:
        subject = re.sub(r"(联合|合作|携手|和|与)[^，,。；;]{0,10}?(企业|公司|高校|大学|研究所|研究院)", "",
            text)
        subject = re.sub(r"(企业|公司)(参与|联合)", "", subject)
        subject = re.sub(r"(关联|依托|境外|海外|国外|外资|国际知名)(企业|公司|机构)", "", subject)
        subject = re.sub(r"(一流|著名)(高校|大学)", "", subject)
        best: tuple[int, str] | None = None
        for pattern, code in _ENTITY_WORDS:
            m = re.search(pattern, subject)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), code)
        if best is not None:
            facts["entity_type"] = best[1]
        name = re.search(r"(我们是|本单位是|我单位是|申报单位是|单位名称[是为:]?)([\u4e00-\u9fa5]{4,30}?"
                         r"(有限公司|研究中心|研究院|研究所|大学|学院))", text)
        if name and not re.match(r"^(一家|一所|一个|某)", name.group(2)):
            facts["organization_name"] = name.group(2)
        if re.search(r"分公司|分支机构|非独立法人|不具有?独立法人|不是独立法人|没有独立法人", text):
            facts["independent_legal_person"] = False
        elif re.search(r"独立法人", text) and not negated(text, text.index("独立法人")):
            facts["independent_legal_person"] = True

    @staticmethod
    def _role(text: str, facts: dict[str, Any]) -> None:
        if re.search(r"(作为|以)(参与|合作)(单位|方)|参与单位|不牵头|不作为牵头", text):
            facts["applicant_role"] = "partner"
        elif re.search(r"牵头", text) and not re.search(r"(企业|高校|大学|院所|机构)牵头的", text):
            m = re.search(r"牵头", text)
            if m and not negated(text, m.start()):
                facts["applicant_role"] = "lead"

    # ------------------------------------------------------------------ dates
    _DATE = re.compile(
        r"(?P<rel>今年|去年|前年)(?P<rm>\d{1,2})?月?|(?P<y>(19|20)\d{2})(?:年|[-/.])(?:(?P<m>\d{1,2})(?:月|[-/.]|(?=\D)|$)"
        r"(?:(?P<d>\d{1,2})[日号]?)?)?")

    def _date_value(self, m: re.Match[str]) -> str | None:
        if m.group("rel"):
            year = self.reference_year - {"今年": 0, "去年": 1, "前年": 2}[m.group("rel")]
            month = m.group("rm")
            return f"{year:04d}-{int(month):02d}" if month and 1 <= int(month) <= 12 else f"{year:04d}"
        year = int(m.group("y"))
        month, day = m.group("m"), m.group("d")
        if month and 1 <= int(month) <= 12:
            if day:
                try:
                    return dt.date(year, int(month), int(day)).isoformat()
                except ValueError:
                    return f"{year:04d}-{int(month):02d}"
            return f"{year:04d}-{int(month):02d}"
        return f"{year:04d}"

    def _dates(self, text: str, facts: dict[str, Any]) -> None:
        for m in self._DATE.finditer(text):
            after = text[m.end(): m.end() + 14]
            before = text[max(0, m.start() - 14): m.start()]
            if re.match(r"^(年度|年的|年版)",
                text[m.end() - 1:m.end() + 2]) and not re.search(r"注册|成立|出生|生", after[:4]):
                continue
            value = self._date_value(m)
            if value is None:
                continue
            if re.match(r"^(年)?(出生|生|后)", after) or re.search(r"(出生于|生于|出生在|出生日期[是为:]?)$",
                before):
                if re.match(r"^(年)?后", after) and m.group("y") and not m.group("m"):
                    facts.setdefault("born_from_year", int(m.group("y")))
                elif len(value) == 10:
                    facts.setdefault("birth_date", value)
                else:
                    facts.setdefault("birth_year", int(value[:4]))
                continue
            window = before[-8:] + "|" + after[:10]
            if re.search(r"境外|海外|国外", window) and re.search(r"并购|注册|成立|设立", window):
                facts.setdefault("overseas_institution_date", value)
                facts.setdefault("has_overseas_institution", True)
            elif re.search(r"(意向性?协议|签约|签订|签署)", window):
                facts.setdefault("agreement_date", value)
            elif re.search(self.vocab.arrival_cue, window):
                facts.setdefault("local_arrival_date", value)
            elif re.search(r"注册|成立|设立|创办|创立|登记", window):
                facts.setdefault("registered_date", value)
        # "90后" / "85后"
        m2 = re.search(r"(?<!\d)([5-9]\d|0\d)后", text)
        if m2 and "born_from_year" not in facts and "birth_year" not in facts:
            yy = int(m2.group(1))
            facts["born_from_year"] = (1900 if yy >= 50 else 2000) + yy

    # ------------------------------------------------------------------ person
    def _person(self, text: str, facts: dict[str, Any]) -> None:
        m = re.search(r"(今年|现年|年龄)?([一二三四五六七八九十两]{1,3}|\d{2})周?岁", text)
        if m and not re.search(r"(不超过|以下|以上|以内|不满)$", text[: m.start()]):
            age = _cn_number(m.group(2))
            if age is not None and 0 < age < 120 and not re.match(r"^(以下|以上|以内)", text[m.end():]):
                facts["age"] = int(age)
        if re.search(r"男(性|士|的|生)?(?!女)", text) and not re.search(r"女", text):
            facts["gender"] = "male"
        elif re.search(r"女(性|士|的|生|科研|博士|老师)?", text) and not re.search(r"男", text):
            facts["gender"] = "female"
        # degree
        dm = re.search(r"博士(学位|学历|研究生|毕业|后)?", text)
        if dm and not re.search(r"博士(生导师|点)", text[dm.start():dm.start() + 5]):
            if negated(text, dm.start()) or re.search(r"^[^，,。]{0,3}(在读|未毕业)", text[dm.end():]):
                facts["degree"] = "not_doctor"
            else:
                facts["degree"] = "doctor"
        if "degree" not in facts or facts["degree"] == "not_doctor":
            for pat, code in ((r"硕士|研究生", "master"), (r"本科|学士", "bachelor"), (r"大专|专科",
                "associate")):
                mm = re.search(pat, text)
                if mm and not negated(text, mm.start()):
                    facts["degree"] = code
                    break
        # professional title (the person's own; positions abroad are handled below)
        abroad = re.search(r"(国外|海外|境外|外国|国际知名|" + self._country_alt() + r")[^，,。；;]{0,14}(副教授|教授"
            r"|研究员|高级职务|中高级职务|高管|首席)", text)
        title_text = text.replace(abroad.group(0), "") if abroad else text
        tm = re.search(r"(正高|副高|高级(专业技术)?(职称|职务)|高级工程师|高工|副教授|教授|副研究员|研究员|"
            r"主任医师|高级经济师)",
                       title_text)
        if tm:
            facts["professional_title"] = "not_senior" if negated(title_text, tm.start()) else "senior"
        else:
            im = re.search(r"中级(职称)?|讲师|工程师|主治医师|助理研究员", title_text)
            if im and not negated(title_text, im.start()):
                facts["professional_title"] = "intermediate"
            elif re.search(r"初级(职称)?|助理工程师", title_text):
                facts["professional_title"] = "junior"
            elif re.search(r"(没有|无)(任何)?职称", title_text):
                facts["professional_title"] = "none"
        if abroad:
            facts["holds_senior_position_abroad"] = not negated(text, abroad.start())
        # nationality
        nm = re.search(r"外籍|外国籍|外国(专家|人|科学家|人才)|老外", text)
        if nm and not negated(text, nm.start(), 3):
            facts["nationality"] = "foreign"
        elif re.search(r"中国籍|中国公民|华人.{0,3}中国国籍", text):
            facts["nationality"] = "chinese"
        # talent programmes
        names = [m.group("name") for m in _TALENT.finditer(text)
                 if not re.match(r"^(任何|哪些|什么)", m.group("name"))]
        if names:
            neg = bool(re.search(r"(没有|没|未|尚未|还没有?|不曾)(入选|获评|获得)", text))
            facts["selected_talent_programmes"] = [] if neg else names
        elif re.search(r"(没有|未|尚未)入选(过)?(任何)?(人才计划|人才项目)", text):
            facts["selected_talent_programmes"] = []
        if re.search(r"全职[^，,。；;]{0,8}?(3|三)年", text):
            fm = re.search(r"全职", text)
            facts["full_time_3_years"] = not (fm and negated(text, fm.start(), 4))
        elif re.search(r"兼职|不能全职|无法全职", text):
            facts["full_time_3_years"] = False
        wm = re.search(r"工作许可", text)
        if wm:
            facts["has_work_permit"] = not negated(text, wm.start(), 8)
        if re.search(r"急需紧缺|突出成绩|破格", text):
            facts["exceptional_talent"] = True

    # ------------------------------------------------------------------ amounts
    @staticmethod
    def _wan(num: str, unit: str) -> float:
        value = float(num)
        return value * 10000 if unit.startswith("亿") else value

    def _amounts(self, text: str, facts: dict[str, Any]) -> None:
        for m in re.finditer(_NUM + r"(亿元|亿|万元|万)", text):
            value = self._wan(m.group(1), m.group(2))
            ctx = text[max(0, m.start() - 14): m.start()]
            if re.search(r"(销售收入|营收|营业收入|销售额|年收入|主营业务收入|产值)[^，,。]*$", ctx):
                facts.setdefault("annual_revenue_wan", value)
            elif re.search(r"(研发|总|项目)?投入[^，,。]*$|(研发|项目)(总)?(经费|预算)[^，,。]*$|总投资[^，"
                r",。]*$", ctx):
                facts.setdefault("rd_investment_wan", value)
        for m in re.finditer(_NUM + r"\s*(%|％|个百分点)", text):
            ctx = text[max(0, m.start() - 24): m.start()]
            value = float(m.group(1))
            if value > 100:
                continue
            if re.search(r"关联", ctx):
                facts.setdefault("related_party_revenue_share", value)
            elif re.search(r"科技服务|技术服务|研发服务", ctx):
                facts.setdefault("tech_service_revenue_share", value)
        sm = re.search(_NUM + r"(平方米|平米|㎡)", text)
        if sm:
            facts["rd_space_sqm"] = float(sm.group(1))
        hm = re.search(r"高层次(专职)?研发人员(及|和)高层管理人员(共|有|共有)?([一二两三四五六七八九十\d]+)("
                       r"人|名)", text)
        if hm and (n := _cn_number(hm.group(4))) is not None:
            facts["senior_staff_count"] = int(n)
        rm = re.search(r"(其中)?高层次研发人员(有|共|共有)?([一二两三四五六七八九十\d]+)(人|名)", text)
        if rm and (n := _cn_number(rm.group(3))) is not None:
            facts["senior_researcher_count"] = int(n)
        dm = re.search(r"(项目|周期|期限|计划|预计)[^，,。]{0,6}?([一二两三四五\d](?:\.\d)?)年(内|完成|时间)",
                       text)
        if dm and (n := _cn_number(dm.group(2))) is not None:
            facts["project_duration_years"] = n

    # ------------------------------------------------------------------ projects
    def _kinds(self, span: str) -> list[str]:
        kinds: list[str] = []
        rest = span
        for pat, code in _PROJECT_KINDS:
            m = re.search(pat, rest)
            if m:
                kinds.append(code)
                rest = rest[: m.start()] + "#" * (m.end() - m.start()) + rest[m.end():]
        return kinds

    # whose projects a clause speaks of: the project leader (a person) or the unit
    _LEADER_SUBJECT = re.compile(r"(项目)?负责人|本人|我(本人|个人|自己)|我(手上|手里|名下|手头)|^(手上|手里|手头|名下"
        r"|他|她)|我(主持|承担|有)")
    _UNIT_SUBJECT = re.compile(r"^(但|而且|并且|另外|同时)?(我们|我司|本单位|我单位|(本|我|我们)?(公司|企业|学校|高校|本校"
        r"|我校|我院|单位|院所))")
    _SPEAKER_LEADS = re.compile(r"(我|本人)[^，,。；;]{0,8}(作为|是|当|担任)(项目)?负责人|负责人是我|作为(项目)?负责人")

    def _subjects(self, text: str) -> list[tuple[str, str | None]]:
        """Clauses with the subject they speak of ("leader"/"unit"/None): a clause without a subject of its own
        inherits the previous one within the sentence ("负责人是在职博士（没有在研项目）")."""
        speaker_leads = bool(self._SPEAKER_LEADS.search(text))
        out: list[tuple[str, str | None]] = []
        for sentence in re.split(r"[。？?！!]", text):
            subject: str | None = None
            for clause in re.split(r"[，,；;(（]", sentence):
                head = clause[:8]
                if self._LEADER_SUBJECT.search(head) or (speaker_leads and re.match(
                        r"^(我|本人)(?!们|司|校|院|单位|公司)", clause)):
                    subject = "leader"
                elif self._UNIT_SUBJECT.search(head):
                    subject = "unit"
                out.append((clause, subject))
        return out

    def _projects(self, text: str, facts: dict[str, Any]) -> None:
        if re.search(r"(只|仅)(申?报|申请)(这|此|本)?(一|1)(个|项)", text):
            facts.setdefault("applying_same_year_other_programmes", [])
        for clause, subject in self._subjects(text):
            if "在研" in clause or re.search(r"(承担|主持)着|正在(承担|实施|执行)|尚未(验收|结题)|还没(验收"
                r"|结题)", clause):
                leader = subject == "leader" or bool(self._LEADER_SUBJECT.search(clause))
                key = "leader_ongoing_projects" if leader else "ongoing_projects"
                m = re.search(r"在研|承担|主持|正在|尚未|还没", clause)
                neg = bool(re.search(r"(没有|无|没|不存在|并无)[^，,。]{0,12}(在研|承担|主持)", clause)) or (
                    m is not None and negated(clause, m.start(), 4))
                if neg:
                    facts.setdefault(key, [])
                    continue
                kinds = self._kinds(clause)
                facts[key] = sorted(set(facts.get(key, [])) | set(kinds or ["other"]))
                continue
            if re.search(r"同时(申报|申请)|还(要|想|准备|打算)?(申报|申请)了?|也(申报|申请)了?|已(经)?(申报"
                r"|申请)了?", clause):
                m = re.search(r"同时(申报|申请)|还(要|想|准备|打算)?(申报|申请)|也(申报|申请)|已(经)?(申报|"
                    r"申请)", clause)
                if m is None:
                    continue
                tail = clause[m.end():]
                kinds = self._kinds(tail)
                if not kinds:
                    continue
                if negated(clause, m.start(), 4):
                    facts.setdefault("applying_same_year_other_programmes", [])
                else:
                    facts["applying_same_year_other_programmes"] = sorted(
                        set(facts.get("applying_same_year_other_programmes", [])) | set(kinds))
            elif re.search(r"(没有|未|不)(同时)?(申报|申请)(其他|别的)", clause) or (
                    re.search(_NOT_APPLYING, clause)
                    and self._kinds(clause)):
                facts.setdefault("applying_same_year_other_programmes", [])

    # ------------------------------------------------------------------ yes/no facts
    _FLAGS: ClassVar[list[tuple[str, str, int]]] = [
        ("has_local_demo_site", r"(应用示范地|技术应用单位|示范应用(单位|基地|场景))", 10),
        ("demo_in_partner_country", r"在(合作国|对方国家|当地|合作国家|该国)[^，,。]{0,6}(应用示范|示范应用)",
            6),
        ("filed_new_rd_institution",
            r"备案(的)?新型研发机构|新型研发机构[^，,。]{0,6}(已)?(通过|获得?)?[^，,。]{0,4}备案", 6),
        ("passed_rd_management_standard",
            r"(通过|完成)(了)?(省)?研发管理体系贯标|贯标[^，,。]{0,4}(通过|完成)", 6),
        ("is_tech_transfer_agency", r"(从事|做)[^，,。]{0,6}技术转移|技术转移(服务)?机构", 6),
        ("has_overseas_channels", r"(海外|国外|境外|国际)?合作渠道", 6),
        ("has_prior_year_transfer_business",
            r"(上年度?|去年)[^，,。]{0,10}(技术转移)[^，,。]{0,8}(收入|业务|投入)", 8),
        ("mixed_ownership", r"混合所有制|多元投资", 6),
        ("founder_qualified",
            r"(一流高校|科研机构|人才团队|央企|中央企业|国有企业|国企|世界500强)[^，,。]{0,10}(设立|组建|共"
                r"建|牵头成立)|联合组建|共建协议", 8),
        ("leader_is_employee", r"在职(人员|员工)?|缴纳社保|交社保", 8),
        ("leader_is_lab_member", r"(实验室|研究中心)[^，,。]{0,6}(骨干|负责人|主任|成员)", 6),
        ("partner_is_excluded_type",
            r"(自己|我们|本单位|我司|公司)(在境外|在海外)?(设立|开设)的|避税地|壳公司|(集团|母公司|子公司)("
                r"内部|之间|境外分支)|外资在境内", 6),
        ("received_provincial_new_rd_subsidy", r"(获得|拿到|享受)(过|了)?省级?[^，,。]{0,6}补助", 6),
        ("under_credit_penalty", r"失信[^，,。]{0,8}(处罚|惩戒)|(正在|在)[^，,。]{0,4}接受[^，,。]{0,6}处罚",
            6),
        ("has_basic_research_experience", r"(承担|主持|从事)(过)?[^，,。]{0,6}基础研究", 6),
        ("profitable", r"(持续|连续|一直)(实现)?盈利|盈利", 6),
    ]

    _PARTNER_WORD = r"(外方|合作方|合作单位|合作机构|合作伙伴|境外合作|对方)"
    _PARTNER_OWN = re.compile(
        _PARTNER_WORD + r"[^，,。；;]{0,8}(是|为)[^，,。；;]{0,14}(子公司|母公司|分公司|关联公司|分支机构|控股公司|壳公司"
        r"|设立的(企业|公司|机构|研发机构|研发中心))"
        r"|(我们|我司|本公司|我们公司|本单位|我单位|集团)[^，,。；;]{0,10}(境外|海外|国外|在[^，,。；;]{1,8})(设立|开设|成立|注册"
        r"|投资)的(子公司|分公司|分支机构|研发中心|研发机构)")
    _PARTNER_INDEPENDENT = re.compile(
        r"(没有|无|不存在|并无|没)(任何)?((股权|投资|控股|隶属|关联)(关系|关联)|股权)"
        r"|(不是|并非|不属于)[^，,。；;]{0,12}(设立的|子公司|母公司|分公司|分支机构|关联公司|壳公司)")

    _FUNDED = re.compile(r"(拿过|拿到过|获得过|获过|得到过|已获|已经获|曾获|立过项|获批过|获得了|拿到了)[^，,。；;]{0,12}"
        r"(市级|省级|国家级|市|省|国家)[^，,。；;]{0,10}(立项|支持|资助)"
        r"|(市级|省级|国家级)[^，,。；;]{0,8}(立过项|立项过|已立项)")

    def _project_history(self, text: str, facts: dict[str, Any]) -> None:
        """以前年度已获市级及以上立项 (the project, not the unit), and whether the unit operates normally."""
        m = self._FUNDED.search(text)
        if m:
            facts["project_previously_funded"] = not negated(text, m.start(), 6)
        m = re.search(r"(运营|经营|运转)(状况|情况)?(正常|良好)|正常(运营|经营|运转)", text)
        if m:
            facts["operating_normally"] = not negated(text, m.start(), 4)
        if re.search(r"停产|停业|歇业|经营异常|吊销|注销", text):
            facts["operating_normally"] = False

    def _partner_type(self, text: str, facts: dict[str, Any]) -> None:
        """境外合作方是否为申报单位自设/关联机构: stated ownership ties or their explicit absence."""
        if self._PARTNER_OWN.search(text):
            facts["partner_is_excluded_type"] = True
        elif self._PARTNER_INDEPENDENT.search(text) and "partner_is_excluded_type" not in facts:
            facts["partner_is_excluded_type"] = False

    _QUALIFICATIONS: ClassVar[list[tuple[str, str]]] = [
        (r"小巨人", "little_giant"), (r"单项冠军", "single_champion"), (r"专精特新", "specialized_sme"),
        (r"创新型中小企业", "innovative_sme"), (r"科技型中小企业|科小", "tech_sme"),
        (r"高新技术企业|高企", "high_tech_enterprise"), (r"外商投资企业|外资企业", "foreign_invested"),
        (r"在孵企业|孵化器(里|内)的?企业", "incubated"),
    ]
    _MEASURES: ClassVar[list[tuple[str, str]]] = [
        (r"研发(费用|经费|支出)", "rd_expense_wan"), (r"(营收|营业收入|销售收入|销售额|主营收入|主营业务收入)", "annual_revenue_wan"),
        (r"(注册资本|实缴)", "registered_capital_wan"), (r"(总资产|资产总额)", "total_assets_wan"),
        (r"产值", "output_value_wan"), (r"(设备原值|仪器设备)", "rd_equipment_value_wan"),
    ]

    def _general(self, text: str, facts: dict[str, Any]) -> None:
        """Facts of the general vocabulary: qualifications, amounts said loosely, counts, ratios, credit, tax."""
        held: list[str] = []
        not_held: list[str] = []
        rest = text
        for pattern, code in self._QUALIFICATIONS:
            m = re.search(pattern, rest)
            if not m:
                continue
            rest = rest[: m.start()] + "#" * (m.end() - m.start()) + rest[m.end():]
            if re.search(r"(能|可以|可否|能否|想|申报|申请|认定)[^，,。]{0,4}$", text[max(0, m.start() - 8):m.start()]) \
                    and not re.search(r"(已|已经|被)[^，,。]{0,6}$", text[max(0, m.start() - 10):m.start()]):
                continue  # the qualification asked for, not held
            if re.match(r"^[^，,。]{0,8}(持股|控股)", text[m.end():]):
                continue  # the company holding a stake in the applicant has it, not the applicant
            (not_held if negated(text, m.start(), 6) else held).append(code)
        if held:
            facts["qualifications_held"] = sorted(set(held))
        if not_held:
            facts["qualifications_not_held"] = sorted(set(not_held))
        for m in _AMOUNT.finditer(text):
            value = cn_amount_wan(m.group("num"), m.group("mid"), m.group("big"))
            if value is None:
                continue
            ctx = re.split(r"[，,。；;]", text[max(0, m.start() - 14): m.start()])[-1]
            for pattern, fact in self._MEASURES:
                if re.search(pattern, ctx):
                    if fact != "annual_revenue_wan" or "annual_revenue_wan" not in facts or m.group("more") \
                            or not re.fullmatch(r"\d+(\.\d+)?", m.group("num")):
                        facts[fact] = value
                    break
        for m in re.finditer(r"(\d+|[一二两三四五六七八九十]+)(项|件|个)(授权)?(的)?发明专利", text):
            n = _cn_number(m.group(1))
            if n is not None and not negated(text, m.start(), 4):
                facts["invention_patent_count"] = int(n)
        m = re.search(r"(研发|专职研发|科研)人员(有|共|共有)?(\d+|[一二两三四五六七八九十]+)(多)?(人|名|个)", text)
        if m and (n := _cn_number(m.group(3))) is not None:
            facts["rd_staff_count"] = int(n)
        m = re.search(r"(员工|职工|从业人员)(有|共|共有)?(\d+|[一二两三四五六七八九十]+)(多)?(人|名|个)", text)
        if m and (n := _cn_number(m.group(3))) is not None:
            facts["employee_count"] = int(n)
        m = re.search(r"(研发投入强度|研发(费用|投入)占[^，,。]{0,8}(比重|比例)?)[^，,。\d]{0,6}(\d+(?:\.\d+)?)\s*%", text)
        if m:
            facts["rd_expense_ratio"] = float(m.group(4))
        # credit
        m = re.search(r"失信", text)
        if m:
            facts["dishonest_listed"] = not (negated(text, m.start(), 8) or re.search(r"(没有|无|未)[^，,。]{0,8}失信", text))
        m = re.search(r"(偷税|漏税|行政处罚|违法违规|严重违法|不良记录)", text)
        if m:
            facts["serious_violation"] = not (negated(text, m.start(), 8)
                                              or re.search(r"(没有|无|未)[^，,。]{0,10}(违法|不良记录|处罚)", text))
        m = re.search(r"(安全|质量|环境)(生产)?事故", text)
        if m:
            facts["major_accident"] = not negated(text, m.start(), 10)
        # tax place: "注册、纳税都在雄县" / "在容城纳税"
        m = re.search(r"纳税[^，,。]{0,4}在([\u4e00-\u9fa5]{2,6})|在([\u4e00-\u9fa5]{2,6}?)(注册)?[、和及]?纳税", text)
        if m:
            place = self.gaz.resolve((m.group(1) or m.group(2) or "").rstrip("都也"))
            if place is not None:
                facts["tax_place"] = place.name
        elif re.search(r"注册纳税|注册和纳税|注册、纳税", text):
            own = facts.get("registered_district") or facts.get("registered_city")
            if own:
                facts["tax_place"] = own

    def _recognitions_and_equipment(self, text: str, facts: dict[str, Any]) -> None:
        """Recognitions held by name, control by a recognised company, recent penalties, the products made,
        and the project equipment's purchase date and use."""
        names = [m.group(3) for m in re.finditer(
            r"(已|已经)?(被)?(?:认定为|评为|获评|入选(?:了)?)([^，,。；;？?]{3,24}?)(了|的|，|,|。|；|$)", text)
            if not negated(text, m.start(), 6) and (m.group(1) or m.group(2))]
        names = [re.sub(r"(企业|单位|机构)?(了)?$", "", n) or n for n in names]
        if names:
            facts["recognitions"] = names
        m = re.search(r"被[^，,。]{0,24}(小巨人|专精特新|冠军|高新技术|上市)[^，,。]{0,12}(持股|控股)\s*(\d+(?:\.\d+)?)?\s*%?", text)
        if m:
            share = float(m.group(3)) if m.group(3) else None
            facts["related_to_recognized_enterprise"] = share is None or share > 50
        elif re.search(r"(没有|无|不存在)[^，,。]{0,6}控股关系", text):
            facts["related_to_recognized_enterprise"] = False
        m = re.search(r"(20\d{2}|去年|前年|今年)年?[^，,。；]{0,12}(偷税|漏税|逃税|走私|税务|海关)[^，,。；]{0,12}(处罚|罚款)", text)
        if m:
            year = {"今年": 0, "去年": 1, "前年": 2}.get(m.group(1))
            y = self.reference_year - year if year is not None else int(m.group(1))
            facts["recent_administrative_penalty"] = self.reference_year - y <= 3
        elif re.search(r"(没有|无|未)[^，,。]{0,8}(行政处罚|税务处罚|海关处罚)", text):
            facts["recent_administrative_penalty"] = False
        m = re.search(r"(设备|机器人|软硬件)[^，,。；]{0,10}(是|于|在)?(20\d{2})年(\d{1,2})月(份)?[^，,。；]{0,4}(买|购|采购|购置)", text) \
            or re.search(r"(20\d{2})年(\d{1,2})月[^，,。；]{0,20}(买|购买|采购|购置)了?[^，,。；]{0,16}(设备|机器人)", text)
        if m:
            yr, mo = (m.group(3), m.group(4)) if m.re.pattern.startswith("(设备") else (m.group(1), m.group(2))
            if 1 <= int(mo) <= 12:
                facts["equipment_purchase_date"] = f"{yr}-{int(mo):02d}"
        m = re.search(r"(已经|已)(用起来|投入使用|投入运行|投产|在用)|用起来了", text)
        if m:
            facts["equipment_in_use"] = not negated(text, m.start(), 4)
        elif re.search(r"(还没|尚未|未)(投入使用|用起来|投产)", text):
            facts["equipment_in_use"] = False
        # hiring: "2022年8月新招了2名安新县户籍的员工，签了1年劳动合同"
        m = re.search(r"(20\d{2})年(\d{1,2})月[^，,。；]{0,12}(招|招用|招聘|聘用|录用)", text)
        if m and 1 <= int(m.group(2)) <= 12:
            facts["hire_date"] = f"{m.group(1)}-{int(m.group(2)):02d}"
        m = re.search(r"([\u4e00-\u9fa5]{2,6}?)(户籍|户口)", text)
        if m and not negated(text, m.start(), 4):
            place = self.gaz.resolve(re.sub(r"^(名|个|位|都是|是)", "", m.group(1)))
            if place is not None:
                facts["hire_hukou_place"] = place.name
        m = re.search(r"签(了|订了?)?([\d一二两三四五六七八九十]+)(个)?(年|月)(期|的)?(限)?(的)?(劳动)?合同", text)
        if m and (n := _cn_number(m.group(2))) is not None:
            facts["labour_contract_months"] = n * 12 if m.group(4) == "年" else n
        m = re.search(r"(20\d{2})年(\d{1,2})月[^，,。；]{0,16}(提款|放款|贷款|借款)", text)
        if m and 1 <= int(m.group(2)) <= 12:
            facts["loan_date"] = f"{m.group(1)}-{int(m.group(2)):02d}"
        m = re.search(r"(正常|依法|按时|按期)纳税", text)
        if m:
            facts["tax_compliant"] = not negated(text, m.start(), 4)
        m = re.search(r"(做|生产|经营|从事)([\u4e00-\u9fa5]{2,8}?)(的)(厂子|企业|公司|工厂|厂)", text)
        if m and "industry" not in facts:
            facts["industry"] = m.group(2)

    def _country_alt(self) -> str:
        names = [n for n in self.gaz.countries if len(n) >= 2]
        return "|".join(sorted(map(re.escape, names), key=len, reverse=True))

    def _flags(self, text: str, facts: dict[str, Any]) -> None:
        self._partner_type(text, facts)
        self._project_history(text, facts)
        for name, pattern, window in self._FLAGS:
            m = re.search(pattern, text)
            if m is None or (name == "partner_is_excluded_type" and name in facts):
                continue
            neg = negated(text, m.start(), window) or bool(re.search(r"^[^，,。]{0,2}(未|没|不)",
                text[m.end():]))
            if name == "profitable" and re.search(r"亏损|不盈利|没有盈利|未盈利", text):
                neg = True
            if name in ("partner_is_excluded_type",) and re.search(r"不是|并非|不属于", text[max(0,
                m.start() - 10):m.start()]):
                neg = True
            facts[name] = not neg
        if re.search(r"亏损", text) and "profitable" not in facts:
            facts["profitable"] = False
        # patents
        pm = re.search(r"(授权)?(的)?发明专利", text)
        if pm:
            whole = text[max(0, pm.start() - 12): pm.end() + 8]
            pending = re.search(r"(申请中|正在申请|在申请|还在审|尚未授权|未授权|只是申请|受理)", whole)
            no = negated(text, pm.start(), 8) or bool(pending)
            recent = re.search(r"近(三|3)年|最近(三|3)年|三年内|3年内", text[max(0,
                pm.start() - 16): pm.end()])
            if no:
                facts["has_granted_invention_patent"] = False if not recent else facts.get(
                    "has_granted_invention_patent")
                if recent or not re.search(r"以前|早年|之前", text):
                    facts["has_granted_invention_patent_3y"] = False
                if facts.get("has_granted_invention_patent") is None:
                    facts.pop("has_granted_invention_patent", None)
            else:
                facts["has_granted_invention_patent"] = True
                facts["has_own_ip"] = True
                if recent:
                    facts["has_granted_invention_patent_3y"] = True
                elif re.search(r"(19|20)\d{2}年", text[max(0, pm.start() - 12): pm.start()]):
                    ym = re.findall(r"((?:19|20)\d{2})年", text[max(0, pm.start() - 12): pm.start()])
                    if ym:
                        facts["has_granted_invention_patent_3y"] = int(ym[-1]) >= self.reference_year - 3
        um = re.search(r"实用新型|外观设计", text)
        if um and "has_granted_invention_patent" not in facts and re.search(r"只有|仅有|只拿到|仅",
            text[max(0, um.start() - 6):um.start()]):
            facts["has_granted_invention_patent"] = False
            facts["has_granted_invention_patent_3y"] = False
        im = re.search(r"(有效|授权)?(的)?专利|自主知识产权|软件著作权|软著", text)
        if im and "has_own_ip" not in facts:
            if negated(text, im.start(), 8):
                if not re.search(r"发明专利", text[im.start():im.end() + 2]):
                    facts["has_own_ip"] = False
            elif not re.search(r"申请中|正在申请", text[im.start(): im.end() + 8]):
                facts["has_own_ip"] = True
        # labs
        for m in re.finditer(r"(全国|国家|省级?|江苏省|市级?)重点实验室", text):
            level = "national" if m.group(1) in ("全国",
                "国家") else "provincial" if "省" in m.group(1) else "none"
            if negated(text, m.start(), 6):
                facts.setdefault("key_lab_level", "none")
            else:
                facts["key_lab_level"] = level if facts.get("key_lab_level") != "national" else "national"
        if re.search(r"(没有|无|未建)(任何)?(重点)?实验室", text):
            facts.setdefault("key_lab_level", "none")
        m = re.search(r"国际联合(研究中心|实验室)|联合实验室", text)
        if m:
            ctx = text[max(0, m.start() - 16): m.start()]
            if negated(text, m.start(), 8):
                facts["intl_joint_lab_level"] = "none"
            elif re.search(r"科技部|国家|部委|教育部", ctx):
                facts["intl_joint_lab_level"] = "national"
            elif re.search(r"省", ctx):
                facts["intl_joint_lab_level"] = "provincial"
        # enterprise partner
        if "has_enterprise_partner" not in facts:
            m = re.search(r"(联合|携手|合作)(了)?[^，,。]{0,8}(企业|公司)|企业(实质性)?参与", text)
            if m:
                facts["has_enterprise_partner"] = not negated(text, m.start(), 6)
        # belt and road partner
        m = re.search(r"(一带一路)(共建)?(国家|沿线|合作文件)", text)
        if m and re.search(r"(合作|外方|对方|伙伴|所在|是|属于|签)", text[max(0, m.start() - 12): m.start()]):
            facts["partner_belt_road_country"] = not negated(text, m.start(), 10)
        # offshore institution
        om = re.search(r"(境外|海外|国外)[^，,。]{0,10}(研发机构|研发中心|孵化器|孵化机构)", text)
        if om:
            facts["offshore_institution_type"] = "incubator" if "孵化" in om.group(0) else "rd_institution"
            if re.search(r"(设立|注册|并购|收购|成立|建)(了|有)", text) or re.search(r"已", om.group(0)):
                facts.setdefault("has_overseas_institution", not negated(text, om.start(), 6))
        if re.search(r"(控股|支配权)", text):
            cm = re.search(r"控股|支配权", text)
            facts["controls_overseas_incubator"] = not (cm and negated(text, cm.start(), 6))
