"""CatalogueDraftRunner: draft rules for every programme of the catalogue, and keep them current lazily.

A notice is (re)drafted when it has no stored drafts yet, when its file changed (content hash), or when the
drafter itself changed (:func:`drafter_version`); what was drafted is recorded in
``<data_dir>/rules/_drafted.json``. Reviewed rules and rejections survive a redraft (``DraftRuleStore``).
Programmes the repo's seed rules define are reviewed overrides and are not drafted. A newly ingested notice
therefore gets draft rules the first time eligibility is asked, without a manual step;
``shenbao rules draft`` forces a redraft.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.drafting.drafter import RuleDrafter
from assistant.drafting.registry import NoticeProgrammes, drafter_version, index_programmes
from assistant.drafting.store import DraftRuleStore
from assistant.drafting.validate import DraftValidator
from assistant.eligibility.rules import RULES_DIR, load_rules

log = logging.getLogger("shenbao.drafting")

MANIFEST = "_drafted.json"


@dataclass
class NoticeDraftSummary:
    """What drafting one notice produced."""

    notice_id: str
    programmes: int = 0
    rules: int = 0
    reminders: int = 0
    dropped: int = 0
    proposed: int = 0
    proposals_dropped: int = 0

    def to_json(self) -> dict[str, Any]:
        """JSON-ready counts."""
        return dict(self.__dict__)


class CatalogueDraftRunner:
    """Drafts, validates and stores the rules of catalogue notices.

    Args:
        store: where drafts are kept.
        drafter: the offline drafter (default :class:`RuleDrafter`).
        seed_ids: programme ids the seed rules define (not drafted); default the repo's seed rules.
        proposer: optional model proposer for clauses left as reminders
            (:class:`assistant.drafting.propose.RuleProposer`); drafting stands without it.
    """

    def __init__(self, store: DraftRuleStore, drafter: RuleDrafter | None = None,
                 seed_ids: Iterable[str] | None = None, proposer: Any = None) -> None:
        self.store = store
        self.drafter = drafter or RuleDrafter()
        self.seed_ids = set(seed_ids if seed_ids is not None else load_rules(RULES_DIR).programmes)
        self.proposer = proposer
        self.version = drafter_version()

    # ------------------------------------------------------------------ manifest
    @property
    def manifest_path(self) -> Path:
        """``<rules dir>/_drafted.json``."""
        return self.store.dir / MANIFEST

    def manifest(self) -> dict[str, dict[str, Any]]:
        """Notice id → {sha256, version} of the last drafting."""
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save_manifest(self, data: dict[str, dict[str, Any]]) -> None:
        self.store.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(self.manifest_path)

    def stale(self, notices: Sequence[NoticeProgrammes]) -> list[NoticeProgrammes]:
        """The notices not drafted yet, or drafted from another file version or drafter version."""
        done = self.manifest()
        return [n for n in notices
                if done.get(n.notice_id, {}).get("sha256") != n.sha256
                or done.get(n.notice_id, {}).get("version") != self.version]

    # ------------------------------------------------------------------ drafting
    def draft(self, notice: NoticeProgrammes) -> NoticeDraftSummary:
        """Draft, validate and store one notice's rules (nothing stored when no clause is found)."""
        summary = NoticeDraftSummary(notice.notice_id)
        progs = [p for p in notice.programmes if p.id not in self.seed_ids]
        if not progs:
            return summary
        validator = DraftValidator(notice.chunks)
        rule_file: dict[str, Any] = {"file": notice.file, "notice_id": notice.notice_id, "notice": notice.title,
                                     "status": "draft", "programmes": []}
        for prog in progs:
            result = self.drafter.run(notice.chunks, prog, notice.programmes)
            if not result.clauses:
                continue
            report = validator.run(result.to_rule_file(notice.file, notice.title))
            kept = report.rule_file["programmes"][0]["criteria"]
            summary.dropped += len(report.dropped)
            if self.proposer is not None:
                kept, n_ok, n_bad = self.proposer.run(prog, kept, validator)
                summary.proposed += n_ok
                summary.proposals_dropped += n_bad
            report.rule_file["programmes"][0]["criteria"] = kept
            rule_file["programmes"].extend(report.rule_file["programmes"])
            summary.programmes += 1
            summary.rules += sum(c["kind"] != "reminder" for c in kept)
            summary.reminders += sum(c["kind"] == "reminder" for c in kept)
        if rule_file["programmes"]:
            self.store.save_draft(rule_file)
        return summary

    def run(self, notices: Sequence[NoticeProgrammes], force: bool = False) -> list[NoticeDraftSummary]:
        """Draft the given notices (only the stale ones unless ``force``) and record them in the manifest."""
        todo = list(notices) if force else self.stale(notices)
        if not todo:
            return []
        done = self.manifest()
        out = []
        for notice in todo:
            try:
                s = self.draft(notice)
            except Exception as exc:  # one unreadable notice must not stop the others
                log.warning("drafting %s failed: %s", notice.notice_id, type(exc).__name__)
                continue
            done[notice.notice_id] = {"sha256": notice.sha256, "version": self.version}
            out.append(s)
        self._save_manifest(done)
        load_rules.cache_clear()
        return out


def ensure_drafts(data_dir: Path, snapshot: Any, registry: Any,
                  runner: CatalogueDraftRunner | None = None) -> list[NoticeDraftSummary]:
    """Draft the catalogue notices of an index that have no current drafts (the lazy, automatic path).

    Args:
        data_dir: the data dir (drafts go to ``data_dir / "rules"``).
        snapshot: the index snapshot (clauses, file hashes).
        registry: its notice catalogue.
        runner: swappable runner.
    """
    runner = runner or CatalogueDraftRunner(DraftRuleStore(data_dir / "rules"))
    return runner.run(index_programmes(snapshot, registry))
