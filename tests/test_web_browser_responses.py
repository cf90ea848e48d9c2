"""Press responses and the dashboard in a real browser (Debian Chromium through Selenium, the fixtures and
helpers of tests/test_web_browser.py): a reporter drafts, a leader returns it with a comment, the reporter
redrafts, the leader approves, the reporter publishes; the dashboard's charts render under the strict CSP.

MONITOR_UPDATE_SCREENSHOTS=1 writes the screenshots to docs/screenshots/ (response_*.png, dashboard.png).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.test_web_browser import By, _browser, ec, log_in, shot, wait
from tests.web_support import make_app, seed_world


def _month_of_press(db) -> None:
    """Thirty days of articles about the unit (tones, topics, outlets) and cases of several ages."""
    from monitor.store.tables import SourceRow
    from tests.test_queue_support import (
        DRUG_STORY,
        QUEUE_STORY,
        TRAFFIC_STORY,
        seed_article,
        seed_cases,
        seed_source,
    )

    rng = random.Random(7)  # the same month every run
    now = datetime.now(UTC)
    stories = (
        (QUEUE_STORY, "dich_vu_cong", "tieu_cuc"),
        (DRUG_STORY, "ma_tuy", "tich_cuc"),
        (TRAFFIC_STORY, "giao_thong", "trung_tinh"),
        (("Công an tỉnh Kon Tum cảnh báo lừa đảo qua mạng", "Người dân cần cảnh giác."), "lua_dao", "trung_tinh"),
        (("Cháy kho hàng ở thành phố Kon Tum", "Lực lượng PCCC đã dập tắt đám cháy."), "chay_no_cuu_nan", "trung_tinh"),
    )  # fmt: skip
    with db.write() as s:
        outlets = [
            seed_source(s, key=key, name=name)
            for key, name in (("tuoitre", "Tuổi Trẻ"), ("dantri", "Dân Trí"), ("laodong", "Lao Động"))
        ]
        failing = s.get(SourceRow, outlets[2])
        failing.consecutive_failures, failing.last_error = 3, "Máy chủ trả lỗi 503 (quá tải)."
        failing.last_error_at = now - timedelta(minutes=25)
        for day in range(30):
            for _ in range(rng.randint(1, 6 if day < 25 else 12)):  # busier lately
                (title, text), topic, tone = rng.choice(stories)
                if rng.random() < 0.3:
                    tone = "tieu_cuc"
                at = now - timedelta(days=day, hours=rng.randint(0, 20))
                outlet = rng.choice(outlets)
                # mentions under the target keys of the shipped sources.toml (the spike table reads them)
                targets = ("ca-kon-tum", "kon-tum")
                seed_article(
                    s, outlet, title, text, at=at, topic=topic, tone=tone, flagged=False, targets=targets
                )
        for _ in range(15):  # this morning the story spreads: a volume spike on the unit
            outlet = rng.choice(outlets)
            at = now - timedelta(hours=rng.randint(1, 12))
            seed_article(s, outlet, *QUEUE_STORY, at=at, topic="dich_vu_cong", flagged=False, targets=targets)
    for days, state in ((9, "in_review"), (5, "response_needed"), (2, "new"), (1, "response_drafted")):
        seed_cases(db, 1 + days % 3, state=state, start=now - timedelta(days=days))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """tests/test_web_browser.py's world plus a month of press, served on 127.0.0.1, a case needing a
    response, and two browsers (a reporter and a leader)."""
    from werkzeug.serving import make_server

    from monitor.queue.service import Decision, act
    from monitor.queue.settings import QueueSettings
    from monitor.store.db import Database
    from monitor.vocab import Action, State

    tmp = tmp_path_factory.mktemp("browser_responses")
    db = Database(f"sqlite:///{tmp / 'web.db'}")
    db.migrate()
    ids = seed_world(db)
    _month_of_press(db)
    now = datetime.now(UTC)
    act(db, ids["queue"], "ctv1", Decision(Action.CLAIM), QueueSettings(), now)
    verdict = Decision(
        Action.VERIFY,
        verdict=State.VERIFIED_FALSE,
        note="Điểm cấp căn cước mở cửa từ 7 giờ; không có người xếp hàng từ 4 giờ sáng.",
        evidence=("https://congan.kontum.gov.vn/thong-bao-cap-can-cuoc",),
    )
    act(db, ids["queue"], "ctv1", verdict, QueueSettings(), now)
    app = make_app(db)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    reporter, leader = _browser(tmp / "reporter"), _browser(tmp / "leader")
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        log_in(reporter, url, "bcv")
        log_in(leader, url, "ld")
        yield {"url": url, "ids": ids, "reporter": reporter, "leader": leader, "tmp": tmp}
    finally:
        reporter.quit()
        leader.quit()
        server.shutdown()
        db.dispose()


def _open(driver, site, case_id: int) -> None:
    # no "#phan-hoi": from /cases/ID#phan-hoi (where every action lands) that would only scroll, not reload
    driver.get(f"{site['url']}/cases/{case_id}")
    wait(driver).until(ec.presence_of_element_located((By.ID, "phan-hoi")))


def _shot_section(driver, site, name: str) -> None:
    """A screenshot of the response section (scrolled to its top)."""
    driver.execute_script("document.getElementById('phan-hoi').scrollIntoView()")
    shot(driver, site, name)


def _press(driver, button_id: str) -> str:
    """Click a button that posts a form; the confirmation of the page it leads to."""
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, button_id).click()
    wait(driver).until(ec.staleness_of(page))  # never read the previous page's message
    return wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".flash.ok"))).text


def _save_and_submit(driver, version: int) -> None:
    """Save the editor's text as the next version, then send it to a leader."""
    assert f"Đã lưu bản {version}" in _press(driver, "response-save")
    assert f"Đã gửi bản {version}" in _press(driver, "response-submit")


def _csp_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]


def test_draft_return_redraft_approve_publish(site):
    reporter, leader, case = site["reporter"], site["leader"], site["ids"]["queue"]
    _open(reporter, site, case)
    reporter.find_element(By.ID, "response-prefill").click()
    body = wait(reporter).until(ec.presence_of_element_located((By.ID, "response-body")))
    assert "Điều 42 Luật Báo chí năm 2016" in body.get_attribute("value")
    assert "không có người xếp hàng từ 4 giờ sáng" in body.get_attribute("value")
    _shot_section(reporter, site, "response_draft")
    _save_and_submit(reporter, 1)

    _open(leader, site, case)
    assert "Đề nghị cải chính thông tin" in leader.find_element(By.ID, "response-text").text
    leader.find_element(By.CSS_SELECTOR, "details.resp-return summary").click()
    leader.find_element(By.ID, "return-note").send_keys("Nêu rõ giờ làm việc thứ Bảy, Chủ nhật.")
    assert "Đã trả lại bản 1" in _press(leader, "response-return")

    _open(reporter, site, case)
    assert (
        "Nêu rõ giờ làm việc thứ Bảy, Chủ nhật." in reporter.find_element(By.CSS_SELECTOR, "ol.comments").text
    )
    assert not reporter.find_elements(By.ID, "response-submit")  # the returned text must change first
    _shot_section(reporter, site, "response_returned")
    body = reporter.find_element(By.ID, "response-body")
    body.send_keys("\n\nĐiểm cấp căn cước làm việc cả thứ Bảy và Chủ nhật, từ 7 giờ đến 17 giờ.")
    _save_and_submit(reporter, 2)

    _open(leader, site, case)
    assert "cả thứ Bảy và Chủ nhật" in leader.find_element(By.ID, "response-text").text
    _shot_section(leader, site, "response_approval")
    assert "Đã duyệt bản 2" in _press(leader, "response-approve")

    _open(reporter, site, case)
    reporter.find_element(By.ID, "publish-channel").send_keys("Báo Kon Tum")
    reporter.find_element(By.ID, "publish-url").send_keys("https://baokontum.vn/cai-chinh-can-cuoc.html")
    assert "Đã ghi nhận phản hồi đăng trên Báo Kon Tum" in _press(reporter, "response-publish")
    section = reporter.find_element(By.ID, "phan-hoi").text
    assert "Đã đăng trên" in section and "Các bản đã lưu (2)" in section
    link = reporter.find_element(By.CSS_SELECTOR, ".resp-published a")
    assert link.get_attribute("href") == "https://baokontum.vn/cai-chinh-can-cuoc.html"
    assert "đã đăng phản hồi" in reporter.find_element(By.CSS_SELECTOR, ".facts").text
    _shot_section(reporter, site, "response_published")
    assert _csp_errors(reporter) == [] and _csp_errors(leader) == []


def test_dashboard_charts_render(site):
    leader = site["leader"]
    leader.set_window_size(1366, 768)
    leader.get(f"{site['url']}/dashboard")
    charts = wait(leader).until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, ".chart-block svg")))
    assert len(charts) == 5
    for svg in charts:
        box = svg.rect
        assert box["width"] > 200 and box["height"] > 100, box  # drawn, not collapsed
        assert svg.get_attribute("role") == "img" and svg.get_attribute("aria-label")
    bars = leader.execute_script(
        "return document.querySelectorAll('#chart-articles svg path[fill=\"#d7301f\"]').length"
    )
    assert bars > 10  # the critical articles of the month are drawn as red bars
    text = leader.find_element(By.TAG_NAME, "main").text
    assert "Tổng quan dư luận" in text and "Lao Động" in text and "Máy chủ trả lỗi 503" in text
    assert int(leader.find_element(By.ID, "overdue-count").text) >= 1
    unit = leader.find_element(By.XPATH, "//section[@id='spikes']//tr[th='Công an tỉnh Kon Tum']").text
    assert unit.endswith("tăng đột biến")  # this morning's spread
    assert _csp_errors(leader) == []  # no style or script the policy had to block
    height = leader.execute_script("return document.body.scrollHeight")
    leader.set_window_size(1366, min(height + 120, 3000))
    shot(leader, site, "dashboard")
    leader.set_window_size(1366, 768)
