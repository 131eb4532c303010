from __future__ import annotations

import pytest

from assistant.answer.composer import REFUSAL, CitedAnswerComposer
from assistant.answer.spans import best_spans, question_types
from assistant.models import Chunk, RetrievedClause


def clause(text: str, section: tuple[str, ...] = ("三、申报要求", "2."), title: str = "测试指南") -> RetrievedClause:
    return RetrievedClause(Chunk(Chunk.make_id("t", 0, section, text), "t", title, section, text, 0, "t.txt"), 1.0)


def test_the_answer_leads_with_the_span_and_quotes_the_clause_verbatim() -> None:
    c = clause("申报本计划项目研发总投入不得少于150万元（不含），立项后将按照不超过项目研发总投入的50%、最高100万元给予资助。")
    rec = CitedAnswerComposer().run("最高资助多少？", [c], ["最高", "资助"])
    assert rec.answer.startswith("根据《测试指南》三、申报要求 > 2.：")
    assert "最高100万元" in rec.answer
    assert rec.citations and rec.citations[0].quote in c.chunk.text
    assert rec.citations[0].section == "三、申报要求 > 2."
    assert not rec.refused and rec.verdict is None


def test_a_clause_with_the_asked_for_kind_of_span_is_preferred() -> None:
    a = clause("项目原则上两年内完成。", ("三、申报要求", "6."))
    b = clause("截止时间为2024年1月31日。", ("五、申报事项", "（二）申报时间"))
    rec = CitedAnswerComposer().run("截止时间是什么时候？", [a, b], ["截止", "时间"])
    assert "2024年1月31日" in rec.answer.split("\n")[0]


def test_long_clauses_are_quoted_by_their_best_sentences() -> None:
    long = "。".join(["这是一段与问题无关的背景说明文字，用来凑足长度" + str(i) for i in range(8)]) + "。联系电话：85805561。"
    rec = CitedAnswerComposer(quote_full_below=50).run("联系电话是多少？", [clause(long)], ["联系电话"])
    assert any("85805561" in c.quote for c in rec.citations)
    assert all(len(c.quote) < len(long) for c in rec.citations)


def test_nothing_retrieved_is_a_refusal() -> None:
    rec = CitedAnswerComposer().run("火星移民补贴？", [], ["火星"])
    assert rec.refused and rec.answer == REFUSAL and not rec.citations


def test_refusal_names_the_hotline_when_known() -> None:
    rec = CitedAnswerComposer().refusal([clause("x")], hotline="《测试指南》五、联系人：85805561")
    assert rec.refused and "85805561" in rec.answer


@pytest.mark.parametrize("q,kind", [("最高资助多少？", "amount"), ("截止时间？", "date"), ("联系人是谁？", "contact"),
                                    ("市卫健委推荐几项？", "count"), ("文号是什么？", "docno"), ("项目多长时间完成？", "duration")])
def test_question_types(q: str, kind: str) -> None:
    assert kind in question_types(q)


def test_best_spans_keep_clause_order() -> None:
    spans = best_spans("截止时间和地址", "地址：崇川路58号。截止时间为2024年1月31日。无关内容。", ["截止", "时间", "地址"], limit=2)
    assert [s.text for s in spans] == ["地址：崇川路58号。", "截止时间为2024年1月31日。"]


def test_bad_settings_name_the_value() -> None:
    with pytest.raises(ValueError, match="5"):
        CitedAnswerComposer(quote_full_below=5)


def test_an_open_question_leads_with_the_clause_saying_its_own_words() -> None:
    title = "2024年度测试成果转化计划项目指南"
    other = clause("有在研测试成果转化计划项目的企业，不得申报本年度项目。", ("三、申报条件", "1."), title)
    naming = clause("项目名称须科学规范，用“××研发及产业化”作为后缀。", ("四、申报要求", "2."), title)
    contact = clause("联系人：赵洁，联系电话：85805579", ("五、联系方式",), title)
    q = "测试成果转化项目的项目名称有什么规定？"
    terms = ["测试", "成果", "转化", "项目", "名称", "项目名称", "规定"]
    weights = {t: 2.0 for t in terms}
    ranked = CitedAnswerComposer()._rank_for_answer(q, [other, contact, naming], terms, weights)
    assert ranked[0] is naming
    # without weights (the composer on its own) retrieval order stands
    assert CitedAnswerComposer()._rank_for_answer(q, [other, contact, naming], terms)[0] is other


def test_asks_ruling_reads_each_sentence_on_its_own() -> None:
    from assistant.answer.service import asks_ruling

    assert not asks_ruling("试点产品申报截止到哪天？在哪提交？有咨询电话吗？")
    assert not asks_ruling("报测试产品，检验报告有什么要求？申报时报告还没出来怎么办？")
    assert asks_ruling("几号截止？我们公司能申报吗？")
    assert asks_ruling("我们是容城的企业，可以申报吗？")


def test_asking_whether_the_notice_has_a_requirement_asks_no_ruling() -> None:
    from assistant.answer.service import asks_ruling

    assert not asks_ruling("申报测试诊所，对出过的诊断报告数量有要求吗？")
    assert asks_ruling("申报测试诊所，我们出过15份诊断报告，能申报吗？")
    assert asks_ruling("我们的研发机构是2023年6月在德国注册成立的，符合要求吗？")
    assert asks_ruling("我们去年营收3000万，符合条件要求吗")


def test_a_year_of_account_is_no_duration() -> None:
    from assistant.answer.spans import ANSWER_TYPES

    span = ANSWER_TYPES["duration"][1]
    assert not span.search("于下一年度兑付")
    assert span.search("项目原则上两年内完成") and span.search("公示5个工作日")


def test_a_list_item_context_carries_its_numbered_intro_heading() -> None:
    from assistant.answer.composer import context_text

    intro = "7.按照评价指标体系达到45分以上或满足下列条件之一:"
    item = clause("(2) 近两年研发费用总额均值在 1000 万元以上;", ("二、申报要求", intro, "（2）")).chunk
    assert context_text(item).startswith(intro) and context_text(item).endswith(item.text)
    plain = clause("2．申报企业应为独立法人企业。", ("三、申报条件", "（一）基本情况", "2.")).chunk
    assert context_text(plain) == plain.text


def test_the_criteria_that_decided_a_ruling_lead() -> None:
    from types import SimpleNamespace

    from assistant.answer.service import deciding_order

    backing = SimpleNamespace(kind="hard", status="met")
    open_ = SimpleNamespace(kind="hard", status="unknown")
    lane = SimpleNamespace(kind="sufficient", status="met")
    failed = SimpleNamespace(kind="hard", status="not_met")
    assert sorted([backing, open_, lane], key=deciding_order) == [lane, open_, backing]
    assert sorted([backing, failed], key=deciding_order) == [failed, backing]


def test_a_coefficient_read_off_a_table_row_is_answered_by_that_row() -> None:
    share = clause("由于不同行业存在较大差异，研发经费支出占主营业务收入的比重等三个指标引入行业系数加以调节。", ("附件6", "二、行业系数"))
    row = clause("行业名称：软件和信息技术服务业；研发经费支出占主营业务收入的比重：0.6", ("附件6", "二、行业系数"))
    q = "我们是软件企业，研发经费占主营业务收入比重这项的行业系数是多少？"
    assert "coefficient" in question_types(q)
    terms = ["软件", "企业", "研发", "经费", "主营", "业务", "收入", "比重", "行业", "系数"]
    rec = CitedAnswerComposer().run(q, [share, row], terms)
    assert "0.6" in rec.answer.split("\n")[0]


def test_a_question_asks_for_a_kind_of_value_in_its_asking_clause_only() -> None:
    assert question_types("安新县的企业申请新增就业补贴，找人社局哪位？") == ["contact"]
    assert "amount" in question_types("新增就业补贴，服务型企业招一个人补多少？")
    assert "date" in question_types("申报截止日期")  # no asking word at all: the whole question is read
    assert "amount" in question_types("被认定为新区级以后，有多少奖励？")


def test_the_lead_sentence_says_the_question_words_not_the_notice_title() -> None:
    title = "关于组织开展2024年“机器人化”技术改造项目申报工作的通知"
    c = clause("2.将纸质版盖章材料(一式三份)邮寄至：容城县市民服务中心337办公室。信封上请注明“申报‘机器人化’技术改造项目”字样。",
               ("四、工作要求", "2."), title)
    q = "机器人化技改项目的纸质材料要寄几份、寄到哪？"
    assert "count" in question_types(q)
    rec = CitedAnswerComposer().run(q, [c], ["机器人", "机器人化", "技改", "项目", "纸质", "材料", "寄"])
    assert "一式三份" in rec.answer.split("\n")[0]
    assert best_spans(q, c.chunk.text, ["机器人化", "技术", "改造", "项目", "纸质"], limit=1, title=title)[0].text.startswith("2.")


def test_a_term_the_question_quotes_leads_to_the_clause_defining_it() -> None:
    title = "需提供的附件及指标解释和填表说明"
    experts = clause("7.来技术中心从事研发工作的外部专家人数：指从事研究、技术开发工作的专家累计人月，最小统计单位为0.5人月。",
                     ("附件4", "7."), title)
    staff = clause("3.研究与试验发展人员数：指企业内部直接参加研发项目人员。不包括从事研发时间占10%以下的人员。",
                   ("附件4", "3."), title)
    q = "申报表里的“研究与试验发展人员数”怎么统计？"
    terms = ["技术", "中心", "研究", "试验", "人员", "统计", "研发"]
    weights = {"技术": 1.6, "中心": 3.3, "研究": 3.7, "试验": 3.9, "人员": 4.3, "统计": 5.0, "研发": 3.3}
    assert CitedAnswerComposer()._rank_for_answer(q, [experts, staff], terms, weights)[0] is staff
    # a quoted name the notice's title holds (“十四五”) favours no clause
    plan = "连云港市“十四五”科技创新规划"
    a = clause("“十四五”时期是重要战略机遇期。", ("一、形势",), plan)
    b = clause("到2025年国家高新技术企业总数达1000家。", ("二、目标",), plan)
    ranked = CitedAnswerComposer()._rank_for_answer("“十四五”规划的目标是什么？", [a, b], ["目标"], {"目标": 1.0})
    assert ranked[0] is a  # neither says 目标: retrieval order stands
    assert "count" in question_types("到2025年国家高新技术企业要达到多少家？")


def test_an_open_question_leads_with_one_sentence_saying_its_words_not_a_long_clause_scattering_them() -> None:
    title = "2024年度测试成果转化计划项目指南"
    scattered = clause("2．申报企业须对照指南代码进行申报。项目实施期限一般为3年，新药类项目实施期限可适当延长。"
                       "确保项目验收时能达到设定指标要求。", ("四、申报要求", "2."), title)
    stage = clause("3．新药类项目原则上须完成Ⅱ期临床研究，并已启动III期临床。", ("三、申报条件", "3."), title)
    q = "新药类项目申报测试成果转化计划需要达到什么临床阶段？"
    weights = {"新药": 6.4, "申报": 1.3, "达到": 4.9, "临床": 5.2, "阶段": 4.5}
    ranked = CitedAnswerComposer()._rank_for_answer(q, [scattered, stage], list(weights), weights)
    assert ranked[0] is stage
    assert "Ⅱ期临床" in best_spans(q, stage.chunk.text, list(weights), limit=1, title=title)[0].text


@pytest.mark.parametrize("q", ["测试资源库入库需要满足什么条件？", "申报条件有哪些？", "申报主体有什么要求？"])
def test_a_question_asking_the_conditions_leads_with_the_section_setting_them(q: str) -> None:
    urging = clause("请积极组织符合条件的服务机构入库，确保入库机构质量。", ("三、申报要求", "（一）"))
    form = clause("1.测试资源库入库申请表；", ("附件1", "1."))
    basic = clause("在测试新区注册成立两年以上，具有独立法人资格。", ("一、基本条件", "（二）"))
    terms = ["测试", "资源库", "入库", "条件", "申报", "主体", "要求"]
    weights = dict.fromkeys(terms, 1.0)
    assert CitedAnswerComposer()._rank_for_answer(q, [urging, form, basic], terms, weights)[0] is basic


def test_a_question_about_materials_is_no_conditions_question() -> None:
    rules = clause("申报材料须加盖公章，一式两份。", ("四、材料要求", "（一）"))
    basic = clause("在测试新区注册成立两年以上。", ("一、基本条件", "（二）"))
    weights = {"材料": 1.0, "要求": 1.0}
    ranked = CitedAnswerComposer()._rank_for_answer("申报材料有什么要求？", [rules, basic], list(weights), weights)
    assert ranked[0] is rules


def test_a_question_asking_how_to_apply_leads_with_the_procedure_section() -> None:
    limit = clause("各申报单位承担本次项目数量原则上不超过1项。", ("二、征集要求", "6."))
    steps = clause("申报单位根据申报通知的受理时间和条件等要求提交所有申报材料。", ("四、申报流程", "1."))
    weights = {"项目": 1.0, "申报": 1.0}
    ranked = CitedAnswerComposer()._rank_for_answer("测试攻关项目怎么申报？", [limit, steps], list(weights), weights)
    assert ranked[0] is steps
