"""The ``check_eligibility`` LangChain tool: the agent's only way to a yes/no ruling.

Its argument schema is generated from :class:`ApplicantProfile` (every profile field, optional, with its
Chinese question as description) plus ``programme_id``; it returns the checker's JSON result.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, Field, create_model

from assistant.eligibility.checker import EligibilityChecker
from assistant.eligibility.profile import ApplicantProfile
from assistant.eligibility.rules import load_rules
from assistant.errors import ShenbaoError

TOOL_NAME = "check_eligibility"


def _args_schema() -> type[BaseModel]:
    """programme_id + every profile field (same types, validators run later in ``from_facts``)."""
    ids = "、".join(load_rules().programmes)
    fields: dict[str, Any] = {
        "programme_id": (str, Field(description=f"项目 id，可选：{ids}")),
    }
    for name, info in ApplicantProfile.model_fields.items():
        fields[name] = (Any, Field(default=None, title=info.title, description=info.description))
    return create_model("CheckEligibilityArgs", **fields)


def make_eligibility_tool(checker: EligibilityChecker | None = None) -> StructuredTool:
    """The tool; ``checker`` defaults to one over all rule files.

    Bad facts or an unknown programme come back as ``{"error": "…"}`` (Chinese) for the model to fix.
    """
    chk = checker or EligibilityChecker()

    def check_eligibility(programme_id: str, **facts: Any) -> str:
        known = {k: v for k, v in facts.items() if v is not None}
        try:
            profile = ApplicantProfile.from_facts(known)
            return json.dumps(chk.run(programme_id, profile).to_json(), ensure_ascii=False)
        except ShenbaoError as exc:
            return json.dumps({"error": str(exc)}, ensure_ascii=False)

    return StructuredTool.from_function(
        func=check_eligibility,
        name=TOOL_NAME,
        description=("按公告规则判定申请人能否申报某项目（符合/不符合/需补充信息），每条条件附公告原文。"
                     "只填写用户明确说过的信息，未知的不要填写；判定结论只能来自本工具。"),
        args_schema=_args_schema(),
    )
