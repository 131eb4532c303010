"""The 项目匹配 page end to end in headless Debian Chromium: form → table with verdict badges → clause popover
→ CSV export (a real download); then a pasted company record. Over an index of the match fixture notices."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EMBED_CACHE, load_benchmark
from tests.matching.conftest import PROFILES, match_index  # noqa: F401  (the fixture index)
from tests.ui.test_browser import CHROMEDRIVER, CHROMIUM, _shot, _wait_text, browser  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                       reason="Debian chromium/chromium-driver not installed (`make browser` installs them)"),
]


@pytest.fixture(scope="module")
def match_server(tmp_path_factory: pytest.TempPathFactory, match_index: Any) -> Iterator[str]:  # noqa: F811
    """The Streamlit server over the fixture notices' index and drafted rules."""
    env = {"SHENBAO_DATA_DIR": str(match_index.data_dir), "SHENBAO_CORPUS_DIR": str(match_index.corpus_dir),
           "SHENBAO_EMBED_CACHE": str(EMBED_CACHE)}
    log = tmp_path_factory.mktemp("match-server") / "server.log"
    with load_benchmark("streamlit_load").streamlit_server(env, log) as url:
        yield url


def _visible_button(driver: Any, label: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def find(d: Any) -> Any:
        for b in d.find_elements(By.TAG_NAME, "button"):
            parts = [t.strip() for t in b.text.split("\n")]  # icons render as a line of their own
            if label in parts and b.is_displayed() and b.is_enabled():
                return b
        return False

    button = WebDriverWait(driver, 90, poll_frequency=0.5).until(find)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    return button


def _input(driver: Any, label: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    css = f"[aria-label='{label}']"
    return WebDriverWait(driver, 90, poll_frequency=0.5).until(ec.element_to_be_clickable((By.CSS_SELECTOR, css)))


def test_form_table_popover_export_and_pasted_record(match_server: str, browser: Any,  # noqa: F811
                                                     tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{match_server}/match")
    _wait_text(browser, "项目匹配", "填写表单", timeout=90)

    # the form: two facts; everything else stays unknown
    place = _input(browser, "注册地（任一级：省、市、新区、区县、园区）")
    place.send_keys("雄安新区")
    _input(browser, "注册（成立）日期").send_keys("2025-09-01")
    _visible_button(browser, "匹配全部项目").click()
    page = _wait_text(browser, "已匹配", "正在申报", "往期，可关注下一批", "长期政策，按细则申请")
    assert "不符合" in page and "Traceback" not in page
    badges = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "[data-testid='stMarkdownContainer'] span")
              if b.text in ("符合", "不符合", "需补充信息", "需对照原文")]
    assert "不符合" in badges
    _shot(browser, "match-01-table.png")

    # the clause behind the open call's ruling: 2025-09-01 is after the clause's date
    _visible_button(browser, "依据条款").click()
    pop = _wait_text(browser, "2025年6月30日前在雄安新区注册", "注册（成立）日期：2025-09-01")
    assert "表单" in pop
    _shot(browser, "match-02-popover.png")
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(browser).send_keys(Keys.ESCAPE).perform()

    # export: a real download of the CSV
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    _visible_button(browser, "导出 CSV").click()
    deadline = time.time() + 60
    while time.time() < deadline and not list(tmp_path.glob("*.csv")):
        time.sleep(0.5)
    (csv_file,) = list(tmp_path.glob("*.csv"))
    text = csv_file.read_text(encoding="utf-8-sig")
    assert text.startswith("分组,通知,项目") and "研发投入补助" in text and "2025年6月30日前" in text

    # a pasted company record: its facts and their lines are shown, the open call needs one fact
    tab = next(t for t in browser.find_elements(By.CSS_SELECTOR, "[role='tab']") if "粘贴企业信息" in t.text)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", tab)
    box = _input(browser, "企业信息")
    browser.execute_script("arguments[0].focus();", box)
    box.send_keys((PROFILES / "record.txt").read_text(encoding="utf-8"))
    _visible_button(browser, "匹配全部项目").click()
    _wait_text(browser, "需补充信息", "研发费用")
    browser.find_element(By.XPATH, "//summary[contains(., '申请人信息及来源')]").click()
    _wait_text(browser, "企业信息记录 第 23 行")
    _shot(browser, "match-03-record.png")
