"""The typed applicant profile: the facts eligibility rules read.

Every field is optional; ``None`` means *unknown*, which the checker reports as 需补充信息 and turns into the
field's Chinese question. Each field carries a Chinese label (``title``, for the web form) and a question
(``description``). Enumerations take English codes and also accept their Chinese labels (``"企业"`` →
``enterprise``). Amounts are in 万元, shares in percent, dates ``YYYY-MM-DD``; a date fact that is only
known to the month or year may be given as ``"YYYY-MM"`` or ``"YYYY"``.

Build a profile from untrusted input with :meth:`ApplicantProfile.from_facts`, which turns every
validation problem into a :class:`~assistant.errors.ProfileError` with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from assistant.eligibility.gazetteer import load_gazetteer
from assistant.errors import ProfileError

# --------------------------------------------------------------------------- enumerations
EntityType = Literal[
    "enterprise", "university", "research_institute", "public_institution", "new_rd_institution",
    "individual", "other",
]
ApplicantRole = Literal["lead", "partner"]
Degree = Literal["doctor", "master", "bachelor", "associate", "not_doctor", "none"]
ProfessionalTitle = Literal["senior", "intermediate", "junior", "not_senior", "none"]
Gender = Literal["male", "female"]
Nationality = Literal["chinese", "foreign"]
LabLevel = Literal["national", "provincial", "none"]
PartnerRegion = Literal["hong_kong", "macao", "taiwan", "hmt"]
OffshoreType = Literal["rd_institution", "incubator"]
Qualification = Literal[
    "high_tech_enterprise", "tech_sme", "specialized_sme", "little_giant", "innovative_sme", "single_champion",
    "foreign_invested", "incubated", "sme", "listed_company", "enterprise_tech_center",
]
ProjectKind = Literal[
    "city_key_rd", "city_transfer", "provincial_transfer", "city_jiebang", "provincial_st",
    "provincial_jiebang_saima", "provincial_intl", "city_other", "other",
]

#: Chinese labels of every enumeration value (shown in answers and the web form).
VALUE_LABELS: dict[str, str] = {
    "enterprise": "企业", "university": "高校", "research_institute": "科研院所",
    "public_institutio"
        "n": "事业单位", "new_rd_institution": "新型研发机构", "individual": "个人", "other": "其他",
    "lead": "牵头单位", "partner": "参与（合作）单位",
    "doctor": "博士", "master": "硕士", "bachelor": "本科（学士）", "associate": "大专",
    "not_doctor": "非博士", "none": "无",
    "senio"
        "r": "高级职称（含副高"
            "）", "intermediate": "中级职称", "junior": "初级职称", "not_senior": "非高级职称",
    "male": "男", "female": "女", "chinese": "中国籍", "foreign": "外国籍",
    "national": "国家级", "provincial": "省级",
    "hong_kong": "香港", "macao": "澳门", "taiwan": "台湾", "hmt": "港澳台",
    "rd_institution": "研发机构", "incubator": "孵化机构",
    "high_tech_enterprise": "高新技术企业", "tech_sme": "科技型中小企业", "specialized_sme": "专精特新中小企业",
    "little_giant": "专精特新“小巨人”企业", "innovative_sme": "创新型中小企业", "single_champion": "制造业单项冠军企业",
    "foreign_invested": "外商投资企业", "incubated": "在孵企业", "sme": "中小微企业", "listed_company": "上市公司",
    "enterprise_tech_center": "企业技术中心",
    "city_key_rd": "市重点研发计划项目", "city_transfer": "市科技成果转化计划项目",
    "provincial_transfer": "省科技成果转化项目", "city_jiebang": "市“揭榜挂帅”项目",
    "provincial_st": "省科技计划项目", "provincial_jiebang_saima": "省“揭榜挂帅”“赛马”制项目",
    "provincial_intl": "省国际科技合作/港澳台科技合作项目", "city_other": "市级其他科技计划项目",
}

# Chinese spellings accepted for enumeration values (in addition to the labels above).
_VALUE_ALIASES: dict[str, str] = {
    "企业": "enterprise", "公司": "enterprise", "高校": "university", "大学": "university",
    "高等院校": "university", "科研院所": "research_institute", "科研机构": "research_institute",
    "研究所": "research_institute", "研究院": "research_institute", "事业单位": "public_institution",
    "新型研发机构": "new_rd_institution", "个人": "individual", "其他": "other",
    "牵头": "lead", "牵头单位": "lead", "参与": "partner", "参与单位": "partner", "合作单位": "partner",
    "博士": "doctor", "博士研究生": "doctor", "硕士": "master", "研究生": "master", "本科": "bachelor",
    "学士": "bachelor", "大专": "associate", "专科": "associate", "非博士": "not_doctor", "无": "none",
    "高级": "senior", "正高": "senior", "副高": "senior", "高级职称": "senior", "中级": "intermediate",
    "初级": "junior", "非高级": "not_senior", "无职称": "none",
    "男": "male", "男性": "male", "女": "female", "女性": "female",
    "中国": "chinese", "中国籍": "chinese", "外籍": "foreign", "外国籍": "foreign", "外国": "foreign",
    "国家": "national", "全国": "national", "国家级": "national", "省": "provincial", "省级": "provincial",
    "香港": "hong_kong", "澳门": "macao", "台湾": "taiwan", "港澳台": "hmt",
    "研发机构": "rd_institution", "孵化机构": "incubator",
    "高新技术企业": "high_tech_enterprise", "高企": "high_tech_enterprise", "国家高新技术企业": "high_tech_enterprise",
    "科技型中小企业": "tech_sme", "科小": "tech_sme", "专精特新": "specialized_sme",
    "专精特新企业": "specialized_sme", "专精特新中小企业": "specialized_sme", "小巨人": "little_giant",
    "专精特新小巨人": "little_giant", "小巨人企业": "little_giant", "创新型中小企业": "innovative_sme",
    "单项冠军": "single_champion", "外资企业": "foreign_invested", "外商投资企业": "foreign_invested",
    "在孵企业": "incubated", "孵化器在孵企业": "incubated", "中小企业": "sme", "中小微企业": "sme",
    "上市公司": "listed_company", "企业技术中心": "enterprise_tech_center",
    "市重点研发计划": "city_key_rd", "市科技成果转化": "city_transfer", "市科技成果转化计划": "city_transfer",
    "省科技成果转化": "provincial_transfer", "市揭榜挂帅": "city_jiebang", "省科技计划": "provincial_st",
    "揭榜挂帅/赛马": "provincial_jiebang_saima", "省揭榜挂帅": "provincial_jiebang_saima",
    "省国际科技合作": "provincial_intl",
}

_TRUE = {"true", "yes", "y", "1", "是", "有", "对", "已", "具有", "符合"}
_FALSE = {"false", "no", "n", "0", "否", "无", "没有", "不是", "未", "不具有", "不符合"}


def _enum_value(value: Any) -> Any:
    """Map a Chinese label or alias to its enumeration code; leave anything else for Literal to check."""
    if isinstance(value, str):
        key = value.strip()
        if key in _VALUE_ALIASES:
            return _VALUE_ALIASES[key]
        for code, label in VALUE_LABELS.items():
            if key == label:
                return code
        return key
    return value


def _enum_list(value: Any) -> Any:
    if isinstance(value, str):
        value = [part for part in re.split(r"[,，、;；]", value) if part.strip()]
    if isinstance(value, (list, tuple, set)):
        if not all(isinstance(v, str | int | float | bool) for v in value):
            return list(value)  # nested JSON ([[]], [{}]): left for validation to refuse with a message
        return sorted({_enum_value(v) for v in value}, key=str)
    return value


def _yes_no(value: Any) -> Any:
    if isinstance(value, str):
        key = value.strip().lower()
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    return value


_PERIOD = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")


def _date_or_period(value: Any) -> Any:
    """A full date becomes ``date``; ``YYYY-MM``/``YYYY`` stay strings (a period); anything else fails."""
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    if isinstance(value, int) and 1900 <= value <= 2100:
        return f"{value:04d}"
    if isinstance(value, str):
        text = value.strip().replace("/", "-").replace(".", "-")
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        m = _PERIOD.match(text)
        if m and 1900 <= int(m.group(1)) <= 2100 and (m.group(2) is None or 1 <= int(m.group(2)) <= 12):
            return m.group(1) if m.group(2) is None else f"{m.group(1)}-{int(m.group(2)):02d}"
    raise ValueError("应为日期 YYYY-MM-DD，只知道年月时可写 YYYY-MM，只知道年份时可写 YYYY")


YesNo = Annotated[bool | None, BeforeValidator(_yes_no)]
DateOrPeriod = Annotated[dt.date | str | None, BeforeValidator(_date_or_period)]


OptEntityType = Annotated[EntityType | None, BeforeValidator(_enum_value)]
OptRole = Annotated[ApplicantRole | None, BeforeValidator(_enum_value)]
OptDegree = Annotated[Degree | None, BeforeValidator(_enum_value)]
OptTitle = Annotated[ProfessionalTitle | None, BeforeValidator(_enum_value)]
OptGender = Annotated[Gender | None, BeforeValidator(_enum_value)]
OptNationality = Annotated[Nationality | None, BeforeValidator(_enum_value)]
OptLabLevel = Annotated[LabLevel | None, BeforeValidator(_enum_value)]
OptPartnerRegion = Annotated[PartnerRegion | None, BeforeValidator(_enum_value)]
OptOffshoreType = Annotated[OffshoreType | None, BeforeValidator(_enum_value)]
OptQualifications = Annotated[list[Qualification] | None, BeforeValidator(_enum_list)]
OptProjectKinds = Annotated[list[ProjectKind] | None, BeforeValidator(_enum_list)]


def _text_list(value: Any) -> Any:
    """A list of free-text names (a string is split at 、，,;；)."""
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,，、;；]", value) if part.strip()]
    return value


OptTextList = Annotated[list[str] | None, BeforeValidator(_text_list)]


def _f(label: str, question: str, group: str, **kw: Any) -> Any:
    """A profile field: optional, with a Chinese label, a question and a form group."""
    return Field(default=None, title=label, description=question, json_schema_extra={"group": group}, **kw)


def period_bounds(value: dt.date | str | None) -> tuple[dt.date, dt.date] | None:
    """The first and last day a date fact can denote: a date itself, ``YYYY-MM`` a month, ``YYYY`` a year."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value, value
    year, _, month = value.partition("-")
    if not month:
        return dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)
    start = dt.date(int(year), int(month), 1)
    nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


class ApplicantProfile(BaseModel):
    """What is known about the applicant unit, the person concerned and the planned project.

    "The person concerned" is the applicant person for personal programmes (基础研究 青年项目), the project
    leader (项目负责人) where a notice sets conditions on the leader, and the introduced talent (引进人才)
    for 引进外国人才 programmes.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # --- applicant unit ------------------------------------------------------------------------------
    entity_type: OptEntityType = _f("单位类型", "贵单位是企业、高校、科研院所、事业单位还是新型研发机构？",
        "unit")
    organization_name: str | None = _f("单位名称", "贵单位的全称是什么？", "unit", max_length=100)
    applicant_role: OptRole = _f(
        "申报角色", "贵单位是作为牵头单位申报，还是作为参与（合作）单位？", "unit")
    registered_province: str | None = _f("注册地所在省份", "贵单位在哪个省（直辖市）注册？", "unit",
        max_length=20)
    registered_city: str | None = _f("注册地所在城市", "贵单位在哪个城市注册？", "unit", max_length=20)
    registered_district: str | None = _f(
        "注册地所在区县（功能板块）", "贵单位的注册地在哪个区县（或功能板块）？", "unit", max_length=30)
    registered_place: str | None = _f(
        "注册地（任一级：省、市、新区、区县、园区）", "贵单位注册在哪里？（省、市、新区、区县或园区均可）", "unit",
        max_length=40)
    tax_place: str | None = _f("纳税地", "贵单位在哪里纳税（税务登记地）？", "unit", max_length=40)
    statistics_place: str | None = _f("统计关系所在地", "贵单位的统计关系在哪里（在哪里纳入统计）？", "unit",
        max_length=40)
    registered_date: DateOrPeriod = _f("注册（成立）日期", "贵单位的注册（成立）日期是哪天？（YYYY-MM-DD）",
        "unit")
    independent_legal_person: YesNo = _f(
        "具有独立法人资格", "贵单位是否具有独立法人资格（不是分公司等分支机构）？", "unit")
    has_granted_invention_patent: YesNo = _f(
        "拥有授权发明专"
            "利", "贵单位是否拥有已授权的发明专利（不含实用新型、外观设计和申请中的专利）？", "unit")
    has_granted_invention_patent_3y: YesNo = _f(
        "近三年内有授权发明专利", "贵单位近三年内是否获得过授权发明专利（不含实用新型、外观设计）？", "unit")
    has_own_ip: YesNo = _f(
        "拥有有效专利等自主知识产权", "贵单位是否拥有有效授权专利等自主知识产权？", "unit")
    annual_revenue_wan: float | None = _f("年销售收入（万元）", "贵单位上年度销售收入是多少万元？", "unit",
        ge=0)
    total_assets_wan: float | None = _f("资产总额（万元）", "贵单位的资产总额是多少万元？", "unit", ge=0)
    output_value_wan: float | None = _f("年产值（万元）", "贵单位上年度产值是多少万元？", "unit", ge=0)
    registered_capital_wan: float | None = _f("注册资本（实缴，万元）", "贵单位实缴注册资本是多少万元？", "unit",
        ge=0)
    rd_equipment_value_wan: float | None = _f(
        "研发仪器设备原值（万元）", "贵单位技术开发（研发）仪器设备原值是多少万元？", "unit", ge=0)
    project_investment_wan: float | None = _f("项目计划总投资（万元）", "项目计划总投资是多少万元？", "project",
        ge=0)
    rd_expense_wan: float | None = _f("年研发费用（万元）", "贵单位上年度研发费用（研究与试验发展经费）是多少万元？",
        "unit", ge=0)
    rd_expense_ratio: float | None = _f(
        "研发费用占营业收入比重（%）", "贵单位研发费用占营业收入的比重是多少（%）？", "unit", ge=0, le=100)
    revenue_growth_rate: float | None = _f("营业收入增长率（%）", "贵单位营业收入近年增长率是多少（%）？", "unit")
    employee_count: int | None = _f("职工人数", "贵单位有多少名职工？", "unit", ge=0)
    rd_staff_count: int | None = _f("研发人员数", "贵单位专职研发（研究与试验发展）人员有多少人？", "unit", ge=0)
    invention_patent_count: int | None = _f("有效发明专利数", "贵单位拥有多少件有效（授权）发明专利？", "unit",
        ge=0)
    qualifications_held: OptQualifications = _f(
        "已获资质（认定）", "贵单位已获得哪些资质认定？（如高新技术企业、科技型中小企业、专精特新、小巨人、创新型中小企业）",
        "unit")
    qualifications_not_held: OptQualifications = _f(
        "未获的资质（认定）", "贵单位没有哪些资质认定？（如不是高新技术企业，请列出）", "unit")
    industry: str | None = _f("主营行业（领域）", "贵单位的主营业务属于什么行业或领域？", "unit", max_length=60)
    dishonest_listed: YesNo = _f(
        "被列入失信/经营异常名单", "贵单位是否被列入严重失信主体名单、失信被执行人或经营异常名录？", "unit")
    serious_violation: YesNo = _f(
        "近年有严重违法违规或行政处罚", "贵单位近年（通知所指年限内）是否有严重违法违规行为或受过相关行政处罚？", "unit")
    major_accident: YesNo = _f(
        "近年发生重大安全/质量/环境事故",
        "贵单位近年（通知所指年限内）是否发生过重大安全、重大质量事故或严重环境违法？", "unit")
    profitable: YesNo = _f("持续盈利", "贵单位近年是否持续实现盈利？", "unit")
    recognitions: OptTextList = _f(
        "已获认定/称号", "贵单位已获得哪些认定或称号（如省级工业诊所、省级专精特新中小企业）？", "unit")
    related_to_recognized_enterprise: YesNo = _f(
        "与已获该称号的企业存在控股关系",
        "贵单位是否与已获该称号（认定）的企业存在控股关系（持股超过50%）或同属一个集团？", "unit")
    recent_administrative_penalty: YesNo = _f(
        "近三年受过税收、海关等行政处罚",
        "贵单位近三年（通知所指期限内）是否受过税收、海关等方面的行政处罚？", "unit")
    equipment_purchase_date: DateOrPeriod = _f(
        "设备购置日期", "项目所用（软硬件）设备是哪天购置的？（YYYY-MM-DD 或 YYYY-MM）", "project")
    equipment_in_use: YesNo = _f("设备已投入使用", "项目所用设备是否已投入使用？", "project")
    hire_date: DateOrPeriod = _f("新招用人员的招用（签订劳动合同）日期", "新招用人员是哪天签订劳动合同（招用）的？", "unit")
    hire_hukou_place: str | None = _f("新招用人员户籍所在地", "新招用人员的户籍在哪里？", "unit", max_length=40)
    labour_contract_months: float | None = _f("劳动合同期限（月）", "与新招用人员签订的劳动合同期限是几个月？", "unit", ge=0)
    loan_date: DateOrPeriod = _f("贷款发生（提款）日期", "这笔贷款是哪天提款（发生）的？", "unit")
    tax_compliant: YesNo = _f("依法纳税", "贵单位是否依法正常纳税？", "unit")
    project_place: str | None = _f("项目实施地", "项目在哪里实施（建设）？", "project", max_length=40)
    project_started: YesNo = _f("项目已完成备案并开工", "项目是否已办理完成备案（核准）等手续并已开工建设？", "project")
    requested_funding_wan: float | None = _f("申请财政资金（万元）", "申请财政资金支持多少万元？", "project", ge=0)
    niche_years: float | None = _f("从事细分市场（主营业务）年限", "贵单位从事该细分市场（主营业务）有几年了？",
                                   "unit", ge=0)
    served_enterprise_count: int | None = _f(
        "近一年服务企业数", "贵单位近一年累计为多少家企业提供服务（开具诊断报告）？", "unit", ge=0)
    ip_dispute: YesNo = _f("有知识产权纠纷或侵权行为", "贵单位近年是否有知识产权纠纷或侵犯他人知识产权的行为？", "unit")
    has_ip_management: YesNo = _f(
        "有知识产权管理制度、机构、人员和经费", "贵单位是否建有知识产权管理制度并有管理机构、工作人员和经费？", "unit")
    sound_management: YesNo = _f("管理规范、财务制度健全", "贵单位是否管理规范、业务及财务制度健全？", "unit")
    ongoing_projects: OptProjectKinds = _f(
        "单位在研项目类型",
        "贵单位目前有哪些在研（尚未验收结题）的科技计划项目？（如市科技成果转化、省科技计划、揭榜挂帅/赛马；没有请答“无”）",
        "unit")
    applying_same_year_other_programmes: OptProjectKinds = _f(
        "本年度同时申报的其他计划",
        "贵单位本年度是否还申报（或准备申报）其他科技计划项目？是哪些？（没有请答“无”）", "unit")
    operating_normally: YesNo = _f("正常运营", "贵单位目前是否正常运营（未停产、停业）？", "unit")
    project_previously_funded: YesNo = _f(
        "本项目以前年度已获市级及以上立项",
        "本项目（相同或相近研究内容）以前年度是否已获市级及以上科技计划立项支持？", "unit")
    under_credit_penalty: YesNo = _f(
        "正因失信记录接受处"
            "罚", "贵单位或项目负责人是否因科研失信或社会信用严重失信记录正在接受处罚？", "unit")
    confirmed_criteria: list[str] | None = _f(
        "已向联系人确认的条款",
        "通知未界定的条款，经向通知联系人确认符合的，请列出其条款编号。", "unit")

    # --- labs, platforms, new R&D institutions ----------------------------------------------------
    key_lab_level: OptLabLevel = _f(
        "拥有的重点实验室", "贵单位是否拥有全国（国家）重点实验室或省重点实验室？", "platform")
    intl_joint_lab_level: OptLabLevel = _f(
        "国际联合研究中心/联合实验室",
        "贵单位是否拥有国家部委（或省政府有关部门）认定的国际联合研究中心/联合实验室？是哪一级认定的"
            "？", "platform")
    leader_is_lab_member: YesNo = _f(
        "负责人为该中心/实验室负责人或骨"
            "干", "项目负责人是否为上述研究中心/实验室的负责人或骨干成员？", "platform")
    filed_new_rd_institution: YesNo = _f(
        "已获市级以上备案的新型研发机构", "贵单位是否为已获得市级以上备案的新型研发机构？", "platform")
    founder_qualified: YesNo = _f(
        "由合格主体设立或联合组建",
        "贵机构是否由国内外一流高校、科研机构、高层次人才团队、央企或地方大型国企、世界500强外资企业等来本地设立，"
        "或与本地高校、科研机构、龙头企业联合组建？", "platform")
    mixed_ownership: YesNo = _f("多元投资的混合所有制", "贵机构是否为多元投资的混合所有制企业？", "platform")
    senior_staff_count: int | None = _f(
        "高层次专职研发人员及高层管理人员"
            "数", "贵机构高层次专职研发人员及高层管理人员共有多少人？", "platform", ge=0)
    senior_researcher_count: int | None = _f(
        "高层次研发人员数", "其中高层次研发人员有多少人？", "platform", ge=0)
    rd_space_sqm: float | None = _f("独立研发场地面积（平方米）", "贵机构独立研发场地有多少平方米？",
        "platform", ge=0)
    tech_service_revenue_share: float | None = _f(
        "科技服务收入占主营业务收入比重（%"
            "）", "科技服务收入占主营业务收入的比重是多少（%）？", "platform", ge=0, le=100)
    related_party_revenue_share: float | None = _f(
        "为单一关联单位服务收入占比（%"
            "）", "为单一关联单位（有股权关系）的服务收入占主营业务收入的比重是多少（%）？",
        "platform", ge=0, le=100)
    received_provincial_new_rd_subsidy: YesNo = _f(
        "已获省级新型研发机构补助", "贵机构本年度是否已获得省级新型研发机构补助？", "platform")
    passed_rd_management_standard: YesNo = _f(
        "通过省研发管理体系贯标", "贵企业是否已通过省研发管理体系贯标？", "platform")
    is_tech_transfer_agency: YesNo = _f(
        "专业从事跨国技术转移服务的独立机构", "贵单位是否为专业从事跨国技术转移服务的独立机构？", "platform")
    has_overseas_channels: YesNo = _f("有稳定优质的海外合作渠道", "贵单位是否有稳定优质的海外合作渠道？",
        "platform")
    has_prior_year_transfer_business: YesNo = _f(
        "上年度有国际技术转移服务收入或业务投"
            "入", "上年度是否有一定的国际技术转移服务收入或相关业务投入？", "platform")
    offshore_institution_type: OptOffshoreType = _f(
        "境外机构类型", "拟建设的境外机构是研发机构还是孵化机构？", "platform")
    has_overseas_institution: YesNo = _f(
        "已有境外（海外）研发/孵化机"
            "构", "贵单位是否已在境外完成研发（孵化）机构的并购或注册成立？", "platform")
    overseas_institution_date: DateOrPeriod = _f(
        "境外机构并购/注册成立日期", "境外（海外）研发或孵化机构完成并购或注册成立的日期是？", "platform")
    overseas_incubator_independent: YesNo = _f(
        "境外孵化机构具有独立法人资格", "境外孵化机构是否具有独立法人资格？", "platform")
    controls_overseas_incubator: YesNo = _f(
        "对境外孵化机构有控股权或成果支配"
            "权", "贵单位对境外孵化机构是否有控股权或享有孵化成果的支配权？", "platform")

    # --- cooperation partners -----------------------------------------------------------------------------
    partner_country: str | None = _f("主要外方合作机构所在国家", "主要外方合作机构在哪个国家？", "partner",
                                     max_length=30)
    partner_region: OptPartnerRegion = _f("合作方所在地区（港澳台）", "合作方是否在香港、澳门或台湾地区？",
        "partner")
    partner_belt_road_country: YesNo = _f(
        "合作国家已签共建“一带一路”合作文件",
        "主要外方合作机构所在国家是否已同中国签订共建“一带一路”合作文件？（请对照“中国一带一路网”公布的名单"
            "）", "partner")
    partner_is_excluded_type: YesNo = _f(
        "境外合作方属于排除情形",
        "主要境外合作机构是否属于以下情形之一：申报单位在境外设立的企业或研发机构、外资在境内设立的企业或研发机构、"
        "境外避税地壳公司、企业集团境内外分支机构？", "partner")
    has_enterprise_partner: YesNo = _f(
        "联合企业参与", "项目是否联合了企业参与（并实质性参与研发）？", "partner")
    enterprise_partner_city: str | None = _f(
        "合作企业注册城市", "联合参与的企业注册在哪个城市？", "partner", max_length=20)
    demo_in_partner_country: YesNo = _f(
        "在合作国家实现应用示范", "项目是否将在合作国家实现应用示范？", "partner")

    # --- project -------------------------------------------------------------------------------------
    rd_investment_wan: float | None = _f("项目研发总投入（万元）", "项目研发总投入是多少万元？", "project",
        ge=0)
    has_local_demo_site: YesNo = _f(
        "在本地有应用示范地或技术应用单位", "项目在通知所在地是否有明确的应用示范地或技术应用单位？", "project")
    project_duration_years: float | None = _f("项目实施期限（年）", "项目计划几年完成？", "project", ge=0)

    # --- the person concerned (applicant person / project leader / introduced talent) ----------------
    degree: OptDegree = _f("学历学位", "（项目负责人/申请人/引进人才）的最高学位是？", "person")
    professional_title: OptTitle = _f(
        "专业技术职务（职称）", "（项目负责人/申请人）的专业技术职务（职称）是什么级别？", "person")
    gender: OptGender = _f("性别", "申请人的性别是？", "person")
    birth_date: dt.date | None = _f("出生日期", "申请人的出生日期是？（YYYY-MM-DD）", "person")
    birth_year: int | None = _f("出生年份", "申请人是哪一年出生的？", "person", ge=1900, le=2100)
    born_from_year: int | None = _f("出生年份不早于", "申请人最早是哪一年出生的（如“90后”即1990）？",
        "person",
                                    ge=1900, le=2100)
    age: int | None = _f("年龄（周岁，按申报年度）", "申请人今年多少周岁？", "person", ge=0, le=120)
    nationality: OptNationality = _f("国籍", "（引进人才）是外国籍还是中国籍？", "person")
    selected_talent_programmes: OptTextList = _f(
        "已入选的人才计划", "（引进人才/申请人）已入选过哪些人才计划？请写出名称（没有请答“无”）", "person")
    holds_senior_position_abroad: YesNo = _f(
        "在国外担任副教授及以上或高级职务",
        "（引进人才）是否在国外著名高校、科研院所担任相当于副教授及以上职务，或在国际知名企业、机构担任高级"
            "职务？", "person")
    exceptional_talent: YesNo = _f(
        "有突出成绩或急需紧缺（可破格"
            "）", "（引进人才）是否属于有突出成绩或本地急需紧缺、可破格申报的人才？", "person")
    local_arrival_date: DateOrPeriod = _f(
        "来本地工作日期", "（引进人才）何时来通知所在地工作（参与科技研发等）？", "person")
    agreement_date: DateOrPeriod = _f("签订意向性协议日期", "与引进人才签订意向性协议的日期是？", "person")
    full_time_3_years: YesNo = _f("入选后能在本地全职工作3年", "（引进人才）入选后能否在通知所在地全职工作3年？",
        "person")
    has_work_permit: YesNo = _f("已办理外国人工作许可证", "（引进人才）是否已办理外国人工作许可证？",
        "person")
    leader_is_employee: YesNo = _f(
        "项目负责人为申报单位在职人"
            "员", "项目负责人是否为申报单位的在职人员（在申报单位缴纳社保）？", "person")
    has_basic_research_experience: YesNo = _f(
        "有基础研究经历", "申请人是否承担过基础研究课题或有其他从事基础研究的经历？", "person")
    leader_ongoing_projects: OptProjectKinds = _f(
        "项目负责人在研项目类"
            "型", "项目负责人目前是否主持在研的科技计划项目？是哪些？（没有请答“无”）", "person")

    #: Facts kept as ``None`` when given as an empty string.
    _EMPTY_AS_NONE: ClassVar[tuple[str, ...]] = ("", "未知", "不知道", "unknown")

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unknown(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {k: (None if isinstance(v, str) and v.strip() in cls._EMPTY_AS_NONE else v)
                    for k, v in data.items()}
        return data

    @model_validator(mode="after")
    def _normalise_places(self) -> ApplicantProfile:
        """Canonical place names; fill city/province from a district; reject contradictions."""
        gaz = load_gazetteer()
        if self.registered_place:
            self._place_fields(gaz)
        if self.registered_province:
            self.registered_province = gaz.province(self.registered_province) or self.registered_province
        if self.registered_city:
            city = gaz.city(self.registered_city)
            if city is not None:
                self.registered_city = city.name
                if self.registered_province and self.registered_province != city.province:
                    raise ValueError(f"registered_city：{city.name} 不属于 {self.registered_province}，请核"
                        f"对注册地")
                self.registered_province = city.province
        if self.registered_district:
            place = gaz.district(self.registered_district, self.registered_city)
            if place is not None:
                if self.registered_city and self.registered_city != place.city:
                    raise ValueError(
                        f"registered_district：{place.name} 属于 {place.city}，与注册城市"
                            f" {self.registered_city} 矛盾，"
                        "请核对注册地")
                self.registered_district = place.name
                self.registered_city = place.city
                self.registered_province = place.province
        if self.enterprise_partner_city:
            city = gaz.city(self.enterprise_partner_city)
            if city is not None:
                self.enterprise_partner_city = city.name
        if self.partner_country:
            region = gaz.region(self.partner_country)
            if region is not None:  # 港澳台 is a region line of its own, not a country
                self.partner_region = self.partner_region or region.name  # type: ignore[assignment]
                self.partner_country = None
            elif self.partner_country in ("中国", "中华人民共和国", "China"):
                raise ValueError("partner_country：合作国家应为外国；港澳台合作请填 partner_region")
            else:
                country = gaz.country(self.partner_country)
                if country is not None:
                    self.partner_country = country.name
        if self.confirmed_criteria is not None:
            self.confirmed_criteria = sorted({c.strip() for c in self.confirmed_criteria if c.strip()})
        return self

    def _place_fields(self, gaz: Any) -> None:
        """A registered place given as text at any level fills the province/city/district it resolves to."""
        place = gaz.resolve(self.registered_place, self.registered_city)
        if place is None:
            return
        self.registered_place = place.name
        if place.kind == "district":
            self.registered_district = self.registered_district or place.name
        elif place.kind == "city":
            self.registered_city = self.registered_city or place.name
        else:
            self.registered_province = self.registered_province or place.name

    def place_of(self, fact: str) -> Any:
        """The gazetteer place of a place fact (``registered`` uses the finest of district/city/province/place)."""
        gaz = load_gazetteer()
        if fact == "registered":
            for text in (self.registered_district, self.registered_city, self.registered_place,
                         self.registered_province):
                place = gaz.resolve(text, self.registered_city) if text else None
                if place is not None:
                    return place
            return None
        text = getattr(self, fact)
        return gaz.resolve(text, self.registered_city) if text else None

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_facts(cls, facts: Mapping[str, Any] | None) -> ApplicantProfile:
        """Validate a fact mapping (JSON object) into a profile.

        Args:
            facts: field name → value; unknown keys are rejected.

        Returns:
            The profile.

        Raises:
            ProfileError: unknown key or bad value, with a Chinese message naming the field and what to do.
        """
        if facts is None:
            return cls()
        if not isinstance(facts, Mapping):
            raise ProfileError(f"申请人信息应为 JSON 对象（键为字段名），收到的是 {type(facts).__name__}。")
        unknown = [str(k) for k in facts if k not in cls.model_fields]
        if unknown:
            raise ProfileError(
                f"未知的申请人信息字段：{'、'.join(unknown)}。可用字段：{cls.fields_help()}。")
        try:
            return cls.model_validate(dict(facts))
        except ValidationError as exc:
            raise ProfileError(_explain(exc)) from None

    def merged(self, facts: Mapping[str, Any]) -> ApplicantProfile:
        """A new profile: this one's known facts overridden by ``facts`` (validated the same way)."""
        return type(self).from_facts({**self.known(), **dict(facts)})

    def known(self) -> dict[str, Any]:
        """The known facts (non-None), JSON-ready (dates as ISO strings)."""
        return self.model_dump(mode="json", exclude_none=True)

    # ------------------------------------------------------------------ field metadata
    @classmethod
    def field_label(cls, name: str) -> str:
        """The Chinese label of a field (the name itself for unknown names)."""
        info = cls.model_fields.get(name)
        return (info.title or name) if info else name

    @classmethod
    def field_question(cls, name: str) -> str:
        """The Chinese question to ask when the field is missing."""
        info = cls.model_fields.get(name)
        return (info.description or f"请提供：{name}") if info else f"请提供：{name}"

    @classmethod
    def missing_fact_question(cls, name: str) -> str:
        """The question for a missing fact, naming it: "研发人员数：贵单位专职研发…有多少人？"."""
        return f"{cls.field_label(name)}：{cls.field_question(name)}"

    @classmethod
    def fields_help(cls) -> str:
        """``name（label）`` for every field, for error messages."""
        return "、".join(f"{name}（{cls.field_label(name)}）" for name in cls.model_fields)

    @classmethod
    def form_schema(cls) -> list[dict[str, Any]]:
        """Field descriptions for a web form: name, label, question, group, type and choices."""
        out: list[dict[str, Any]] = []
        for name, info in cls.model_fields.items():
            choices = _choices(info.annotation)
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            out.append({
                "name": name, "label": info.title, "question": info.description, "group": extra.get("group"),
                "type": _type_name(info.annotation, choices), "choices": choices,
            })
        return out


def _literal_values(tp: Any) -> list[str]:
    values: list[str] = []
    for arg in get_args(tp):
        if isinstance(arg, str):
            values.append(arg)
        else:
            values.extend(_literal_values(arg))
    return values


def _choices(annotation: Any) -> list[dict[str, str]] | None:
    values = _literal_values(annotation)
    return [{"value": v, "label": VALUE_LABELS.get(v, v)} for v in values] or None


def _type_name(annotation: Any, choices: list[dict[str, str]] | None) -> str:
    text = str(annotation)
    if "list" in text:
        return "multi_choice" if choices else "list"
    if choices:
        return "choice"
    for key, name in (("bool", "yes_no"), ("date", "date"), ("float", "number"), ("int", "integer")):
        if key in text:
            return name
    return "text"


_PYDANTIC_REASONS = {
    "bool_parsing": "应为是/否（true/false）",
    "bool_type": "应为是/否（true/false）",
    "date_parsing": "应为日期 YYYY-MM-DD",
    "date_from_datetime_parsing": "应为日期 YYYY-MM-DD",
    "date_type": "应为日期 YYYY-MM-DD",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "string_type": "应为文字",
    "string_too_long": "过长（最多 {max_length} 个字）",
    "list_type": "应为列表",
    "finite_number": "应为有限数字",
}


def _explain(exc: ValidationError) -> str:
    """One Chinese sentence per validation problem, naming the field, the bad value and the fix."""
    parts: list[str] = []
    for err in exc.errors(include_url=False):
        loc = [str(x) for x in err.get("loc", ())]
        name = loc[0] if loc else ""
        label = ApplicantProfile.field_label(name)
        value = err.get("input")
        etype = err.get("type", "")
        ctx = err.get("ctx") or {}
        if etype == "literal_error" or etype == "enum":
            info = ApplicantProfile.model_fields.get(name)
            choices = _choices(info.annotation) if info else None
            allowed = "、".join(f"{c['value']}（{c['label']}）" for c in choices or [])
            reason = f"可选值：{allowed}"
        elif etype == "value_error":
            reason = str(ctx.get("error") or err.get("msg", "")).removeprefix("Value error, ")
        elif etype in _PYDANTIC_REASONS:
            reason = _PYDANTIC_REASONS[etype].format(**ctx)
        else:
            reason = err.get("msg", "值无效")
        if name and name in ApplicantProfile.model_fields:
            parts.append(f"字段 {name}（{label}）的值 {value!r} 无效：{reason}")
        else:
            parts.append(f"申请人信息有误：{reason}")
    return "；".join(parts) + "。请修改后重试。"
