"""DraftValidator: every drafted rule passes the rule loader and the verbatim-quote check before use.

A rule is dropped (and counted, with the reason) when its condition is unknown, its params do not fit the
condition, a fact it names is not a profile field, its quote is not verbatim in the notice (compared without
whitespace), or its section is not a section of that notice.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.drafting.drafter import squash
from assistant.eligibility.rules import load_rule_data
from assistant.errors import RuleError
from assistant.models import Chunk


@dataclass
class ValidationReport:
    """The rule file with only the valid rules, and the dropped ones with their reasons."""

    rule_file: dict[str, Any]
    kept: int
    dropped: list[tuple[str, str]] = field(default_factory=list)


class DraftValidator:
    """Checks drafted rules against the loader and the notice's own text.

    Args:
        chunks: the notice's clauses (the quote must be in their text, the section among theirs).
    """

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        if not chunks:
            raise ValueError("校验起草规则需要通知的条款（chunks 为空）。")
        self._text = squash("".join(c.text for c in chunks))
        self._sections = {c.section for c in chunks}

    def quote_ok(self, quote: str) -> bool:
        """True when the quote is verbatim in the notice (whitespace-insensitive) and not empty."""
        q = squash(quote)
        return bool(q) and q in self._text

    def run(self, rule_file: dict[str, Any]) -> ValidationReport:
        """The rule file with invalid rules removed (the input is not changed)."""
        out = copy.deepcopy(rule_file)
        dropped: list[tuple[str, str]] = []
        kept = 0
        head = {k: out[k] for k in ("file", "notice_id", "notice", "status") if k in out}
        for prog in out.get("programmes") or []:
            good = []
            for crit in prog.get("criteria") or []:
                cid = str(crit.get("id"))
                ref = crit.get("reference") or {}
                if not self.quote_ok(str(ref.get("quote", ""))):
                    dropped.append((cid, "引文不在通知原文中"))
                    continue
                if ref.get("section") not in self._sections:
                    dropped.append((cid, f"章节 {ref.get('section')!r} 不在通知中"))
                    continue
                try:
                    load_rule_data({**head, "programmes": [{"id": prog["id"], "title": prog["title"],
                                                            "criteria": [crit]}]}, f"起草规则 {cid}")
                except RuleError as exc:
                    dropped.append((cid, str(exc)))
                    continue
                good.append(crit)
                kept += 1
            prog["criteria"] = good
        return ValidationReport(out, kept, dropped)
