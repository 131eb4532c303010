"""In isolation: the checks applied to a model answer, the streamed-answer decoder, the tools' rendering."""

from __future__ import annotations

import json

import pytest

from assistant.errors import LLMError
from assistant.llm import AnswerFieldStreamer, AnswerJsonParser, CitationValidator, ToolLedger, verbatim_span
from assistant.llm.grounding import CitedQuote, combine_verdicts, ruling_allowed, stated_rulings
from assistant.llm.tools import ClauseSearchTool, EligibilityCheckTool, defuse_tags
from assistant.models import Chunk
from tests.llm.conftest import ClauseService, corpus_line

CLAUSE = ("2. 项目牵头单位应为在市辖区（不含赣榆区）内注册、具有独立法人资格的法人单位，\n"
          "高校、科研院所申报必须有企业联合。")


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("项目牵头单位应为在市辖区（不含赣榆区）内注册", "项目牵头单位应为在市辖区（不含赣榆区）内注册"),
        ("“法人单位， 高校、科研院所”", "法人单位，\n高校、科研院所"),  # spacing ignored, notice text kept
        ("……不含赣榆区……", "不含赣榆区"),
        ("不含连云港区", None),
        ("项目牵头单位……法人单位", None),  # spliced quotes are not verbatim
        ("的法", None),  # too short to ground anything
        ("", None),
    ],
)
def test_verbatim_span(quote: str, expected: str | None) -> None:
    assert verbatim_span(quote, CLAUSE, min_chars=4) == expected


def test_validator_keeps_order_dedupes_and_caps(chunks: list[Chunk]) -> None:
    clauses = {c.chunk_id: c for c in chunks[:3]}
    a, b, _ = chunks[:3]
    cited = [CitedQuote(clause_id=b.chunk_id, quote="不含赣榆区"),
             CitedQuote(clause_id=b.chunk_id, quote=" 不含 赣榆区 "),
             CitedQuote(clause_id=a.chunk_id, quote="不得同时申报"),
             CitedQuote(clause_id=a.chunk_id, quote="可以同时申报"),
             CitedQuote(clause_id=chunks[5].chunk_id, quote="给予一次性补助5万元")]
    out = CitationValidator(max_citations=5).run(cited, clauses)
    assert [(c.section, c.quote) for c in out.citations] == [
        ("三、申报要求 > 2.", "不含赣榆区"), ("三、申报要求 > 1.", "不得同时申报")]
    assert out.dropped == 2
    assert CitationValidator(max_citations=1).run(cited, clauses).citations[0].quote == "不含赣榆区"
    with pytest.raises(ValueError, match="min_quote_chars"):
        CitationValidator(min_quote_chars=0)


@pytest.mark.parametrize(
    ("answer", "rulings"),
    [
        ("您符合申报条件。", {"eligible"}),
        ("贵单位可以申报该项目。", {"eligible"}),
        ("赣榆区企业不能申报，不符合要求。", {"ineligible"}),
        ("无法申报。", {"ineligible"}),
        ("是否符合条件需补充注册地信息。", set()),
        ("同一企业不得同时申报两类项目。", set()),
        ("项目原则上两年内完成。", set()),
        ("A类符合申报条件，B类不符合。", {"eligible", "ineligible"}),
    ],
)
def test_stated_rulings(answer: str, rulings: set[str]) -> None:
    assert stated_rulings(answer) == rulings


def test_rulings_must_come_from_the_checker() -> None:
    assert ruling_allowed(set(), set())
    assert not ruling_allowed({"eligible"}, set())
    assert not ruling_allowed({"eligible"}, {"needs_info"})
    assert ruling_allowed({"ineligible"}, {"ineligible", "needs_info"})
    assert combine_verdicts(["eligible", "ineligible"]) == "needs_info"
    assert combine_verdicts(["ineligible", "ineligible"]) == "ineligible"
    assert combine_verdicts([]) is None


def test_parser() -> None:
    p = AnswerJsonParser(max_answer_chars=20)
    fenced = ('```json\n{"answer": " 两年 ", "found": true, '
              '"citations": [{"clause_id": "x", "quote": "y"}]}\n```')
    got = p.run(fenced)
    assert (got.answer, got.found, got.citations[0].clause_id) == ("两年", True, "x")
    assert p.run('前言 {"answer": "", "found": false} 后记').found is False
    cases = [("没有 JSON", "JSON"), ('{"answer": "a",}', "格式不正确"), ('{"found": true}', "格式不正确"),
             ('{"answer": "' + "长" * 21 + '"}', "过长"), ('{"answer": "  ", "found": true}', "空回答")]
    for bad, msg in cases:
        with pytest.raises(LLMError, match=msg):
            p.run(bad)


def test_streamer_decodes_the_answer_field_piece_by_piece() -> None:
    answer = '两年内完成，"引号"、反斜杠\\、换行\n、emoji 😀 与 \u4e2d'
    raw = json.dumps({"answer": answer, "found": True, "citations": []})  # ASCII escapes, surrogate pairs
    for size in (1, 2, 3, 5, 64):
        s = AnswerFieldStreamer()
        out = "".join(s.run(raw[i:i + size]) for i in range(0, len(raw), size))
        assert out == answer, size
    s = AnswerFieldStreamer()
    assert s.run('{"found": true, "answer"') == "" and s.run(': "ab') == "ab" and s.run('c"}') == "c"
    assert s.run('more "answer": "x"') == ""  # after the field closed nothing more is emitted


def test_defuse_tags_and_the_search_tool(service: ClauseService) -> None:
    assert defuse_tags("a</clause><CLAUSE id=x>< /question>") == "a＜/clause>＜CLAUSE id=x>＜ /question>"
    ledger = ToolLedger()
    tool = ClauseSearchTool(service, ledger, max_k=2)
    out = tool.as_tool().invoke({"query": "牵头单位 注册 赣榆区", "k": 50})
    assert service.queries == [("牵头单位 注册 赣榆区", 2)]  # k is capped
    assert out.count("<clause id=") == 2 == len(ledger.clauses)
    assert corpus_line("不含赣榆区") in out
    assert tool.run("   ") == "检索词为空：请给出要检索的内容。"
    assert tool.run("火星", k="x") == "未检索到相关条款。"  # type: ignore[arg-type]


def test_eligibility_tool_uses_the_real_checker_and_stated_facts_win() -> None:
    pytest.importorskip("assistant.eligibility")
    ledger = ToolLedger()
    tool = EligibilityCheckTool(ledger, known_facts={"registered_district": "赣榆区"})
    out = tool.as_tool().invoke({"programme_id": "lyg-2024-key-rd-industry",
                                 "facts": {"registered_district": "海州区", "applicant_role": "lead"}})
    assert out.startswith("<eligibility>") and out.rstrip().endswith("</eligibility>")
    assert [r["verdict"] for r in ledger.rulings] == ["ineligible"]
    # an unknown programme is reported to the model, not raised, and is no ruling
    out = tool.run("no-such-programme", {})
    assert "规则校验未完成" in out and len(ledger.rulings) == 1
    # the description lists what the checker knows
    assert "lyg-2024-key-rd-industry" in tool.as_tool().description


def test_eligibility_tool_wraps_the_packages_tool_with_flat_fields() -> None:
    ledger = ToolLedger()
    tool = EligibilityCheckTool.make(ledger, known_facts={"registered_district": "赣榆区"})
    assert tool.inner is not None and tool.inner.name == "check_eligibility"
    lc_tool = tool.as_tool()
    assert "registered_district" in lc_tool.args and "programme_id" in lc_tool.args
    out = lc_tool.invoke({"programme_id": "lyg-2024-key-rd-industry", "registered_district": "海州区",
                          "applicant_role": "lead"})
    assert json.loads(out.split("\n", 1)[1].rsplit("\n", 2)[0])["verdict"] == "ineligible"
    assert [r["verdict"] for r in ledger.rulings] == ["ineligible"]
    # bad facts are reported back (no ruling), never raised
    out = lc_tool.invoke({"programme_id": "lyg-2024-key-rd-industry", "annual_revenue_wan": "很多"})
    assert "error" in out and len(ledger.rulings) == 1
