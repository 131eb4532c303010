"""Finding a programme's condition clauses in one document's chunks.

A *condition clause* is one sentence (or one list item, or one table cell) of a section whose heading names
application conditions (申报条件 / 申报要求 / 支持对象 / 认定条件 / 基本条件 / 申报范围 …, 负面清单 / 不予受理
lists), or a sentence elsewhere that states a condition strongly ("申报本计划项目研发总投入不得少于…").
Each clause keeps its verbatim text, its section path and the programmes it applies to: in a document with
several programmes, a heading or a marker line naming one (its guide code "6101", or its name on a short
line) scopes the clauses after it, until the section changes.

:func:`find_condition_clauses` is public: the catalogue reuses it for a programme's ``conditions section``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from assistant import yamlio
from assistant.errors import RuleError
from assistant.models import Chunk

LEXICON_PATH = Path(__file__).resolve().parent / "lexicon.yaml"

Origin = Literal["section", "table", "cue"]


@lru_cache(maxsize=2)
def load_lexicon(path: Path = LEXICON_PATH) -> dict[str, Any]:
    """The drafter's vocabulary (``lexicon.yaml``), parsed once.

    Raises:
        RuleError: the file is missing or not a YAML mapping.
    """
    try:
        data = yamlio.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleError(f"无法读取起草词表 {path}：{exc}。请检查文件是否存在且为合法 YAML。") from None
    if not isinstance(data, dict):
        raise RuleError(f"起草词表 {path} 应为 YAML 映射。")
    return data


@dataclass(frozen=True)
class ProgrammeRef:
    """The programme rules are drafted for: its id, title, the notice (document) id and the notice's region.

    Attributes:
        id: programme id (rule ids are built from it).
        title: the programme's title; its distinctive part (after the first space, or a guide code) is what
            headings and marker lines are matched against.
        notice_id: the document id (``Chunk.doc_id``).
        region: the area the notice addresses (连云港市, 江苏省, 雄安新区 …); resolves 我市/本省/新区.
        year: the notice's year (reference year for ages and 成立满N年), if known.
        doc_ids: the documents whose clauses are the programme's (the notice and its attachments);
            empty: the notice's own document.
        conditions_heading: the heading the catalogue found the programme's conditions under, if any.
        sections: when set, the only sections whose clauses are the programme's (a policy's measure).
    """

    id: str
    title: str
    notice_id: str
    region: str | None = None
    year: int | None = None
    doc_ids: tuple[str, ...] = ()
    conditions_heading: str | None = None
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConditionClause:
    """One condition sentence with where it stands and which programmes it applies to (empty: all)."""

    text: str
    section: str
    doc_id: str
    chunk_id: str
    origin: Origin
    scope: tuple[str, ...] = ()

    def applies_to(self, programme_id: str) -> bool:
        """True when the clause is not scoped to other programmes."""
        return not self.scope or programme_id in self.scope


_CODE = re.compile(r"(?<!\d)(\d{4})(?![\d年])")
_PUNCT = re.compile(r"[\s“”\"'《》（）()、，,：:；;。．.·\-—]+")
_NUMBERING = re.compile(r"^([（(]?[一二三四五六七八九十\d]+[)）、.．]|第[一二三四五六七八九十]+[条章])\s*")
_TAG = re.compile(r"<[^>]+>|\|")


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def programme_key(ref: ProgrammeRef, siblings: Sequence[ProgrammeRef]) -> tuple[str, str | None]:
    """The distinctive name of a programme among its siblings, and its 4-digit guide code if any."""
    parts = ref.title.split()
    key = " ".join(parts[1:]) if len(parts) > 1 else ref.title
    if len(parts) <= 1 and len(siblings) > 1:
        others = [s.title for s in siblings if s.id != ref.id]
        prefix = 0
        while all(prefix < len(o) and prefix < len(key) and o[prefix] == key[prefix] for o in others):
            prefix += 1
        key = key[prefix:] or key
    code = _CODE.search(key)
    return key, code.group(1) if code else None


def _name_only(key: str) -> str:
    return _PUNCT.sub("", _CODE.sub("", key))


def _match_score(text: str, key: str, code: str | None, short_only: bool) -> float:
    """How well a heading or line names this programme: 1.0 for its guide code at the start, else the share
    of the name's bigrams it holds (0 below 0.75)."""
    body = _NUMBERING.sub("", text.strip())
    if code and re.match(rf"^{code}(?!\d)", body):
        return 1.0
    name = _name_only(key)
    flat = _PUNCT.sub("", body)
    if not name or len(name) < 3:
        return 0.0
    if short_only and len(flat) > len(name) + 12:
        return 0.0
    kb = _bigrams(name)
    score = len(kb & _bigrams(flat)) / len(kb) if kb else 0.0
    return score + (0.5 if name in flat else 0.0) if score >= 0.75 else 0.0


def _matches(text: str, key: str, code: str | None, short_only: bool) -> bool:
    """Does a heading or line name this programme (its guide code at the start, or its name)?"""
    return _match_score(text, key, code, short_only) > 0


def _best(texts: Sequence[str], keys: dict[str, tuple[str, str | None]], short_only: bool) -> tuple[str, ...]:
    """The programmes the texts name best (several only when they tie: "A和B" names both)."""
    scores = {pid: max((_match_score(t, key, code, short_only) for t in texts), default=0.0)
              for pid, (key, code) in keys.items()}
    top = max(scores.values(), default=0.0)
    return tuple(pid for pid, sc in scores.items() if sc > 0 and sc >= top - 1e-9) if top > 0 else ()


def _segments(text: str) -> list[tuple[str, Origin]]:
    """Lines and table cells of a chunk (verbatim substrings), with whether they come from a table."""
    out: list[tuple[str, Origin]] = []
    for line in text.splitlines():
        if _TAG.search(line):
            out.extend((cell.strip(), "table") for cell in _TAG.split(line) if cell.strip())
        elif line.strip():
            out.append((line.strip(), "section"))
    return out


def split_sentences(segment: str) -> list[str]:
    """Sentences of one line: split at 。 and at ； unless the sentence lists alternatives (之一)."""
    sentences: list[str] = []
    for sent in re.findall(r"[^。]+。?", segment):
        if "之一" in sent or "以下条件" in sent or "下列" in sent:
            sentences.append(sent)
        else:
            sentences.extend(s for s in re.findall(r"[^；;]+[；;]?", sent))
    return [s.strip() for s in sentences if len(_PUNCT.sub("", s)) >= 4]


def _is_condition_section(path: Sequence[str], lex: dict[str, Any]) -> bool:
    heads = re.compile(lex["condition_headings"])
    skip = re.compile(lex["non_condition_headings"])
    if any(re.search(lex["form_headings"], h) for h in path):
        return False
    hit = next((i for i, h in enumerate(path) if heads.search(h)), None)
    if hit is None:
        return False
    # a procedure/materials sub-heading below the condition heading is not conditions
    return not any(skip.search(h) and not heads.search(h) for h in path[hit + 1:])


def find_condition_clauses(chunks: Sequence[Chunk], programmes: Sequence[ProgrammeRef] = ()) -> list[ConditionClause]:
    """The condition clauses of one document's chunks (in order), each scoped to the programmes it names.

    Args:
        chunks: the document's clauses as produced by ``assistant.ingest.parse_notice_file``.
        programmes: the document's programmes (for scoping); empty or one: every clause applies to all.

    Returns:
        One :class:`ConditionClause` per condition sentence, list item or table cell.
    """
    lex = load_lexicon()
    cue = re.compile(lex["condition_cue"])
    procedure = re.compile(lex["procedure_cue"])
    keys = {p.id: programme_key(p, programmes) for p in programmes} if len(programmes) > 1 else {}
    headings = {p.conditions_heading for p in programmes if p.conditions_heading}
    out: list[ConditionClause] = []
    carried: tuple[str, ...] = ()
    last_path: tuple[str, ...] = ()
    doc_order = {d: i for i, d in enumerate(dict.fromkeys(c.doc_id for c in chunks))}
    for chunk in sorted(chunks, key=lambda c: (doc_order[c.doc_id], c.position)):
        path = tuple(chunk.section_path)
        if path[: len(last_path)] != last_path or not last_path:
            carried = ()  # a new section (not a sub-section of the last one) ends a marker's reach
        last_path = path
        head_scope = _best(path, keys, short_only=False)
        in_section = _is_condition_section(path, lex) or (
            bool(headings & set(path)) and not any(re.search(lex["non_condition_headings"], h) for h in path))
        for segment, origin in _segments(chunk.text):
            marked = _best([segment], keys, short_only=True)
            if marked:
                carried = marked
            scope = head_scope or carried
            for sent in split_sentences(segment):
                flat = _PUNCT.sub("", sent)
                if not in_section and not cue.search(flat):
                    continue
                if procedure.search(sent.strip()) or len(flat) < 8:
                    continue
                named = _named_in(sent, keys)
                out.append(ConditionClause(
                    text=sent, section=chunk.section, doc_id=chunk.doc_id, chunk_id=chunk.chunk_id,
                    origin=origin if in_section else "cue", scope=named or scope))
    return out


def _named_in(sentence: str, keys: dict[str, tuple[str, str | None]]) -> tuple[str, ...]:
    """"对于A项目和B项目，…": the programmes a sentence limits itself to."""
    if not re.match(r"^(对于|针对|凡)", sentence):
        return ()
    flat = _PUNCT.sub("", sentence)
    return tuple(pid for pid, (key, _) in keys.items() if _name_only(key) and _name_only(key) in flat)
