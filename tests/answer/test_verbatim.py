"""Quotes are verbatim file text: split where the reader joined text the file separates, dropped if absent."""

from __future__ import annotations

import pytest

from assistant.answer.verbatim import VerbatimQuoteCheck
from assistant.models import AnswerRecord, Citation

FILE = "<td>申报单位为独立法人企业。</td><td>运营、财务、信用状况良好。</td>\n联系人：王云婷"
FLAT = "".join(FILE.split())


def record(*quotes: str) -> AnswerRecord:
    return AnswerRecord(answer="…", citations=[Citation(notice="T", section="一、", quote=q) for q in quotes])


def test_a_verbatim_quote_is_kept_whole() -> None:
    rec = VerbatimQuoteCheck(lambda t: FLAT).run(record("申报单位为独立法人企业。"))
    assert [c.quote for c in rec.citations] == ["申报单位为独立法人企业。"]


def test_a_quote_joined_across_markup_is_cut_into_verbatim_lines() -> None:
    rec = VerbatimQuoteCheck(lambda t: FLAT).run(record("申报单位为独立法人企业。\n运营、财务、信用状况良好。"))
    assert [c.quote for c in rec.citations] == ["申报单位为独立法人企业。", "运营、财务、信用状况良好。"]


def test_text_found_nowhere_is_not_cited_and_unknown_files_are_left_alone() -> None:
    assert VerbatimQuoteCheck(lambda t: FLAT).run(record("最高资助1000万元整")).citations == []
    assert len(VerbatimQuoteCheck(lambda t: "").run(record("最高资助1000万元整")).citations) == 1


def test_bad_setting_names_the_value() -> None:
    with pytest.raises(ValueError, match="0"):
        VerbatimQuoteCheck(lambda t: "", min_piece=0)
