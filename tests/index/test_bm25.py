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
