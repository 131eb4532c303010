"""The YAML cases: a sentence as name, programme, facts, expected verdict and failing criteria."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.eligibility import ApplicantProfile, EligibilityChecker, load_rules

CASES_DIR = Path(__file__).resolve().parent / "cases"


def _cases() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        out.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


CASES = _cases()


@pytest.fixture(scope="module")
def checker() -> EligibilityChecker:
    return EligibilityChecker()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict[str, Any], checker: EligibilityChecker) -> None:
    result = checker.run(case["programme"], ApplicantProfile.from_facts(case["facts"]))
    assert result.verdict == case["verdict"], [(c.id, c.status) for c in result.criteria]
    assert sorted(c.id for c in result.failing) == sorted(case["failing"])


def test_case_coverage() -> None:
    """At least 60 cases, at least 3 per programme, and every programme covered."""
    assert len(CASES) >= 60
    per = Counter(c["programme"] for c in CASES)
    for pid in load_rules().programmes:
        assert per[pid] >= 3, pid
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
