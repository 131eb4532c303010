"""Pages by role: anonymous applicants, staff and admins see (and can reach) only their pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.conftest import PASSWORD, login_as
from tests.ui.test_pages import ask, button, texts

STAFF_PAGES = ("views/lookup.py", "views/rules.py", "views/feedback.py")
ADMIN_PAGES = ("views/admin.py", "views/users.py")


def _not_registered(at: Any, page: str) -> None:
    """The page is not in the navigation of this session at all (so neither its menu entry nor its URL)."""
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page)


def _reached(at: Any, page: str) -> str:
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return texts(at)


def test_applicant_cannot_reach_staff_or_admin_pages(make_app: Callable, fixture_settings: Any) -> None:
    at = make_app(fixture_settings).run()
    for page in STAFF_PAGES + ADMIN_PAGES:
        _not_registered(at, page)
    ask(at, "海滨市创新券单张额度最高是多少？")
    assert "20万元" in texts(at)
    assert not at.page_link  # no link into the staff's notice viewer


def test_staff_sees_lookup_rules_feedback_but_no_upload(make_app: Callable, fixture_settings: Any) -> None:
    at = make_app(fixture_settings)
    login_as(at, fixture_settings, "staff")
    at.run()
    _reached(at, "views/rules.py")
    assert [m.label for m in at.metric] == ["规则条数", "原文未找到"] and at.dataframe
    _reached(at, "views/lookup.py")
    assert any(w.label == "检索内容（关键词或问题）" for w in at.text_input)
    _reached(at, "views/feedback.py")
    assert [m.label for m in at.metric] == ["有用", "无用", "更正"]
    for page in ADMIN_PAGES:
        _not_registered(at, page)


def test_admin_reaches_everything_and_login_form_works(make_app: Callable, fixture_settings: Any) -> None:
    at = make_app(fixture_settings)
    name = login_as(at, fixture_settings, "admin")
    at.run()
    assert "上传公告" in _reached(at, "views/admin.py")
    assert name in _reached(at, "views/users.py")
    # a fresh session logs in through the form; a wrong password is refused without echoing it
    b = make_app(fixture_settings).run()
    b.switch_page("views/login.py").run()
    b.text_input(key="login_user").set_value(name)
    b.text_input(key="login_password").set_value("wrong-password-xyz")
    button(b, "登录").click().run()
    assert "用户名或密码错误" in texts(b) and "wrong-password-xyz" not in texts(b)
    b.text_input(key="login_password").set_value(PASSWORD)
    button(b, "登录").click().run()
    assert not b.exception
    assert "上传公告" in _reached(b, "views/admin.py")
    button(b, "退出登录").click().run()
    _not_registered(b, "views/admin.py")
