"""RuleProposer: with a model configured, propose rules for clauses the offline drafter left as reminders.

The model sees the vocabulary (condition names and parameter types, profile fields) and the reminder clauses
of one programme (prompt ``prompts/propose_rules.md``), and answers with rules in the same schema. Every
proposal passes the same validation as a drafted rule — the condition exists, the params fit it, the quote
is verbatim in that notice (and in the clause it was proposed for), the section is real — or is dropped and
counted. An accepted proposal replaces its reminder as a ``draft`` rule marked not ``certain`` (a model's
reading never rules an applicant out) with ``origin: model``. Any failure of the model leaves the offline
draft as it is: drafting stands on its own.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import re
import typing
from collections.abc import Sequence
from typing import Any

from assistant.drafting.clauses import ProgrammeRef
from assistant.drafting.drafter import CONDITION_FACTS, squash
from assistant.drafting.validate import DraftValidator
from assistant.eligibility.conditions import CONDITIONS
from assistant.eligibility.profile import ApplicantProfile
from assistant.eligibility.rules import check_params
from assistant.errors import RuleError

log = logging.getLogger("shenbao.drafting")

MAX_CLAUSES = 30


def vocabulary_text() -> tuple[str, str]:
    """The condition functions (name, parameters with types, first docstring line) and the profile fields."""
    conds = []
    for name, func in sorted(CONDITIONS.items()):
        hints = typing.get_type_hints(func)
        params = [f"{p}: {getattr(hints.get(p), '__name__', str(hints.get(p)))}"
                  for p, prm in inspect.signature(func).parameters.items()
                  if prm.kind == inspect.Parameter.KEYWORD_ONLY]
        doc = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else ""
        conds.append(f"- {name}({', '.join(params)})：{doc}")
    fields = [f"- {n}：{f.title}" for n, f in ApplicantProfile.model_fields.items() if f.title]
    return "\n".join(conds), "\n".join(fields)


class RuleProposer:
    """Asks an OpenAI-compatible model for rules for reminder clauses, keeping only valid proposals.

    Args:
        settings: ``openai_api_key``, ``openai_base_url``, ``llm_model``, ``llm_timeout``, ``llm_retries``.
        client: swappable OpenAI client (default the real ``openai.OpenAI`` over the settings).
    """

    def __init__(self, settings: Any, client: Any = None) -> None:
        if client is None and not getattr(settings, "openai_api_key", None):
            raise ValueError("模型建议需要配置 OPENAI_API_KEY（未配置时离线起草照常进行）。")
        self.settings = settings
        self._client = client

    @property
    def client(self) -> Any:
        """The OpenAI client (built at first use)."""
        if self._client is None:
            from openai import OpenAI

            s = self.settings
            self._client = OpenAI(api_key=s.openai_api_key, base_url=s.openai_base_url, timeout=s.llm_timeout,
                                  max_retries=s.llm_retries)
        return self._client

    def _ask(self, prog: ProgrammeRef, reminders: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        from assistant.prompts import PromptTemplateFile

        conditions, facts = vocabulary_text()
        clauses = "\n".join(f"[{i}] {c['reference']['section']}：{c['reference']['quote']}"
                            for i, c in enumerate(reminders))
        prompt = PromptTemplateFile.load("propose_rules", self.settings.prompts_dir).render(
            programme=prog.title, conditions=conditions, facts=facts, clauses=clauses)
        resp = self.client.chat.completions.create(
            model=self.settings.llm_model, temperature=0, messages=[{"role": "user", "content": prompt}])
        text = resp.choices[0].message.content or ""
        m = re.search(r"\{.*\}", text, re.S)
        data = json.loads(m.group(0)) if m else {}
        rules = data.get("rules") if isinstance(data, dict) else None
        return [r for r in rules if isinstance(r, dict)] if isinstance(rules, list) else []

    def run(self, prog: ProgrammeRef, criteria: list[dict[str, Any]],
            validator: DraftValidator) -> tuple[list[dict[str, Any]], int, int]:
        """The programme's criteria with valid proposals in place of their reminders.

        Returns:
            (criteria, proposals kept, proposals dropped).
        """
        reminders = [c for c in criteria if c["kind"] == "reminder"][:MAX_CLAUSES]
        if not reminders:
            return criteria, 0, 0
        try:
            proposals = self._ask(prog, reminders)
        except Exception as exc:  # any model failure: the offline draft stands
            log.warning("rule proposals failed: %s", type(exc).__name__)
            return criteria, 0, 0
        replaced: dict[str, list[dict[str, Any]]] = {}
        dropped = 0
        for raw in proposals:
            crit = self._validated(prog, raw, reminders, validator)
            if crit is None:
                dropped += 1
                continue
            replaced.setdefault(crit.pop("_for"), []).append(crit)
        out: list[dict[str, Any]] = []
        for c in criteria:
            out.extend(replaced.get(c["id"], [c]))
        return out, sum(len(v) for v in replaced.values()), dropped

    @staticmethod
    def _validated(prog: ProgrammeRef, raw: dict[str, Any], reminders: Sequence[dict[str, Any]],
                   validator: DraftValidator) -> dict[str, Any] | None:
        """The proposal as a draft criterion, or None when it fails any check."""
        try:
            idx = int(str(raw.get("clause", "")).strip("[] "))
            target = reminders[idx]
        except (ValueError, IndexError):
            return None
        cond, params = raw.get("condition"), raw.get("params")
        quote, section = str(raw.get("quote") or ""), raw.get("section")
        if not isinstance(cond, str) or cond not in CONDITIONS or not isinstance(params, dict):
            return None
        try:
            check_params(cond, params, "模型建议")
        except RuleError:
            return None
        if not validator.quote_ok(quote) or squash(quote) not in squash(target["reference"]["quote"]):
            return None
        if section != target["reference"]["section"]:
            return None
        facts = [params["fact"]] if isinstance(params.get("fact"), str) else []
        facts += list(params.get("facts") or []) + CONDITION_FACTS.get(cond, [])
        digest = hashlib.sha1(f"{prog.id}|{squash(quote)}|{cond}|{json.dumps(params, sort_keys=True)}".encode()
                              ).hexdigest()[:8]
        crit = {"id": f"{prog.id}-m-{digest}", "kind": "hard",
                "description": str(raw.get("description") or target["description"])[:120],
                "facts": list(dict.fromkeys(facts)), "condition": cond, "params": params, "certain": False,
                "origin": "model", "status": "draft", "_for": target["id"],
                "reference": {"section": section, "quote": target["reference"]["quote"]}}
        report = validator.run({"file": "", "notice_id": prog.notice_id, "notice": "", "status": "draft",
                                "programmes": [{"id": prog.id, "title": prog.title,
                                                "criteria": [{k: v for k, v in crit.items() if k != "_for"}]}]})
        return crit if report.kept == 1 else None
