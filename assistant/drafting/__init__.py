"""Drafting eligibility rules from notice text (outside ``eligibility/``, which stays pure and model-free).

``find_condition_clauses`` finds a programme's condition clauses; ``RuleDrafter`` turns each into rules of
the eligibility vocabulary (or a reminder); ``DraftValidator`` checks them (loader + verbatim quote);
``DraftRuleStore`` keeps them per notice in the data dir and records reviews.
"""

from assistant.drafting.clauses import ConditionClause, ProgrammeRef, find_condition_clauses
from assistant.drafting.drafter import DraftResult, RuleDrafter
from assistant.drafting.validate import DraftValidator, ValidationReport

__all__ = [
    "ConditionClause", "DraftResult", "DraftValidator", "ProgrammeRef", "RuleDrafter", "ValidationReport",
    "find_condition_clauses",
]
