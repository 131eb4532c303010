"""Streamlit AppTest of every page: chat, eligibility form, clause lookup, notice admin."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from assistant.feedback import FeedbackStore
from assistant.index.store import IndexSnapshot
from tests.conftest import UPLOAD_NOTICE
from tests.ui.conftest import login_as

HAIBIN = "海滨市2025年度科技创新券项目申报指南"
GANYU_Q = "赣榆区的企业能申报连云港市产业前瞻与关键技术项目吗？"
GANYU_CLAUSE = "不含赣榆区"



def texts(at: Any) -> str:
    """Everything a user reads on the page (Markdown, captions, alerts, code, tables, expander labels)."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "info", "error", "warning", "success", "code", "title", "subheader"):
        parts.extend(str(e.value) for e in at.get(kind))
    parts.extend(str(e.label) for e in at.expander)
    parts.extend(df.value.to_string() for df in at.dataframe)
    return "\n".join(parts)


def ask(at: Any, question: str) -> Any:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at: Any, label: str) -> Any:
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r} among {[b.label for b in at.button]}"
    return found[0]


# -- 申报咨询 ---------------------------------------------------------------------------------------
def test_chat_answer_citation_cards_viewer_link_feedback(make_app: Callable, own_fixture_index) -> None:
    at = make_app(own_fixture_index)
    login_as(at, own_fixture_index, "staff")  # the viewer link leads to the staff's lookup page
    at.run()
    assert not at.exception
    assert ":gray-badge[:material/cloud_off: 离线]" in texts(at)  # the mode indicator
    ask(at, "海滨市创新券单张额度最高是多少？")
    page = texts(at)
    assert "20万元" in page
    assert any(HAIBIN in e.label for e in at.expander)  # citation cards: notice + section
    assert "<blockquote>" in page  # the verbatim quote
    link = at.page_link[0]
    assert link.proto.page.endswith("lookup") or "lookup" in link.proto.page
    params = parse_qs(link.proto.query_string)
    snap = IndexSnapshot.load(own_fixture_index.data_dir)
    assert params["doc"][0] in {d["doc_id"] for s in snap.sources.values() for d in s.documents}
    assert params["section"][0]

    # 👍 is stored at once; switching to 👎 updates the same row and opens the correction form
    store = FeedbackStore(own_fixture_index)
    at.feedback[0].set_value(1).run()
    assert [(e.rating, e.question) for e in store.entries()] == [("up", "海滨市创新券单张额度最高是多少？")]
    at.feedback[0].set_value(0).run()
    at.text_area[0].set_value("单张创新券额度最高20万元，每家企业每年限申领一次。")
    button(at, "提交更正").click().run()
    assert not at.exception
    (entry,) = store.entries()
    assert entry.rating == "down" and entry.correction.startswith("单张创新券额度最高20万元")
    assert "已记录更正" in texts(at)
    items, _ = store.eval_items()
    assert items[0]["reference"] == entry.correction and items[0]["kind"] == "fact"


def test_chat_input_errors_examples_follow_up_and_reset(make_app: Callable, fixture_settings) -> None:
    at = make_app(fixture_settings).run()
    ask(at, "？？？")
    assert "没有可识别的文字" in "\n".join(e.value for e in at.error)
    at.chat_input[0].set_value("x" * 2100).run()  # the widget caps at 2,000 characters; never a traceback
    assert not at.exception
    # the example questions are about the notices of the index (here the two fixture notices), not the seeds
    examples = [b for b in at.button if b.label != "新对话（清空）"]
    assert examples and all("山河" in b.label or "海滨" in b.label for b in examples)
    examples[0].click().run()
    assert not at.exception
    assert len(at.chat_message) >= 2
    ask(at, "山河省开放合作项目的申报截止时间是什么时候？")
    assert "2025年4月15日" in texts(at)
    n = len(at.chat_message)
    button(at, "新对话（清空）").click().run()
    assert len(at.chat_message) < n and "您好" in texts(at)
    assert at.session_state["chat_session"].history == []


@pytest.mark.slow  # the real corpus index (session fixture)
def test_chat_ruling_badge_table_and_deadlines(make_app: Callable, corpus_settings) -> None:
    at = make_app(corpus_settings).run()
    ask(at, GANYU_Q)
    page = texts(at)
    assert ":red-badge[不符合]" in page
    table = "\n".join(df.value.to_string() for df in at.dataframe)
    assert GANYU_CLAUSE in table and "✗ 不符合" in table
    assert any("三、申报要求" in e.label for e in at.expander)
    assert "已截止" in page  # deadlines of the catalogued notices, relative to today


@pytest.mark.slow  # the real corpus index (session fixture)
def test_sessions_are_isolated(make_app: Callable, corpus_settings) -> None:
    a = make_app(corpus_settings).run()
    ask(a, "我们是赣榆区的企业，能申报连云港市产业前瞻与关键技术项目吗？")
    assert ":red-badge[不符合]" in texts(a)
    b = make_app(corpus_settings).run()  # another browser: must not inherit 赣榆区
    ask(b, "我们能申报连云港市产业前瞻与关键技术项目吗？")
    assert ":red-badge[不符合]" not in texts(b)
    assert ":orange-badge[需补充信息]" in texts(b)
    assert b.session_state["chat_session"].facts.get("registered_district") != "赣榆区"


def test_mode_indicator_names_the_model_never_the_key(make_app: Callable, fixture_settings,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-NEVER-SHOWN-123")
    monkeypatch.setenv("SHENBAO_LLM_MODEL", "qwen-test-model")
    at = make_app(fixture_settings)
    login_as(at, fixture_settings, "admin")
    at.run()
    seen = texts(at)
    for page in ("views/check.py", "views/lookup.py", "views/admin.py", "views/users.py", "views/rules.py"):
        at.switch_page(page).run()
        seen += texts(at)
    assert "qwen-test-model" in seen
    assert "NEVER-SHOWN" not in seen


# -- 条款检索 ---------------------------------------------------------------------------------------
def _search(at: Any, query: str, region: str | None = None) -> Any:
    at.text_input(key="lookup_query").set_value(query)
    if region:
        at.selectbox(key="lookup_region").set_value(region)
    button(at, "检索").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_lookup_filters_highlights_copy_text_and_viewer(make_app: Callable, fixture_settings) -> None:
    at = make_app(fixture_settings)
    login_as(at, fixture_settings, "staff")
    at.run()
    at.switch_page("views/lookup.py").run()
    _search(at, "创新券 额度")
    codes = [c.value for c in at.code]
    assert codes and all("《" in c and "》" in c for c in codes)  # copy-ready, with the citation
    assert "20万元" in codes[0]
    assert any("<mark>创新券</mark>" in m.value for m in at.markdown)  # the retriever's tokens, highlighted
    regions = at.selectbox(key="lookup_region").options
    assert "山河省" in regions
    _search(at, "申报截止时间", region="山河省")
    titles = [e.value for e in at.markdown if e.value.startswith("**1. 《")]
    assert titles and "山河省" in titles[0]
    assert HAIBIN not in "\n".join(c.value for c in at.code[1:])

    # the viewer opens the result's notice at its section
    at.button(key=next(b.key for b in at.button if b.label == "在公告原文中查看")).click().run()
    head = at.radio(key="viewer_head").value
    assert head and head in at.radio(key="viewer_head").options
    snap = IndexSnapshot.load(fixture_settings.data_dir)
    doc = at.selectbox(key="viewer_doc_select").value
    assert snap.sources["shanhe-2025-open-cooperation-notice.txt"].documents[0]["doc_id"] == doc


def test_viewer_opens_at_a_cited_section_from_the_link(make_app: Callable, fixture_settings) -> None:
    snap = IndexSnapshot.load(fixture_settings.data_dir)
    chunk = next(c for c in snap.live_chunks() if c.title == HAIBIN and len(c.section_path) > 1)
    at = make_app(fixture_settings)
    at.query_params["doc"] = chunk.doc_id
    at.query_params["section"] = chunk.section
    login_as(at, fixture_settings, "staff")
    at.run()
    at.switch_page("views/lookup.py").run()
    assert at.selectbox(key="viewer_doc_select").value == chunk.doc_id
    assert at.radio(key="viewer_head").value == chunk.section_path[0]
    assert any("fff3cd" in m.value and chunk.text.strip()[:10] in m.value for m in at.markdown)


# -- 公告管理 ---------------------------------------------------------------------------------------
NEW_NOTICE = UPLOAD_NOTICE


def test_admin_upload_keeps_good_files_and_survives_bad_ones(make_app: Callable, own_fixture_index) -> None:
    s = own_fixture_index
    corpus: Path = s.corpus_dir
    original = (corpus / "haibin-2025-innovation-voucher-guide.txt").read_bytes()
    at = make_app(s)
    login_as(at, s, "admin")
    at.run()
    at.switch_page("views/admin.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["公告文件"] == "2"
    assert "条款数" in at.dataframe[0].value.columns
    at.file_uploader[0].set_value([
        ("linhai-2025-rd-subsidy.txt", NEW_NOTICE.encode(), "text/plain"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "application/pdf"),
        ("haibin-2025-innovation-voucher-guide.txt", b"   \n\n  ", "text/plain"),  # a bad replacement
    ])
    button(at, "保存并导入").click().run()
    assert not at.exception, [e.value for e in at.exception]
    page = texts(at)
    assert "已导入 1 个文件" in page
    errors = "\n".join(e.value for e in at.error)
    assert "broken.pdf" in errors and "haibin-2025-innovation-voucher-guide.txt" in errors
    # nothing lost: the good upload is in, the bad ones are aside, the replaced notice is back
    assert (corpus / "linhai-2025-rd-subsidy.txt").exists()
    assert not (corpus / "broken.pdf").exists()
    assert (corpus / "haibin-2025-innovation-voucher-guide.txt").read_bytes() == original
    assert not (s.data_dir / "uploads" / "rejected" / "broken.pdf").exists()  # refused before it was saved
    snap = IndexSnapshot.load(s.data_dir)
    assert set(snap.sources) == {"linhai-2025-rd-subsidy.txt", "haibin-2025-innovation-voucher-guide.txt",
                                 "shanhe-2025-open-cooperation-notice.txt"}
    assert any("最高补助50万元" in c.text for c in snap.live_chunks())
    assert any("20万元" in c.text for c in snap.live_chunks())  # the old haibin version still answers
    assert at.get("progress"), "a progress bar is shown while ingesting"

    # the new notice is searchable right away (the index is reloaded after the switch)
    at.switch_page("views/lookup.py").run()
    _search(at, "研发费用补助 最高")
    assert "最高补助50万元" in "\n".join(c.value for c in at.code)

    # re-index: sync with the corpus dir
    at.switch_page("views/admin.py").run()
    button(at, "重新索引").click().run()
    assert not at.exception
    assert "索引已更新" in texts(at)
    assert {m.label: m.value for m in at.metric}["公告文件"] == "3"
    assert [b.label for b in at.get("download_button")] == ["导出为评测数据（JSONL）"]


# -- 资格自查 ---------------------------------------------------------------------------------------
@pytest.mark.slow  # the real corpus index (session fixture)
def test_check_form_ruling_and_hand_over_to_chat(make_app: Callable, corpus_settings) -> None:
    at = make_app(corpus_settings).run()
    at.switch_page("views/check.py").run()
    assert not at.exception, [e.value for e in at.exception]
    sel = at.selectbox(key="check_programme")
    assert any("产业前瞻与关键技术" in o for o in sel.options)  # shown by title and notice
    sel.set_value("lyg-2024-key-rd-industry").run()
    labels = {w.label for w in at.text_input} | {w.label for w in at.selectbox} | {w.label for w in at.radio}
    assert "注册地所在区县（功能板块）" in labels  # Chinese labels from ApplicantProfile.form_schema()
    at.text_input(key="pf-registered_district").set_value("赣榆区")
    button(at, "判断能否申报").click().run()
    assert not at.exception
    page = texts(at)
    assert ":red-badge[不符合]" in page and GANYU_CLAUSE in page
    button(at, "在咨询中继续（带上以上信息）").click().run()
    assert not at.exception
    # the chat page continues with the stated facts and answers the handed-over question
    assert at.session_state["chat_session"].facts.get("registered_district") == "赣榆区"
    assert ":red-badge[不符合]" in texts(at)
    assert any("我们能申报" in m.value for m in at.markdown)


@pytest.mark.slow  # the real corpus index (session fixture)
def test_check_form_unknown_facts_need_info(make_app: Callable, corpus_settings) -> None:
    at = make_app(corpus_settings).run()
    at.switch_page("views/check.py").run()
    at.selectbox(key="check_programme").set_value("lyg-2024-key-rd-industry").run()
    button(at, "判断能否申报").click().run()
    page = texts(at)
    assert ":orange-badge[需补充信息]" in page and "还需要以下信息" in page
    assert "贵单位的注册地在哪个区县" in page


def test_earlier_answers_are_drawn_cheaply_and_tables_built_once_per_index(make_app: Callable, fixture_settings,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.catalogue.registry import NoticeRegistry

    builds: list[int] = []
    original = NoticeRegistry.from_snapshot.__func__  # type: ignore[attr-defined]

    def counting(cls: type, *args: Any, **kwargs: Any) -> Any:
        builds.append(1)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(NoticeRegistry, "from_snapshot", classmethod(counting))
    from ui import present

    tables: list[int] = []
    rows_of = present.deadline_rows

    def counting_rows(*args: Any, **kwargs: Any) -> Any:
        tables.append(1)
        return rows_of(*args, **kwargs)

    monkeypatch.setattr(present, "deadline_rows", counting_rows)
    at = make_app(fixture_settings).run()
    ask(at, "海滨市创新券单张额度最高是多少？")
    cards = [e.label for e in at.expander if HAIBIN in e.label]
    assert cards  # the newest answer: one card per citation
    ask(at, "山河省开放合作项目的申报截止时间是什么时候？")
    labels = [e.label for e in at.expander]
    assert any(label.startswith("引用条款（") for label in labels)  # the earlier answer: one collapsed block
    assert not any(HAIBIN in label for label in labels)  # its cards are not redrawn
    assert "2025年4月15日" in texts(at)
    assert "<blockquote>" in "\n".join(str(m.value) for m in at.markdown)
    at.run()  # a rerun without a question: the newest answer stays whole
    assert not any(label.startswith("引用条款（") for label in [e.label for e in at.expander][-3:])
    n, m = len(builds), len(tables)
    for _ in range(3):
        at.run()
    assert len(builds) == n  # the catalogue is cached per index version, not rebuilt per rerun
    assert len(tables) == m  # and so are the deadline tables
