"""Gazetteer.find: the first-character skip finds exactly what trying every alias length at every position
finds."""

from __future__ import annotations

from pathlib import Path

from assistant.eligibility.gazetteer import Gazetteer, PlaceMention, load_gazetteer

ROOT = Path(__file__).resolve().parents[2]


def _every_length(gaz: Gazetteer, text: str) -> list[PlaceMention]:
    found: list[PlaceMention] = []
    i, n = 0, len(text)
    while i < n:
        hit = None
        for size in range(min(gaz._max_alias, n - i), 0, -1):
            place = gaz._alias.get(text[i:i + size])
            if place is not None:
                hit = PlaceMention(place, text[i:i + size], i, i + size)
                break
        if hit is None:
            i += 1
            continue
        found.append(hit)
        i = hit.end
    return found


def test_find_equals_trying_every_alias_length() -> None:
    gaz = load_gazetteer()
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.*")) if p.suffix in {".md", ".txt"}]
    texts += ["我们是赣榆区注册的企业", "连云港市海州区、南通市崇川区和雄安新区容城县", "", "江苏", "美国加州"]
    total = 0
    for text in texts:
        fast = gaz.find(text)
        assert fast == _every_length(gaz, text)
        total += len(fast)
    assert total > 20  # real mentions were compared
