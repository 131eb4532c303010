"""Field reader of the automatic notice catalogue: one file's text in, its catalogue fields out.

Every value carries the verbatim text it was read from (`Source`). Nothing here knows any one notice: the
patterns are those of Chinese government notices in general (落款, 文号, 联系人/电话, "于X月X日前报送" …).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Generic, Literal, TypeVar

from assistant import yamlio
from assistant.errors import InputError

T = TypeVar("T")

Origin = Literal["text", "metadata", "file_name"]
Kind = Literal["call", "policy", "list", "event", "consultation", "other"]
KINDS: tuple[str, ...] = ("call", "policy", "list", "event", "consultation", "other")

Document = tuple[str | None, list[str]]

_REGIONS_FILE = Path(__file__).with_name("regions.yaml")


@dataclass(frozen=True)
class Source:
    """Where a value was read: a verbatim quote and the document it sits in.

    Attributes:
        quote: verbatim text (a paragraph or a substring of one; for metadata `字段：值`; or the file name).
        doc_index: index into the documents handed to `NoticeFieldReader.run`; None for metadata/file name.
        origin: "text", "metadata" or "file_name".
    """

    quote: str
    doc_index: int | None = None
    origin: Origin = "text"


@dataclass(frozen=True)
class FieldValue(Generic[T]):
    """A scalar catalogue field and its provenance."""

    value: T
    source: Source


@dataclass(frozen=True)
class Deadline:
    """An application or submission deadline as printed.

    Attributes:
        what: the clause that says what is due (whitespace tidied).
        date: YYYY-MM-DD (a year missing in the text is resolved from the notice's date).
        time: HH:MM when a clock time is printed, else None ("下班前" gives None).
    """

    what: str
    date: str
    time: str | None
    source: Source


@dataclass(frozen=True)
class Contact:
    """A contact line: unit and person when printed, and its phone numbers (digits and hyphens)."""

    unit: str | None
    person: str | None
    phones: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class Amount:
    """A funding amount stated by the notice, e.g. "最高300万元", with its value in 万元."""

    text: str
    wan_yuan: float
    source: Source


@dataclass(frozen=True)
class Programme:
    """An application category the notice opens, with the heading of its conditions section (if any)."""

    name: str
    conditions_heading: str | None
    source: Source


@dataclass(frozen=True)
class NoticeFields:
    """The catalogue fields of one notice file; each value carries its `Source`."""

    file: str
    title: FieldValue[str] | None
    issuer: FieldValue[str] | None
    doc_number: FieldValue[str] | None
    published: FieldValue[str] | None
    region: FieldValue[str] | None
    kind: FieldValue[str]
    deadlines: tuple[Deadline, ...] = ()
    contacts: tuple[Contact, ...] = ()
    amounts: tuple[Amount, ...] = ()
    programmes: tuple[Programme, ...] = ()

    def to_record(self) -> dict[str, object]:
        """The plain JSON record (`file` + field values) that `shenbao notices --json` prints."""

        def val(fv: FieldValue[str] | None) -> str | None:
            return fv.value if fv else None

        return {
            "file": self.file,
            "title": val(self.title),
            "issuer": val(self.issuer),
            "doc_number": val(self.doc_number),
            "published": val(self.published),
            "region": val(self.region),
            "kind": self.kind.value,
            "deadlines": [{"what": d.what, "date": d.date, "time": d.time} for d in self.deadlines],
            "contacts": [{"unit": c.unit, "person": c.person, "phones": list(c.phones)} for c in self.contacts],
            "amounts": [{"text": a.text, "wan_yuan": a.wan_yuan} for a in self.amounts],
            "programmes": [{"name": p.name, "conditions_heading": p.conditions_heading} for p in self.programmes],
        }


# --------------------------------------------------------------------------------------------- text helpers

_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’《》〔〕【】"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_SPACE_IN_NUMBER = re.compile(r"(?<=\d)\s+(?=\d)")


def tidy(text: str) -> str:
    """Drop the spaces PDF extraction puts around CJK text ("2026 年 4 月" → "2026年4月")."""
    return _SPACE_NEAR_CJK.sub("", text.strip())


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}


def _cn_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 三十一 → 31; digits pass through."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        head, _, tail = text.partition("十")
        tens = _CN_DIGITS.get(head, 0) if head else 1
        ones = _CN_DIGITS.get(tail, 0) if tail else 0
        return tens * 10 + ones
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    return None


def _cn_year(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    digits = [_CN_DIGITS.get(ch) for ch in text]
    if any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))


_CN_NUM = "〇零○一二三四五六七八九十"
# A date as printed: 2026年4月23日 / 2026 年 4 月 23 日 / 二〇二三年十月十三日 / yearless 4月16日.
_DATE = re.compile(
    rf"(?:(?P<y>\d{{4}}|[{_CN_NUM}]{{4}})\s*年\s*)?(?P<m>\d{{1,2}}|[{_CN_NUM}]{{1,2}})\s*月\s*"
    rf"(?P<d>\d{{1,2}}|[{_CN_NUM}]{{1,3}})\s*[日号]"
)
_ISO_DATE = re.compile(r"(?<!\d)(?P<y>20\d{2})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})(?!\d)")


@dataclass(frozen=True)
class _DateHit:
    start: int
    end: int
    year: int | None
    month: int
    day: int


def _dates(text: str) -> list[_DateHit]:
    hits: list[_DateHit] = []
    for m in _DATE.finditer(text):
        month, day = _cn_number(m.group("m")), _cn_number(m.group("d"))
        year = _cn_year(m.group("y")) if m.group("y") else None
        if month and day and 1 <= month <= 12 and 1 <= day <= 31:
            hits.append(_DateHit(m.start(), m.end(), year, month, day))
    for m in _ISO_DATE.finditer(text):
        month, day = int(m.group("m")), int(m.group("d"))
        if 1 <= month <= 12 and 1 <= day <= 31:
            hits.append(_DateHit(m.start(), m.end(), int(m.group("y")), month, day))
    return sorted(hits, key=lambda h: h.start)


def _resolve(hit: _DateHit, base: dt.date | None, year_hint: int | None = None) -> dt.date | None:
    """The calendar date of a hit; a missing year comes from the notice's date (rolling into next year),
    else from the year the title names ("2024年度…指南")."""
    year = hit.year or (base.year if base else year_hint)
    if year is None:
        return None
    try:
        day = dt.date(year, hit.month, hit.day)
    except ValueError:
        return None
    if hit.year is None and base and day < base - dt.timedelta(days=60):
        # "1月7日前" in a notice dated in December means next January.
        day = dt.date(year + 1, hit.month, hit.day)
    return day


def _is_date_only(text: str) -> bool:
    m = _DATE.fullmatch(text.strip())
    return bool(m and m.group("y"))


# --------------------------------------------------------------------------------------------- organisations

_ORG_END = re.compile(
    r"(?:局|厅|委员会|管委会|政府|办公室|办公厅|中心|部|委|院|署|协会|学会|公司|集团|海关|银行|分行|办|科协|"
    r"联合会|工委|小组|所|馆|处|科|站|会|基地|分院|法院|检察院)$"
)
_ORG_BAD = re.compile(r"[，,。：:；;！？!?《》“”\"\d]|关于|通知|附件|如下|以下")


def _is_org(text: str) -> bool:
    t = re.sub(r"[（(][^）)]{1,12}[)）]$", "", tidy(text))  # 某某中心(科技大厦) / 某某基地（河北）
    return 3 <= len(t) <= 40 and not _ORG_BAD.search(t) and bool(_ORG_END.search(t))


def _orgs_in_line(text: str) -> list[str] | None:
    """The organisation names of a 落款 line ("A局 B局" or "A局、B局"), or None if it is not one."""
    parts: list[str] = []
    for part in (p for p in re.split(r"[\s、]+", text.strip()) if p):
        # a national body's local branch is printed as two names: "国家税务总局 河北雄安新区税务局"
        if parts and re.match(r"^(?:国家|中国)", parts[-1]) and _region_of(part) and not _region_of(parts[-1]):
            parts[-1] += part
        else:
            parts.append(part)
    if parts and all(_is_org(p) for p in parts):
        return [tidy(p) for p in parts]
    if _is_org(text):
        return [tidy(text)]
    return None


# --------------------------------------------------------------------------------------------- titles

_TITLE_END = re.compile(
    r"(?:通知|通告|公告|公示|函|措施|细则|办法|方案|意见|计划|名单|决定|指南|声明|清单|规定|举措|政策|规划|"
    r"批复|报告|纲要|宣传册|条例|预通知)(?:（试行）|\(试行\)|（暂行）|[（(]\d{4}\s*[-—－～~至]+\s*\d{4}年?[)）])?$"
)
_NOT_TITLE = re.compile(r"^(?:附件|附表|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、．])|[：:。；;]$")


def _looks_like_title(text: str) -> bool:
    t = tidy(text)
    return 6 <= len(t) <= 150 and not _NOT_TITLE.search(t) and bool(_TITLE_END.search(t))


def _title_piece(text: str) -> bool:
    """A line that may be part of a title broken over lines: short, no sentence punctuation, no 文号/organisation."""
    t = tidy(text)
    return (len(t) <= 60 and not re.search(r"[，,。：:；;]", t) and not _DOC_NO.search(t)
            and not t.endswith("文件") and not _orgs_in_line(text))


def _addressee(text: str) -> bool:
    """A salutation line "雄县、容城县…，各有关单位：" (the notice body starts after it)."""
    t = tidy(text)
    return t.endswith(("：", ":")) and len(t) <= 200 and not t.startswith(("附件", "联系"))


# --------------------------------------------------------------------------------------------- document numbers

_DOC_NO = re.compile(
    r"(?P<org>[\u4e00-\u9fff]{1,14}?)\s*[〔\[【(（［]\s*(?P<year>(?:19|20)\d{2})\s*[〕\]】)）］]\s*(?P<no>\d{1,5})\s*号"
)


def _doc_number_line(text: str) -> re.Match[str] | None:
    """A paragraph that is only a 文号 (the header of a 红头文件), possibly with 签发人."""
    t = text.strip()
    m = _DOC_NO.search(t)
    if not m:
        return None
    rest = (t[: m.start()] + t[m.end():]).strip()
    if rest and not re.fullmatch(r"(?:签发人[：:]?\s*\S{2,4}|[（(]?此件\S*[)）]?)?", rest):
        return None
    return m


# --------------------------------------------------------------------------------------------- phones

_URL_OR_MAIL = re.compile(r"(?:https?://|www\.)[^\s，。；）)]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LANDLINE = re.compile(r"(?<![\d-])[(（]?0\d{2,3}[)）]?\s*[-－—–]?\s*\d{7,8}(?:\s*(?:-|转)\s*\d{1,5})?(?![\d])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)")
_HOTLINE = re.compile(r"(?<!\d)(?:400|800)[-\s]?\d{3}[-\s]?\d{4}(?!\d)|(?<!\d)123\d\d(?!\d)")
_LOCAL = re.compile(r"(?<![\d-])[2-9]\d{6,7}(?![\d])")
_PHONE_CUE = re.compile(r"电话|联系|咨询|热线|手机|电\s*话|Tel|TEL|传真")


def _phone_text(raw: str) -> str:
    """A phone as digits and hyphens: "(0312)5620861" → "0312-5620861"; spaces dropped."""
    s = raw.replace("－", "-").replace("—", "-").replace("–", "-").replace("转", "-")
    s = re.sub(r"^[(（](0\d{2,3})[)）]\s*", r"\1-", s)
    s = re.sub(r"\s+", "", s)
    return re.sub(r"[^\d-]", "", s).strip("-")


_MAYBE_PHONE = re.compile(r"\d[\d\s()（）\-－—–]{3,}\d")


def _phones(text: str) -> list[tuple[int, str]]:
    """(position, phone) of every phone number printed in a paragraph."""
    if not _MAYBE_PHONE.search(text):
        return []  # most paragraphs hold no run of digits long enough: skip the patterns
    masked = _URL_OR_MAIL.sub(lambda m: " " * len(m.group()), text)
    found: list[tuple[int, int, str]] = []
    for rx in (_LANDLINE, _MOBILE, _HOTLINE):
        for m in rx.finditer(masked):
            if any(s <= m.start() < e for s, e, _ in found):
                continue
            if rx is _HOTLINE and not _PHONE_CUE.search(masked):
                continue
            found.append((m.start(), m.end(), _phone_text(m.group())))
    if _PHONE_CUE.search(masked):
        for m in _LOCAL.finditer(masked):
            if any(s <= m.start() < e for s, e, _ in found):
                continue
            before = masked[max(0, m.start() - 12): m.start()]
            # a bare 7/8-digit number only counts right after a phone label or another phone
            if re.search(r"(?:电话|手机|热线|咨询|Tel|TEL|传真|[:：、，,/；;]|\s)\s*$", before) and not re.search(
                r"[元万号年月日%]", masked[m.end(): m.end() + 1]
            ):
                found.append((m.start(), m.end(), _phone_text(m.group())))
    return [(s, p) for s, _, p in sorted(found)]


# --------------------------------------------------------------------------------------------- deadlines

_SUBMIT = re.compile(
    r"申报|报送|提交|报名|填报|上传|寄送|送至|送达|发送|报至|报给|受理|征集|推荐|申请|报新区|报省|报市|交至|提报|"
    r"汇总|递交|上报|报到|截止|报名|回执|反馈|完成"
)
_NOT_DEADLINE = re.compile(
    r"有效期|公示期|答辩|注册|成立|设立|投产|获得|取得|认定的|建成|以来|期间|之间|发生|执行期|实施期|营业|年度|统计|前一年|上一?年"
)
_HAND_IN = re.compile(r"报送|提交|上报|报至|送至|递交|寄送|填报|报新区|报省")
_BEFORE_CUE = re.compile(
    r"^\s*(?:[（(]?(?P<ampm>上午|下午|晚上)?\s*(?P<h>\d{1,2})\s*(?:[:：]\s*(?P<mi>\d{2})|[时点]\s*(?:(?P<mi2>\d{1,2})\s*分|半)?)"
    r"[)）]?)?\s*(?P<ban>下班)?\s*(?:之前|以前|前|止|为止|截止)"
)
_AFTER_CUE = re.compile(
    r"(?:(?:截止|结束)(?:时间|日期)?(?:为|是|：|:|至|到|于)?|(?:时间|日期|申报|报名|提交|受理)截至|"
    r"(?:延长|调整|延期|推迟|顺延|变更)(?:至|到|为)|起至)\s*$"
)
_RANGE_SEP = re.compile(r"^\s*(?:至|到|-|—|－|~|～|－－|——)\s*")
_RANGE_CUE = re.compile(r"(?:申报|填报|报名|受理|征集|提交|申请|推荐|报送)(?:[^。；;，,]{0,12})?(?:时间|日期|期限)?")
_DEADLINE_HEADING = re.compile(r"截止|截至|申报时间|报名时间|提交时间|报送时间|受理时间|申报日期|征集时间|时间安排")


def _time_of(m: re.Match[str]) -> str | None:
    if m.group("ban") or not m.group("h"):
        return None
    hour = int(m.group("h"))
    if m.group("ampm") in ("下午", "晚上") and hour < 12:
        hour += 12
    minute = m.group("mi") or m.group("mi2") or ("30" if "半" in m.group() else "00")
    if hour > 24:
        return None
    return f"{hour:02d}:{int(minute):02d}"


def _sentences(text: str) -> Iterator[tuple[int, str]]:
    start = 0
    for m in re.finditer(r"[。；;！!？?]", text):
        yield start, text[start: m.end()]
        start = m.end()
    if start < len(text):
        yield start, text[start:]


# --------------------------------------------------------------------------------------------- amounts

_AMOUNT = re.compile(
    r"(?P<cue>最高|不超过|最多|上限|给予|奖励|资助|补助|补贴|支持)[^。；;，,]{0,24}?"
    r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>万元|亿元|万)"
)


# --------------------------------------------------------------------------------------------- programmes

_CATEGORY_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\))\s*"
    r"(?:支持方向|申报方向|申报类别|项目类别|支持领域|申报领域|征集对象|征集方向|征集范围|申报范围|支持内容|"
    r"申报内容|支持对象|重点方向|重点支持|申报对象|认定类别|专项|类别)"
)
_CONDITIONS_HEADING = re.compile(r"申报条件|申请条件|基本条件|认定条件|申报要求|入库条件|支持条件|遴选条件|认定标准|条件")
_LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")
_LEVEL2 = re.compile(r"^(?:（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\))")
_LEVEL3 = re.compile(r"^\d{1,2}\s*[.、．]\s*(?!\d)")


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[tuple[tuple[str, str], ...], re.Pattern[str], tuple[str, ...]]:
    data = yamlio.safe_load(_REGIONS_FILE.read_text(encoding="utf-8"))
    provinces = tuple((p["name"], p["short"]) for p in data["provinces"])
    suffixes = "|".join(re.escape(s) for s in data["suffixes"])
    below = re.compile(rf"[\u4e00-\u9fff]{{2,6}}?(?:{suffixes})")
    return provinces, below, tuple(data["not_in_names"])


_NATIONAL_HEAD = re.compile(r"^(?:中共|中国共产党|(?:国家|中国)[\u4e00-\u9fff]{2,8}?(?:总局|银行|总署|委员会|局))")


def _region_match(name: str) -> tuple[str, int] | None:
    """(region, position) of the area that heads an organisation name: a province (河北…) optionally followed
    by a lower area (…雄安新区), or a lower area first (雄安新区改革发展局), after a national body's name."""
    provinces, below, bad = _gazetteer()
    t = tidy(name)
    head = _NATIONAL_HEAD.match(t)
    offset = head.end() if head else 0
    rest = t[offset:]
    for full, short in provinces:
        for form in (full, short):
            if rest.startswith(form):
                m = below.match(rest[len(form):])
                if m and not any(b in m.group() for b in bad):
                    return m.group(), offset
                return full, offset
    m = below.match(rest)
    if m and not any(b in m.group() for b in bad):
        return m.group(), offset
    return None


def _region_at_head(name: str) -> bool:
    hit = _region_match(name)
    return hit is not None and hit[1] == 0


def _region_of(name: str) -> str | None:
    """The most specific area named at the head of an organisation name (河北雄安新区改革发展局 → 雄安新区)."""
    hit = _region_match(name)
    return hit[0] if hit else None


def _signoff_line(text: str) -> bool:
    """A short line without sentence punctuation: a 落款 line or a fragment of one."""
    t = tidy(text)
    return 2 <= len(t) <= 40 and not re.search(r"[，,。：:；;！？!?《》“”\dA-Za-z_]", t)


def _starts_org(text: str) -> bool:
    """Whether a 落款 fragment starts a new organisation name (a place name or 国家/中国/中华/中共 first)."""
    t = tidy(text)
    return bool(re.match(r"^(?:国家|中国|中华|中共)", t)) or (_region_of(t) is not None and _region_at_head(t))


def _org_block(lines: list[str]) -> list[str] | None:
    """Organisation names of a 落款 block, joining the lines a PDF broke; None if it is not one."""
    names: list[str] = []
    for line in lines:
        parts = _orgs_in_line(line)
        if parts and len(parts) > 1:
            if names and not _is_org(names[-1]):
                return None
            names.extend(parts)
            continue
        t = tidy(line)
        if names and not (_is_org(names[-1]) and _starts_org(t)):
            names[-1] += t
        else:
            names.append(t)
    return names if names and all(_is_org(n) for n in names) else None


@dataclass(frozen=True)
class _Signoff:
    names: list[str]
    paras: list[_Para]
    date_para: _Para
    day: dt.date


# --------------------------------------------------------------------------------------------- the reader


@dataclass
class _Para:
    doc: int
    idx: int
    text: str
    tidy: str = field(init=False)

    def __post_init__(self) -> None:
        self.tidy = tidy(self.text)


class NoticeFieldReader:
    """Reads the catalogue fields of one notice file from its metadata and plain-text documents.

    Args:
        head_paragraphs: how many leading paragraphs of the main document may hold the title and 文号.
        max_amounts: how many funding amounts to keep (in reading order).
    """

    def __init__(self, head_paragraphs: int = 12, max_amounts: int = 30) -> None:
        if head_paragraphs < 1:
            raise InputError(f"head_paragraphs 须为正整数，收到 {head_paragraphs!r}")
        if max_amounts < 0:
            raise InputError(f"max_amounts 不能为负数，收到 {max_amounts!r}")
        self.head_paragraphs = head_paragraphs
        self.max_amounts = max_amounts

    def run(self, file_name: str, meta: dict[str, str], documents: Sequence[Document]) -> NoticeFields:
        """Read one file's catalogue fields.

        Args:
            file_name: the source file's name (its leading date, if any, is the web publication date).
            meta: the crawler metadata rows (字段 → 值); empty when the file has none.
            documents: (heading, paragraphs) per document; the first is the main notice, the rest attachments.

        Returns:
            The file's `NoticeFields`.
        """
        if not isinstance(file_name, str) or not file_name:
            raise InputError("file_name 不能为空：请传入来源文件名")
        docs = [(h, [p for p in paras if p and p.strip()]) for h, paras in documents]
        paras = [_Para(d, i, p) for d, (_, ps) in enumerate(docs) for i, p in enumerate(ps)]
        main = [p for p in paras if p.doc == 0]

        title, title_pos = self._title(file_name, meta, docs, main)
        cutoff = self._forward_cutoff(title, main, title_pos)
        signoff = self._signoff(main[:cutoff])
        header = list(itertools.takewhile(lambda q: bool(_orgs_in_line(q.text)), main[: max(title_pos, 0)]))
        issuer = self._issuer(signoff, header, title, meta)
        published = self._published(signoff, file_name, meta)
        base = dt.date.fromisoformat(published.value) if published else None
        doc_number = self._doc_number(main, meta, paras)
        kind = self._kind(title)
        year = re.search(r"(20\d{2})\s*年", title.value) if title else None
        deadlines = self._deadlines(paras, base, int(year.group(1)) if year else None)
        if kind.value == "other" and deadlines and title and re.search(r"通知|公告", title.value):
            kind = FieldValue("call", kind.source)
        return NoticeFields(
            file=file_name,
            title=title,
            issuer=issuer,
            doc_number=doc_number,
            published=published,
            region=self._region(issuer, meta, title),
            kind=kind,
            deadlines=deadlines,
            contacts=self._contacts(paras),
            amounts=self._amounts(paras),
            programmes=self._programmes(main, title, kind.value),
        )

    # ----------------------------------------------------------------------------------------- title

    def _title(
        self, file_name: str, meta: dict[str, str], docs: list[Document], main: list[_Para]
    ) -> tuple[FieldValue[str] | None, int]:
        """The title printed at the head of the main document (joining a title broken over two lines);
        else the page heading; else the file name without its number/date prefix."""
        for k, p in enumerate(main[: self.head_paragraphs]):
            if _addressee(p.text) or len(p.tidy) > 150:
                break
            if _looks_like_title(p.text):
                return FieldValue(p.tidy, Source(p.text, 0)), k
            if not _title_piece(p.text):
                continue
            # a title broken over two or three lines by the PDF extraction
            joined, quote = p.tidy, p.text
            for extra in range(1, 3):
                if k + extra >= len(main) or _addressee(main[k + extra].text):
                    break
                if not _title_piece(main[k + extra].text):
                    break
                joined += main[k + extra].tidy
                quote += main[k + extra].text
                if len(joined) <= 150 and _looks_like_title(joined):
                    return FieldValue(joined, Source(quote, 0)), k + extra
        heading = docs[0][0] if docs else None
        heading = heading or meta.get("标题") or meta.get("title")
        if heading and heading.strip():
            return FieldValue(tidy(re.sub(r"^#+\s*", "", heading)), Source(heading, None, "metadata")), -1
        stem = re.sub(r"^\d+_\d{4}-\d{2}-\d{2}_", "", Path(file_name).stem)
        if stem:
            return FieldValue(tidy(stem), Source(file_name, None, "file_name")), -1
        return None, -1

    @staticmethod
    def _forward_cutoff(title: FieldValue[str] | None, main: list[_Para], title_pos: int) -> int:
        """For a forwarding notice (转发《X》), where the forwarded notice X starts: its 落款 is not ours."""
        if not title or "转发" not in title.value:
            return len(main)
        m = re.search(r"《(.+)》", title.value)
        inner = _squash(m.group(1)) if m else ""
        inner = re.sub(r"^.*?关于", "关于", inner)
        if len(inner) < 6:
            return len(main)
        for k, p in enumerate(main):
            if k <= title_pos or p.tidy.startswith("附件"):
                continue
            if inner in _squash(p.text) and len(p.tidy) <= len(inner) + 40:
                return k
        return len(main)

    # ----------------------------------------------------------------------------------------- 落款

    @staticmethod
    def _signoff(main: list[_Para]) -> _Signoff | None:
        """The first 落款 of the main document: organisation line(s) followed by a dated line."""
        for k, p in enumerate(main):
            m = _DATE.search(p.text)
            if not m or not m.group("y") or p.text[m.end():].strip():
                continue  # no year, or the date sits inside a sentence
            head = p.text[: m.start()].strip()
            hit = _dates(p.text)[-1]
            day = _resolve(hit, None)
            if day is None:
                continue
            if head:
                names = _orgs_in_line(head)
                if names:
                    return _Signoff(names, [p], p, day)
                continue
            block: list[_Para] = []
            j = k - 1
            while j >= 0 and k - j <= 10:
                if not re.search(r"[\u4e00-\u9fff]", main[j].text):
                    j -= 1  # a seal's image caption between the names
                    continue
                if not _signoff_line(main[j].text):
                    break
                block.insert(0, main[j])
                j -= 1
            # the shortest tail of the block that reads as organisation names (a line broken by the PDF
            # extraction is joined back: "河北雄安新区管理委员会 / 改革发展局")
            for start in range(len(block)):
                names = _org_block([q.text for q in block[start:]])
                if names:
                    return _Signoff(names, block[start:], p, day)
        return None

    @staticmethod
    def _issuer(
        signoff: _Signoff | None, header: list[_Para], title: FieldValue[str] | None, meta: dict[str, str]
    ) -> FieldValue[str] | None:
        """The 落款's organisations; else the 红头 header's; else the title's "X关于…"; else 发文单位."""
        if signoff:
            quote = "\n".join(q.text for q in signoff.paras)
            return FieldValue("、".join(dict.fromkeys(signoff.names)), Source(quote, signoff.paras[0].doc))
        if header:
            return FieldValue("、".join(dict.fromkeys(n for q in header for n in _orgs_in_line(q.text) or [])),
                              Source("\n".join(q.text for q in header), 0))
        if title and title.source.origin == "text":
            m = re.match(r"^(.{4,60}?)(?:关于|印发)", title.value)
            if m and all(_is_org(x) for x in re.split(r"[\s、]+", m.group(1)) if x):
                return FieldValue(m.group(1), title.source)
        unit = (meta.get("发文单位") or "").strip()
        if unit:
            names = [tidy(x) for x in re.split(r"[,，、;；]+", unit) if x.strip()]
            return FieldValue("、".join(names), Source(f"发文单位：{unit}", None, "metadata"))
        return None

    @staticmethod
    def _published(
        signoff: _Signoff | None, file_name: str, meta: dict[str, str]
    ) -> FieldValue[str] | None:
        m = re.search(r"(20\d{2})-(\d{2})-(\d{2})", Path(file_name).name)
        web: dt.date | None = None
        if m:
            try:
                web = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                web = None
        if signoff:
            para, day = signoff.date_para, signoff.day
            # a 落款 is never after the page went up, nor years before it
            if web is None or dt.timedelta(days=-3) <= web - day <= dt.timedelta(days=400):
                return FieldValue(day.isoformat(), Source(para.text, para.doc))
        if web and m:
            return FieldValue(web.isoformat(), Source(m.group(0), None, "file_name"))
        raw = (meta.get("发布时间") or "").strip()
        mm = _ISO_DATE.search(raw)
        if mm:
            day = dt.date(int(mm.group("y")), int(mm.group("m")), int(mm.group("d")))
            return FieldValue(day.isoformat(), Source(f"发布时间：{raw}", None, "metadata"))
        return None

    # ----------------------------------------------------------------------------------------- 文号

    def _doc_number(self, main: list[_Para], meta: dict[str, str], paras: list[_Para]) -> FieldValue[str] | None:
        """The notice's own 文号: a header line that is only a 文号; else the metadata row, unless the text
        cites that number as another document's (e.g. "按照《…方案》（雄安改发〔2023〕428号）")."""
        for p in main[: self.head_paragraphs + 4]:
            m = _doc_number_line(p.text)
            if m:
                return FieldValue(_squash(m.group()), Source(p.text, 0))
        raw = (meta.get("发文文号") or "").strip()
        m = _DOC_NO.search(raw)
        if not m or _squash(m.group()) != _squash(raw):
            return None
        number = _squash(m.group())
        core = _squash(m.group("year")) + _squash(m.group("no"))
        for p in paras:
            for cited in _DOC_NO.finditer(p.text):
                if _squash(cited.group("year")) + _squash(cited.group("no")) == core:
                    return None  # printed only inside a sentence: a citation of another document
        return FieldValue(number, Source(f"发文文号：{raw}", None, "metadata"))

    # ----------------------------------------------------------------------------------------- region

    @staticmethod
    def _region(
        issuer: FieldValue[str] | None, meta: dict[str, str], title: FieldValue[str] | None
    ) -> FieldValue[str] | None:
        """The area whose applicants are addressed: the most specific area heading an issuer's name (the issuer
        addresses its own area), else the page's 发文单位, else a title that starts with an area."""
        provinces = {full for full, _ in _gazetteer()[0]}
        sources: list[tuple[list[str], Source]] = []
        if issuer:
            sources.append((issuer.value.split("、"), issuer.source))
        unit = (meta.get("发文单位") or "").strip()
        if unit:
            sources.append((re.split(r"[,，、;；]+", unit), Source(f"发文单位：{unit}", None, "metadata")))
        if title:
            sources.append(([re.sub(r"^(?:关于|印发)", "", title.value)], title.source))
        for names, source in sources:
            found = [r for r in (_region_of(n) for n in names) if r]
            if found:
                lower = [r for r in found if r not in provinces]
                return FieldValue((lower or found)[0], source)
        return None

    # ----------------------------------------------------------------------------------------- kind

    @staticmethod
    def _kind(title: FieldValue[str] | None) -> FieldValue[str]:
        """call / policy / list / event / consultation / other, read from the title's wording.

        Rules: 征求意见 → consultation; 名单/公示/公布 → list; a 措施/细则/办法/方案/意见/规划 document (the title
        itself or the one it 印发s) → policy, even when it states a rolling deadline; 培训/大赛/研修/活动/评选 →
        event; 申报/征集/遴选/推荐/认定/入库/评价/提名/报名 → call; else other.
        """
        if title is None:
            return FieldValue("other", Source("", None, "file_name"))
        t = _squash(title.value)
        src = title.source

        def kind(k: str) -> FieldValue[str]:
            return FieldValue(k, src)

        if re.search(r"征求.{0,30}意见|意见征求|征求意见", t):
            return kind("consultation")
        if re.search(r"名单|公示|公布|认定结果|评选结果", t):
            return kind("list")
        inner = re.findall(r"《(.+?)》", t)
        wraps = re.search(r"印发|转发|落实|应对|发布", t) or re.fullmatch(r"(?:关于)?《.+》的(?:通知|函)", t)
        obj = inner[-1] if inner and wraps else t
        obj = re.sub(r"(?:（试行）|\(试行\)|（暂行）|补充规定|[（(][\d\-—－～~至年]+[)）])+$", "", obj)
        obj = re.sub(r"^关于|的(?:通知|函|公告)$", "", obj)
        policy_end = r"(?:措施|细则|办法|方案|意见|规划|计划|政策|举措|规定|条例|纲要|指导意见)$"
        if "申报指南" not in obj and re.search(policy_end, obj) and "转发" not in t:
            return kind("policy")

        if re.search(r"培训|大赛|比赛|竞赛|研修|评选|活动|会议|辅导|宣讲|对接会|路演|召开", t):
            return kind("event")
        if re.search(r"申报|征集|遴选|推荐|认定|入库|评价|提名|报名|申请|复核|指南|摸底|揭榜|选拔|评审", t):
            return kind("call")
        return kind("other")

    # ----------------------------------------------------------------------------------------- deadlines

    @staticmethod
    def _deadlines(paras: list[_Para], base: dt.date | None, year_hint: int | None = None) -> tuple[Deadline, ...]:
        out: list[Deadline] = []
        seen: set[tuple[str, str | None, int]] = set()

        def add(what: str, day: dt.date | None, time: str | None, quote: str, doc: int, explicit: bool = False) -> None:
            grace = 365 if explicit and doc == 0 else 30  # an attachment's past date is a form's or a screenshot's
            if day is None or (base and day < base - dt.timedelta(days=grace)):
                return  # a date well before the notice is a reference date, not a deadline
            if base and day > base + dt.timedelta(days=730):
                return
            key = (day.isoformat(), time, doc)
            if key in seen:
                return
            seen.add(key)
            out.append(Deadline(tidy(what)[:80], day.isoformat(), time, Source(quote, doc)))

        for n, p in enumerate(paras):
            if "月" not in p.text and not _ISO_DATE.search(p.text):
                continue
            prev = paras[n - 1] if n and paras[n - 1].doc == p.doc else None
            if _is_date_only(p.text) or re.fullmatch(
                rf"\s*{_DATE.pattern}\s*(?:[（(][^）)]*[)）])?\s*(?:\d{{1,2}}[:：]\d{{2}}|\d{{1,2}}[时点])?\s*(?:前|之前|止)?\s*",
                p.text,
            ):
                if prev and _DEADLINE_HEADING.search(prev.tidy) and len(prev.tidy) <= 30 and "答辩" not in prev.tidy:
                    hits = _dates(p.text)
                    day = _resolve(hits[-1], base, year_hint) if hits else None
                    tm = re.search(r"(\d{1,2})[:：时点](\d{2})?", p.text[hits[-1].end:]) if hits else None
                    time = f"{int(tm.group(1)):02d}:{int(tm.group(2) or 0):02d}" if tm else None
                    add(prev.tidy, day, time, p.text, p.doc)
                continue
            for _, sent in _sentences(p.text):
                hits = _dates(sent)
                if not hits:
                    continue
                context_ok = bool(_SUBMIT.search(sent)) or bool(prev and _DEADLINE_HEADING.search(prev.tidy))
                for i, hit in enumerate(hits):
                    after = sent[hit.end:]
                    before = sent[: hit.start]
                    nxt = hits[i + 1] if i + 1 < len(hits) else None
                    # a range "X至Y": the end date is the deadline when it is an application period
                    if nxt and _RANGE_SEP.match(sent[hit.end: nxt.start]) and nxt.start - hit.end <= 4:
                        lead = before[-20:]
                        heading = prev.tidy if prev and len(prev.tidy) <= 30 else ""
                        if (_RANGE_CUE.search(lead) or _DEADLINE_HEADING.search(lead + "|" + heading)) \
                                and not _NOT_DEADLINE.search(sent[nxt.end: nxt.end + 12] + before[-12:] + heading):
                            if nxt.year is None and hit.year is not None:
                                nxt = _DateHit(nxt.start, nxt.end, hit.year, nxt.month, nxt.day)
                            add(sent, _resolve(nxt, base, year_hint), None, sent.strip(), p.doc, nxt.year is not None)
                        continue
                    cue = _BEFORE_CUE.match(after)
                    if cue:
                        tail = after[cue.end(): cue.end() + 14]
                        if (not context_ok or _NOT_DEADLINE.search(after[cue.end(): cue.end() + 24])
                                or re.match(r"\s*(?:的|已)", tail) or re.search(r"条件\s*[:：]", before)):
                            continue
                        add(sent, _resolve(hit, base, year_hint), _time_of(cue), sent.strip(), p.doc, hit.year is not None)
                        continue
                    clause = re.sub(r"《[^》]*》", "", after).lstrip(" ，,").split("，")[0]
                    if (not before.strip() or re.search(r"(?:于|在)\s*$", before)) and re.match(r"\s*[，,]", after) \
                            and _HAND_IN.search(clause):
                        add(sent, _resolve(hit, base, year_hint), None, sent.strip(), p.doc)  # "2026年1月9日，向…报送…"
                        continue
                    if _AFTER_CUE.search(before[-12:]) and context_ok and not _NOT_DEADLINE.search(before[-12:]):
                        tm = re.match(r"\s*(\d{1,2})\s*[:：]\s*(\d{2})", after)
                        time = f"{int(tm.group(1)):02d}:{tm.group(2)}" if tm else None
                        add(sent, _resolve(hit, base, year_hint), time, sent.strip(), p.doc, hit.year is not None)
        return tuple(out)

    # ----------------------------------------------------------------------------------------- contacts

    @staticmethod
    def _contacts(paras: list[_Para]) -> tuple[Contact, ...]:
        out: list[Contact] = []
        seen: set[str] = set()
        for n, p in enumerate(paras):
            if not _phones(p.text):
                continue
            for _, seg in _sentences(p.text):
                phones = [ph for _, ph in _phones(seg) if ph not in seen]
                if not phones:
                    continue
                seen.update(phones)
                person = _person(seg)
                prev = paras[n - 1] if n and paras[n - 1].doc == p.doc else None
                if person is None and prev is not None and not _phones(prev.text):
                    person = _person(prev.text)  # "联系人：朱峰" above "联系电话：…"
                out.append(Contact(_unit(seg), person, tuple(phones), Source(seg.strip(), p.doc)))
        return tuple(out)

    # ----------------------------------------------------------------------------------------- amounts

    def _amounts(self, paras: list[_Para]) -> tuple[Amount, ...]:
        out: list[Amount] = []
        for p in paras:
            if "万" not in p.text and "亿" not in p.text:
                continue
            for _, sent in _sentences(p.text):
                for m in _AMOUNT.finditer(sent):
                    value = float(m.group("num")) * (10000 if m.group("unit") == "亿元" else 1)
                    out.append(Amount(tidy(m.group()), value, Source(sent.strip(), p.doc)))
                    if len(out) >= self.max_amounts:
                        return tuple(out)
        return tuple(out)

    # ----------------------------------------------------------------------------------------- programmes

    def _programmes(self, main: list[_Para], title: FieldValue[str] | None, kind: str) -> tuple[Programme, ...]:
        """The categories listed under a 支持方向/申报类别/征集对象 heading; for a call without such a list,
        one programme named after the title's object."""
        cond = next((p for p in main if _is_heading(p.tidy) and _CONDITIONS_HEADING.search(p.tidy)), None)
        cond_heading = cond.tidy if cond else None
        out: list[Programme] = []
        for k, p in enumerate(main):
            if not _CATEGORY_HEADING.match(p.tidy):
                continue
            level = _LEVEL1 if _LEVEL1.match(p.tidy) else _LEVEL2
            child = _LEVEL2 if level is _LEVEL1 else _LEVEL3
            for q in main[k + 1:]:
                if level.match(q.tidy) or (level is _LEVEL2 and _LEVEL1.match(q.tidy)):
                    break
                if child.match(q.tidy):
                    name = re.split(r"[。：:；;（(]", child.sub("", q.tidy), maxsplit=1)[0].strip()
                    if 2 <= len(name) <= 40:
                        heading = q.tidy if len(q.tidy) <= 40 else cond_heading
                        out.append(Programme(name, heading, Source(q.text, q.doc)))
            if out:
                return tuple(out)
        if kind == "call" and title:
            obj = _title_object(title.value)
            if obj:
                return (Programme(obj, cond_heading, title.source),)
        return ()


def _is_heading(text: str) -> bool:
    return len(text) <= 30 and bool(_LEVEL1.match(text) or _LEVEL2.match(text))


def _title_object(title: str) -> str | None:
    """What a call's title opens: 关于组织开展2024年X申报工作的通知 → 2024年X."""
    t = re.sub(r"^.*?关于", "", title)
    t = re.sub(r"^(?:转发)?《?(?:.*?关于)?", "", t)
    t = re.sub(r"》?的(?:预)?通知$|的函$|的公告$", "", t)
    t = re.sub(r"^(?:组织|开展|做好|申报|组织开展|组织申报|征集|启动|印发)+", "", t)
    t = re.sub(r"(?:申报|推荐|评价|认定)?(?:工作|活动)?$", "", t) or t
    return t.strip("《》") or None


def _person(text: str) -> str | None:
    bare = re.match(r"^\s*[（(]?(?P<p>[\u4e00-\u9fff]{2,4})\s*[：:，,]?\s*(?:1[3-9]\d|0\d{2,3}[-－])", text)
    if bare and not re.search(r"电话|手机|联系|咨询|热线|传真", bare.group("p")):
        return bare.group("p")  # "于沛龙，15132249977"
    m = re.search(r"联\s*系\s*人(?:及电话|及联系电话)?\s*[:：]?\s*(?P<p>[^\d：:；;。（(]+?)\s*"
                  r"(?=[，,；;。（(]?\s*(?:联\s*系)?(?:电\s*话|手机|\d|$))", text)
    if not m:
        return None
    words = m.group("p").split()
    if len(words) > 1 and _ORG_END.search(words[0]):
        words = words[1:]  # "联系人：高新技术及产业化处 袁佳佳": the unit comes first
    person = "、".join(tidy(w).strip("，,、 ") for w in words).strip("、")
    return person if 2 <= len(person) <= 30 else None


def _unit(text: str) -> str | None:
    head = re.search(r"联\s*系\s*人\s*[:：]\s*(?P<u>\S{3,30})\s+\S", text)
    if head and _ORG_END.search(head.group("u")):
        return tidy(head.group("u"))
    m = re.search(r"(?:^|[：:；;，,。（(\s])(?P<u>[\u4e00-\u9fff（）()]{3,30}?(?:局|厅|处|科|室|中心|部|委|办|所|院|公司|协会))"
                  r"\s*(?:联系人|联系电话|电话|咨询|[:：])", text)
    return tidy(m.group("u")) if m else None
