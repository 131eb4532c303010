"""Place names: provinces, cities and new areas, districts, counties and zones, countries, 港澳台.

The data lives in ``gazetteer.yaml`` (source: ``shared/domain.md``); this module loads it once and answers
two kinds of question: *what is the canonical name of this place* (used by the applicant profile) and
*which places does this text mention, where* (used by the fact extractor).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from assistant import yamlio
from assistant.errors import RuleError

GAZETTEER_PATH = Path(__file__).resolve().parent / "gazetteer.yaml"

PlaceKind = Literal["province", "city", "district", "zone_word", "country", "region"]
JIANGSU = "江苏省"


@dataclass(frozen=True)
class Place:
    """One gazetteer entry.

    Attributes:
        name: canonical name (``赣榆区``, ``连云港市``, ``新加坡``; for regions the code ``hong_kong`` …).
        kind: province / city / district (any unit below a city) / zone_word (an ambiguous zone word such as
            ``开发区``) / country / region (港澳台).
        city: the city a district belongs to (``连云港市``), or the city itself.
        province: the province of a city or district.
        admin: for districts, the administrative kind: district (市辖区), county (县), county_city (县级市),
            zone (功能板块).
        label: display name (Chinese) — differs from ``name`` for regions only.
        parent: for a zone lying inside a county or district (容东片区 → 容城县), that unit.
        former_county: a 市辖区 that was a county until recently (whether an undefined 市区 includes it is open).
    """

    name: str
    kind: PlaceKind
    city: str | None = None
    province: str | None = None
    admin: str | None = None
    label: str = ""
    parent: str | None = None
    former_county: bool = False


@dataclass(frozen=True)
class PlaceMention:
    """A place found in a text: the entry, the surface string and its character span."""

    place: Place
    surface: str
    start: int
    end: int


class Gazetteer:
    """Canonical names and mentions of places; build with :func:`load_gazetteer`.

    Args:
        data: the parsed ``gazetteer.yaml``.

    Raises:
        RuleError: when the data lacks a section or an entry lacks its name.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        try:
            self.provinces: dict[str, Place] = {}
            self.cities: dict[str, Place] = {}
            self.districts: dict[str, Place] = {}
            self.countries: dict[str, Place] = {}
            self.regions: dict[str, Place] = {}
            self.ambiguous_zones: dict[str, list[str]] = dict(data.get("ambiguous_zones") or {})
            self.groups: dict[str, list[str]] = {str(k): [str(m) for m in v]
                                                 for k, v in (data.get("groups") or {}).items()}
            self._alias: dict[str, Place] = {}
            self._zone_short: dict[tuple[str, str], str] = {}
            for entry in data["provinces"]:
                self.provinces[entry["name"]] = Place(entry["name"], "province", province=entry["name"])
            for entry in data["cities"]:
                self.cities[entry["name"]] = Place(entry["name"], "city", city=entry["name"],
                                                   province=entry["province"], admin=entry.get("admin"))
            for entry in data["districts"]:
                city = self.cities[entry["city"]]
                place = Place(entry["name"], "district", city=city.name, province=city.province,
                              admin=entry["kind"], parent=entry.get("parent"),
                              former_county=bool(entry.get("former_county")))
                self.districts[entry["name"]] = place
                if entry.get("short"):
                    self._zone_short[(city.name, entry["short"])] = entry["name"]
            for entry in data["countries"]:
                self.countries[entry["name"]] = Place(entry["name"], "country", label=entry["name"])
            for entry in data["regions"]:
                self.regions[entry["name"]] = Place(entry["name"], "region", label=entry["label"])
        except (KeyError, TypeError) as exc:
            raise RuleError(
                f"地名表 {GAZETTEER_PATH.name} 格式有误（缺少 {exc}），请对照文件头部说明修正。") from None
        # Alias index, lowest priority first so that more specific entries overwrite.
        for place in self.regions.values():
            for alias in self._aliases_of(data["regions"], place.name):
                self._alias[alias] = place
        for place in self.countries.values():
            for alias in self._aliases_of(data["countries"], place.name):
                self._alias[alias] = place
        for word in self.ambiguous_zones:
            self._alias[word] = Place(word, "zone_word")
        for section, table in (("provinces", self.provinces), ("cities", self.cities),
                               ("districts", self.districts)):
            for place in table.values():
                for alias in self._aliases_of(data[section], place.name):
                    self._alias[alias] = place
        self._max_alias = max(len(a) for a in self._alias)
        # the longest alias starting with each character: a position whose character starts no alias is
        # skipped at once (most characters of a notice), and the others try only the lengths that exist
        self._first_max: dict[str, int] = {}
        for a in self._alias:
            if a:
                self._first_max[a[0]] = max(self._first_max.get(a[0], 0), len(a))

    @staticmethod
    def _aliases_of(entries: list[dict[str, Any]], name: str) -> list[str]:
        for entry in entries:
            if entry["name"] == name:
                own = [] if entry.get("label") else [name]
                return [*own, *(entry.get("aliases") or [])]
        return [name]

    # ----------------------------------------------------------------- canonical names
    def province(self, text: str | None) -> str | None:
        """The canonical province for a name or alias (``江苏`` → ``江苏省``); None when unknown."""
        if not text:
            return None
        key = text.strip()
        if key in self.provinces:
            return key
        place = self._alias.get(key)
        if place is None:
            return None
        if place.kind == "province" or (place.kind == "city" and place.name == place.province):
            return place.province  # a province, or a municipality (上海市) named as one
        return None

    def city(self, text: str | None) -> Place | None:
        """The city entry for a name or alias (``连云港`` → 连云港市); None when unknown."""
        if not text:
            return None
        place = self._alias.get(text.strip())
        if place is not None and place.kind == "city":
            return place
        return self.cities.get(text.strip())

    def district(self, text: str | None, city: str | None = None) -> Place | None:
        """The district/county/zone entry for a name or alias, using ``city`` to resolve ``开发区`` etc."""
        if not text:
            return None
        key = text.strip()
        if key in self.ambiguous_zones:
            if city is None:
                return None
            for candidate in self.ambiguous_zones[key]:
                if self.districts[candidate].city == city:
                    return self.districts[candidate]
            return None
        place = self._alias.get(key)
        if place is not None and place.kind == "district":
            return place
        return self.districts.get(key)

    def country(self, text: str | None) -> Place | None:
        """The country entry for a name or alias (``澳洲`` → 澳大利亚); None when unknown."""
        if not text:
            return None
        place = self._alias.get(text.strip())
        return place if place is not None and place.kind == "country" else None

    def region(self, text: str | None) -> Place | None:
        """The 港澳台 region entry for a name, alias or code (``香港`` → hong_kong)."""
        if not text:
            return None
        key = text.strip()
        if key in self.regions:
            return self.regions[key]
        place = self._alias.get(key)
        return place if place is not None and place.kind == "region" else None

    def resolve(self, text: str | None, city: str | None = None) -> Place | None:
        """The place (province, city or new area, district/county/zone) a name or alias denotes; None if unknown.

        The finest reading wins: ``上海`` is the municipality as a city; ``开发区`` needs ``city``.
        """
        if not text:
            return None
        key = text.strip()
        district = self.district(key, city)
        if district is not None:
            return district
        found = self.city(key)
        if found is not None:
            return found
        prov = self.province(key)
        return self.provinces.get(prov) if prov else None

    def chain(self, place: Place) -> list[str]:
        """The canonical names containing ``place``, finest first (容东片区 → 容东片区, 容城县, 雄安新区, 河北省)."""
        names = [place.name]
        if place.kind == "district":
            if place.parent:
                names.append(place.parent)
            if place.city:
                names.append(place.city)
        if place.province and place.province not in names:
            names.append(place.province)
        return names

    def area_members(self, area: str) -> list[Place] | None:
        """The places an area name stands for: a group's members, or the one place; None when unknown."""
        if area in self.groups:
            members = [self.resolve(m) for m in self.groups[area]]
            return [m for m in members if m is not None]
        place = self.resolve(area)
        return [place] if place is not None else None

    def within(self, place: Place, area: str) -> bool | None:
        """Whether ``place`` lies inside ``area`` (a place or group name).

        None when the place is coarser than the area and contains it (河北省 vs 雄安新区: cannot tell), or when
        the area is unknown to the gazetteer.
        """
        members = self.area_members(area)
        if not members:
            return None
        own = self.chain(place)
        open_ = False
        for member in members:
            if member.name in own:
                return True
            if place.name in self.chain(member):
                open_ = True  # the applicant named a wider unit that contains this member
        return None if open_ else False

    def is_jiangsu_city(self, city: str | None) -> bool:
        """True when ``city`` (any spelling) is one of Jiangsu's 13 设区市."""
        place = self.city(city)
        return place is not None and place.province == JIANGSU

    # ----------------------------------------------------------------- mentions
    def find(self, text: str) -> list[PlaceMention]:
        """All place mentions in ``text``, longest alias first at each position, left to right."""
        found: list[PlaceMention] = []
        i, n = 0, len(text)
        while i < n:
            hit = None
            longest = self._first_max.get(text[i], 0)
            for size in range(min(longest, n - i), 0, -1):
                place = self._alias.get(text[i : i + size])
                if place is not None:
                    hit = PlaceMention(place, text[i : i + size], i, i + size)
                    break
            if hit is None:
                i += 1
                continue
            found.append(hit)
            i = hit.end
        return found


@lru_cache(maxsize=4)
def load_gazetteer(path: Path = GAZETTEER_PATH) -> Gazetteer:
    """The gazetteer parsed from ``path`` (cached).

    Raises:
        RuleError: when the file is missing or not valid YAML.
    """
    try:
        data = yamlio.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleError(f"无法读取地名表 {path}：{exc}。请检查文件是否存在且为合法 YAML。") from None
    if not isinstance(data, dict):
        raise RuleError(f"地名表 {path} 应为 YAML 映射，请检查文件内容。")
    return Gazetteer(data)
