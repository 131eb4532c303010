"""Deadline and contact answers completed from the catalogue, with the status on the day asked."""

from __future__ import annotations

import datetime as dt

from assistant.answer.catalogue_facts import CatalogueFactAdder
from assistant.catalogue.registry import NoticeRecord, NoticeRegistry
from assistant.models import AnswerRecord, Citation

QUOTE = "请于4月15日下班前将纸质材料报送至新区科技创新局。"
REG = NoticeRegistry([
    NoticeRecord(notice_id="n1", file="a.md", title="甲通知", kind="call",
                 deadlines=[{"what": "纸质材料报送", "date": "2025-04-15", "time": None, "quote": QUOTE}],
                 contacts=[{"unit": "创新服务处", "person": "王明", "phones": ["0510-88886666"],
                            "quote": "联系人：王明；联系电话：0510-88886666"}]),
    NoticeRecord(notice_id="n1-2", file="a.md", title="甲通知申报书", parent="n1"),
])


def _answer(title: str = "甲通知", text: str = "根据《甲通知》三、申报时间：请于4月15日下班前……") -> AnswerRecord:
    return AnswerRecord(answer=text, citations=[Citation(notice=title, section="三、申报时间", quote=QUOTE)])


def _locate(file: str, quote: str) -> str | None:
    return "三、申报时间" if file == "a.md" and "4月15日" in quote else "四、联系方式"


def test_is_it_closed_leads_with_the_status_and_its_date() -> None:
    out = CatalogueFactAdder(dt.date(2025, 4, 16)).run("这个截止了吗？", _answer(), REG, _locate)
    first = out.answer.split("\n")[0]
    assert "已截止（2025-04-15）" in first and "按 2025-04-16 计算" in first


def test_a_deadline_question_while_open_gets_the_days_left_after_the_answer() -> None:
    out = CatalogueFactAdder(dt.date(2025, 4, 10)).run("什么时候截止？", _answer(), REG, _locate)
    assert out.answer.startswith("根据《甲通知》")
    assert "申报中（剩余 5 天）" in out.answer and "截止时间 2025-04-15" in out.answer


def test_an_attachment_answer_takes_its_notice_status() -> None:
    out = CatalogueFactAdder(dt.date(2025, 4, 10)).run("什么时候截止？", _answer("甲通知申报书"), REG, _locate)
    assert "《甲通知》申报状态" in out.answer


def test_a_contact_question_without_a_number_gets_the_person_and_number_quoted() -> None:
    out = CatalogueFactAdder().run("联系电话多少？", _answer(text="请咨询新区科技创新局。"), REG, _locate)
    assert out.answer.startswith("《甲通知》的联系方式：创新服务处，王明，电话 0510-88886666")
    assert any(c.quote.startswith("联系人：王明") and c.section == "四、联系方式" for c in out.citations)


def test_nothing_is_added_to_a_refusal_a_ruling_or_an_unrelated_question() -> None:
    refused = AnswerRecord(answer="现有公告中未找到。", refused=True)
    assert CatalogueFactAdder().run("截止了吗？", refused, REG, _locate).answer == "现有公告中未找到。"
    plain = _answer(text="支持方向见附件。")
    assert CatalogueFactAdder().run("支持哪些方向？", plain, REG, _locate).answer == "支持方向见附件。"
