"""The web app's skeleton on a real database: log-in, sessions, CSRF, the gate, the queue, case actions."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from monitor.store.audit import recent
from monitor.store.cases import case_events, get_case
from monitor.store.queue_tables import CaseRow
from monitor.store.web_tables import WebSessionRow
from tests.test_queue_support import seed_cases
from tests.web_support import PASSWORD, csrf_of, login, make_app, page_csrf, seed_accounts


@pytest.fixture
def app(db):
    seed_accounts(db)
    return make_app(db)


def test_logged_out_requests_go_to_login(app, db):
    client = app.test_client()
    for path in ("/", "/cases/1", "/queue/rows", "/nowhere"):
        r = client.get(path)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login"), path
    r = client.get("/queue/rows", headers={"HX-Request": "true"})
    assert r.status_code == 401 and r.headers["HX-Redirect"] == "/login"


def test_login_rotates_the_session_and_logout_deletes_it(app, db):
    client = app.test_client()
    page = client.get("/login")
    assert "Đăng nhập" in page.text
    before = client.get_cookie("monitor_session").value
    r = client.post(
        "/login", data={"username": "ctv1", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    )
    assert r.status_code == 302 and r.headers["Location"] == "/"
    after = client.get_cookie("monitor_session").value
    assert after != before and len(after) >= 43  # 256 random bits, url-safe base64
    with db.read() as s:
        hashes = set(s.scalars(select(WebSessionRow.id_hash)))
    assert hashlib.sha256(after.encode()).hexdigest() in hashes
    assert hashlib.sha256(before.encode()).hexdigest() not in hashes  # the pre-log-in id is gone
    home = client.get("/")
    assert home.status_code == 200 and "Đăng xuất" in home.text and "Hàng đợi xác minh" in home.text
    r = client.post("/logout", data={"csrf_token": csrf_of(home.text)})
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    with db.read() as s:
        assert hashlib.sha256(after.encode()).hexdigest() not in set(s.scalars(select(WebSessionRow.id_hash)))
    assert client.get("/").status_code == 302


def test_post_without_csrf_token_is_400(app, db):
    client = app.test_client()
    client.get("/login")
    r = client.post("/login", data={"username": "ctv1", "password": PASSWORD})
    assert r.status_code == 400 and "CSRF" in r.text
    client = login(app, "ctv1")
    (case_id,) = seed_cases(db, 1)
    assert client.post(f"/cases/{case_id}/claim").status_code == 400
    assert client.post(f"/cases/{case_id}/claim", headers={"X-CSRFToken": "forged"}).status_code == 400
    # htmx sends the token as a header: accepted
    r = client.post(
        f"/cases/{case_id}/claim", headers={"X-CSRFToken": page_csrf(client), "HX-Request": "true"}
    )
    assert r.status_code == 204
    with db.read() as s:
        assert s.scalar(select(CaseRow.state).where(CaseRow.id == case_id)) == "in_review"


def test_failed_logins_are_audited_and_throttled(app, db):
    client = app.test_client()
    token = csrf_of(client.get("/login").text)
    for _ in range(5):
        r = client.post(
            "/login", data={"username": "ctv1", "password": "sai-mat-khau-1", "csrf_token": token}
        )
        assert r.status_code == 401 and "không đúng" in r.text
    # the sixth attempt is refused even with the right password
    r = client.post("/login", data={"username": "ctv1", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 401 and "quá nhiều lần" in r.text
    with db.read() as s:
        lines = recent(s)
    assert [x.outcome for x in lines if x.action == "login"][:6] == ["refused"] + ["failed"] * 5
    assert all(x.client_addr == "127.0.0.1" and x.actor == "ctv1" for x in lines if x.action == "login")
    # another account from the same address still logs in (the per-address limit is higher)
    login(app, "ctv2")


def test_security_headers_and_cookie_flags(app, db):
    r = app.test_client().get("/login")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in r.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    https = make_app(db, https=True).test_client().get("/login", base_url="https://localhost")
    cookie = https.headers["Set-Cookie"]
    assert cookie.startswith("__Host-monitor_session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    assert https.headers["Strict-Transport-Security"].startswith("max-age=")


def test_queue_shows_cases_overdue_and_holder(app, db):
    ids = seed_cases(db, 3, start=datetime.now(UTC) - timedelta(days=5))  # deadline 72 h: overdue
    with db.write() as s:
        s.execute(
            update(CaseRow)
            .where(CaseRow.id == ids[1])
            .values(deadline_at=datetime.now(UTC) + timedelta(days=1))
        )
    a = login(app, "ctv1")
    r = a.post(f"/cases/{ids[0]}/claim", data={"csrf_token": page_csrf(a)})
    assert r.status_code == 302
    html = login(app, "ctv2").get("/").text
    rows = re.findall(r'<tr data-case="(\d+)"[^>]*class="([^"]*)"', html)
    assert {int(cid) for cid, _ in rows} == set(ids)
    overdue = {int(cid) for cid, cls in rows if "overdue" in cls}
    assert overdue == {ids[0], ids[2]}
    assert "quá hạn" in html
    assert "đang xử lý bởi <strong>Nguyễn Văn An</strong> đến" in html


def test_claim_shows_as_taken_for_a_second_user_and_is_refused_to_them(app, db):
    (case_id,) = seed_cases(db, 1)
    a, b = login(app, "ctv1"), login(app, "ctv2")
    a.post(f"/cases/{case_id}/claim", data={"csrf_token": page_csrf(a)})
    page = b.get(f"/cases/{case_id}").text
    assert "đang xử lý bởi <strong>Nguyễn Văn An</strong> (ctv1)" in page
    r = b.post(f"/cases/{case_id}/claim", data={"csrf_token": csrf_of(page)}, follow_redirects=True)
    assert "đang do Nguyễn Văn An (ctv1)" in r.text  # the domain's refusal, in Vietnamese


def test_verdict_from_the_case_page(app, db):
    (case_id,) = seed_cases(db, 1)
    a = login(app, "ctv1")
    a.post(f"/cases/{case_id}/claim", data={"csrf_token": page_csrf(a)})
    r = a.post(
        f"/cases/{case_id}/verify",
        data={
            "csrf_token": page_csrf(a, f"/cases/{case_id}"),
            "verdict": "verified_false",
            "note": "Đã xác minh với Phòng PC06: không có việc này.",
            "evidence": "https://congan.kontum.gov.vn/tin/1\n",
        },
        follow_redirects=True,
    )
    assert "nay “cần phản hồi”" in r.text
    assert "Đã xác minh với Phòng PC06" in r.text and "https://congan.kontum.gov.vn/tin/1" in r.text


def test_roles_are_the_domains_and_changes_apply_on_the_next_request(app, db):
    (case_id,) = seed_cases(db, 1)
    ctv = login(app, "ctv1")
    r = ctv.post(
        f"/cases/{case_id}/priority",
        data={"csrf_token": page_csrf(ctv), "priority": "critical"},
        follow_redirects=True,
    )
    assert "không được đặt mức ưu tiên" in r.text
    from monitor.accounts.service import Actor, change_role, set_active

    change_role(db, Actor("qt", "127.0.0.1"), "ctv1", "leader", datetime.now(UTC))
    r = ctv.post(
        f"/cases/{case_id}/priority",
        data={"csrf_token": page_csrf(ctv), "priority": "critical"},
        follow_redirects=True,
    )
    assert "nay “mới”" in r.text
    set_active(db, Actor("qt", "127.0.0.1"), "ctv1", False, datetime.now(UTC))
    assert ctv.get("/").status_code == 302  # disabled: out at once


def test_session_timeouts(app, db):
    client = login(app, "ctv1")
    assert client.get("/").status_code == 200
    with db.write() as s:
        s.execute(update(WebSessionRow).values(last_seen_at=datetime.now(UTC) - timedelta(minutes=31)))
    assert client.get("/").status_code == 302  # idle
    client = login(app, "ctv1")
    with db.write() as s:
        s.execute(update(WebSessionRow).values(created_at=datetime.now(UTC) - timedelta(hours=13)))
    assert client.get("/").status_code == 302  # absolute


def test_feed_titles_stay_text(app, db):
    (case_id,) = seed_cases(db, 1)
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    from monitor.store.queue_tables import StoryRow

    with db.write() as s:
        story_id = s.scalar(select(CaseRow.story_id).where(CaseRow.id == case_id))
        s.execute(update(StoryRow).where(StoryRow.id == story_id).values(title=evil))
    client = login(app, "ctv1")
    for path in ("/", f"/cases/{case_id}"):
        html = client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_error_pages_are_vietnamese(app, db):
    client = login(app, "ctv1")
    r = client.get("/cases/999999")
    assert r.status_code == 404 and "Không tìm thấy" in r.text
    r = client.get("/logout")
    assert r.status_code == 405 and "Không được phép" in r.text


def test_admin_actions_need_an_admin_and_refusals_are_audited(app, db):
    from monitor.accounts.service import Actor, change_role, end_sessions, set_active
    from monitor.errors import PermissionDeniedError, TransitionError

    now = datetime.now(UTC)
    with pytest.raises(PermissionDeniedError, match="Chỉ quản trị"):
        change_role(db, Actor("ld", "10.1.2.3"), "ctv1", "admin", now)
    with db.read() as s:
        line = recent(s)[0]
    assert (line.actor, line.action, line.object, line.outcome, line.client_addr) == (
        "ld",
        "change_role",
        "ctv1",
        "refused",
        "10.1.2.3",
    )
    with pytest.raises(TransitionError, match="cuối cùng"):  # allowed, but it would leave no admin
        set_active(db, Actor("qt", "127.0.0.1"), "qt", False, now)
    login(app, "ctv1")
    login(app, "ctv1")
    assert end_sessions(db, Actor("qt", "127.0.0.1"), "ctv1", now) == 2


def test_search_page_finds_cases_and_articles_without_diacritics(app, db):
    (case_id,) = seed_cases(db, 1)
    from monitor.store.queue_tables import StoryArticleRow, StoryRow

    with db.write() as s:
        story = s.get(StoryRow, s.scalar(select(CaseRow.story_id).where(CaseRow.id == case_id)))
        story.title = "Đường dây lừa đảo ở Đắk Tô <b>x</b>"
        s.add(
            StoryArticleRow(article_id=story.first_article_id, story_id=story.id, joined_at=datetime.now(UTC))
        )
    client = login(app, "ctv1")
    html = client.get("/search", query_string={"q": "DUONG DAY lua dao dak to"}).text
    assert f'href="/cases/{case_id}"' in html and "Đường dây lừa đảo ở Đắk Tô &lt;b&gt;x&lt;/b&gt;" in html
    html = client.get("/search", query_string={"q": "vu viec so 0", "status": "closed"}).text
    assert f'href="/cases/{case_id}"' not in html  # the case is new: filtered out
    html = client.get("/search", query_string={"q": "vu viec so 0", "status": "mới", "tone": "tiêu cực"}).text
    assert f'href="/cases/{case_id}"' in html
    assert "Không có bài viết nào khớp" not in html  # its article "Vụ việc số 0" matches too
    assert f"vụ việc #{case_id}</a> (mới)" in html


def test_queue_filters_paging_and_polling(app, db):
    ids = seed_cases(db, 3)
    from monitor.store.queue_tables import StoryRow

    with db.write() as s:
        story_id = s.scalar(select(CaseRow.story_id).where(CaseRow.id == ids[2]))
        s.execute(update(StoryRow).where(StoryRow.id == story_id).values(topic="ma_tuy", tone="tich_cuc"))
        s.execute(update(CaseRow).where(CaseRow.id == ids[1]).values(priority="critical", priority_rank=0))
    client = login(app, "ctv1")

    def shown(**args):
        html = client.get("/", query_string=args).text
        return [int(x) for x in re.findall(r'<tr data-case="(\d+)"', html)], html

    assert shown()[0][0] == ids[1]  # critical first
    assert shown(topic="ma túy")[0] == [ids[2]]
    assert shown(tone="tích cực", status="mới")[0] == [ids[2]]
    assert shown(priority="khẩn cấp")[0] == [ids[1]]
    assert shown(status="đã đóng")[0] == []
    lines, html = shown(tone="rất tệ")
    assert "Sắc thái “rất tệ” không hợp lệ" in html and len(lines) == 3  # refused, the default listing shown
    _, html = shown(**{"from": "32/13/2026"})
    assert "dd/mm/yyyy" in html
    # polling: the rows fragment alone, with a case that arrived since the page was drawn
    (new_id,) = seed_cases(db, 1)
    fragment = client.get("/queue/rows", headers={"HX-Request": "true"}).text
    assert fragment.startswith('<div id="queue"') and f'data-case="{new_id}"' in fragment
    app.extensions["monitor"] = replace(
        app.extensions["monitor"], settings=replace(app.extensions["monitor"].settings, page_size=2)
    )
    lines, html = shown()
    assert len(lines) == 2 and "trang 1/2" in html and "Trang sau" in html
    assert len(shown(page="2")[0]) == 2


def test_leader_assigns_one_and_many_and_collaborator_corrects_labels(app, db):
    ids = seed_cases(db, 3)
    leader = login(app, "ld")
    token = page_csrf(leader)
    r = leader.post(
        f"/cases/{ids[0]}/assign", data={"csrf_token": token, "assignee": "ctv2"}, follow_redirects=True
    )
    assert "đã giao việc" in r.text and "Trần Thị Bình" in r.text
    r = leader.post(
        "/queue/bulk",
        data={
            "csrf_token": token,
            "case": [str(ids[1]), str(ids[2])],
            "bulk_action": "priority",
            "priority": "critical",
        },
        follow_redirects=True,
    )
    assert "Đã cập nhật 2 vụ việc" in r.text
    r = leader.post(
        "/queue/bulk",
        data={"csrf_token": token, "case": [str(ids[1])], "bulk_action": "assign", "assignee": "bcv"},
        follow_redirects=True,
    )
    assert "chỉ giao vụ việc cho cộng tác viên" in r.text.lower()
    html = login(app, "ctv2").get("/", query_string={"assigned": "ctv2"}).text
    assert re.findall(r'<tr data-case="(\d+)"', html) == [str(ids[0])]
    # a collaborator may not assign, and the refusal is the domain's
    ctv = login(app, "ctv1")
    r = ctv.post(
        f"/cases/{ids[0]}/assign",
        data={"csrf_token": page_csrf(ctv), "assignee": "ctv1"},
        follow_redirects=True,
    )
    assert "không được giao việc" in r.text
    # one-click tone correction: stored as a correction and shown in the history
    r = ctv.post(
        f"/cases/{ids[0]}/correct",
        data={"csrf_token": page_csrf(ctv), "correct_tone": "trung_tinh"},
        follow_redirects=True,
    )
    assert "đã sửa nhãn" in r.text and "sửa nhãn" in r.text
    assert '<span class="detail">sắc thái → trung tính</span>' in r.text  # the history says what changed
    from monitor.store.queue_tables import CorrectionRow

    with db.read() as s:
        rows = s.execute(select(CorrectionRow.case_id, CorrectionRow.tone, CorrectionRow.topic)).all()
    assert rows == [(ids[0], "trung_tinh", None)]


def test_refused_case_actions_are_audited(app, db):
    (case_id,) = seed_cases(db, 1)
    reporter = login(app, "bcv")
    with db.read() as s:
        before = get_case(s, case_id)
    r = reporter.post(f"/cases/{case_id}/claim", data={"csrf_token": page_csrf(reporter)})
    assert r.status_code == 403 and "Vai trò báo cáo viên không được nhận xác minh" in r.text
    with db.read() as s:
        assert get_case(s, case_id) == before  # nothing changed
        line = recent(s)[0]
    assert (line.actor, line.action, line.object, line.outcome) == (
        "bcv",
        "case_claim",
        f"case {case_id}",
        "refused",
    )
    assert "không được nhận xác minh" in line.detail and line.client_addr == "127.0.0.1"


def test_a_forbidden_bulk_action_is_audited_answered_403_and_changes_nothing(app, db):
    ids = seed_cases(db, 3)
    with db.read() as s:
        before = [get_case(s, i) for i in ids]
    ctv = login(app, "ctv1")  # a collaborator may not set priorities
    r = ctv.post(
        "/queue/bulk",
        data={
            "csrf_token": page_csrf(ctv),
            "case": [str(i) for i in ids],
            "bulk_action": "priority",
            "priority": "critical",
        },
    )
    assert r.status_code == 403 and "không được đặt mức ưu tiên" in r.text
    with db.read() as s:
        assert [get_case(s, i) for i in ids] == before
        refused = [x for x in recent(s) if x.outcome == "refused"]
    assert [(x.actor, x.action, x.object, x.client_addr) for x in refused] == [
        ("ctv1", "case_set_priority", f"case {ids[0]}", "127.0.0.1")
    ]  # one line: the role may not, so no case was tried after the first


def test_a_refusal_that_is_not_about_permission_is_a_message_not_an_audit_line(app, db):
    (case_id,) = seed_cases(db, 1)
    first, second = login(app, "ctv1"), login(app, "ctv2")
    first.post(f"/cases/{case_id}/claim", data={"csrf_token": page_csrf(first)})
    r = first.post(f"/cases/{case_id}/verify", data={"csrf_token": page_csrf(first)}, follow_redirects=True)
    assert "Hãy chọn kết luận xác minh" in r.text  # the domain's input check, not the route's
    r = second.post(f"/cases/{case_id}/claim", data={"csrf_token": page_csrf(second)}, follow_redirects=True)
    assert r.status_code == 200 and "đang do Nguyễn Văn An (ctv1)" in r.text  # the case is taken
    with db.read() as s:
        assert [x for x in recent(s) if x.outcome == "refused"] == []


def test_a_refusal_is_audited_once_whoever_catches_it(db):
    from monitor.accounts.service import Actor, change_role, pause_source, record_refusal
    from monitor.errors import PermissionDeniedError

    seed_accounts(db)
    now = datetime.now(UTC)
    with pytest.raises(PermissionDeniedError) as err:
        change_role(db, Actor("ld", "10.1.2.3"), "ctv1", "admin", now)
    record_refusal(db, Actor("ld", "10.1.2.3"), err.value, now)  # the web handler sees it again: no line
    with pytest.raises(PermissionDeniedError):
        pause_source(db, Actor("ld", "10.1.2.3"), "baokontum", True, now)
    with db.read() as s:
        assert [(x.actor, x.action, x.object) for x in recent(s) if x.outcome == "refused"] == [
            ("ld", "pause_source", "baokontum"),
            ("ld", "change_role", "ctv1"),
        ]


def test_disabling_a_user_in_the_web_app_releases_their_claims(app, db):
    ids = seed_cases(db, 2)
    ctv = login(app, "ctv1")
    for case_id in ids:
        r = ctv.post(f"/cases/{case_id}/claim", data={"csrf_token": page_csrf(ctv)}, follow_redirects=True)
        assert "nay “đang xác minh”" in r.text
    admin = login(app, "qt")
    r = admin.post("/admin/users/ctv1/disable", data={"csrf_token": page_csrf(admin)}, follow_redirects=True)
    assert "Đã khóa tài khoản ctv1" in r.text
    assert ctv.get("/").status_code == 302  # their sessions ended
    with db.read() as s:
        for case_id in ids:
            case = get_case(s, case_id)
            assert (case.state, case.holder, case.claim_expires_at) == ("new", None, None)
            last = case_events(s, case_id)[-1]
            assert (last.action, last.actor, last.to_state) == ("release", "qt", "new")  # an admin release
            assert "ctv1" in last.note and "vô hiệu hóa" in last.note
        line = recent(s)[0]
    assert (line.actor, line.action, line.object, line.outcome) == ("qt", "disable_user", "ctv1", "ok")
    assert all(f"#{i}" in line.detail for i in ids)
    page = admin.get(f"/cases/{ids[0]}").text
    assert "đang xử lý bởi" not in page


def test_throttle_per_client_address(app, db):
    client = app.test_client()
    token = csrf_of(client.get("/login").text)
    for i in range(20):  # twenty names, one address: under the per-account limit every time
        r = client.post(
            "/login", data={"username": f"ai-{i}", "password": "sai-mat-khau-1", "csrf_token": token}
        )
        assert r.status_code == 401
    r = client.post("/login", data={"username": "ctv1", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 401 and "quá nhiều lần" in r.text


def test_autoescape_covers_every_template(app):
    """Flask autoescapes .html/.htm/.xml/.xhtml/.svg only: every template must have one of those endings."""
    from pathlib import Path

    folder = Path(app.root_path) / "templates"
    names = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]
    assert names and all(app.select_jinja_autoescape(n) for n in names), names
    assert all(n.endswith(".html") for n in names)
    assert not app.select_jinja_autoescape("x.txt")  # the rule is by extension: a .txt would not be escaped


def test_a_page_reads_in_one_transaction_and_a_post_still_sees_its_write(app, db):
    from sqlalchemy import event

    (case_id,) = seed_cases(db, 1)
    ld = login(app, "ld")
    ld.get(f"/cases/{case_id}")  # the first page of a session may store its CSRF token (a write)
    checkouts: list[object] = []
    event.listen(db.engine.pool, "checkout", lambda *a: checkouts.append(a))
    for path in (f"/cases/{case_id}", "/", "/search?q=cong+an"):
        checkouts.clear()
        assert ld.get(path).status_code == 200
        # session, user, case, story, history, response section: one pooled connection for the page
        assert len(checkouts) == 1, path
    assert db.engine.pool.checkedout() == 0
    # a POST is not a page: its write commits and the page it leads to shows it
    page = ld.get(f"/cases/{case_id}").text
    r = ld.post(
        f"/cases/{case_id}/priority",
        data={"csrf_token": csrf_of(page), "priority": "critical"},
        follow_redirects=True,
    )
    assert "nay “mới”" in r.text and 'class="badge prio-critical"' in r.text
    assert get_case_priority(db, case_id) == "critical"


def get_case_priority(db, case_id):
    with db.read() as s:
        case = get_case(s, case_id)
    assert case is not None
    return case.priority
