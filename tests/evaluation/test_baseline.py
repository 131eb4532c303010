"""The naive baseline: 500/50 recursive chunks, dense-only retrieval, our composer (fake encoder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluation.baseline import NaiveRagBaseline
from assistant.index.embeddings import CachedEmbedder
from assistant.models import NoticeDocument
from tests.conftest import make_settings

PARAS = [f"第{i}条 项目牵头单位须在本市注册，第{i}款资助金额为{i * 10}万元，联系电话8580{i:04d}。"
         for i in range(60)]
DOCS = [NoticeDocument(doc_id="d1", title="测试公告", text="\n\n".join(PARAS), source="t.txt"),
        NoticeDocument(doc_id="d2", title="另一公告",
                       text="申报截止时间为2024年5月31日。\n\n不受理纸质材料。", source="u.txt")]


@pytest.fixture
def baseline(tmp_path: Path, fake_encoder) -> NaiveRagBaseline:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path)
    return NaiveRagBaseline(settings, embedder=CachedEmbedder(None, encoder=fake_encoder)).build(DOCS)


def test_chunks_are_recursive_500_50(baseline: NaiveRagBaseline) -> None:
    d1 = [c for c in baseline.chunks if c.doc_id == "d1"]
    assert len(d1) > 3 and all(len(c.text) <= 500 for c in baseline.chunks)
    assert all(c.section_path == () and c.title == "测试公告" for c in d1)
    # paragraphs are shorter than a chunk: the splitter keeps each whole, and the overlap repeats some
    assert all(any(p in c.text for c in d1) for p in PARAS)
    assert sum(len(c.text) for c in d1) > len(DOCS[0].text) - 2 * len(d1)


def test_retrieval_is_dense_and_answers_cite_verbatim(baseline: NaiveRagBaseline, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    hits = baseline.retrieve("申报截止时间是哪天", k=3)
    assert hits[0].chunk.doc_id == "d2" and hits[0].score >= hits[1].score
    rec = baseline.ask("申报截止时间是哪天？")
    assert "2024年5月31日" in rec.answer and not rec.refused and rec.verdict is None
    assert len(rec.contexts) == 8 and rec.latency_ms > 0
    corpus = "".join(d.text for d in DOCS).replace("\n", "")
    assert all(c.quote.replace("\n", "") in corpus for c in rec.citations)


def test_embeddings_come_from_cache_second_time(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path)
    cache = tmp_path / "emb.sqlite"
    NaiveRagBaseline(settings, embedder=CachedEmbedder(cache, encoder=fake_encoder)).build(DOCS)
    first = fake_encoder.passages
    again = NaiveRagBaseline(settings, embedder=CachedEmbedder(cache, encoder=fake_encoder)).build(DOCS)
    assert first > 0 and fake_encoder.passages == first and again.embedder.computed == 0


def test_bad_settings(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    for kw in ({"chunk_size": 10}, {"chunk_overlap": 600}, {"k": 0}):
        with pytest.raises(ValueError):
            NaiveRagBaseline(settings, **kw)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        NaiveRagBaseline(settings).retrieve("x")
