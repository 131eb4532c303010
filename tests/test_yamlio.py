"""YAML files read through libyaml's safe loader give exactly what the pure-Python safe loader gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant import yamlio

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*(ROOT / "assistant").rglob("*.yaml"), *(ROOT / "corpus").glob("*.yaml")])


def test_the_fast_loader_is_a_safe_one() -> None:
    assert issubclass(yamlio.SAFE_LOADER, (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    with pytest.raises(yaml.YAMLError):
        yamlio.safe_load("!!python/object/apply:os.system ['true']")  # no arbitrary objects


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_shipped_yaml_file_loads_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert yamlio.safe_load(text) == yaml.safe_load(text)


def test_there_are_yaml_files_to_compare() -> None:
    assert len(FILES) >= 5
