"""End to end: ``streamlit run ui/app.py`` on a loopback port, driven by headless Debian Chromium.

Asks the 赣榆区 question and sees 不符合 with its clause, searches on the lookup page, uploads a notice on the
admin page (into a temp copy of the corpus — the repository's corpus/ is never touched), and saves
screenshots to ``out/screenshots/``. Skipped only when Chromium or its driver is not installed
(``make test`` installs Debian's ``chromium`` and ``chromium-driver``).
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EMBED_CACHE, ROOT, UPLOAD_NOTICE, load_benchmark, make_settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or next(
    (p for p in ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver") if Path(p).exists()), None)
SHOTS = ROOT / "out" / "screenshots"
QUESTION = "赣榆区的企业能申报连云港市产业前瞻与关键技术项目吗？"
WAIT = 180  # the first answer loads e5 and jieba in the server (a busy 2-core machine is slow)

USERS = {"browser-admin": "admin", "browser-staff": "staff"}
PASSWORD = "browser-pass-123"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                       reason="Debian chromium/chromium-driver not installed (`make browser` installs them)"),
]

UPLOAD = UPLOAD_NOTICE


def _corpus_digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.iterdir()):
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, corpus_settings: Any) -> Iterator[tuple[str, Any]]:
    """The Streamlit server over an index of a temp copy of the real corpus (uploads land in the copy)."""
    from assistant.index.builder import IndexBuilder

    base = tmp_path_factory.mktemp("browser")
    corpus = base / "corpus"
    shutil.copytree(corpus_settings.corpus_dir, corpus)
    settings = make_settings(base / "data", corpus)
    IndexBuilder(settings).run()  # vectors come from the shared cache: no re-embedding
    from assistant.auth import AuthSettings, AuthStore

    store = AuthStore(AuthSettings.from_env(settings, {}).store_path, rounds=4)
    for name, role in USERS.items():
        store.add_user(name, PASSWORD, role)
    server_env = {"SHENBAO_DATA_DIR": str(settings.data_dir), "SHENBAO_CORPUS_DIR": str(corpus),
                  "SHENBAO_EMBED_CACHE": str(EMBED_CACHE)}
    with load_benchmark("streamlit_load").streamlit_server(server_env, base / "server.log") as url:
        yield url, settings


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through the Debian chromedriver (Selenium Manager never runs)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                 "--window-size=1440,1400", "--lang=zh-CN"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=opts)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _body(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.TAG_NAME, "body").text)


def _wait_text(driver: Any, *needles: str, timeout: float = WAIT) -> str:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        wait = WebDriverWait(driver, timeout, poll_frequency=0.5)
        wait.until(lambda d: all(n in _body(d) for n in needles))
    except TimeoutException:
        _shot(driver, "failure.png")
        pytest.fail(f"not seen within {timeout:.0f} s: {needles}; the page shows:\n{_body(driver)[-2000:]}")
    return _body(driver)


def _shot(driver: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    return path


def _open(driver: Any, url: str, ready: str) -> None:
    driver.get(url)
    _wait_text(driver, ready, timeout=90)


def _clickable(driver: Any, css: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 90, poll_frequency=0.5)
    return wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, css)))


def _present(driver: Any, css: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 90, poll_frequency=0.5)
    return wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def _chat(driver: Any, question: str) -> None:
    from selenium.webdriver.common.keys import Keys

    box = _clickable(driver, "textarea[data-testid='stChatInputTextArea']")
    box.click()
    box.send_keys(question)
    box.send_keys(Keys.ENTER)


def _click_button(driver: Any, label: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def find(d: Any) -> Any:
        for b in d.find_elements(By.TAG_NAME, "button"):
            if _title(b) == label and b.is_enabled():  # an icon's ligature name may come first
                return b
        return False

    button = WebDriverWait(driver, 90, poll_frequency=0.5).until(find)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    button.click()


def _nav_links(driver: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    return [_title(a) for a in driver.find_elements(By.CSS_SELECTOR, "[data-testid='stSidebarNav'] a")]


def _title(link: Any) -> str:
    """A menu entry's title (its text starts with the icon's ligature name on a line of its own)."""
    lines = link.text.strip().splitlines()
    return lines[-1].strip() if lines else ""


def _nav(driver: Any, title: str, ready: str) -> None:
    """Follow a menu entry (in the same Streamlit session: a new URL would be a new, logged-out session)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def find(d: Any) -> Any:
        for a in d.find_elements(By.CSS_SELECTOR, "[data-testid='stSidebarNav'] a"):
            if _title(a) == title:
                return a
        return False

    WebDriverWait(driver, 60, poll_frequency=0.5).until(find).click()
    _wait_text(driver, ready, timeout=90)


def _login(driver: Any, url: str, name: str) -> None:
    _open(driver, f"{url}/login", "工作人员登录")
    _clickable(driver, "input[aria-label='用户名']").send_keys(name)
    _clickable(driver, "input[aria-label='密码']").send_keys(PASSWORD)
    _click_button(driver, "登录")
    _wait_text(driver, f"已登录：{name}")


def test_roles_in_a_real_browser(server: tuple[str, Any], browser: Any) -> None:
    url, _ = server
    # anonymous: no admin (or staff) page in the menu, and the admin URL does not open it
    _open(browser, f"{url}/", "申报咨询")
    links = _nav_links(browser)
    assert "申报咨询" in links and "资格自查" in links
    assert not {"公告管理", "条款检索", "规则核对", "用户管理"} & set(links)
    for path in ("admin", "lookup", "users"):
        browser.get(f"{url}/{path}")
        page = _wait_text(browser, "申报咨询", timeout=90)
        time.sleep(2)  # let any page content arrive
        page = _body(browser)
        assert "上传公告" not in page and "检索内容" not in page and "API 密钥" not in page, path
    _shot(browser, "08-anonymous-admin-url.png")

    # admin: logs in, the menu now holds 公告管理, and it opens
    _login(browser, url, "browser-admin")
    assert {"公告管理", "用户管理", "条款检索", "规则核对"} <= set(_nav_links(browser))
    _nav(browser, "公告管理", "上传公告")
    _shot(browser, "09-admin-after-login.png")
    _click_button(browser, "退出登录")
    _wait_text(browser, "工作人员登录")
    assert "公告管理" not in _nav_links(browser)

    # staff: lookup and rule review, no upload
    _login(browser, url, "browser-staff")
    links = _nav_links(browser)
    assert {"条款检索", "规则核对", "用户反馈"} <= set(links)
    assert "公告管理" not in links and "用户管理" not in links
    _nav(browser, "规则核对", "规则条数")
    _shot(browser, "10-staff-rule-review.png")
    _nav(browser, "条款检索", "检索内容")
    assert "上传公告" not in _body(browser)


def test_chat_lookup_and_upload_in_a_real_browser(server: tuple[str, Any], browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    url, settings = server
    repo_corpus = _corpus_digest(ROOT / "corpus")

    # 申报咨询: the ruling, its clause and citation cards
    _open(browser, f"{url}/", "申报咨询")  # the default page lives at the root
    _chat(browser, QUESTION)
    page = _wait_text(browser, "不符合", "不含赣榆区", "引用条款")
    assert "市辖区（不含赣榆区）" in page
    assert "Traceback" not in page
    messages = browser.find_elements(By.CSS_SELECTOR, "[data-testid='stChatMessage']")
    asked = next(m for m in messages if QUESTION in m.text)
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'}); window.scrollBy(0, -80);", asked)
    time.sleep(0.5)
    _shot(browser, "01-chat-ruling.png")
    cards = browser.find_elements(By.CSS_SELECTOR, "[data-testid='stExpander'] summary")
    card = next(c for c in cards if "三、申报要求" in c.text)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", card)
    card.click()
    _wait_text(browser, "章节：")  # the card opens (its viewer link is for logged-in staff)
    _shot(browser, "02-chat-citation-card.png")

    # 条款检索 (staff and admins): filters, ranked clauses with highlighted terms, copy-ready text
    _login(browser, url, "browser-admin")
    _nav(browser, "条款检索", "检索内容")
    query = _clickable(browser, "input[aria-label='检索内容（关键词或问题）']")
    query.send_keys("赣榆区 牵头单位")
    _click_button(browser, "检索")
    page = _wait_text(browser, "可复制的答复", "相关条款")
    assert "不含赣榆区" in page
    marks = [m.text for m in browser.find_elements(By.TAG_NAME, "mark")]
    assert "赣榆区" in marks
    _shot(browser, "03-lookup-results.png")
    _click_button(browser, "在公告原文中查看")
    _wait_text(browser, "公告原文", "章节导航")
    nav = browser.find_element(By.XPATH, "//*[contains(text(), '章节导航')]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'});", nav)
    time.sleep(1)
    _shot(browser, "04-notice-viewer.png")

    # 公告管理 (admins): upload a notice into the temp corpus copy; it is ingested with a progress bar
    _nav(browser, "公告管理", "上传公告")
    notice = settings.data_dir.parent / "linhai-2025-rd-subsidy.txt"
    notice.write_text(UPLOAD, encoding="utf-8")
    _present(browser, "input[type='file']").send_keys(str(notice))
    _wait_text(browser, "ubsidy.txt", timeout=60)  # the uploader shows the (shortened) name
    _click_button(browser, "保存并导入")
    page = _wait_text(browser, "已导入 1 个文件")
    assert "导入完成" in page
    _shot(browser, "05-admin-upload.png")
    assert (settings.corpus_dir / "linhai-2025-rd-subsidy.txt").exists()
    assert _corpus_digest(ROOT / "corpus") == repo_corpus  # the repository's corpus is untouched

    # the uploaded notice answers in the chat of a new session
    _open(browser, f"{url}/", "申报咨询")  # the default page lives at the root
    _chat(browser, "临海市研发费用补助单个企业最高补助多少？")
    _wait_text(browser, "50万元")
    _shot(browser, "06-chat-uploaded-notice.png")

    # 资格自查: the form from the profile model, the ruling with its clause
    _open(browser, f"{url}/check", "资格自查")
    programme = _clickable(browser, "div[data-testid='stSelectbox'] input")
    programme.click()
    programme.send_keys("产业前瞻与关键技术")
    programme.send_keys(Keys.ENTER)
    _wait_text(browser, "注册地所在区县（功能板块）", timeout=60)
    district = _clickable(browser, "input[aria-label='注册地所在区县（功能板块）']")
    district.send_keys("赣榆区")
    _click_button(browser, "判断能否申报")
    page = _wait_text(browser, "不符合", "不含赣榆区", "在咨询中继续")
    assert "连云港市2024年度市重点研发计划（产业前瞻与关键技术）" in page
    ruling = browser.find_element(By.XPATH, "//*[contains(text(), '结论由规则逐条校验')]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'}); window.scrollBy(0, -120);", ruling)
    time.sleep(0.5)
    _shot(browser, "07-check-ruling.png")
