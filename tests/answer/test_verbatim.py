"""Every quote of an answer stands in its file as ingested: quotes that do not are cut into runs that do."""

from __future__ import annotations

from assistant.answer.verbatim import CitationVerifier, source_lookup
from assistant.models import AnswerRecord, Citation

FILE = ("申报单位为机器人相关企业。\n\n![](x.jpg)\n\n机器人相关企业均应为河北省境内注册的企业。\n"
        "<table><tr><td>认证标准：</td><td>证书有效期：</td></tr></table>")
SOURCE = source_lookup({"a.md": FILE}, {"甲通知": "a.md"})


def _record(*quotes: str, notice: str = "甲通知") -> AnswerRecord:
    return AnswerRecord(answer="…", citations=[Citation(notice=notice, section="二、申报条件", quote=q) for q in quotes])


def test_a_verbatim_quote_is_kept_as_it_is() -> None:
    rec = CitationVerifier().run(_record("申报单位为机器人相关企业。"), SOURCE)
    assert [c.quote for c in rec.citations] == ["申报单位为机器人相关企业。"]


def test_lines_joined_across_left_out_furniture_are_quoted_line_by_line() -> None:
    rec = CitationVerifier().run(_record("申报单位为机器人相关企业。\n机器人相关企业均应为河北省境内注册的企业。"), SOURCE)
    assert [c.quote for c in rec.citations] == ["申报单位为机器人相关企业。", "机器人相关企业均应为河北省境内注册的企业。"]
    assert all(c.section == "二、申报条件" for c in rec.citations)


def test_a_quote_split_by_markup_keeps_its_runs_and_drops_crumbs() -> None:
    rec = CitationVerifier(min_chars=4).run(_record("认证标准：证书有效期："), SOURCE)
    assert [c.quote for c in rec.citations] == ["认证标准：", "证书有效期："]
    assert CitationVerifier(min_chars=7).run(_record("认证标准：证书有效期："), SOURCE).citations == []


def test_a_citation_of_an_unknown_file_is_left_alone() -> None:
    rec = CitationVerifier().run(_record("任何文字", notice="乙通知"), SOURCE)
    assert [c.quote for c in rec.citations] == ["任何文字"]
