"""FeedbackStore: SQLite round trip, validation, concurrency, and the export as evaluation items."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import InputError
from assistant.evaluation.dataset import load_dataset
from assistant.feedback import FeedbackStore, notice_sources
from assistant.index.store import IndexSnapshot, SourceEntry
from assistant.models import AnswerRecord, Citation

TITLE = "2024年度市重点研发计划（产业前瞻与关键技术）项目指南"
QUOTE = "项目牵头单位应为在市辖区（不含赣榆区）内注册、具有独立法人资格的法人单位"


PATENT = "项目牵头单位近三年内须有授权发明专利"


def _settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"SHENBAO_DATA_DIR": str(tmp_path / "data")})


def _fact_record() -> AnswerRecord:
    return AnswerRecord(answer="近三年内须有授权发明专利。",
                        citations=[Citation(TITLE, "三、申报要求 > 3.", PATENT)],
                        contexts=["项目牵头单位近三年内须有授权发明专利。"])


def _ruling() -> AnswerRecord:
    return AnswerRecord(answer="不符合：……", citations=[Citation(TITLE, "三、申报要求 > 2.", QUOTE),
                                                    Citation(TITLE, "三、申报要求 > 2.", QUOTE)],
                        verdict="ineligible", eligibility={"verdict": "ineligible", "results": []})


def test_round_trip_and_counts(tmp_path: Path) -> None:
    store = FeedbackStore(_settings(tmp_path))
    assert store.entries() == []
    a = store.add("专利有什么要求？", _fact_record(), "up")
    b = store.add("那南通的呢？", _fact_record(), "down", correction="  南通要求…… ",
                  turns=["专利有什么要求？"])
    assert (a, b) == (1, 2)
    assert store.path == tmp_path / "data" / "feedback.sqlite"
    es = store.entries()
    assert [e.rating for e in es] == ["up", "down"]
    assert es[1].correction == "南通要求……" and es[1].turns == ["专利有什么要求？"]
    assert es[0].record["citations"][0]["notice"] == TITLE
    assert store.counts() == {"up": 1, "down": 1, "corrections": 1}
    # a second store on the same file sees the same rows (the page recreates it per rerun)
    assert len(FeedbackStore(_settings(tmp_path)).entries()) == 2


@pytest.mark.parametrize("kwargs", [
    {"rating": "meh"},
    {"rating": "up", "expected_verdict": "maybe"},
    {"rating": "down", "correction": "长" * 5000},
    {"rating": "up", "question": "   "},
])
def test_rejects_bad_input_without_storing(tmp_path: Path, kwargs: dict) -> None:
    store = FeedbackStore(_settings(tmp_path))
    q = kwargs.pop("question", "问题？")
    with pytest.raises(InputError):
        store.add(q, _fact_record(), **kwargs)
    assert store.entries() == []


def test_export_is_a_loadable_eval_dataset(tmp_path: Path) -> None:
    store = FeedbackStore(_settings(tmp_path))
    store.add("专利有什么要求？", _fact_record(), "up")
    store.add("赣榆区的企业能申报吗？", _ruling(), "up")
    store.add("最高资助多少？", _fact_record(), "down")  # wrong, no correction: not a reference
    store.add("能申报吗？", _ruling(), "down", correction="需补充信息：请说明注册地。",
              expected_verdict="needs_info", quotes_ok=False)
    refusal = AnswerRecord(answer="现有公告中未找到与该问题相关的内容。", refused=True)
    store.add("火星项目截止时间？", refusal, "up")
    out = tmp_path / "out" / "feedback.jsonl"
    report = store.export_jsonl(out, sources={TITLE: "lianyungang-2024-municipal-programme-guides.txt"})
    assert report.written == 4 and report.skipped == [3]
    items = load_dataset(out)  # the evaluation's own loader accepts it
    by_id = {i.id: i for i in items}
    fact = by_id["fb-00001"]
    assert fact.kind == "fact" and fact.reference == "近三年内须有授权发明专利。"
    assert fact.reference_contexts == [PATENT]
    assert fact.source == "lianyungang-2024-municipal-programme-guides.txt"
    ruling = by_id["fb-00002"]
    assert ruling.kind == "eligibility" and ruling.expected_verdict == "ineligible"
    assert ruling.reference_contexts == [QUOTE]  # duplicates folded
    corrected = by_id["fb-00004"]
    assert corrected.reference == "需补充信息：请说明注册地。" and corrected.expected_verdict == "needs_info"
    assert corrected.reference_contexts == []
    refused = by_id["fb-00005"]
    assert refused.kind == "unanswerable" and refused.source is None
    sources = {TITLE: "lianyungang-2024-municipal-programme-guides.txt"}
    assert store.export_text(sources=sources) == out.read_text(encoding="utf-8")
    assert all(json.loads(line)["source"] is None for line in store.export_text(sources={}).splitlines())


def test_sources_come_from_the_index_snapshot(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert notice_sources(settings.data_dir) == {}  # no index yet: no source, no crash
    snap = IndexSnapshot(collection="shenbao_test", sources={
        "guides.txt": SourceEntry("guides.txt", "0" * 64, documents=[{"doc_id": "g/1", "title": TITLE}])})
    snap.save(settings.data_dir)
    assert notice_sources(settings.data_dir) == {TITLE: "guides.txt"}
    store = FeedbackStore(settings)
    store.add("专利有什么要求？", _fact_record(), "up")
    items, _ = store.eval_items()
    assert items[0]["source"] == "guides.txt"


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    store = FeedbackStore(_settings(tmp_path))
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                FeedbackStore(store.settings).add(f"问题{n}-{i}？", _fact_record(), "up" if i % 2 else "down",
                                                   correction=f"更正{n}-{i}")
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({e.question for e in store.entries()}) == 60


def test_update_changes_rating_and_correction(tmp_path: Path) -> None:
    store = FeedbackStore(_settings(tmp_path))
    fid = store.add("最高资助多少？", _fact_record(), "down")
    store.update(fid, correction="最高资助100万元。", quotes_ok=False)
    e = store.entries()[0]
    assert (e.rating, e.correction, e.quotes_ok) == ("down", "最高资助100万元。", False)
    store.update(fid, rating="up", correction="")
    e = store.entries()[0]
    assert (e.rating, e.correction) == ("up", None)
    with pytest.raises(InputError):
        store.update(fid + 1, rating="up")
    with pytest.raises(InputError):
        store.update(fid, rating="sideways")
