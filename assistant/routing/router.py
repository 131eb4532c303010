"""Which notice(s) a question is about, known only through the catalogue (titles, programme names, issuers,
regions, years, document numbers) and the conversation so far.

Names are matched without any list of notices: every document family (a notice with its attachments) gets
an alias text derived from its catalogue record (the title's short forms with the 关于/印发/申报/的通知
wrappers stripped, quoted names, programme names, issuer, region, 文号). A question is segmented greedily into
the longest pieces found in some alias text, and each piece scores the families holding it by its length
times its rarity among families (so "小巨人" names one notice, "雄安" or "申报" names none).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from assistant.catalogue.registry import NoticeRecord

# Words that wrap a title's name: stripped to get its short forms (data about Chinese titles, not notices).
_WRAPPERS = re.compile(
    r"关于|印发|转发|组织开展|组织|开展|做好|进一步|申报|征集|遴选|举办|发布|启动|延长|延期|公布|落实|实施"
    r"|的通知|通知|的公告|公告|的意见|工作|的|试行|暂行|（试行）|（暂行）"
)
_YEARISH = re.compile(r"20\d{2}\s*[-—至到~]\s*20\d{2}年?|20\d{2}\s*年度?|20\d{2}|第[一二三四五六七八九十\d]+批|首批")
_QUOTED = re.compile(r"[《“\"「『]([^》”\"」』]{2,40})[》”\"」』]")
_BRACKETED = re.compile(r"[（(]([^）)]{2,40})[）)]")
_DROP_CHARS = re.compile(r"[\s《》“”\"'「」『』‘’·、，,。：:；;！!？?（）()\[\]【】/／—\-]+")
_REGION_SUFFIX = re.compile(r"(省|市|自治区|特别行政区|新区|地区|县|区)$")
# relative years in a question
_THIS_YEAR = re.compile(r"今年|本年度|当年")
_LAST_YEAR = re.compile(r"去年|上年度|上一年")
_YEAR_NAMED = re.compile(r"(20\d{2})\s*年")
# a follow-up ("那截止时间呢？", "还有别的要求吗"): short, or opening/closing like one
_FOLLOW_UP = re.compile(r"^(那|那么|那如果|如果是|还有|另外|再问|换成|改成|这个|它|该)|呢[？?]?$")


def normalise(text: str) -> str:
    """NFKC, without whitespace and quote/punctuation marks (so “小巨人” matches 小巨人)."""
    return _DROP_CHARS.sub("", unicodedata.normalize("NFKC", text or ""))


def short_forms(name: str) -> list[str]:
    """A title's or programme name's short forms: quoted and bracketed names, and the pieces left when the
    wrapper words and years are stripped ("关于组织申报2024年度企业技术中心的通知" → "企业技术中心")."""
    out: list[str] = []
    text = unicodedata.normalize("NFKC", name or "")
    for m in _QUOTED.finditer(text):
        out.append(m.group(1))
    for m in _BRACKETED.finditer(text):
        out.append(m.group(1))
    core = _YEARISH.sub("|", text)
    core = _WRAPPERS.sub("|", core)
    for piece in re.split(r"[|《》“”\"「」（）()、，,/／]", core):
        piece = normalise(piece)
        if len(piece) >= 2:
            out.append(piece)
    seen: dict[str, None] = {}
    for s in out:
        s = normalise(s)
        if len(s) >= 2:
            seen.setdefault(s, None)
    return list(seen)


def region_words(region: str | None) -> list[str]:
    """How a question names a catalogue region: the name and its stem ("河北雄安新区" → 雄安新区, 雄安)."""
    if not region:
        return []
    r = normalise(region)
    words = {r}
    # a province name heading a city/new-area name ("河北雄安新区", "江苏省连云港市"): the gazetteer's provinces
    for prefix in _province_prefixes():
        if r.startswith(prefix) and len(r) > len(prefix) + 2:
            rest = r[len(prefix):]
            words.update((rest, _REGION_SUFFIX.sub("", rest)))
            break
    stem = _REGION_SUFFIX.sub("", r)
    if len(stem) >= 2:
        words.add(stem)
    return sorted((w for w in words if len(w) >= 2), key=lambda w: (-len(w), w))


@lru_cache(maxsize=1)
def _province_prefixes() -> tuple[str, ...]:
    """The provinces' names and their short forms (河北省, 河北 …), longest first."""
    from assistant.eligibility.gazetteer import load_gazetteer

    names = {n for p in load_gazetteer().provinces for n in (p, _REGION_SUFFIX.sub("", p)) if len(n) >= 2}
    return tuple(sorted(names, key=len, reverse=True))


# a notice's own name this long, said whole by a question, names it outright (shorter ones are generic: 面上项目)
_NAME_MIN = 5


def _enclosing_words(region: str | None) -> frozenset[str]:
    """The words naming the areas that contain ``region`` (its province for a city or new area), from the
    gazetteer; none when the gazetteer does not know it."""
    from assistant.eligibility.gazetteer import load_gazetteer

    if not region:
        return frozenset()
    gaz = load_gazetteer()
    place = gaz.resolve(region)
    if place is None:
        return frozenset()
    return frozenset(w for name in gaz.chain(place)[1:] for w in region_words(name))


def series_key(title: str) -> str:
    """A title without its years, batches and wrappers: the notices of one yearly series share it — also when
    a year words the name in another order ("企业培育库入库" one year, "培育库企业入库" the next): the key is
    the name's characters, sorted."""
    return "".join(sorted("".join(short_forms(_YEARISH.sub("", title))) or normalise(title)))


@dataclass(frozen=True)
class NoticeFamily:
    """A notice with its attachments (or a guide of its own), as the router knows it.

    Attributes:
        notice_id: the id of the family's head record.
        doc_ids: the head's id and its attachments' ids (clauses carry these).
        title, year, region, issuer, published, status: from the catalogue.
        programmes: the head's programme ids.
        programme_names: programme id → name.
        aliases: the derived names the question is matched against.
        series: the series key (same for each year's notice of one series).
        names: the notice's own names (its title, the title's short forms, its programmes' names) — a question
            saying one whole names the notice outright.
    """

    notice_id: str
    doc_ids: tuple[str, ...]
    title: str
    year: int | None
    region: str | None
    issuer: str | None
    published: str | None
    status: str
    programmes: tuple[str, ...]
    programme_names: tuple[tuple[str, str], ...]
    aliases: tuple[str, ...]
    series: str
    names: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The alias text pieces are looked up in."""
        return "|".join(self.aliases)

    def label(self) -> str:
        """"《title》（2024年，已截止）"."""
        year = f"{self.year}年，" if self.year else ""
        return f"《{self.title}》（{year}{self.status}）"


@dataclass
class RouteDecision:
    """Where a question goes.

    Attributes:
        notice_ids: the routed families' head ids, best first (empty: not routed — the whole corpus).
        doc_ids: every document id of those families (what retrieval is filtered to).
        programmes: programme ids of the routed notices (narrowed to the ones the question names, if any).
        ambiguous: several notices of different series fit equally (the answer lists them).
        latest_of_series: the question named no year and the newest notice of a series was chosen.
        kept: a follow-up kept the notice under discussion.
        scores: family id → score (for logs and tests).
        families: the routed families, best first.
    """

    notice_ids: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    ambiguous: bool = False
    latest_of_series: bool = False
    kept: bool = False
    scores: dict[str, float] = field(default_factory=dict)
    families: list[NoticeFamily] = field(default_factory=list)

    @property
    def routed(self) -> bool:
        """Whether retrieval is narrowed at all."""
        return bool(self.doc_ids)

    def family_of(self, doc_id: str) -> NoticeFamily | None:
        """The routed family holding a document."""
        return next((f for f in self.families if doc_id in f.doc_ids), None)

    def note(self) -> str:
        """What the answer says about the choice (empty when there is nothing to say)."""
        if not self.families:
            return ""
        if self.ambiguous and len(self.families) > 1:
            lines = "\n".join(f"{i}. {f.label()}" for i, f in enumerate(self.families[:5], 1))
            return f"以下几份公告都与问题相符，请说明您问的是哪一份（下面按第 1 份作答，未混用各公告的条款）：\n{lines}"
        if self.latest_of_series:
            return f"问题未指明年度，按同类公告中最新的一份作答：{self.families[0].label()}。"
        return ""


class NoticeRouter:
    """Decides which notices and programmes a question is about, before any clause is ranked.

    Args:
        families: the catalogue's document families (see :meth:`from_registry`).
        today: the day "今年/去年" and statuses refer to (default: the day asked).
        min_score: below this best score the question names no notice (the whole corpus is searched).
        tie_ratio: families scoring at least this share of the best are equally good fits.
        max_routed: more equally good fits than this means the question is too vague to route.
    """

    def __init__(self, families: Sequence[NoticeFamily], today: dt.date | None = None, min_score: float = 5.5,
                 tie_ratio: float = 0.5, max_routed: int = 6) -> None:
        if min_score <= 0:
            raise ValueError(f"min_score must be > 0, got {min_score!r}")
        if not 0 < tie_ratio <= 1:
            raise ValueError(f"tie_ratio must be in (0, 1], got {tie_ratio!r}")
        if max_routed < 1:
            raise ValueError(f"max_routed must be ≥ 1, got {max_routed!r}")
        self.families = list(families)
        self.today = today
        self.min_score = min_score
        self.tie_ratio = tie_ratio
        self.max_routed = max_routed
        self._by_id = {f.notice_id: f for f in self.families}
        self._of_doc = {d: f for f in self.families for d in f.doc_ids}
        self._region_set = {w for f in self.families for w in region_words(f.region)}
        self._regions = sorted({w for f in self.families for w in region_words(f.region)}, key=lambda w: (-len(w), w))
        self._family_regions = [frozenset(region_words(f.region)) for f in self.families]
        self._regions_of = {f.notice_id: w for f, w in zip(self.families, self._family_regions, strict=True)}
        # each family's alias text, and a character-bigram inverted index over them: a question's pieces all
        # start with a bigram of the question, so only families holding one of its bigrams can score, and a
        # piece's families are among those holding each of its bigrams (no scan of every family per piece)
        self._texts = [f.text for f in self.families]
        postings: dict[str, list[int]] = {}
        for k, text in enumerate(self._texts):
            for bg in {text[i:i + 2] for i in range(len(text) - 1)}:
                postings.setdefault(bg, []).append(k)
        self._bigrams = {bg: frozenset(ks) for bg, ks in postings.items()}

    # -- building ----------------------------------------------------------------------------------
    @classmethod
    def from_registry(cls, registry: Any, today: dt.date | None = None, **kwargs: Any) -> NoticeRouter:
        """A router over a :class:`~assistant.catalogue.registry.NoticeRegistry`."""
        return cls(families_of(registry.records, today), today=today, **kwargs)

    def family(self, notice_or_doc_id: str) -> NoticeFamily | None:
        """The family of a head id or any of its document ids."""
        return self._by_id.get(notice_or_doc_id) or self._of_doc.get(notice_or_doc_id)

    # -- routing -------------------------------------------------------------------------------------
    def scores(self, question: str) -> dict[str, float]:
        """Family id → how strongly the question names it (0 for none)."""
        q = normalise(_YEARISH.sub("\x00", unicodedata.normalize("NFKC", question)))
        n = len(self.families)
        out: dict[str, float] = {}
        df: dict[str, int] = {}
        candidates: set[int] = set()
        for i in range(len(q) - 1):
            candidates |= self._bigrams.get(q[i:i + 2], frozenset())
        for k in sorted(candidates):  # catalogue order, as a scan of every family would give
            text, covered, total = self._texts[k], 0, 0.0
            for i in range(len(q) - 1):
                # the longest piece starting here that this family's names hold; pieces inside an earlier one
                # are skipped, overlapping ones kept ("雄安工业诊所": 雄安工 of 雄安工坊 does not hide 工业诊所)
                if q[i:i + 2] not in text:
                    continue
                j = i + 2
                while j < len(q) and q[i:j + 1] in text:
                    j += 1
                if j <= covered:
                    continue
                covered = j
                piece = q[i:j]
                if piece in self._region_set:
                    continue  # a region names a place, not a notice: the region filter reads it
                if piece not in df:
                    df[piece] = self._piece_df(piece)
                total += self.weight(len(piece)) * math.log(1 + n / df[piece])
            # a question saying one of the notice's own names whole names it outright: its longest such name
            # counts once more, as a piece of its own (the pieces above cap a long name's weight)
            named = self._named(self.families[k], q)
            if named is not None:
                if named not in df:
                    df[named] = self._piece_df(named)
                total += self.weight(len(named)) * math.log(1 + n / max(df[named], 1))
            if total > 0:
                out[self.families[k].notice_id] = total
        return out

    def _named(self, family: NoticeFamily, q: str) -> str | None:
        """The longest of the family's own names that the (normalised) question says whole."""
        return max((a for a in family.names if a in q and a not in self._region_set), key=len, default=None)

    def _piece_df(self, piece: str) -> int:
        """How many families' alias texts hold ``piece`` (checked only in those holding all its bigrams)."""
        holders: frozenset[int] | None = None
        for i in range(len(piece) - 1):
            ks = self._bigrams.get(piece[i:i + 2], frozenset())
            holders = ks if holders is None else holders & ks
            if not holders:
                return 0
        return sum(1 for k in holders or () if piece in self._texts[k])

    def _words_of(self, family: NoticeFamily) -> frozenset[str]:
        """The region words of a family (computed once per router)."""
        words = self._regions_of.get(family.notice_id)
        return words if words is not None else frozenset(region_words(family.region))

    @staticmethod
    def weight(length: int) -> float:
        """A piece's weight by its length: longer names count more, but a long generic phrase (the applicant
        describing itself, "河北省专精特新中小企业") must not outweigh a short distinctive name ("小巨人")."""
        return {2: 1.0, 3: 3.0}.get(length, 4.0)

    def regions_named(self, question: str) -> set[str]:
        """Catalogue region words the question names (longest first, no word inside another counted)."""
        q = normalise(question)
        found: set[str] = set()
        for w in self._regions:
            if w in q and not any(w in f for f in found):
                found.add(w)
        return found

    def years_named(self, question: str) -> set[int]:
        """Years the question names, "今年/去年" read against today."""
        today = self.today or dt.date.today()
        years = {int(y) for y in _YEAR_NAMED.findall(question)}
        if _THIS_YEAR.search(question):
            years.add(today.year)
        if _LAST_YEAR.search(question):
            years.add(today.year - 1)
        return years

    def run(self, question: str, previous: Sequence[str] = (), previous_question: str | None = None) -> RouteDecision:
        """Route one question.

        Args:
            question: the (follow-up-resolved) question.
            previous: the notice ids the conversation was about (a follow-up stays on them).
            previous_question: the previous question (a region move re-routes it in the new region).
        """
        scores = self.scores(question)
        regions = self.regions_named(question)
        in_region = [f for f, words in zip(self.families, self._family_regions, strict=True)
                     if regions and words & regions]
        prev = [self._by_id[p] for p in previous if p in self._by_id]
        best = max(scores.values(), default=0.0)
        if best < self.min_score:
            moved = regions and prev and not any(self._words_of(f) & regions for f in prev)
            if moved and previous_question:
                # "那南通的呢？": the previous question, asked of the named region
                again = self.scores(previous_question)
                cands = [f for f in in_region if again.get(f.notice_id, 0.0) > 0]
                if cands:
                    return self._decide(question, cands, again)
            follow_up = len(normalise(question)) <= 20 or bool(_FOLLOW_UP.search(question.strip()))
            if prev and follow_up and not (regions and in_region and not any(f in in_region for f in prev)):
                return self._decision(prev, scores, kept=True)
            if in_region and len({f.notice_id for f in in_region}) <= self.max_routed:
                return self._decide(question, in_region, {f.notice_id: 1.0 for f in in_region})
            return RouteDecision(scores=scores)
        cands = [f for f in self.families if scores.get(f.notice_id, 0.0) > 0]
        return self._decide(question, cands, scores, regions)

    def _decide(self, question: str, cands: list[NoticeFamily], scores: dict[str, float],
                regions: set[str] | None = None) -> RouteDecision:
        """The good fits among the candidates, narrowed by a named region and year, and within a series to
        the year asked ("今年", "2025年度") or else its newest year."""
        if not self.years_named(question):
            # no year asked: the series is meant, and its newest notice answers for it — with the score of the
            # series' best-named notice (one year's title may word the name closer to the question)
            scores = dict(scores)
            best_of: dict[str, tuple[float, NoticeFamily]] = {}
            for f in cands:
                best, last = best_of.get(f.series, (0.0, f))
                if (f.year or 0) > (last.year or 0):
                    last = f
                best_of[f.series] = (max(best, scores.get(f.notice_id, 0.0)), last)
            for best, last in best_of.values():
                scores[last.notice_id] = max(scores.get(last.notice_id, 0.0), best)
        top = max((scores.get(f.notice_id, 0.0) for f in cands), default=0.0)
        fits = [f for f in cands if scores.get(f.notice_id, 0.0) >= top * self.tie_ratio]
        if regions:
            fits = [f for f in fits if self._words_of(f) & regions] or fits
        explicit = {int(y) for y in _YEAR_NAMED.findall(question)}
        if explicit:
            fits = [f for f in fits if f.year in explicit] or fits
        years = self.years_named(question)
        by_series: dict[str, list[NoticeFamily]] = {}
        for f in fits:
            by_series.setdefault(f.series, []).append(f)
        kept: list[NoticeFamily] = []
        latest = False
        for group in by_series.values():
            asked = [f for f in group if f.year in years]
            if asked:
                kept.extend(asked)
                continue
            newest = max(f.year or 0 for f in group)
            kept.extend(f for f in group if (f.year or 0) == newest)
            latest = latest or len({f.year for f in group}) > 1
        fits = [f for f in fits if f in kept]
        fits.sort(key=lambda f: (-scores.get(f.notice_id, 0.0), -(f.year or 0), str(f.published or ""), f.notice_id))
        if len(fits) > self.max_routed:
            return RouteDecision(scores=scores)
        decision = self._decision(fits, scores)
        decision.latest_of_series = latest
        decision.ambiguous = len(fits) > 1 and len({f.series for f in fits}) > 1 and self._tied(fits, scores)
        return decision

    @staticmethod
    def _tied(fits: Sequence[NoticeFamily], scores: dict[str, float]) -> bool:
        """The best two fit (nearly) equally."""
        a, b = (scores.get(f.notice_id, 0.0) for f in fits[:2])
        return b >= a * 0.95

    def _decision(self, fits: Sequence[NoticeFamily], scores: dict[str, float], kept: bool = False) -> RouteDecision:
        return RouteDecision(
            notice_ids=[f.notice_id for f in fits],
            doc_ids=[d for f in fits for d in f.doc_ids],
            programmes=[p for f in fits for p in f.programmes],
            kept=kept, scores=scores, families=list(fits))

    def programmes(self, question: str, decision: RouteDecision | None = None) -> list[str]:
        """Programme ids of the routed notices, narrowed to those whose name the question gives (if any)."""
        decision = decision or self.run(question)
        q = normalise(question)
        named = [pid for f in decision.families for pid, name in f.programme_names
                 if any(s in q for s in short_forms(name) if len(s) >= 3)]
        return named or list(decision.programmes)


def families_of(records: Iterable[NoticeRecord], today: dt.date | None = None) -> list[NoticeFamily]:
    """The catalogue's records grouped into families (a head record and the attachments naming it)."""
    records = list(records)
    heads = [r for r in records if not r.parent]
    members: dict[str, list[NoticeRecord]] = {r.notice_id: [r] for r in heads}
    for r in records:
        if r.parent and r.parent in members:
            members[r.parent].append(r)
        elif r.parent:  # an attachment whose notice is not catalogued: a family of its own
            members.setdefault(r.notice_id, [r])
            heads.append(r)
    # a guide the file's notice forwards ("关于印发《X指南》的通知" and X指南) is one family with that notice
    for head in list(heads):
        core = normalise(_YEARISH.sub("", head.title))
        outer = next((h for h in heads if h is not head and h.file == head.file and len(core) >= 6
                      and core in normalise(_YEARISH.sub("", h.title))), None)
        if outer is not None and head.notice_id in members:
            members[outer.notice_id].extend(members.pop(head.notice_id))
            heads.remove(head)
    out = []
    for head in heads:
        group = members[head.notice_id]
        aliases: dict[str, None] = {normalise(_YEARISH.sub("", head.title)): None}
        for r in group[:1]:
            for s in short_forms(r.title):
                aliases.setdefault(s, None)
        names = tuple((str(p["id"]), str(p.get("name") or p["id"])) for r in group for p in r.programmes)
        for _, name in names:
            for s in short_forms(name):
                aliases.setdefault(s, None)
        # a name is said without its region too ("中小企业服务资源库入库" for "雄安新区中小企业服务资源库入库")
        places = sorted(set(region_words(head.region)) | _enclosing_words(head.region), key=len, reverse=True)
        own_names = [a for a in aliases if len(a) >= _NAME_MIN]
        for a in list(own_names):
            w = next((w for w in places if a.startswith(w)), None)
            if w is not None and len(a) - len(w) >= _NAME_MIN:
                own_names.append(a[len(w):])
        own = tuple(dict.fromkeys(own_names))
        for value in (head.issuer, head.doc_number):
            if value:
                aliases.setdefault(normalise(value), None)
        for w in region_words(head.region):
            aliases.setdefault(w, None)
        for r in group[1:]:  # an attachment's own name (a form, a guide) names its notice too
            for s in short_forms(r.title):
                aliases.setdefault(s, None)
        out.append(NoticeFamily(
            notice_id=head.notice_id, doc_ids=tuple(r.notice_id for r in group), title=head.title,
            year=head.year, region=head.region, issuer=head.issuer, published=head.published,
            status=head.status(today).state, programmes=tuple(pid for pid, _ in names), programme_names=names,
            aliases=tuple(a for a in aliases if a), series=series_key(head.title), names=own))
    return out
