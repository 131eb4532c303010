import logging
import pickle
from pathlib import Path

import pytest

from assistant.index.bm25 import BM25Index
from assistant.index.tokenize import ChineseTokenizer


def test_domain_words_stay_whole() -> None:
    toks = ChineseTokenizer().tokens("赣榆区的企业能申报揭榜挂帅项目吗")
    assert "赣榆区" in toks
    assert "揭榜挂帅" in toks
    assert "的" not in toks and "吗" not in toks


def test_bm25_ranks_the_clause_with_the_rare_term_first() -> None:
    idx = BM25Index(["项目牵头单位应为在市辖区（不含赣榆区）内注册", "项目原则上两年内完成", "联系电话：85805561"])
    scores = idx.scores("赣榆区 牵头单位")
    assert scores.argmax() == 0
    assert scores[1] == 0


def test_bm25_unknown_terms_score_zero() -> None:
    idx = BM25Index(["项目原则上两年内完成"])
    assert idx.scores("火星移民").max() == 0
    assert idx.idf("火星") == 0


@pytest.mark.parametrize("k1,b", [(0, 0.5), (1.2, 1.5)])
def test_bad_parameters_are_named(k1: float, b: float) -> None:
    with pytest.raises(ValueError, match=str(k1) if k1 == 0 else str(b)):
        BM25Index(["x"], k1=k1, b=b)


TEXTS = ["项目牵头单位应为在市辖区（不含赣榆区）内注册", "项目原则上两年内完成", "联系电话：85805561",
         "赣榆区企业申报揭榜挂帅项目，项目牵头单位须为企业", ""]
QUERIES = ["赣榆区 牵头单位", "项目完成时间", "揭榜挂帅", "火星移民", "联系电话"]


def _legacy_save(idx: BM25Index, path: Path, key: str) -> None:
    """The pickled format written before the flat arrays (a dict of per-token arrays and IDFs)."""
    postings = {t: (p[0].copy(), p[1].copy()) for t in idx._tokens if (p := idx._posting(t)) is not None}
    payload = {"key": key, "k1": idx.k1, "b": idx.b, "n": idx.n, "avgdl": idx.avgdl, "norm": idx._norm,
               "postings": postings, "idf": {t: idx.idf(t) for t in idx._tokens}}
    path.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))


def _same(a: BM25Index, b: BM25Index) -> None:
    for q in QUERIES:
        assert a.scores(q).tobytes() == b.scores(q).tobytes(), q  # bit-identical
        pa, va = a.scores_in(q, [(0, 2), (3, 5)])
        pb, vb = b.scores_in(q, [(0, 2), (3, 5)])
        assert pa.tolist() == pb.tolist() and va.tobytes() == vb.tobytes(), q
    for t in ("赣榆区", "项目", "火星"):
        assert a.idf(t) == b.idf(t)


def test_the_saved_flat_arrays_load_to_the_same_scores(tmp_path: Path) -> None:
    built = BM25Index(TEXTS)
    path = tmp_path / "bm25.npz"
    built.save(path, "k")
    assert path.read_bytes()[:4] == b"PK\x03\x04"  # the flat arrays, not a pickle
    loaded = BM25Index.load(path, "k")
    assert loaded is not None and loaded.n == len(TEXTS)
    _same(built, loaded)
    assert built.scores("赣榆区 牵头单位").max() > 0
    assert BM25Index.load(path, "another key") is None


def test_the_old_pickled_format_still_loads(tmp_path: Path) -> None:
    built = BM25Index(TEXTS)
    path = tmp_path / "bm25.pkl"
    _legacy_save(built, path, "k")
    loaded = BM25Index.load(path, "k")
    assert loaded is not None
    _same(built, loaded)


def test_a_damaged_file_is_ignored_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "bm25.npz"
    BM25Index(TEXTS).save(path, "k")
    path.write_bytes(path.read_bytes()[:200])  # truncated
    with caplog.at_level(logging.WARNING, logger="shenbao.index"):
        assert BM25Index.load(path, "k") is None
    assert "unreadable" in caplog.text
    assert BM25Index.load(tmp_path / "missing.npz", "k") is None


def test_an_old_index_is_loaded_then_re_saved_and_a_damaged_one_rebuilt(tmp_path: Path,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    from assistant.index.clause_index import bm25_path, index_text, legacy_bm25_path, load_or_build_bm25
    from assistant.models import Chunk

    chunks = [Chunk(chunk_id=f"c{i}", doc_id="d", title="通知", section_path=("一、",), text=t, position=i,
                    source="a.md") for i, t in enumerate(TEXTS)]
    key = BM25Index.key([c.chunk_id for c in chunks])
    reference = BM25Index([index_text(c) for c in chunks])
    (tmp_path / "index").mkdir()
    _legacy_save(reference, legacy_bm25_path(tmp_path), key)
    first = load_or_build_bm25(tmp_path, chunks)
    _same(reference, first)
    assert bm25_path(tmp_path).exists()  # re-saved in the flat format for the next start
    bm25_path(tmp_path).write_bytes(b"PK\x03\x04garbage")
    legacy_bm25_path(tmp_path).unlink()
    with caplog.at_level(logging.WARNING, logger="shenbao.index"):
        rebuilt = load_or_build_bm25(tmp_path, chunks)
    assert "unreadable" in caplog.text
    _same(reference, rebuilt)
    assert BM25Index.load(bm25_path(tmp_path), key) is not None  # and saved again
