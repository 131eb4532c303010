"""YAML reading for the rule, lexicon and catalogue files: libyaml's C parser when PyYAML was built with it
(several times faster than the pure-Python one on the rule books read at start), the same safe loading."""

from __future__ import annotations

from typing import Any

import yaml

# the C-accelerated safe loader when available, else the pure-Python one (same documents, same objects)
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` through the fastest safe loader available."""
    return yaml.load(text, Loader=SAFE_LOADER)
