"""The naive RAG baseline the eval and the retrieval benchmark compare against.

LangChain ``RecursiveCharacterTextSplitter(500, 50)`` over the same cleaned notice documents our
ingest produces, dense-only retrieval with the same e5 embeddings (through the same content-hash cache,
so a second run embeds nothing), and the same :class:`CitedAnswerComposer`. What it lacks on purpose:
clause-aware chunks with headings, BM25 fusion, the coverage gate (it never declines), the eligibility
checker (it never rules) and conversation memory (each question stands alone).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from assistant.answer.composer import CitedAnswerComposer
from assistant.answer.session import Session
from assistant.config import Settings
from assistant.index.clause_index import make_embedder
from assistant.index.embeddings import CachedEmbedder
from assistant.index.tokenize import ChineseTokenizer
from assistant.models import AnswerRecord, Chunk, NoticeDocument, RetrievedClause

CONTEXT_K = 8  # as many contexts as AnswerService returns


def cleaned_documents(settings: Settings) -> list[NoticeDocument]:
    """The cleaned documents of every notice in the corpus dir, as ``shenbao ingest`` parses them."""
    from assistant.index.builder import expand_paths
    from assistant.ingest import NoticeCatalogue, parse_notice_file

    catalogue = NoticeCatalogue.load(settings.corpus_dir / "notices.yaml")
    docs: list[NoticeDocument] = []
    for path in expand_paths([settings.corpus_dir]):
        parsed, _ = parse_notice_file(path, catalogue)
        docs.extend(parsed)
    return docs


class NaiveRagBaseline:
    """Recursive character chunks + dense-only retrieval + the offline composer.

    Args:
        settings: where the embedding cache lives.
        chunk_size: splitter chunk size in characters.
        chunk_overlap: splitter overlap in characters.
        k: contexts retrieved per question.
        embedder: swappable for tests (default: e5 with the cache of ``settings``).
        composer: the answer composer (default: ours, unchanged).
    """

    def __init__(self, settings: Settings, chunk_size: int = 500, chunk_overlap: int = 50,
                 k: int = CONTEXT_K, embedder: CachedEmbedder | None = None,
                 composer: CitedAnswerComposer | None = None) -> None:
        if chunk_size < 50:
            raise ValueError(f"chunk_size must be ≥ 50, got {chunk_size!r}")
        if not 0 <= chunk_overlap < chunk_size:
            raise ValueError(f"chunk_overlap must be in [0, chunk_size), got {chunk_overlap!r}")
        if k < 1:
            raise ValueError(f"k must be ≥ 1, got {k!r}")
        self.settings = settings
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.k = k
        self.embedder = embedder or make_embedder(settings)
        self.composer = composer or CitedAnswerComposer()
        self.tokenizer = ChineseTokenizer()
        self.chunks: list[Chunk] = []
        self._vectors = np.zeros((0, 1), dtype=np.float32)

    def build(self, documents: Sequence[NoticeDocument] | None = None,
              progress: Any = None) -> NaiveRagBaseline:
        """Split and embed ``documents`` (default: the cleaned corpus); returns self."""
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        docs = list(documents) if documents is not None else cleaned_documents(self.settings)
        splitter = RecursiveCharacterTextSplitter(chunk_size=self.chunk_size,
                                                  chunk_overlap=self.chunk_overlap)
        chunks = []
        for doc in docs:
            for i, text in enumerate(splitter.split_text(doc.text)):
                chunks.append(Chunk(chunk_id=Chunk.make_id(doc.doc_id, i, (), text), doc_id=doc.doc_id,
                                    title=doc.title, section_path=(), text=text, position=i,
                                    source=doc.source, metadata=dict(doc.metadata)))
        vecs = self.embedder.embed_passages([c.text for c in chunks], progress=progress)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True) if len(vecs) else np.ones((0, 1))
        self._vectors = (vecs / np.where(norms == 0, 1.0, norms)).astype(np.float32)
        self.chunks = chunks
        return self

    def retrieve(self, question: str, k: int | None = None) -> list[RetrievedClause]:
        """The ``k`` chunks closest to the question by cosine similarity, best first."""
        if not self.chunks:
            raise RuntimeError("NaiveRagBaseline.build() must run before retrieve()")
        q = self.embedder.embed_query(question)
        q = q / (float(np.linalg.norm(q)) or 1.0)
        sims = self._vectors @ q
        order = np.argsort(-sims, kind="stable")[: k or self.k]
        return [RetrievedClause(chunk=self.chunks[i], score=float(sims[i])) for i in order]

    def ask(self, question: str, session: Session | None = None) -> AnswerRecord:
        """Answer a question on its own (the baseline keeps no conversation state)."""
        t0 = time.perf_counter()
        retrieved = self.retrieve(question)
        record = self.composer.run(question, retrieved, self.tokenizer.tokens(question))
        record.latency_ms = (time.perf_counter() - t0) * 1000
        return record
