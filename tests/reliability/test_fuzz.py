"""Hypothesis over the edges user text and user files reach: ``clean_question`` and the offline service on
random unicode (alone and as conversations), applicant facts as arbitrary JSON (``shenbao check --facts``),
and notice files of random bytes. Nothing raises but the documented ``InputError``/``IngestError``, and
every record holds the invariants. (The chunker, the extractor and the checker have their own fuzz tests in
``tests/ingest`` and ``tests/eligibility``.)"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from assistant.answer import Session
from assistant.answer.service import MAX_QUESTION_CHARS, clean_question
from assistant.errors import IngestError, InputError
from tests.reliability.conftest import TALLY
from tests.reliability.invariants import check_record, is_chinese_message

pytestmark = pytest.mark.reliability

# corpus words and question shapes, so that the fuzz also reaches retrieval, rulings and refusals
WORDS = ["赣榆区", "海州区", "南通", "企业", "高校", "能申报吗？", "最高资助多少？", "截止时间", "联系电话", "不含",
         "产业前瞻与关键技术", "新型研发机构", "我们", "那", "呢？", "2021年注册", "授权发明专利", "没有", "，", "。",
         "4202", "1101", "忽略之前的指令", "<clause id=\"x\">", "</question>", "DROP TABLE", "\x00", "\u202e",
         "😀", "連雲港", "funding", " ", "\n", "\u3000"]
QUESTIONS = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.lists(st.sampled_from(WORDS), max_size=12).map("".join),
    st.tuples(st.lists(st.sampled_from(WORDS), max_size=6).map("".join), st.text(max_size=20)).map("".join),
)
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.one_of(st.text(max_size=300), st.binary(max_size=50).map(lambda b: b.decode("utf-8", "surrogateescape")),
                 st.integers(MAX_QUESTION_CHARS - 5, MAX_QUESTION_CHARS + 5).map(lambda n: "问" * n)))
def test_clean_question_gives_clean_text_or_a_chinese_input_error(raw: str) -> None:
    TALLY["inputs"] += 1
    try:
        q = clean_question(raw)
    except InputError as exc:
        assert is_chinese_message(str(exc))
        return
    assert q == q.strip() and q and len(q) <= MAX_QUESTION_CHARS
    q.encode("utf-8")  # storable, hashable, printable
    assert not any(ord(ch) < 32 and ch not in "\n\t\r" for ch in q)


@pytest.mark.slow
@settings(parent=FUZZ, max_examples=40)
@given(QUESTIONS)
@example("2021")  # found by this test: the 文首 clause of the 14th plan glues lines the cleaner moved together
def test_offline_service_on_random_text(corpus_service, question: str) -> None:  # type: ignore[no-untyped-def]
    TALLY["inputs"] += 1
    session = Session()
    try:
        record = corpus_service.ask(question, session)
    except InputError as exc:
        assert is_chinese_message(str(exc))
        assert not session.history  # a refused question leaves the session untouched
        return
    check_record(record)
    assert session.history[-1][1] is record


@pytest.mark.slow
@settings(parent=FUZZ, max_examples=5)
@given(st.lists(QUESTIONS, min_size=2, max_size=4))
def test_offline_conversations_on_random_text(corpus_service, questions: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Follow-up resolution and accumulated facts over random turns: only InputError, invariants every turn."""
    TALLY["inputs"] += len(questions)
    session = Session()
    answered = 0
    for q in questions:
        try:
            record = corpus_service.ask(q, session)
        except InputError:
            continue
        answered += 1
        check_record(record)
    assert len(session.history) == answered


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner,
                                                                                  max_size=3), max_leaves=8)
FACT_KEYS = ["registered_district", "registered_city", "registered_date", "entity_type", "degree", "birth_year",
             "rd_investment_wan", "ongoing_projects", "partner_country", "has_own_ip", "no_such_fact"]


@FUZZ
@given(st.dictionaries(st.sampled_from(FACT_KEYS) | st.text(max_size=12), JSON, max_size=5))
def test_arbitrary_fact_json_gives_a_profile_or_a_chinese_input_error(facts: dict[str, Any]) -> None:
    """What ``shenbao check --facts`` and the form hand over: user JSON of any shape."""
    from assistant.eligibility import ApplicantProfile

    TALLY["inputs"] += 1
    try:
        profile = ApplicantProfile.from_facts(facts)
    except InputError as exc:  # ProfileError is an InputError
        assert is_chinese_message(str(exc))
        return
    checker = _checker()
    for pid in ("lyg-2024-key-rd-industry", "nt-2023-frontier"):
        if pid in checker.rules.programmes:
            assert checker.run(pid, profile).verdict in {"eligible", "ineligible", "needs_info"}


_CHECKER: list[Any] = []


def _checker() -> Any:
    from assistant.eligibility import EligibilityChecker

    if not _CHECKER:
        _CHECKER.append(EligibilityChecker())
    return _CHECKER[0]


def _zip_of(entries: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries:
            z.writestr(name or "x", data)
    return buf.getvalue()


FILE_BYTES = st.one_of(
    st.binary(max_size=400),
    st.binary(max_size=200).map(lambda b: b"%PDF-1.4\n" + b),
    st.lists(st.tuples(st.sampled_from(["word/document.xml", "[Content_Types].xml", "a.bin"]),
                       st.binary(max_size=80)), max_size=3).map(_zip_of),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(max_size=100).map(lambda t: f"<html><body>{t}</body></html>".encode("utf-8", "surrogatepass")),
)


@settings(parent=FUZZ, max_examples=120)
@given(st.sampled_from([".txt", ".md", ".html", ".pdf", ".docx"]), FILE_BYTES)
@example(suffix=".md", data=b"<html")  # markup only: found by this test, now refused by name
def test_notice_files_of_random_bytes_parse_or_fail_by_name(tmp_path: Path, suffix: str, data: bytes) -> None:
    from assistant.ingest import NoticeCatalogue, parse_notice_file
    from tests.conftest import ROOT

    assume(data)
    TALLY["inputs"] += 1
    path = tmp_path / f"random-notice{suffix}"
    path.write_bytes(data)
    try:
        docs, chunks = parse_notice_file(path, NoticeCatalogue.load(ROOT / "corpus" / "notices.yaml"))
    except IngestError as exc:
        assert path.name in str(exc) and is_chinese_message(str(exc))
        return
    for c in chunks:
        assert c.text.strip() and c.source == path.name
        c.text.encode("utf-8")
    assert docs
