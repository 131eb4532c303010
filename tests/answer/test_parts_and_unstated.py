"""Several-part questions answered part by part; list items kept with their intro; 通知未明确 when the notice
never gives the asked detail (and not when it does)."""

from __future__ import annotations

import pytest

from assistant.answer.composer import (
    CitedAnswerComposer,
    best_sentence,
    part_types,
    question_parts,
    with_list_items,
)
from assistant.answer.unstated import UnstatedDetailCheck, not_stated_answer
from assistant.index.bm25 import BM25Index
from assistant.models import Chunk, RetrievedClause

TITLE = "关于开展2025年测试工坊试点产品申报的通知"


def chunk(text: str, section: tuple[str, ...], pos: int = 0) -> Chunk:
    return Chunk(Chunk.make_id("t", pos, section, text), "t", TITLE, section, text, pos, "t.md")


CLAUSES = [
    chunk("申报材料请于2025年5月25日下班前报新区中小企业处。", ("四、报送要求",), 0),
    chunk("联系人：高钱，电话0312-5620861。", ("五、联系方式",), 1),
    chunk("每家企业原则上推荐不超过3项产品。", ("三、推荐名额",), 2),
    chunk("申报单位须符合下列条件之一：\n1．获得省级以上品牌认定；\n2．拥有自主注册商标。\n其他事项另行通知。",
          ("二、申报条件",), 3),
]
BM25 = BM25Index([f"{c.title} {c.section}\n{c.text}" for c in CLAUSES])


def ranked(order: tuple[int, ...]) -> list[RetrievedClause]:
    return [RetrievedClause(CLAUSES[i], 1.0 - n / 10) for n, i in enumerate(order)]


def test_question_parts_split_a_several_part_question_only() -> None:
    assert question_parts("最多报几个？什么时候截止？发到哪？") == ["最多报几个", "什么时候截止", "发到哪"]
    assert question_parts("申报条件是什么？") == ["申报条件是什么？"]


def test_each_part_is_answered_by_its_own_clause_and_the_first_part_leads() -> None:
    q = "每家最多报几个？什么时候截止？有问题找谁？"
    rec = CitedAnswerComposer().run(q, ranked((1, 0, 2, 3)), BM25.tokenizer.tokens(q))
    head = rec.answer.split("\n\n依据条款")[0]
    assert head.startswith("根据《") and "不超过3项" in head.split("\n")[0]
    assert "2025年5月25日" in head and "0312-5620861" in head
    quoted = "".join(c.quote for c in rec.citations)
    assert "不超过3项" in quoted and "5月25日" in quoted and "0312-5620861" in quoted


def test_a_list_intro_brings_its_items() -> None:
    text = CLAUSES[3].text
    out = with_list_items(text, ["申报单位须符合下列条件之一："])
    assert any("拥有自主注册商标" in s for s in out)
    assert not any("另行通知" in s for s in out)


def test_a_detail_the_notice_never_gives_is_not_stated() -> None:
    q = "测试工坊品牌授权的有效期是几年？"
    detail = UnstatedDetailCheck().run(q, CLAUSES, ranked((3, 0)), BM25)
    assert detail is not None and detail.title == TITLE
    rec = not_stated_answer(detail, [c.text for c in CLAUSES], ["获得省级以上品牌认定；"])
    assert rec.answer.startswith("通知未明确") and rec.refused
    assert "仅作背景" in rec.answer and rec.citations[0].quote == "获得省级以上品牌认定；"


@pytest.mark.parametrize("q", ["测试工坊产品申报几号截止？", "每家企业最多推荐几项产品？", "找谁咨询，电话多少？"])
def test_a_detail_the_notice_gives_is_answered(q: str) -> None:
    assert UnstatedDetailCheck().run(q, CLAUSES, ranked((0, 1, 2)), BM25) is None


def test_a_question_asking_no_detail_is_left_to_the_answer() -> None:
    assert UnstatedDetailCheck().run("申报条件有哪些？", CLAUSES, ranked((3,)), BM25) is None


def test_bad_setting_names_the_value() -> None:
    with pytest.raises(ValueError, match="0"):
        UnstatedDetailCheck(subject_terms=0)


def doc_clause(text: str, section: tuple[str, ...], doc: str, title: str = TITLE, pos: int = 0) -> RetrievedClause:
    return RetrievedClause(Chunk(Chunk.make_id(doc, pos, section, text), doc, title, section, text, pos, "t.md"), 1.0)


def test_a_part_naming_only_another_subject_asks_what_the_part_before_asked() -> None:
    assert part_types(["服务型企业招一个人补多少", "其他企业呢"]) == [["amount"], ["amount"]]
    assert part_types(["几号截止", "需要交纸质材料吗"]) == [["date"], []]


def test_the_part_answer_is_the_sentence_with_the_asked_words_not_the_title_words() -> None:
    title = "关于印发《测试新增就业补贴实施细则》的通知"
    a = doc_clause("新招用人员在2022年5月1日至2022年12月31日期间的，给予测试新增就业补贴。", ("一、补贴对象",), "d", title)
    b = doc_clause("劳动合同复印件。申报结束日期为2023年4月10日。", ("二、申报", "6."), "d", title, 1)
    terms = ["测试", "新增", "就业", "补贴", "最晚", "申报"]
    found = best_sentence("测试新增就业补贴最晚申报到什么时候", [a, b], terms)
    assert found is not None and "2023年4月10日" in found[1]


def test_a_clause_heading_says_what_its_bare_value_is() -> None:
    pay = doc_clause("答辩PPT请于3月18日17时发送至邮箱。", ("三、申报方式", "（五）有关要求"), "d")
    due = doc_clause("2026年3月19日", ("三、申报方式", "（二）申报截止时间"), "d", pos=1)
    found = best_sentence("今年哪天截止", [pay, due], ["今年", "截止"])
    assert found is not None and found[1] == "2026年3月19日"


def test_the_notice_itself_wins_over_the_higher_body_notice_it_forwards() -> None:
    higher = doc_clause("请各市于2026年5月29日前将纸质材料报送省厅。", ("二、推荐要求",), "d-2", "省厅关于开展推荐工作的通知")
    own = doc_clause("相关材料纸质版请于5月25日前报新区中小企业处。", ("文首",), "d", pos=1)
    found = best_sentence("纸质材料最晚哪天交", [higher, own], ["纸质", "材料"], prefer={"d"})
    assert found is not None and found[0] is own
    found = best_sentence("纸质材料最晚哪天交", [higher, own], ["纸质", "材料"])
    assert found is not None and found[0] is higher  # without a preference the earlier clause wins the tie


def test_each_part_of_an_elliptic_follow_on_gets_its_own_sentence() -> None:
    title = "测试补贴实施细则"
    a = doc_clause("服务型企业补贴标准1000元/人。", ("一、标准",), "d", title)
    b = doc_clause("其他类型企业补贴标准500元/人。", ("一、标准",), "d", title, 1)
    q = "服务型企业招一个人补多少？其他企业呢？"
    rec = CitedAnswerComposer().run(q, [a, b], ["服务", "企业", "补贴", "其他"])
    head = rec.answer.split("\n\n依据条款")[0]
    assert "1000元" in head and "500元" in head


def test_a_comma_piece_setting_the_scene_is_no_part_of_its_own() -> None:
    assert question_parts("资助公示完以后，钱多长时间能拨到账上？") == ["资助公示完以后，钱多长时间能拨到账上？"]


PAYING = [
    chunk("拟授权名单在官方平台公示5个工作日。", ("二、申报程序", "（四）"), 0),
    chunk("项目评审并完成公示后，由财政部门办理资金拨付手续，于下一年度兑付。", ("三、资金拨付",), 1),
    chunk("品牌使用须遵守管理办法。", ("四、有关事项",), 2),
]
PAYING_BM25 = BM25Index([f"{c.title} {c.section}\n{c.text}" for c in PAYING])


@pytest.mark.parametrize("q", ["测试工坊资助公示完以后，钱多长时间能拨到账上？", "测试工坊品牌授权拿到手以后有效期是几年？"])
def test_a_duration_of_something_else_does_not_state_the_asked_one(q: str) -> None:
    detail = UnstatedDetailCheck().run(q, PAYING, ranked((0,)), PAYING_BM25)
    assert detail is not None and "期限" in detail.asked


def test_a_payment_period_the_notice_gives_is_stated() -> None:
    clauses = [*PAYING, chunk("公示结束后10个工作日内拨付资金。", ("三、资金拨付",), 3)]
    bm25 = BM25Index([f"{c.title} {c.section}\n{c.text}" for c in clauses])
    assert UnstatedDetailCheck().run("测试工坊资助公示完以后，钱多长时间能拨到账上？", clauses, ranked((0,)), bm25) is None


def test_a_deadline_is_a_day_it_is_due_by_not_a_period_before_a_month() -> None:
    period = doc_clause("申报单位累计开具诊断报告（2022年11月之前的报告按50%折算）。", ("二、申报要求",), "d")
    due = doc_clause("各单位于11月7日前申报。", ("三、评选程序",), "d", pos=1)
    found = best_sentence("2023年测试诊所几号前要报", [period, due], ["2023", "测试", "诊所", "几号", "前要"])
    assert found is not None and found[0] is due


def test_a_list_intro_clause_of_its_own_leads_with_the_items_under_its_heading() -> None:
    from assistant.answer.composer import is_list_intro, list_items_after

    intro = doc_clause("活动案例需包含以下内容：", ("七、提交方式", "（一）提交内容"), "d", pos=0)
    one = doc_clause("1.案例申报书；", ("七、提交方式", "（一）提交内容", "1."), "d", pos=1)
    two = doc_clause("2.相关证明材料。", ("七、提交方式", "（一）提交内容", "2."), "d", pos=2)
    after = doc_clause("（二）提交方式：发送至邮箱。", ("七、提交方式", "（二）提交方式"), "d", pos=3)
    assert is_list_intro(intro.chunk) and not is_list_intro(one.chunk)
    assert list_items_after(intro.chunk, [one.chunk, two.chunk, after.chunk]) == [one.chunk, two.chunk]
    opening = doc_clause("现将有关事项通知如下：", ("文首",), "d")
    assert list_items_after(opening.chunk, [after.chunk]) == []
    rec = CitedAnswerComposer().run("活动案例需要包含什么内容？", [intro, one, two, after], ["案例", "包含", "内容"])
    lead = rec.answer.split("\n")[0]
    assert "案例申报书" in lead and "相关证明材料" in lead and "邮箱" not in lead


def test_a_number_alone_answers_no_part_that_says_nothing_of_it() -> None:
    staff = doc_clause("服务型企业需签订6个月以上劳动合同。", ("一、标准",), "d")
    due = doc_clause("申报结束日期为2023年4月10日，可在每月的前5个工作日内申报。", ("二、申报",), "d", pos=1)
    q = "最晚申报到什么时候？平时哪几天能报？"
    answers = CitedAnswerComposer().part_answers(q, [staff, due], ["最晚", "申报", "平时", "哪几天", "能报"])
    assert [a[0] for a in answers] == [due]  # the second part's answer is the first's sentence, said once


def test_the_composer_prefers_the_notice_itself_for_a_part() -> None:
    higher = doc_clause("请各市于2026年5月29日下班前将纸质材料报送省厅。", ("二、推荐要求",), "d-2", "省厅关于开展推荐工作的通知")
    own = doc_clause("相关材料纸质版请于5月25日下班前报新区中小企业处。", ("文首",), "d", pos=1)
    contact = doc_clause("联系人：高钱，电话0312-5620861。", ("文首",), "d", pos=2)
    q = "纸质材料最晚哪天交？有问题找谁？"
    rec = CitedAnswerComposer().run(q, [higher, own, contact], ["纸质", "材料", "最晚", "问题"], prefer={"d"})
    assert "5月25日" in rec.answer.split("\n")[0]


def test_a_part_asks_its_topic_in_its_asking_clause_only() -> None:
    title = "关于印发《测试新增就业补贴实施细则》的通知"
    check = doc_clause("核查新增就业补贴人员花名册，必要时可通过电话核实。", ("二、审核",), "d", title)
    phones = doc_clause("雄县人社局联系人：李振东，联系电话：0312-5811829；\n安新县人社局联系人：任建民，联系电话：0312-5331393。",
                        ("四、拨付",), "d", title, 1)
    part = "安新县的企业申请新增就业补贴，找人社局哪位"
    terms = ["安新县", "企业", "申请", "新增", "就业", "补贴", "社局", "哪位"]
    found = best_sentence(part, [check, phones], terms, ["contact"])
    assert found is not None and found[1].startswith("安新县")


def test_a_place_a_notice_is_of_and_pieces_of_a_longer_word_count_once() -> None:
    from assistant.answer.composer import own_terms, said_terms

    c = Chunk(Chunk.make_id("t", 0, ("二",), "x"), "t", "测试成果转化计划项目指南", ("二",), "x", 0, "t.md",
              metadata={"region": "连云港市"})
    assert own_terms(["连云港市", "连云", "注册", "转化"], c) == {"注册"}
    assert said_terms({"连云", "港市", "连云港市", "注册"}, "在连云港市注册") == {"连云港市", "注册"}


def test_a_longer_name_the_question_says_outweighs_a_short_word() -> None:
    title = "关于组织申报2024年度省科技计划专项资金（国际科技合作）项目的通知"
    belt = doc_clause("企业牵头申报的项目，省资助经费不超过总预算的50%。", ("一、", "（三）一带一路创新合作项目"), "d", title)
    pair = doc_clause("省资助经费每项原则上不超过150万元。", ("一、", "（一）双边创新合作项目"), "d", title, 1)
    terms = ["双边", "创新", "合作", "双边创新合作", "资助", "经费", "上限"]
    found = best_sentence("双边创新合作项目的省资助经费上限是多少", [belt, pair], terms)
    assert found is not None and found[0] is pair


def test_a_condition_under_its_programme_heading_line_is_stated() -> None:
    clauses = [
        chunk("青年人才项目\n\n支持青年人才开展研究。\n\n申报条件：具有博士学位。男性年龄不超过35周岁（1989年1月1日以后出生）。",
              ("三、申报条件",), 0),
        chunk("面上项目\n\n申报条件：申报单位为市内企事业单位。", ("三、申报条件",), 1),
    ]
    bm25 = BM25Index([f"{c.title} {c.section}\n{c.text}" for c in clauses])
    got = UnstatedDetailCheck().run("青年人才项目对年龄有什么要求？", clauses, [RetrievedClause(clauses[0], 1.0)], bm25)
    assert got is None
    # the heading line names the programme; another programme's clause does not state its age limit
    other = UnstatedDetailCheck().run("面上项目对年龄有什么要求？", clauses[1:], [RetrievedClause(clauses[1], 1.0)],
                                      bm25)
    assert other is not None and "年龄" in other.asked


def test_a_day_and_hour_something_is_due_before_states_a_deadline() -> None:
    clauses = [chunk("请申报单位如实填写预审表，并于8月18日12点前，将纸质版1份报至我局。", ("二、预审要求",), 0),
               chunk("本次申报范围为科学技术进步奖。", ("一、申报范围",), 1)]
    bm25 = BM25Index([f"{c.title} {c.section}\n{c.text}" for c in clauses])
    assert UnstatedDetailCheck().run("测试工坊预审的截止时间？", clauses, [RetrievedClause(clauses[0], 1.0)], bm25) is None


def test_a_distributive_word_is_no_subject_the_stating_sentence_must_say() -> None:
    clauses = [chunk("立项后将按照不超过项目研发总投入的50%、最高100万元给予资助。", ("三、组织方式",), 0),
               chunk("每个单位限报1项。", ("四、申报要求",), 1), chunk("申报材料一式两份。", ("五、材料",), 2)]
    bm25 = BM25Index([f"{c.title} {c.section}\n{c.text}" for c in clauses])
    assert UnstatedDetailCheck().run("测试工坊每个产品最高资助多少？", clauses, [RetrievedClause(clauses[0], 1.0)],
                                     bm25) is None
