"""The admin page's rule review: drafted rules per notice with quote and section, accepted by the logged-in
user (thin UI over DraftRuleStore)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assistant.drafting.store import DraftRuleStore
from tests.ui.conftest import login_as
from tests.ui.test_pages import button


def test_admin_reviews_a_drafted_rule(make_app: Callable, own_fixture_index: Any) -> None:
    s = own_fixture_index
    store = DraftRuleStore(s.data_dir / "rules")
    store.save_draft({"file": "n.md", "notice_id": "doc-n", "notice": "某通知", "status": "draft", "programmes": [
        {"id": "doc-n-p1", "title": "某项目", "criteria": [{
            "id": "doc-n-p1-aaaa", "kind": "hard", "description": "须在新区注册", "facts": ["registered_place"],
            "condition": "registered_in_area", "params": {"area": "雄安新区"}, "status": "draft",
            "reference": {"section": "二、申报条件", "quote": "申请企业必须在雄安新区注册。"}}]}]})
    at = make_app(s)
    name = login_as(at, s, "admin")
    at.run()
    at.switch_page("views/admin.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "规则审核" in [h.value for h in at.subheader]
    table = next(d.value for d in at.dataframe if "原文" in d.value.columns)
    assert table.iloc[0]["原文"] == "申请企业必须在雄安新区注册。" and table.iloc[0]["章节"] == "二、申报条件"
    button(at, "接受").click().run()
    assert not at.exception, [e.value for e in at.exception]
    row = store.rows("doc-n")[0]
    assert row["status"] == "reviewed" and row["reviewed_by"] == name and row["reviewed_at"]
