"""Deterministic eligibility: the applicant profile, programme rules as YAML data tied to their clauses,
the three-valued checker, the rule drift check and the offline fact extractor.

Rulings never come from a language model: ``EligibilityChecker().run(programme_id, profile)`` decides from
the rules, and unknown facts give ``needs_info`` with the questions to ask.
"""

from assistant.eligibility.checker import (
    CriterionResult,
    EligibilityChecker,
    EligibilityResult,
    RuleDriftCheck,
)
from assistant.eligibility.extractor import Extraction, FactExtractor, ProgrammeVocabulary
from assistant.eligibility.profile import ApplicantProfile
from assistant.eligibility.rules import Criterion, Programme, Reference, list_programmes, load_rules

__all__ = [
    "ApplicantProfile",
    "Criterion",
    "CriterionResult",
    "EligibilityChecker",
    "EligibilityResult",
    "Extraction",
    "FactExtractor",
    "Programme",
    "ProgrammeVocabulary",
    "Reference",
    "RuleDriftCheck",
    "list_programmes",
    "load_rules",
]
