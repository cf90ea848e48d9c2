"""The web app in a real browser: Debian's headless Chromium driven by Selenium 4 through Debian's
chromedriver (fixed paths, so Selenium Manager downloads nothing), against the app served on 127.0.0.1.

One server and two browsers for the whole module (two users side by side). Skipped when Chromium is not
installed, except in CI (`.ci/run` installs it). MONITOR_UPDATE_SCREENSHOTS=1 writes the screenshots to
docs/screenshots/ (they are shown in the README); otherwise they go to a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web_support import PASSWORD, ROOT, make_app, seed_world

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium and chromium-driver (.ci/run installs them)")
    pytest.skip("Debian chromium / chromium-driver not installed", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def _browser(tmp: Path, width: int = 1366, height: int = 768, phone: bool = False) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    if phone:  # a window cannot be narrower than ~500 px: emulate the phone's viewport instead
        options.add_experimental_option(
            "mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2}}
        )
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=vi-VN",
        f"--window-size={width},{height}",
        f"--user-data-dir={tmp}",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """A seeded SQLite database served on 127.0.0.1 by a real HTTP server, and two browsers."""
    from werkzeug.serving import make_server

    from monitor.store.db import Database

    tmp = tmp_path_factory.mktemp("browser")
    db = Database(f"sqlite:///{tmp / 'web.db'}")
    db.migrate()
    ids = seed_world(db)
    app = make_app(db, poll_seconds=1)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    a, b = _browser(tmp / "a"), _browser(tmp / "b")
    try:
        yield {
            "url": f"http://127.0.0.1:{server.server_port}",
            "ids": ids,
            "a": a,
            "b": b,
            "db": db,
            "tmp": tmp,
        }
    finally:
        a.quit()
        b.quit()
        server.shutdown()
        db.dispose()


def wait(driver: webdriver.Chrome, seconds: float = 10) -> WebDriverWait:
    """A waiter on `driver`."""
    return WebDriverWait(driver, seconds)


def log_in(driver: webdriver.Chrome, url: str, username: str) -> None:
    """Fill and post the log-in form."""
    driver.get(f"{url}/login")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.queue")))


def shot(driver: webdriver.Chrome, site: dict[str, object], name: str) -> None:
    """Save a screenshot (docs/screenshots/ when MONITOR_UPDATE_SCREENSHOTS=1)."""
    folder = ROOT / "docs" / "screenshots" if os.environ.get("MONITOR_UPDATE_SCREENSHOTS") else site["tmp"]
    assert isinstance(folder, Path)
    folder.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(folder / f"{name}.png"))


def test_log_in_and_the_queue(site):
    a, url, ids = site["a"], site["url"], site["ids"]
    a.get(url + "/")
    assert a.current_url.startswith(url + "/login")
    shot(a, site, "login")
    log_in(a, url, "ctv1")
    assert "Đăng xuất" in a.find_element(By.CSS_SELECTOR, "header.top").text
    rows = a.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
    assert rows[0].get_attribute("data-case") == str(ids["queue"])  # critical first
    overdue = {r.get_attribute("data-case") for r in a.find_elements(By.CSS_SELECTOR, "tr.overdue")}
    assert str(ids["traffic"]) in overdue
    # the hostile title is text: no alert opened, the words are visible
    assert '<script>alert("xss")</script> Tin đồn' in a.find_element(By.TAG_NAME, "body").text
    assert not a.execute_script("return window.__xss === true")
    shot(a, site, "queue")


def test_filter_and_search(site):
    a, url, ids = site["a"], site["url"], site["ids"]
    a.get(url + "/")
    a.find_element(By.CSS_SELECTOR, "details.filter-box summary").click()
    a.find_element(By.CSS_SELECTOR, "input[name=tone][value=tich_cuc]").click()
    a.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
    wait(a).until(ec.url_contains("tone=tich_cuc"))
    shown = [r.get_attribute("data-case") for r in a.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")]
    assert shown == [str(ids["drug"])]
    a.get(url + "/search")
    box = a.find_element(By.ID, "q")
    box.send_keys("cong an tinh kon tum triet pha duong day ma tuy")
    box.submit()
    wait(a).until(ec.presence_of_element_located((By.CSS_SELECTOR, "ol.articles")))
    assert f"/cases/{ids['drug']}" in a.page_source
    assert (
        "Công an tỉnh Kon Tum triệt phá đường dây mua bán ma túy" in a.find_element(By.TAG_NAME, "main").text
    )
    shot(a, site, "search")


def test_claim_in_one_browser_shows_taken_in_the_other(site):
    a, b, url, ids = site["a"], site["b"], site["url"], site["ids"]
    log_in(b, url, "ctv2")
    row = f'tr[data-case="{ids["queue"]}"] td.holder'
    assert b.find_element(By.CSS_SELECTOR, row).text == "—"
    a.get(f"{url}/cases/{ids['queue']}")
    a.find_element(By.ID, "claim").click()
    wait(a).until(ec.text_to_be_present_in_element((By.ID, "holder"), "đang xử lý bởi"))
    # b never reloads: htmx polling brings the change
    wait(b, 15).until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, row), "đang xử lý bởi Nguyễn Văn An")
    )
    b.get(f"{url}/cases/{ids['queue']}")
    b.find_element(By.ID, "claim").click()
    flash = wait(b).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".flash.error")))
    assert "đang do Nguyễn Văn An (ctv1)" in flash.text


def test_record_a_verdict(site):
    a, url, ids = site["a"], site["url"], site["ids"]
    a.get(f"{url}/cases/{ids['queue']}")  # claimed by ctv1 in the previous test: the form is open
    form = a.find_element(By.ID, "verdict")
    form.find_element(By.CSS_SELECTOR, "input[value=verified_false]").click()
    form.find_element(By.NAME, "note").send_keys(
        "Đã làm việc với Phòng PC06: điểm cấp căn cước mở cả thứ Bảy."
    )
    form.find_element(By.NAME, "evidence").send_keys("https://congan.kontum.gov.vn/thong-bao")
    shot(a, site, "case")
    form.find_element(By.ID, "verdict-submit").click()
    ok = wait(a).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".flash.ok")))
    assert "cần phản hồi" in ok.text
    history = a.find_element(By.CSS_SELECTOR, "table.history").text
    assert "sai sự thật" in history and "Đã làm việc với Phòng PC06" in history


def test_keyboard_shortcuts(site):
    a, url, ids = site["a"], site["url"], site["ids"]
    a.get(url + "/")
    body = a.find_element(By.TAG_NAME, "body")
    body.send_keys("?")
    assert a.find_element(By.ID, "help").is_displayed()
    shot(a, site, "shortcuts")
    body.send_keys("?")
    assert not a.find_element(By.ID, "help").is_displayed()
    body.send_keys("j")
    selected = a.find_element(By.CSS_SELECTOR, "tr.selected")
    first = selected.get_attribute("data-case")
    body.send_keys("j")
    second = a.find_element(By.CSS_SELECTOR, "tr.selected").get_attribute("data-case")
    assert first != second
    body.send_keys("k")
    assert a.find_element(By.CSS_SELECTOR, "tr.selected").get_attribute("data-case") == first
    # c claims the selected case (the traffic story is second in the open queue after the verdict above)
    target = ids["drug"]
    while a.find_element(By.CSS_SELECTOR, "tr.selected").get_attribute("data-case") != str(target):
        body.send_keys("j")
    body.send_keys("c")
    wait(a).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".flash.ok")))
    assert "đã nhận xác minh" in a.find_element(By.CSS_SELECTOR, ".flash.ok").text
    assert "đang xử lý bởi Nguyễn Văn An" in a.find_element(By.CSS_SELECTOR, f'tr[data-case="{target}"]').text
    a.find_element(By.TAG_NAME, "body").send_keys("/")
    wait(a).until(ec.url_contains("/search"))
    a.get(f"{url}/cases/{target}")
    a.find_element(By.TAG_NAME, "body").send_keys("v")
    assert a.find_element(By.ID, "verdict").get_attribute("open") is not None


def test_confirm_same_event_in_one_click(site):
    from datetime import UTC, datetime, timedelta

    from tests.test_queue_relations import seed_suggestion

    a, url = site["a"], site["url"]
    first, second = seed_suggestion(site["db"], datetime.now(UTC) - timedelta(hours=2))
    a.get(f"{url}/cases/{first}")
    related = a.find_element(By.ID, "related")
    assert f"Có thể cùng sự việc: vụ việc #{second}" in related.text
    related.find_element(By.CSS_SELECTOR, "button[id^=confirm_event-]").click()
    ok = wait(a).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".flash.ok")))
    assert "đã xác nhận cùng sự việc" in ok.text
    assert "Cùng sự việc (đã xác nhận)" in a.find_element(By.ID, "related").text
    assert "xác nhận cùng sự việc" in a.find_element(By.CSS_SELECTOR, "table.history").text


def test_admin_and_phone_screens(site):
    b, url = site["b"], site["url"]
    b.get(url + "/login")
    b.delete_all_cookies()
    log_in(b, url, "qt")
    b.get(url + "/admin/users")
    assert "Thêm người dùng" in b.page_source
    shot(b, site, "admin_users")
    phone = _browser(site["tmp"] / "phone", 390, 844, phone=True)
    try:
        log_in(phone, url, "ld")
        shot(phone, site, "queue_phone")
        wide = phone.execute_script(
            "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392)"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right))"
        )
        width = phone.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, wide  # no sideways scrolling on a phone
    finally:
        phone.quit()


def test_chromium_and_driver_agree():
    """Debian ships both from one source package: the same version (Selenium Manager stays unused)."""
    import subprocess

    browser = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True).stdout.split()
    driver = subprocess.run([str(CHROMEDRIVER), "--version"], capture_output=True, text=True).stdout.split()
    version = next(p for p in browser if p[0].isdigit())
    assert version.split(".")[0] == driver[1].split(".")[0], (browser, driver)
    assert shutil.which("chromium") is not None
