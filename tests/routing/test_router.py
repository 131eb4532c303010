"""NoticeRouter on an inline catalogue: names, short forms, regions, years, series, ties, follow-ups."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.catalogue.registry import NoticeRecord, NoticeRegistry
from assistant.routing import NoticeRouter, routed_programmes, short_forms

TODAY = dt.date(2025, 6, 1)


def _rec(nid: str, title: str, year: int, region: str, deadline: str | None = None,
         programmes: tuple[str, ...] = (), parent: str | None = None, **kw: object) -> NoticeRecord:
    return NoticeRecord(notice_id=nid, file=f"{nid}.md", title=title, year=year, region=region, parent=parent,
                        deadlines=[{"what": "申报截止", "date": deadline}] if deadline else [],
                        programmes=[{"id": f"{nid}-p{i}", "name": n} for i, n in enumerate(programmes, 1)],
                        **kw)  # type: ignore[arg-type]


@pytest.fixture
def registry() -> NoticeRegistry:
    return NoticeRegistry([
        _rec("ec-2023", "关于组织开展2023年度雄安新区企业技术中心认定工作的通知", 2023, "雄安新区", "2023-05-01"),
        _rec("ec-2024", "关于组织开展2024年度雄安新区企业技术中心认定工作的通知", 2024, "雄安新区", "2025-07-01"),
        _rec("ec-2024-form", "企业技术中心申请表", 2024, "雄安新区", parent="ec-2024"),
        _rec("giant", "关于开展2025年专精特新“小巨人”企业认定和复核推荐工作的通知", 2025, "雄安新区", "2025-05-25"),
        _rec("soft-xa", "雄安新区软科学研究项目暂行管理办法", 2024, "雄安新区"),
        _rec("rd-nt", "关于组织申报2024年度南通市重点研发计划（前瞻性技术创新专项）项目的通知", 2024, "南通市",
             programmes=("前瞻性技术创新专项",)),
        _rec("rd-lyg", "关于组织申报2024年度连云港市重点研发计划（产业前瞻与关键技术）项目的通知", 2024, "连云港市",
             programmes=("产业前瞻与关键技术", "社会发展")),
        _rec("robot-a", "雄安新区机器人产业高质量发展若干措施", 2024, "雄安新区"),
        _rec("robot-b", "雄安新区机器人产业创新发展三年行动计划", 2024, "雄安新区"),
    ])


@pytest.fixture
def router(registry: NoticeRegistry) -> NoticeRouter:
    return NoticeRouter.from_registry(registry, today=TODAY)


def test_short_forms_strip_the_wrappers_and_keep_quoted_names() -> None:
    forms = short_forms("关于开展2025年专精特新“小巨人”企业认定和复核推荐工作的通知")
    assert "小巨人" in forms
    assert not any("关于" in f or "通知" in f or "2025" in f for f in forms)


def test_a_short_name_routes_to_its_notice_and_the_attachment_comes_along(router: NoticeRouter) -> None:
    d = router.run("小巨人认定从几号开始报？")
    assert d.notice_ids == ["giant"]
    assert router.run("企业技术中心申请表怎么填？").doc_ids[:2] == ["ec-2024", "ec-2024-form"]


def test_generic_words_route_nowhere(router: NoticeRouter) -> None:
    d = router.run("申报材料需要盖章吗？")
    assert not d.routed and d.notice_ids == []


def test_unnamed_year_takes_the_latest_of_a_series_and_says_so(router: NoticeRouter) -> None:
    d = router.run("企业技术中心认定有多少奖励？")
    assert d.notice_ids == ["ec-2024"]
    assert d.latest_of_series
    assert "最新" in d.note() and "2024年" in d.note() and "申报中" in d.note()


def test_a_named_year_picks_that_year_and_relative_years_read_against_today(router: NoticeRouter) -> None:
    assert router.run("2023年度企业技术中心认定什么时候截止？").notice_ids == ["ec-2023"]
    assert router.run("去年的企业技术中心认定什么时候截止？").notice_ids == ["ec-2024"]
    assert not router.run("2023年度企业技术中心认定什么时候截止？").latest_of_series


def test_equally_fitting_notices_of_different_series_are_listed_not_mixed(router: NoticeRouter) -> None:
    d = router.run("雄安新区机器人产业有哪些政策？")
    assert set(d.notice_ids) == {"robot-a", "robot-b"}
    assert d.ambiguous
    note = d.note()
    assert "高质量发展若干措施" in note and "三年行动计划" in note and "无截止日期" in note


def test_a_region_word_narrows_the_fits(router: NoticeRouter) -> None:
    assert router.run("南通的重点研发计划什么时候截止？").notice_ids == ["rd-nt"]
    assert router.run("连云港重点研发计划什么时候截止？").notice_ids == ["rd-lyg"]


def test_a_follow_up_stays_on_the_notice_under_discussion(router: NoticeRouter) -> None:
    d = router.run("联系电话呢？", previous=("giant",))
    assert d.notice_ids == ["giant"] and d.kept
    # a long question of its own does not inherit the previous notice
    assert not router.run("高校和科研院所作为申报单位需要满足哪些基本的资质和信用条件？", previous=("giant",)).kept


def test_a_follow_up_naming_another_region_moves(router: NoticeRouter) -> None:
    first = "连云港重点研发计划什么时候截止？"
    assert router.run(first).notice_ids == ["rd-lyg"]
    d = router.run("那南通的呢？", previous=("rd-lyg",), previous_question=first)
    assert d.notice_ids == ["rd-nt"]


def test_routed_programmes_are_the_named_notice_s_and_narrow_to_a_named_programme(registry: NoticeRegistry) -> None:
    assert routed_programmes("连云港重点研发计划社会发展类能报吗？", registry) == ["rd-lyg-p2"]
    assert routed_programmes("连云港重点研发计划能报吗？", registry) == ["rd-lyg-p1", "rd-lyg-p2"]
    assert routed_programmes("申报材料需要盖章吗？", registry) == []


def test_routing_is_deterministic(router: NoticeRouter, registry: NoticeRegistry) -> None:
    again = NoticeRouter.from_registry(NoticeRegistry(list(reversed(registry.records))), today=TODAY)
    for q in ("雄安新区机器人产业有哪些政策？", "企业技术中心认定有多少奖励？", "小巨人什么时候截止"):
        assert router.run(q).notice_ids == again.run(q).notice_ids


@pytest.mark.parametrize("bad", [{"min_score": 0}, {"tie_ratio": 0}, {"tie_ratio": 1.5}, {"max_routed": 0}])
def test_bad_settings_name_the_value(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=str(next(iter(bad.values())))):
        NoticeRouter([], **bad)  # type: ignore[arg-type]


def _scan_scores(router: NoticeRouter, question: str) -> dict[str, float]:
    """The scoring as a scan of every family (what the bigram index must reproduce exactly)."""
    import math
    import unicodedata

    from assistant.routing.router import _YEARISH, normalise

    q = normalise(_YEARISH.sub("\x00", unicodedata.normalize("NFKC", question)))
    fams = router.families
    out: dict[str, float] = {}
    for f in fams:
        text, covered, total = f.text, 0, 0.0
        for i in range(len(q) - 1):
            if q[i:i + 2] not in text:
                continue
            j = i + 2
            while j < len(q) and q[i:j + 1] in text:
                j += 1
            if j <= covered:
                continue
            covered = j
            piece = q[i:j]
            if piece in router._region_set:
                continue
            df = sum(1 for g in fams if piece in g.text)
            total += router.weight(len(piece)) * math.log(1 + len(fams) / df)
        named = max((a for a in f.names if a in q and a not in router._region_set), key=len, default=None)
        if named is not None:
            df = max(sum(1 for g in fams if named in g.text), 1)
            total += router.weight(len(named)) * math.log(1 + len(fams) / df)
        if total > 0:
            out[f.notice_id] = total
    return out


def test_the_bigram_index_scores_exactly_as_a_scan_of_every_family(router: NoticeRouter,
                                                                    registry: NoticeRegistry) -> None:
    titles = [r.title for r in registry.records]
    questions = [
        "雄安新区机器人产业有哪些政策？", "企业技术中心认定有多少奖励？", "小巨人什么时候截止",
        "连云港重点研发计划社会发展类能报吗？", "申报材料需要盖章吗？", "2024年度南通前瞻性技术创新专项截止时间",
        "软科学研究项目|管理办法", "", "a", "机器人技术中心小巨人软科学",
        *titles, *(t[3:17] for t in titles), *(t[::2] for t in titles),
    ]
    for q in questions:
        fast = router.scores(q)
        slow = _scan_scores(router, q)
        assert list(fast) == list(slow), q  # same families, same order
        assert fast == slow, q  # and bit-identical scores
    assert any(router.scores(q) for q in questions)  # the comparison is not over empty results only


def test_a_series_is_one_whatever_order_a_year_words_its_name_in() -> None:
    from assistant.routing.router import series_key

    a = series_key("关于组织开展2023年测试新区“专精特新”企业培育库第一批入库工作的通知")
    b = series_key("关于组织开展2025年测试新区“专精特新”培育库企业入库工作的通知")
    assert a == b
    assert a != series_key("关于组织开展2025年测试新区孵化载体库入库工作的通知")


def test_the_newest_of_a_series_answers_with_the_series_best_name_when_no_year_is_asked() -> None:
    registry = NoticeRegistry([
        _rec("pool-2023", "关于组织开展2023年测试新区“专精特新”企业培育库第一批入库工作的通知", 2023, "测试新区"),
        _rec("pool-2025", "关于组织开展2025年测试新区“专精特新”培育库企业入库工作的通知", 2025, "测试新区"),
        _rec("rules", "测试新区专精特新企业培育库入库及奖补实施细则", 2024, "测试新区"),
    ])
    router = NoticeRouter.from_registry(registry, today=TODAY)
    d = router.run("专精特新企业培育库入库材料报给谁审核？")
    assert "pool-2023" not in d.notice_ids and d.notice_ids[0] == "pool-2025"


def test_a_question_saying_a_notice_s_own_name_whole_scores_it_above_notices_sharing_its_pieces() -> None:
    registry = NoticeRegistry([
        _rec("award-vet", "关于组织2025年度测试省科学技术奖提名预审的通知", 2025, "测试新区"),
        _rec("award-survey", "关于对2024年度测试省科学技术奖励拟提名项目摸底调查工作的通知", 2024, "测试新区"),
        _rec("pool", "关于开展测试新区中小企业服务资源库入库征集工作的通知", 2025, "测试新区"),
        _rec("rules", "测试新区专精特新中小企业培育库入库及奖补政策的实施细则", 2024, "测试新区"),
    ])
    router = NoticeRouter.from_registry(registry, today=TODAY)
    scores = router.scores("测试省科学技术奖提名预审的截止时间？")
    assert scores["award-vet"] > 1.5 * scores["award-survey"]
    # said without the region that heads the name, the name is still said whole
    scores = router.scores("中小企业服务资源库入库需要满足什么条件？")
    assert scores["pool"] > 1.5 * scores.get("rules", 0.0)


@pytest.mark.parametrize(("region", "words"), [
    ("河北雄安新区", {"雄安新区", "雄安"}),
    ("江苏省连云港市", {"连云港市", "连云港"}),
    ("浙江省杭州市", {"杭州市", "杭州"}),
])
def test_a_region_headed_by_any_province_of_the_gazetteer_is_named_without_it(region: str, words: set[str]) -> None:
    from assistant.routing.router import region_words

    got = set(region_words(region))
    assert words <= got and not any(w.startswith("省") for w in got)
