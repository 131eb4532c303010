"""DraftRuleStore review operations, the checker loading data-dir rules, and `shenbao rules`."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.drafting import ProgrammeRef, RuleDrafter
from assistant.drafting.store import DraftRuleStore
from assistant.eligibility import ApplicantProfile, EligibilityChecker
from assistant.eligibility.checker import default_rules
from assistant.errors import RuleError
from assistant.models import Chunk


@pytest.fixture
def store(tmp_path: Path, notice_chunks: list[Chunk], programme: ProgrammeRef) -> DraftRuleStore:
    s = DraftRuleStore(tmp_path / "rules")
    s.save_draft(RuleDrafter().run(notice_chunks, programme).to_rule_file("notice.md", "关于申报某计划的通知"))
    return s


def _rule(store: DraftRuleStore, condition: str) -> dict:
    return next(c for c in store.load("doc-x")["programmes"][0]["criteria"] if c.get("condition") == condition)


def test_drafts_are_stored_as_draft(store: DraftRuleStore) -> None:
    crits = store.load("doc-x")["programmes"][0]["criteria"]
    assert store.notices() == ["doc-x"] and crits and all(c["status"] == "draft" for c in crits)


def test_accept_marks_reviewed_with_who_and_when(store: DraftRuleStore) -> None:
    rid = _rule(store, "registered_in_area")["id"]
    store.accept("doc-x", rid, "王审核")
    rule = _rule(store, "registered_in_area")
    assert rule["status"] == "reviewed" and rule["review"]["by"] == "王审核" and rule["review"]["at"]


def test_edit_params_is_validated_and_reviewed(store: DraftRuleStore) -> None:
    rid = next(c["id"] for c in store.load("doc-x")["programmes"][0]["criteria"]
               if (c.get("params") or {}).get("fact") == "rd_staff_count")
    store.edit("doc-x", rid, "李", params={"threshold": 20})
    rule = next(c for c in store.load("doc-x")["programmes"][0]["criteria"] if c["id"] == rid)
    assert rule["params"]["threshold"] == 20 and rule["status"] == "reviewed"
    with pytest.raises(RuleError):
        store.edit("doc-x", rid, "李", params={"threshold": "二十"})


def test_reject_removes_and_a_redraft_does_not_restore(store: DraftRuleStore, notice_chunks: list[Chunk],
                                                       programme: ProgrammeRef) -> None:
    rid = _rule(store, "place_in_area")["id"]
    kept = _rule(store, "registered_in_area")["id"]
    store.accept("doc-x", kept, "王")
    store.reject("doc-x", rid, "王")
    store.save_draft(RuleDrafter().run(notice_chunks, programme).to_rule_file("notice.md", "关于申报某计划的通知"))
    ids = {c["id"]: c for c in store.load("doc-x")["programmes"][0]["criteria"]}
    assert rid not in ids and ids[kept]["status"] == "reviewed"


def test_add_a_hand_rule(store: DraftRuleStore) -> None:
    rule = {"id": "doc-x-hand", "kind": "hard", "description": "须为企业", "facts": ["entity_type"],
            "condition": "value_in", "params": {"fact": "entity_type", "allowed": ["enterprise"]},
            "reference": {"section": "二、申报条件 > 1.", "quote": "企业法人"}}
    store.add("doc-x", "doc-x", rule, "王")
    added = next(c for c in store.load("doc-x")["programmes"][0]["criteria"] if c["id"] == "doc-x-hand")
    assert added["status"] == "reviewed" and added["review"]["by"] == "王"
    with pytest.raises(RuleError):
        store.accept("doc-x", "no-such-rule", "王")
    with pytest.raises(RuleError):
        store.accept("doc-x", "doc-x-hand", " ")


def test_checker_loads_data_dir_rules_and_seeds_stay(tmp_path: Path, store: DraftRuleStore,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHENBAO_DATA_DIR", str(tmp_path))
    book = default_rules()
    assert "doc-x" in book.programmes and "lyg-2024-transfer" in book.programmes
    res = EligibilityChecker(book).run("doc-x", ApplicantProfile.from_facts({"registered_place": "北京"}))
    assert res.verdict == "ineligible" and res.draft_note


def test_cli_rules_list_show_review(tmp_path: Path, store: DraftRuleStore, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.cli import main

    monkeypatch.setenv("SHENBAO_DATA_DIR", str(tmp_path))
    assert main(["rules", "list"]) == 0
    assert "doc-x" in capsys.readouterr().out
    assert main(["rules", "show", "doc-x"]) == 0
    assert "登记注册和纳税" in capsys.readouterr().out
    rid = _rule(store, "registered_in_area")["id"]
    assert main(["rules", "review", "doc-x", rid, "--accept", "--by", "王"]) == 0
    assert main(["rules", "show", "no-such-notice"]) == 2
    assert "还没有起草的规则" in capsys.readouterr().err
