"""Named conditions: the small functions eligibility rules call, with their parameters from the rule YAML.

Every condition takes the applicant profile and keyword parameters (thresholds, dates, lists — data from
``rules/*.yaml``) and answers with three values: ``True`` (met), ``False`` (not met) or ``None`` (unknown:
a needed fact is missing, or the notice leaves the case open). A missing fact is never read as false.
Each docstring restates the kind of clause the condition encodes; the rule carries the exact quote.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from assistant.eligibility.gazetteer import load_gazetteer
from assistant.eligibility.profile import ApplicantProfile, period_bounds
from assistant.errors import RuleError

Outcome = bool | None
Condition = Callable[..., Outcome]

#: name → function; filled by the :func:`condition` decorator.
CONDITIONS: dict[str, Condition] = {}


def condition(func: Condition) -> Condition:
    """Register a condition under its function name."""
    CONDITIONS[func.__name__] = func
    return func


def get_condition(name: str) -> Condition:
    """The condition called ``name``.

    Raises:
        RuleError: no such condition (a typo in a rule file).
    """
    try:
        return CONDITIONS[name]
    except KeyError:
        names = "、".join(sorted(CONDITIONS))
        raise RuleError(f"规则引用了不存在的条件函数 {name!r}；可用：{names}。") from None


def _date(value: str | dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _all_or_none(values: Iterable[Outcome]) -> Outcome:
    """Three-valued AND: False if any is False, None if any is unknown, else True."""
    vals = list(values)
    if any(v is False for v in vals):
        return False
    if any(v is None for v in vals):
        return None
    return True


def _any_or_none(values: Iterable[Outcome]) -> Outcome:
    """Three-valued OR: True if any is True, None if any is unknown, else False."""
    vals = list(values)
    if any(v is True for v in vals):
        return True
    if any(v is None for v in vals):
        return None
    return False


# --------------------------------------------------------------------------- generic facts
@condition
def is_true(p: ApplicantProfile, *, fact: str) -> Outcome:
    """The clause requires the stated yes/no fact to hold (e.g. 具有独立法人资格)."""
    value = getattr(p, fact)
    return None if value is None else bool(value)


@condition
def is_false(p: ApplicantProfile, *, fact: str) -> Outcome:
    """The clause bars applicants for whom the yes/no fact holds (e.g. 正在接受失信处罚的不得申报)."""
    value = getattr(p, fact)
    return None if value is None else not value


@condition
def any_true(p: ApplicantProfile, *, facts: list[str]) -> Outcome:
    """The clause is met by any one of several yes/no facts (符合下列条件之一)."""
    return _any_or_none(None if getattr(p, f) is None else bool(getattr(p, f)) for f in facts)


@condition
def value_in(p: ApplicantProfile, *, fact: str, allowed: list[str], excluded: list[str] | None = None,
             open_list: bool = False) -> Outcome:
    """The fact must be one of the listed values (以高校、科研机构和企业为主体申报).

    With ``open_list`` the notice's list ends in 等 (…等独立法人单位): listed values meet it, ``excluded``
    values fail it, and any other value is left open (to confirm with the notice's contact).
    """
    value = getattr(p, fact)
    if value is None:
        return None
    if value in allowed:
        return True
    if open_list and value not in (excluded or []):
        return None
    return False


@condition
def value_not_in(p: ApplicantProfile, *, fact: str, excluded: list[str]) -> Outcome:
    """The fact must not be one of the listed values (合作国别不包括以色列、芬兰…)."""
    value = getattr(p, fact)
    return None if value is None else value not in excluded


@condition
def name_is(p: ApplicantProfile, *, fact: str, names: list[str]) -> Outcome:
    """A named applicant only (申报主体为江苏中科能源动力研究中心); compared ignoring spaces."""
    value = getattr(p, fact)
    if value is None:
        return None
    norm = "".join(str(value).split())
    return any(n in norm or norm in n for n in names) if len(norm) >= 4 else None


# --------------------------------------------------------------------------- numbers
@condition
def amount_strictly_above(p: ApplicantProfile, *, fact: str, threshold: float) -> Outcome:
    """不少于X万元（不含） / 超过X: the amount must be strictly greater than the threshold."""
    value = getattr(p, fact)
    return None if value is None else float(value) > threshold


@condition
def at_least(p: ApplicantProfile, *, fact: str, threshold: float) -> Outcome:
    """不少于 / 不低于 / 以上 (inclusive): the number must be at least the threshold."""
    value = getattr(p, fact)
    return None if value is None else float(value) >= threshold


@condition
def at_most(p: ApplicantProfile, *, fact: str, threshold: float) -> Outcome:
    """不超过 / 以内 (inclusive): the number must not exceed the threshold."""
    value = getattr(p, fact)
    return None if value is None else float(value) <= threshold


# --------------------------------------------------------------------------- dates
def _on_or_before(bounds: tuple[dt.date, dt.date] | None, last_ok: dt.date) -> Outcome:
    if bounds is None:
        return None
    start, end = bounds
    if end <= last_ok:
        return True
    if start > last_ok:
        return False
    return None  # a month or year straddling the limit


def _on_or_after(bounds: tuple[dt.date, dt.date] | None, first_ok: dt.date) -> Outcome:
    if bounds is None:
        return None
    start, end = bounds
    if start >= first_ok:
        return True
    if end < first_ok:
        return False
    return None


@condition
def date_before(p: ApplicantProfile, *, fact: str, date: str, inclusive: bool = False) -> Outcome:
    """在…前注册 / 须于…前完成: the dated event must fall before the date (on it too when ``inclusive``).

    A fact known only to the month or year is decided when the whole period lies on one side.
    """
    limit = _date(date)
    last_ok = limit if inclusive else limit - dt.timedelta(days=1)
    return _on_or_before(period_bounds(getattr(p, fact)), last_ok)


@condition
def date_on_or_after(p: ApplicantProfile, *, fact: str, date: str) -> Outcome:
    """…（含）以后 / …以后: the dated event must fall on or after the date."""
    return _on_or_after(period_bounds(getattr(p, fact)), _date(date))


@condition
def any_date_on_or_after(p: ApplicantProfile, *, dates: dict[str, str]) -> Outcome:
    """Either dated event qualifies (2023年1月1日以后来我市工作或2024年1月1日以后签订意向性协议)."""
    return _any_or_none(_on_or_after(period_bounds(getattr(p, f)), _date(d)) for f, d in dates.items())


def birth_bounds(p: ApplicantProfile, reference_year: int) -> tuple[dt.date, dt.date] | None:
    """The earliest and latest birth date the profile allows (date, year, "90后", or age in the year)."""
    if p.birth_date is not None:
        return p.birth_date, p.birth_date
    if p.birth_year is not None:
        return dt.date(p.birth_year, 1, 1), dt.date(p.birth_year, 12, 31)
    if p.age is not None:
        # aged N at some day of the reference year: born after 1 Jan (Y-N-1), on or before 31 Dec (Y-N)
        return dt.date(reference_year - p.age - 1, 1, 2), dt.date(reference_year - p.age, 12, 31)
    if p.born_from_year is not None:
        return dt.date(p.born_from_year, 1, 1), dt.date(9999, 12, 31)
    return None


@condition
def born_on_or_after_by_gender(p: ApplicantProfile, *, thresholds: dict[str, str],
                               reference_year: int) -> Outcome:
    """男性…（X年1月1日（含）以后出生），女性…（Y年1月1日（含）以后出生): the birth-date limit per gender.

    With the gender unknown the clause is still decided when the birth date meets (or fails) both limits.
    """
    bounds = birth_bounds(p, reference_year)
    if bounds is None:
        return None
    if p.gender is not None:
        if p.gender not in thresholds:
            return None
        return _on_or_after(bounds, _date(thresholds[p.gender]))
    outcomes = {_on_or_after(bounds, _date(d)) for d in thresholds.values()}
    return outcomes.pop() if len(outcomes) == 1 else None


# --------------------------------------------------------------------------- qualifications
@condition
def degree_or_title(p: ApplicantProfile, *, degrees: list[str], titles: list[str]) -> Outcome:
    """具有博士学位或高级专业技术职务（职称）: either qualification suffices."""
    by_degree = None if p.degree is None else p.degree in degrees
    by_title = None if p.professional_title is None else p.professional_title in titles
    return _any_or_none([by_degree, by_title])


@condition
def lab_qualified(p: ApplicantProfile, *, intl_lab_levels: list[str], key_lab_levels: list[str]) -> Outcome:
    """须符合下列条件之一：认定的国际联合研究中心/联合实验室；拥有国家或省重点实验室."""
    by_intl = None if p.intl_joint_lab_level is None else p.intl_joint_lab_level in intl_lab_levels
    by_key = None if p.key_lab_level is None else p.key_lab_level in key_lab_levels
    return _any_or_none([by_intl, by_key])


_NAME_NOISE = re.compile(r"[“”\"'‘’《》（）()\s]|人选$|人才$")


def _programme_core(name: str) -> str:
    """A talent programme's name without quotes, a leading place name and the trailing 计划/工程."""
    text = _NAME_NOISE.sub("", name)
    mentions = load_gazetteer().find(text)
    if mentions and mentions[0].start == 0:
        text = text[mentions[0].end:]
    text = re.sub(r"^(省|市|县|区|新区)", "", text)
    return re.sub(r"(计划|工程|项目)$", "", text)


def _same_programme(a: str, b: str) -> bool:
    ca, cb = _programme_core(a), _programme_core(b)
    return len(ca) >= 2 and len(cb) >= 2 and (ca in cb or cb in ca)


@condition
def no_talent_programme(p: ApplicantProfile, *, barred: list[str]) -> Outcome:
    """已入选X计划或Y计划的人选不得申报: the named talent programmes (by name, ignoring place and quotes) bar."""
    if p.selected_talent_programmes is None:
        return None
    return not any(_same_programme(held, b) for held in p.selected_talent_programmes for b in barred)


@condition
def holds_qualification(p: ApplicantProfile, *, kinds: list[str]) -> Outcome:
    """须为高新技术企业 / 通过创新型中小企业评定: any one of the listed qualifications meets the clause.

    Unknown unless the applicant said it holds one, or said it holds none of them.
    """
    held = set(p.qualifications_held or [])
    if held & set(kinds):
        return True
    if p.qualifications_not_held is not None and set(kinds) <= set(p.qualifications_not_held):
        return False
    return None


@condition
def lacks_qualification(p: ApplicantProfile, *, kinds: list[str]) -> Outcome:
    """已认定为X的企业不再推荐 / 不得申报: holding any listed qualification bars."""
    if set(p.qualifications_held or []) & set(kinds):
        return False
    if p.qualifications_not_held is not None and set(kinds) <= set(p.qualifications_not_held):
        return True
    return None


def _recognition_core(name: str) -> str:
    """A recognition's name without level, region, quotes and generic words (省级“专精特新”中小企业 → 专精特新中小企业)."""
    core = re.sub(r"[\s“”\"'《》（）()、，,]", "", name)
    core = re.sub(r"^(已被|已)?(认定为|获评|入选|成为)?", "", core)
    core = re.sub(r"(国家级|省级|市级|河北省|国家|全国|[\u4e00-\u9fa5]{2,3}省|[\u4e00-\u9fa5]{2,3}市)", "", core)
    return re.sub(r"(企业|单位|机构|称号)$", "", core)


@condition
def holds_recognition(p: ApplicantProfile, *, names: list[str], level: str | None = None) -> Outcome:
    """已被认定为X的（单位）: the applicant holds a recognition named like one listed (level and place aside).

    Unknown unless the applicant named recognitions it holds; naming others does not rule it out (None).
    """
    if not p.recognitions:
        return None
    wanted = [_recognition_core(n) for n in names if _recognition_core(n)]
    for held in p.recognitions:
        h = _recognition_core(held)
        if h and any(len(min(h, w, key=len)) >= 3 and (w in h or h in w) for w in wanted):
            if level and level not in held and re.search(r"国家级|省级|市级", held):
                continue
            return True
    return None


@condition
def text_matches_any(p: ApplicantProfile, *, fact: str, keywords: list[str], open_list: bool = False) -> Outcome:
    """属于X、Y、Z等领域 / 产品在A、B范围内: the stated field must name one of the listed ones.

    A field naming none of them fails a closed list and is left open for a list ending in 等.
    """
    value = getattr(p, fact)
    if value is None:
        return None
    text = "".join(str(value).split())
    if any(k and (k in text or text in k) for k in keywords):
        return True
    return None if open_list else False


@condition
def years_since_at_least(p: ApplicantProfile, *, fact: str, years: float, as_of: str) -> Outcome:
    """成立满N年 / 注册时间N年以上: the dated event lies at least ``years`` before ``as_of``."""
    bounds = period_bounds(getattr(p, fact))
    if bounds is None:
        return None
    ref = _date(as_of)
    whole, frac = int(years), years - int(years)
    try:
        last_ok = ref.replace(year=ref.year - whole)
    except ValueError:  # 29 Feb
        last_ok = ref.replace(year=ref.year - whole, day=28)
    last_ok -= dt.timedelta(days=round(frac * 365))
    return _on_or_before(bounds, last_ok)


@condition
def not_holding(p: ApplicantProfile, *, fact: str, kinds: list[str]) -> Outcome:
    """有在研…项目的企业不得申报 / 同一企业不得同时申报…: the listed project kinds are barred.

    An unspecified project (``other``) leaves the clause open: it may or may not be of a barred kind.
    """
    held = getattr(p, fact)
    if held is None:
        return None
    if set(held) & set(kinds):
        return False
    if "other" in held:
        return None
    return True


@condition
def holding_nothing(p: ApplicantProfile, *, fact: str) -> Outcome:
    """在研项目负责人不得牵头申报项目: any ongoing project bars."""
    held = getattr(p, fact)
    return None if held is None else not held


# --------------------------------------------------------------------------- places
def _district_place(p: ApplicantProfile) -> Any:
    return load_gazetteer().district(p.registered_district, p.registered_city)


def _in_area(place: Any, area: str, excluded: list[str] | None) -> Outcome:
    if place is None:
        return None
    gaz = load_gazetteer()
    for name in excluded or []:
        if gaz.within(place, name) is True:
            return False
    outcome = gaz.within(place, area)
    if outcome is True and excluded and any(gaz.within(place, n) is None for n in excluded):
        return None  # a wider unit that holds an excluded part: cannot tell
    return outcome


@condition
def registered_in_area(p: ApplicantProfile, *, area: str, excluded: list[str] | None = None) -> Outcome:
    """在X（省、市、新区、区县、园区）注册 / X辖区内注册: the registration place must lie inside the area.

    The area is a gazetteer place or group (雄安新区三县); the applicant's place may be given at any level. A
    wider place holding the area (河北省 for 雄安新区) leaves the clause open; places in ``excluded`` fail.
    """
    return _in_area(p.place_of("registered"), area, excluded)


@condition
def place_in_area(p: ApplicantProfile, *, fact: str, area: str, excluded: list[str] | None = None) -> Outcome:
    """在X纳税 / 统计关系在X: the named place fact (tax_place, statistics_place) must lie inside the area."""
    return _in_area(p.place_of(fact), area, excluded)


@condition
def registered_in_province(p: ApplicantProfile, *, province: str) -> Outcome:
    """在江苏省注册 / 江苏省内…单位: the registration province (from a city or district too)."""
    if p.registered_province is not None:
        return p.registered_province == province
    return None


@condition
def registered_in_city(p: ApplicantProfile, *, city: str) -> Outcome:
    """在我市注册 / 南通市境内注册: any district, county or zone of the city counts."""
    if p.registered_city is not None:
        return p.registered_city == city
    if p.registered_province is not None and p.registered_province != load_gazetteer().cities[city].province:
        return False
    return None


@condition
def registered_in_city_districts_excluding(p: ApplicantProfile, *, city: str, excluded: list[str],
                                           admin_kinds: list[str]) -> Outcome:
    """在市辖区（不含赣榆区）内注册: a 市辖区 or functional zone of the city, not an excluded district.

    Counties (县) are not 市辖区; a district named in ``excluded`` fails by name.
    """
    inside = registered_in_city(p, city=city)
    if inside is not True:
        return inside
    place = _district_place(p)
    if place is None:
        return None
    if place.name in excluded:
        return False
    return place.admin in admin_kinds


@condition
def registered_in_city_urban_area(p: ApplicantProfile, *, city: str) -> Outcome:
    """在X市市区注册, 市区 left undefined by the notice: the city's 市辖区 and functional zones meet it; counties,
    county-level cities and districts that were counties until recently are left open (confirm with the contact)."""
    inside = registered_in_area(p, area=city)
    if inside is not True:
        return inside
    place = _district_place(p)
    if place is None:
        return None
    if place.admin == "zone" or (place.admin == "district" and not place.former_county):
        return True
    return None


@condition
def partner_company_in(p: ApplicantProfile, *, area: str) -> Outcome:
    """须联合至少1家X（市、省）企业参与: an enterprise partner registered inside the area."""
    if p.has_enterprise_partner is False:
        return False
    if p.has_enterprise_partner is None:
        return None
    if p.enterprise_partner_city is None:
        return None
    gaz = load_gazetteer()
    place = gaz.resolve(p.enterprise_partner_city)
    return None if place is None else gaz.within(place, area)


@condition
def partner_country_in(p: ApplicantProfile, *, listed: list[str], open_list: bool = False) -> Outcome:
    """落实我省与以色列、芬兰…等国…签署的协议: a partner in a listed country (港澳台 is not a country)."""
    if p.partner_country is None:
        return False if p.partner_region is not None else None
    if p.partner_country in listed:
        return True
    return None if open_list else False


@condition
def partner_is_foreign_country(p: ApplicantProfile) -> Outcome:
    """面向…国家: the partner must be abroad; 港澳台 has a programme line of its own."""
    if p.partner_country is not None:
        return True
    if p.partner_region is not None:
        return False
    return None


@condition
def partner_in_hmt(p: ApplicantProfile) -> Outcome:
    """面向港澳台地区: the partner must be in Hong Kong, Macao or Taiwan."""
    if p.partner_region is not None:
        return True
    if p.partner_country is not None:
        return False
    return None


@condition
def partner_belt_road(p: ApplicantProfile) -> Outcome:
    """主要外方合作机构所在国家应为“一带一路”共建国家: as the applicant states it (the notice points to the
    official list; membership is never guessed from the country name). 港澳台 is not a country."""
    if p.partner_belt_road_country is not None:
        return p.partner_belt_road_country
    if p.partner_region is not None and p.partner_country is None:
        return False
    return None
