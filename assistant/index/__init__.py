"""The clause index: embeddings, Chroma store, BM25, hybrid retrieval, and the ingest builder."""

from assistant.index.clause_index import ClauseIndex, cached_index, clear_index_cache, index_text
from assistant.index.retriever import HybridRetriever, RetrievalFilters, as_langchain_retriever

__all__ = [
    "ClauseIndex",
    "HybridRetriever",
    "RetrievalFilters",
    "as_langchain_retriever",
    "cached_index",
    "clear_index_cache",
    "index_text",
]
