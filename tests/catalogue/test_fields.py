"""NoticeFieldReader: each catalogue field read from small notice texts (both sides of each rule), then real
notices checked against the hand-made gold catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.catalogue import NoticeFieldReader, NoticeFields
from assistant.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def read(paras: list[str], *attachments: list[str], meta: dict[str, str] | None = None,
         file_name: str = "001_2025-03-10_测试通知.md") -> NoticeFields:
    docs: list[tuple[str | None, list[str]]] = [(None, paras)] + [(None, a) for a in attachments]
    return NoticeFieldReader().run(file_name, meta or {}, docs)


CALL = [
    "关于组织开展2025年雄安新区企业技术中心认定工作的通知",
    "雄县、容城县、安新县工信科技数据局：",
    "按照《优质中小企业梯度培育管理办法》（工信部企业〔2022〕63号）要求，现将有关事项通知如下。",
    "一、申报条件",
    "（一）在雄安新区注册的独立法人企业。",
    "二、申报时间",
    "请申报单位于4月16日前将纸质材料报送至新区工信科技数据局，5月25日下班前完成线上填报。",
    "联系人：张三，联系电话：0312-5620861",
    "河北雄安新区工信科技数据局",
    "2025年3月10日",
]


# --- title -------------------------------------------------------------------------------------------------

def test_the_title_is_the_printed_heading_without_spaces() -> None:
    f = read(["关于开展 2026 年专精特新 “小巨人” 企业认定工作的通知", "各有关单位：", "正文。"])
    assert f.title is not None and f.title.value == "关于开展2026年专精特新“小巨人”企业认定工作的通知"
    assert f.title.source.doc_index == 0


def test_a_forwarding_notice_keeps_the_outer_title_not_the_forwarded_one() -> None:
    f = read(["关于转发《关于征集遴选2026年科技骨干企业的通知》的通知", "各有关单位：",
              "现将《关于征集遴选2026年科技骨干企业的通知》转发给你们。", "附件：关于征集遴选2026年科技骨干企业的通知",
              "河北省科学技术厅", "关于征集遴选2026年科技骨干企业的通知", "各市科技管理部门：", "正文。",
              "河北省科学技术厅", "2026年3月17日"],
             meta={"发文单位": "河北雄安新区工信科技数据局"}, file_name="004_2026-03-19_x.md")
    assert f.title is not None and f.title.value == "关于转发《关于征集遴选2026年科技骨干企业的通知》的通知"
    # the forwarded notice's 落款 is not the outer notice's
    assert f.issuer is not None and f.issuer.value == "河北雄安新区工信科技数据局"
    assert f.published is not None and f.published.value == "2026-03-19"


def test_a_title_broken_over_lines_is_joined() -> None:
    f = read(["关于组织申报2024年度省科技计划专项资金", "（国际科技合作计划）", "项目的通知", "各设区市科技局：", "正文。"])
    assert f.title is not None and f.title.value == "关于组织申报2024年度省科技计划专项资金（国际科技合作计划）项目的通知"


def test_without_a_printed_title_the_page_heading_is_used() -> None:
    docs: list[tuple[str | None, list[str]]] = [("关于转发《X办法》的通知", ["各有关单位：", "正文。"])]
    f = NoticeFieldReader().run("a.md", {}, docs)
    assert f.title is not None and f.title.value == "关于转发《X办法》的通知"
    assert f.title.source.origin == "metadata"


# --- 文号 ----------------------------------------------------------------------------------------------------

def test_the_own_doc_number_is_read_from_the_header_with_spaces_removed() -> None:
    f = read(["河北雄安新区工信科技数据局", "雄安工科数字〔2025〕16 号", "关于印发《若干措施》的通知", "各单位：", "正文。"])
    assert f.doc_number is not None and f.doc_number.value == "雄安工科数字〔2025〕16号"


def test_a_doc_number_cited_in_a_sentence_is_not_the_notices_own() -> None:
    f = read(CALL)
    assert f.doc_number is None  # 工信部企业〔2022〕63号 is only cited


def test_a_metadata_doc_number_that_the_text_cites_as_another_documents_is_dropped() -> None:
    cited = read(["关于开展申报工作的通知", "各单位：", "按照《创建方案》（雄安改发〔2023〕428号），现组织申报。"],
                 meta={"发文文号": "雄安改发〔2023〕428号"})
    assert cited.doc_number is None
    own = read(["关于印发《实施细则》的通知", "各单位：", "现印发给你们。"], meta={"发文文号": "雄安公服发〔2022〕74 号"})
    assert own.doc_number is not None and own.doc_number.value == "雄安公服发〔2022〕74号"
    assert own.doc_number.source.origin == "metadata"


# --- issuer, published, region ------------------------------------------------------------------------------

def test_issuer_and_published_come_from_the_signoff() -> None:
    f = read(CALL, meta={"发文单位": "别的单位"}, file_name="001_2025-03-12_x.md")
    assert f.issuer is not None and f.issuer.value == "河北雄安新区工信科技数据局"
    assert f.published is not None and f.published.value == "2025-03-10"
    assert f.region is not None and f.region.value == "雄安新区"


def test_a_signoff_broken_over_lines_and_joint_issuers() -> None:
    f = read(["关于发布名单的通知", "各单位：", "现予发布。", "河北雄安新区管理委员会", "改革发展局", "河北雄安新区",
              "税务局", "2025年4月30日"])
    assert f.issuer is not None
    assert f.issuer.value == "河北雄安新区管理委员会改革发展局、河北雄安新区税务局"


def test_without_a_signoff_the_file_name_date_and_metadata_issuer_are_used() -> None:
    f = read(["雄安新区支持机器人产业发展的若干措施", "为贯彻落实有关要求，提出以下措施。"],
             meta={"发文单位": "河北雄安新区改革发展局", "发布时间": "2024-10-01"}, file_name="054_2024-09-30_x.md")
    assert f.published is not None and f.published.value == "2024-09-30"
    assert f.published.source.origin == "file_name"
    assert f.issuer is not None and f.issuer.value == "河北雄安新区改革发展局"


def test_a_chinese_numeral_signoff_date() -> None:
    f = read(["关于印发《办法》的通知", "各单位：", "现印发。", "南通市科学技术局", "二〇二三年十月十三日"], file_name="x.txt")
    assert f.published is not None and f.published.value == "2023-10-13"
    assert f.region is not None and f.region.value == "南通市"


def test_a_province_issuer_gives_the_province() -> None:
    f = read(["关于组织申报项目的通知", "各设区市科技局：", "正文。", "江苏省科学技术厅 江苏省财政厅", "2024年2月4日"])
    assert f.issuer is not None and f.issuer.value == "江苏省科学技术厅、江苏省财政厅"
    assert f.region is not None and f.region.value == "江苏省"


# --- kind ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "kind"), [
    ("关于组织开展2025年企业技术中心认定工作的通知", "call"),
    ("关于印发《雄安新区支持企业标准创新发展实施细则（试行）》的通知", "policy"),
    ("雄安新区支持机器人产业发展的若干措施", "policy"),
    ("雄安新区机器人产业创新发展三年行动计划（2024—2026年）", "policy"),
    ("关于印发《雄安新区2022年“百项转型”工程申报指南》的通知", "call"),
    ("关于发布2025年雄安新区企业技术中心认定名单的通知", "list"),
    ("关于征求《雄安新区“共享智造”实施细则（试行）》意见的函", "consultation"),
    ("关于组织研发费用加计扣除培训的通知", "event"),
    ("关于冒用雄安新区改革发展局名义代理业务的声明", "other"),
])
def test_kind_is_read_from_the_title(title: str, kind: str) -> None:
    assert read([title, "各单位：", "正文。"]).kind.value == kind


def test_a_policy_with_a_rolling_deadline_stays_a_policy() -> None:
    f = read(["关于印发《用人单位一次性新增就业补贴实施细则》的通知", "各单位：", "申报结束日期为2023年4月10日。"],
             file_name="141_2022-05-20_x.md")
    assert f.kind.value == "policy"
    assert [d.date for d in f.deadlines] == ["2023-04-10"]


# --- deadlines -----------------------------------------------------------------------------------------------

def test_yearless_deadlines_take_the_notices_year_and_xiabanqian_has_no_time() -> None:
    f = read(CALL)
    assert [(d.date, d.time) for d in f.deadlines] == [("2025-04-16", None), ("2025-05-25", None)]
    assert "4月16日前" in f.deadlines[0].source.quote


def test_a_yearless_january_date_in_a_december_notice_is_next_year() -> None:
    f = read(["关于组织申报的通知", "各单位：", "请于1月7日前提交申请表。", "某某局", "2025年12月24日"])
    assert [d.date for d in f.deadlines] == ["2026-01-07"]


def test_a_clock_time_is_kept() -> None:
    f = read(["关于申报项目的通知", "各单位：", "PPT请于3月18日17时前发送至邮箱。", "截止时间为2024年3月28日17:30。"],
             file_name="1_2025-03-12_x.md")
    assert [(d.date, d.time) for d in f.deadlines] == [("2025-03-18", "17:00"), ("2024-03-28", "17:30")]


def test_an_application_range_gives_its_end_date_but_other_ranges_do_not() -> None:
    f = read(["关于申报的通知", "各单位：", "线上填报时间为2026年4月25日至5月25日。",
              "对2022年4月29日至2022年12月31日之间发生的新增贷款给予贴息。"], file_name="1_2026-04-23_x.md")
    assert [d.date for d in f.deadlines] == ["2026-05-25"]


def test_dates_that_are_conditions_are_not_deadlines() -> None:
    f = read(["关于申报的通知", "各单位：", "申报企业须在2025年1月1日前注册成立。", "政策有效期至2025年12月31日。",
              "答辩时间：2025年3月20日前。"])
    assert f.deadlines == ()


def test_a_deadline_under_a_deadline_heading_and_an_extension() -> None:
    f = read(["关于申报的通知", "各单位：", "（二）申报截止时间", "2026年3月18日",
              "现将申报截止日期由原定的2026年3月15日延长至2026年3月30日。"], file_name="1_2026-03-12_x.md")
    assert [d.date for d in f.deadlines] == ["2026-03-18", "2026-03-30"]


def test_recommending_bodies_deadlines_in_attachments_count() -> None:
    f = read(CALL, ["请各市工信主管部门于2025年5月29日下班前将推荐文件报送省工业和信息化厅。"])
    assert "2025-05-29" in [d.date for d in f.deadlines]
    assert f.deadlines[-1].source.doc_index == 1


# --- contacts and amounts ------------------------------------------------------------------------------------

def test_contacts_person_and_phones_in_text_and_tables() -> None:
    f = read(CALL, ["序号：1；市：石家庄；咨询电话：0311-87806198", "序号：2；市：唐山；咨询电话：0315-5909898"])
    phones = [p for c in f.contacts for p in c.phones]
    assert phones == ["0312-5620861", "0311-87806198", "0315-5909898"]
    assert f.contacts[0].person == "张三"
    assert f.contacts[1].source.doc_index == 1


def test_a_person_on_the_line_above_the_phone_and_bare_local_numbers() -> None:
    f = read(["关于申报的通知", "各单位：", "联 系 人：高新技术及产业化处  袁佳佳", "联系电话：85805561",
              "项目总投资不低于20000000元。"])
    assert [(c.person, c.phones) for c in f.contacts] == [("袁佳佳", ("85805561",))]


def test_mobiles_and_urls() -> None:
    f = read(["关于申报的通知", "各单位：", "于沛龙，15132249977，gfjxxcyz@163.com，网址http://120.53.124.140:10001"])
    assert [p for c in f.contacts for p in c.phones] == ["15132249977"]


def test_amounts_carry_their_quote() -> None:
    f = read(["若干措施", "对首次认定的企业给予最高300万元的资金支持。"])
    assert [(a.text, a.wan_yuan) for a in f.amounts] == [("给予最高300万元", 300.0)]
    assert f.amounts[0].source.quote == "对首次认定的企业给予最高300万元的资金支持。"


# --- programmes ----------------------------------------------------------------------------------------------

def test_categories_under_a_direction_heading_are_programmes() -> None:
    f = read(["关于征集科研任务的通知", "各单位：", "一、支持方向", "（一）新一代信息技术", "内容。", "（二）生物技术",
              "内容。", "二、申报条件", "条件。"])
    assert [p.name for p in f.programmes] == ["新一代信息技术", "生物技术"]


def test_a_single_programme_call_is_named_after_its_object() -> None:
    f = read(CALL)
    assert [(p.name, p.conditions_heading) for p in f.programmes] == [("2025年雄安新区企业技术中心", "一、申报条件")]


# --- record and input ----------------------------------------------------------------------------------------

def test_the_record_is_plain_json_with_phones_inside_contacts() -> None:
    rec = read(CALL).to_record()
    json.dumps(rec, ensure_ascii=False)
    assert rec["contacts"] == [{"unit": None, "person": "张三", "phones": ["0312-5620861"]}]
    assert rec["deadlines"][0] == {"what": rec["deadlines"][0]["what"], "date": "2025-04-16", "time": None}


def test_bad_settings_and_input_say_what_to_do() -> None:
    with pytest.raises(InputError, match="head_paragraphs"):
        NoticeFieldReader(head_paragraphs=0)
    with pytest.raises(InputError, match="file_name"):
        NoticeFieldReader().run("", {}, [])


def test_an_empty_file_reads_as_unknown_fields() -> None:
    f = NoticeFieldReader().run("x.txt", {}, [])
    assert f.issuer is None and f.doc_number is None and f.deadlines == ()


# --- real notices against the gold -------------------------------------------------------------------------

GOLD = SHARED / "eval" / "xiongan-catalogue.jsonl"


@pytest.mark.skipif(not GOLD.exists(), reason="../shared (the Xiong'an gold catalogue) is not beside the repo")
@pytest.mark.parametrize("prefix", ["004", "008", "013", "022", "088", "111", "141"])
def test_real_notices_match_the_gold_catalogue(prefix: str) -> None:
    from assistant.catalogue.registry import catalogue_files

    gold = next(json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()
                if line.startswith(f'{{"file": "{prefix}_'))
    path = SHARED / "corpus-xiongan" / gold["file"]
    records, failed = catalogue_files([path])  # the path ingest and `shenbao notices` take
    assert not failed
    rec = records[0].to_json()
    assert rec["title"] == gold["title"]
    assert rec["published"] == gold["published"]
    assert rec["kind"] == gold["kind"]
    assert rec["doc_number"] == gold["doc_number"]
    assert rec["region"] == gold["region"]
    assert {d["date"] for d in gold["deadlines"]} <= {d["date"] for d in rec["deadlines"]}
    assert set(gold["phones"]) <= {p for c in rec["contacts"] for p in c["phones"]}
