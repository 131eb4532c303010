"""DraftRuleStore: drafted and reviewed rules per notice, as YAML in the data dir (``<data_dir>/rules``).

One file per notice (``<notice_id>.yaml``, the rule-file schema of ``assistant.eligibility.rules``). Drafted
rules are saved with status ``draft``; review operations — accept, edit params, reject, add — set a rule
``reviewed`` with who and when (reject removes it and keeps its id in ``rejected`` so a redraft does not bring
it back). Redrafting keeps every reviewed rule. The checker loads these files after the repo's seed rules,
which override a programme of the same id.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from assistant import yamlio
from assistant.eligibility.rules import check_params, load_rule_data, load_rules
from assistant.errors import RuleError


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class DraftRuleStore:
    """Reads and writes the per-notice rule files.

    Args:
        rules_dir: the directory (``settings.data_dir / "rules"``); created on first write.
    """

    def __init__(self, rules_dir: Path) -> None:
        if not str(rules_dir):
            raise ValueError("规则存放目录不能为空。")
        self.dir = Path(rules_dir)

    def path(self, notice_id: str) -> Path:
        """The file of one notice."""
        if not notice_id or "/" in notice_id or notice_id.startswith("."):
            raise RuleError(f"通知 id {notice_id!r} 无效。")
        return self.dir / f"{notice_id}.yaml"

    def notices(self) -> list[str]:
        """Ids of the notices with a rule file."""
        return sorted(p.stem for p in self.dir.glob("*.yaml")) if self.dir.is_dir() else []

    def load(self, notice_id: str) -> dict[str, Any]:
        """The rule-file mapping of a notice.

        Raises:
            RuleError: no rules stored for it, or the file is unreadable.
        """
        p = self.path(notice_id)
        if not p.is_file():
            raise RuleError(f"通知 {notice_id} 还没有起草的规则，请先运行 `shenbao rules draft {notice_id}`。")
        try:
            data = yamlio.safe_load(p.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise RuleError(f"无法读取规则文件 {p}：{exc}。") from None
        if not isinstance(data, dict):
            raise RuleError(f"规则文件 {p} 应为 YAML 映射。")
        return data

    def save(self, data: dict[str, Any]) -> Path:
        """Validate with the rule loader, then write the notice's file (and refresh the rule cache)."""
        load_rule_data(data, f"通知 {data.get('notice_id')} 的规则")
        p = self.path(str(data["notice_id"]))
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(".yaml.tmp")
        tmp.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
        tmp.replace(p)
        load_rules.cache_clear()
        return p

    def save_draft(self, rule_file: dict[str, Any]) -> Path:
        """Store freshly drafted rules, keeping reviewed rules and rejections of an earlier file."""
        data = dict(rule_file)
        nid = str(data["notice_id"])
        if self.path(nid).is_file():
            old = self.load(nid)
            rejected = set(old.get("rejected") or [])
            old_progs = {p["id"]: p for p in old.get("programmes") or []}
            for prog in data.get("programmes") or []:
                keep = [c for c in (old_progs.get(prog["id"]) or {}).get("criteria") or []
                        if c.get("status") == "reviewed"]
                kept_ids = {c["id"] for c in keep}
                prog["criteria"] = keep + [c for c in prog.get("criteria") or []
                                           if c["id"] not in kept_ids and c["id"] not in rejected]
            for pid, prog in old_progs.items():  # programmes not redrafted stay as they were
                if pid not in {p["id"] for p in data.get("programmes") or []}:
                    data.setdefault("programmes", []).append(prog)
            if rejected:
                data["rejected"] = sorted(rejected)
        return self.save(data)

    def rows(self, notice_id: str) -> list[dict[str, Any]]:
        """One flat row per rule of a notice (for the review view): programme, kind, status, condition,
        params, section, quote, who reviewed and when."""
        data = self.load(notice_id)
        out = []
        for prog in data.get("programmes") or []:
            for c in prog.get("criteria") or []:
                review = c.get("review") or {}
                ref = c.get("reference") or {}
                out.append({
                    "id": c.get("id"), "programme_id": prog.get("id"), "programme": prog.get("title"),
                    "kind": c.get("kind"), "status": c.get("status", "draft"), "certain": c.get("certain", True),
                    "origin": c.get("origin", "drafter"), "condition": c.get("condition") or "",
                    "params": c.get("params") or {}, "description": c.get("description", ""),
                    "section": ref.get("section", ""), "quote": ref.get("quote", ""),
                    "reviewed_by": review.get("by", ""), "reviewed_at": review.get("at", "")})
        return out

    def review_log(self, notice_id: str) -> list[dict[str, Any]]:
        """Rejections recorded for a notice (who and when)."""
        return list(self.load(notice_id).get("review_log") or [])

    # ------------------------------------------------------------------ review
    def _find(self, data: dict[str, Any], rule_id: str) -> tuple[dict[str, Any], int]:
        for prog in data.get("programmes") or []:
            for i, crit in enumerate(prog.get("criteria") or []):
                if crit.get("id") == rule_id:
                    return prog, i
        raise RuleError(f"通知 {data.get('notice_id')} 中没有规则 {rule_id!r}；可用 `shenbao rules show` 查看。")

    @staticmethod
    def _stamp(crit: dict[str, Any], who: str) -> None:
        if not who.strip():
            raise RuleError("审核须注明审核人（--by）。")
        crit["status"] = "reviewed"
        crit["certain"] = True
        crit["review"] = {"by": who.strip(), "at": _now()}

    def accept(self, notice_id: str, rule_id: str, who: str) -> dict[str, Any]:
        """Mark a drafted rule reviewed as it stands."""
        data = self.load(notice_id)
        prog, i = self._find(data, rule_id)
        self._stamp(prog["criteria"][i], who)
        self.save(data)
        return dict(prog["criteria"][i])

    def edit(self, notice_id: str, rule_id: str, who: str, params: dict[str, Any] | None = None,
             kind: str | None = None, condition: str | None = None) -> dict[str, Any]:
        """Change a rule's params (merged), kind or condition; the rule becomes reviewed."""
        data = self.load(notice_id)
        prog, i = self._find(data, rule_id)
        crit = prog["criteria"][i]
        if condition is not None:
            crit["condition"] = condition
        if params:
            crit["params"] = {**(crit.get("params") or {}), **params}
        if kind is not None:
            crit["kind"] = kind
        if crit.get("condition"):
            check_params(str(crit["condition"]), dict(crit.get("params") or {}), f"规则 {rule_id}")
        self._stamp(crit, who)
        self.save(data)
        return dict(crit)

    def reject(self, notice_id: str, rule_id: str, who: str) -> None:
        """Remove a drafted rule (remembered, so a redraft does not restore it)."""
        if not who.strip():
            raise RuleError("审核须注明审核人（--by）。")
        data = self.load(notice_id)
        prog, i = self._find(data, rule_id)
        del prog["criteria"][i]
        data["rejected"] = sorted({*(data.get("rejected") or []), rule_id})
        data.setdefault("review_log", []).append({"rejected": rule_id, "by": who.strip(), "at": _now()})
        self.save(data)

    def add(self, notice_id: str, programme_id: str, rule: dict[str, Any], who: str) -> dict[str, Any]:
        """Add a hand-written rule (with reference section and verbatim quote) to a programme."""
        data = self.load(notice_id)
        prog = next((p for p in data.get("programmes") or [] if p["id"] == programme_id), None)
        if prog is None:
            raise RuleError(f"通知 {notice_id} 中没有项目 {programme_id!r}。")
        crit = dict(rule)
        self._stamp(crit, who)
        prog.setdefault("criteria", []).append(crit)
        self.save(data)
        return crit
