"""The answering service's per-question lookups touch only what they need: the hotline within its document's
clauses, the source texts only of the files a quote check reads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from assistant.models import RetrievedClause


def _scan_hotline(chunks: list[Any], doc: str) -> str | None:
    for c in chunks:
        if c.doc_id == doc and ("联系电话" in c.text or "联系人" in c.section):
            text = re.sub(r"\s+", " ", c.text).strip()
            return f"《{c.title}》{c.section}：{text}"
    return None


def test_the_hotline_is_the_same_as_a_scan_of_every_clause(corpus_service: Any) -> None:
    chunks = corpus_service.retriever.index.chunks
    docs = list(dict.fromkeys(c.doc_id for c in chunks))
    found = []
    for doc in docs:
        first = next(c for c in chunks if c.doc_id == doc)
        got = corpus_service._hotline([RetrievedClause(first, 1.0)])
        assert got == _scan_hotline(chunks, doc), doc
        assert got == corpus_service._hotline([], doc_id=doc)
        found.append(got)
    assert any(found)
    assert corpus_service._hotline([]) is None


def test_source_texts_are_read_only_when_a_quote_check_needs_them(corpus_service: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    index = corpus_service.retriever.index
    data_dir = corpus_service.settings.data_dir
    eager = index.snapshot.source_texts(data_dir)
    reads: list[str] = []
    original = Path.read_text

    def counting(self: Path, *args: Any, **kwargs: Any) -> str:
        reads.append(self.name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counting)
    lazy = index.snapshot.lazy_source_texts(data_dir)
    assert reads == []
    name = next(iter(eager))
    assert name in lazy and reads == []  # a membership test reads nothing
    assert lazy[name] == eager[name] and len(reads) == 1
    assert lazy[name] == eager[name] and len(reads) == 1  # kept after the first read
    assert dict(lazy) == eager  # the same mapping
    assert "no-such-file.md" not in lazy
    with pytest.raises(KeyError):
        lazy["no-such-file.md"]


def test_the_answer_ranking_cannot_lift_a_blank_form_back_to_the_lead(corpus_service: Any,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    svc = corpus_service
    q = "南通市前瞻性技术创新专项项目推荐怎么报？"
    rank = svc.composer._rank_for_answer

    def forms_first(question: str, retrieved: Any, terms: Any = (), weights: Any = None) -> list[RetrievedClause]:
        return sorted(rank(question, retrieved, terms, weights), key=lambda r: "汇总表" not in r.chunk.title)

    monkeypatch.setattr(svc.composer, "_rank_for_answer", forms_first)
    ranked = svc.ranked_clauses(q, svc.route(q, None), k=12)
    assert any("汇总表" in r.chunk.title for r in ranked)  # a blank form is among the clauses
    assert "汇总表" not in ranked[0].chunk.title
