"""The YAML cases of single conditions: a sentence as name, the condition, params, facts and the outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.eligibility import ApplicantProfile
from assistant.eligibility.conditions import get_condition
from assistant.eligibility.rules import check_params

CASES = [c for p in sorted((Path(__file__).resolve().parent / "conditions").glob("*.yaml"))
         for c in yaml.safe_load(p.read_text(encoding="utf-8"))]
OUTCOME = {True: "met", False: "not_met", None: "unknown"}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_condition_case(case: dict[str, Any]) -> None:
    check_params(case["condition"], case["params"], case["name"])
    profile = ApplicantProfile.from_facts(case["facts"])
    assert OUTCOME[get_condition(case["condition"])(profile, **case["params"])] == case["expect"]


def test_every_new_condition_has_cases_on_both_sides() -> None:
    by_condition: dict[str, set[str]] = {}
    for c in CASES:
        by_condition.setdefault(c["condition"], set()).add(c["expect"])
    for name in ("registered_in_area", "place_in_area", "years_since_at_least", "holds_qualification",
                 "lacks_qualification", "text_matches_any", "no_talent_programme", "date_on_or_after"):
        assert {"met", "not_met"} <= by_condition[name], name


def test_holds_recognition_is_never_not_met() -> None:
    """Naming other recognitions does not rule a shortcut out: it only stays unknown."""
    assert not any(c["expect"] == "not_met" for c in CASES if c["condition"] == "holds_recognition")
