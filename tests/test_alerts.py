"""Alerts through a real SMTP server and a real webhook: once per (case, event, recipient), grouped, quiet hours."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from digest_support import CONFIG_TOML, DAY_START, digest_config, seed_known_day
from servers import LocalServer, Reply
from smtp_server import SmtpServer, free_port

from monitor.alerts.rules import Waiting, in_quiet_hours, ready_batches
from monitor.alerts.service import run_alerts
from monitor.alerts.webhook import WebhookPoster
from monitor.config import AlertSettings
from monitor.mail import SmtpSender
from monitor.store import alert_outbox, outbox
from monitor.store.db import Database
from monitor.store.queue_tables import CaseEventRow, CaseRow

ROOT = Path(__file__).resolve().parents[1]
LEADER, CTV = "duc@ca.kontum.example", "an@ca.kontum.example"
OPENED = DAY_START - timedelta(hours=20)  # the critical case of the known day opened at 04:00 on 29/11


def _run(db: Database, port: int, now: datetime, extra: str = "", webhook: str | None = None):  # type: ignore[no-untyped-def]
    if webhook:
        extra += f'\nwebhook_url = "{webhook}"\n'
    config = digest_config(port, "[alerts]\n" + extra if extra else "")
    poster = WebhookPoster(config.alerts.webhook_url) if config.alerts.webhook_url else None
    return run_alerts(db, config, now, SmtpSender(config.smtp), poster)


def _to(srv: SmtpServer) -> Counter[str]:
    return Counter(r for rcpts, _ in srv.raw for r in rcpts)


def test_critical_case_alerts_once_even_when_the_stage_runs_twice(db: Database) -> None:
    ids = seed_known_day(db)
    with LocalServer() as hook, SmtpServer() as srv:
        hook.route("/relay", Reply(status=200, body=b"ok"))
        url = hook.url("/relay")
        early = _run(db, srv.port, OPENED + timedelta(minutes=1), webhook=url)
        assert early.queued == 3 and early.sent == 0  # leader, collaborator, webhook: waiting to group
        for minutes in (5, 6, 30):
            _run(db, srv.port, OPENED + timedelta(minutes=minutes), webhook=url)
    assert _to(srv) == Counter([LEADER, CTV])
    msg = srv.received()[0]
    assert msg["Subject"] == f"[KHẨN] Tin khẩn cấp — vụ việc #{ids['critical']}"
    body = msg.get_body(("plain",)).get_content()
    assert "mức ưu tiên khẩn cấp, phải xử lý trước 06:00 29/11/2026" in body
    assert f"https://giamsat.ca.kontum.example/cases/{ids['critical']}" in body
    assert hook.hits["/relay"] == 1
    payload = json.loads(hook.requests[0].body)
    assert payload["alerts"][0]["case_id"] == ids["critical"] and payload["alerts"][0]["urgent"] is True
    assert payload["alerts"][0]["url"].endswith(f"/cases/{ids['critical']}")
    with db.read() as s:
        assert {st for _, _, st in alert_outbox.sent_to(s, ids["critical"])} == {"sent"}


def test_several_alerts_for_one_person_make_one_mail(db: Database) -> None:
    ids = seed_known_day(db)
    with SmtpServer() as srv:
        now = DAY_START - timedelta(hours=12)  # 12:00 on 29/11: opened critical, overdue since 06:00
        _run(db, srv.port, now)
        _run(db, srv.port, now + timedelta(minutes=5))
    assert _to(srv) == Counter([LEADER, CTV])  # critical + overdue, grouped into one mail each
    for msg in srv.received():
        assert msg["Subject"] == "[KHẨN] 2 cảnh báo từ hệ thống giám sát báo chí"
        body = msg.get_body(("plain",)).get_content()
        assert "Tin khẩn cấp" in body and "Quá hạn xử lý" in body
        assert body.count(f"/cases/{ids['critical']}") == 2


def _draft(db: Database, case_id: int, at: datetime, actor: int) -> None:
    with db.write() as s:
        case = s.get(CaseRow, case_id)
        case.state, case.version = "response_drafted", case.version + 1
        s.add(
            CaseEventRow(
                case_id=case_id,
                at=at,
                actor_id=actor,
                action="submit",
                from_state="response_needed",
                to_state="response_drafted",
                version=case.version,
                note="",
                evidence=[],
                data={},
            )
        )


def test_quiet_hours_hold_all_but_critical(db: Database) -> None:
    ids = seed_known_day(db)
    night = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 23:00 on 30/11 in Vietnam
    _draft(db, ids["high"], night - timedelta(minutes=10), ids["bcv"])
    quiet = 'quiet_start = "22:00"\nquiet_end = "06:00"\nlookback_hours = 72\n'
    with SmtpServer() as srv:
        _run(db, srv.port, night, quiet)
        _run(db, srv.port, night + timedelta(minutes=5), quiet)
        at_night = [m["Subject"] for m in srv.received()]
        _run(db, srv.port, night + timedelta(hours=7, minutes=5), quiet)  # 06:05
    assert all(s.startswith("[KHẨN]") for s in at_night) and at_night
    later = list(srv.received()[len(at_night) :])
    assert [m["Subject"] for m in later] == [f"Chờ duyệt phản hồi — vụ việc #{ids['high']}"]
    assert later[0]["To"].addresses[0].addr_spec == LEADER


def test_assignment_by_someone_else_tells_the_assignee(db: Database) -> None:
    ids = seed_known_day(db)
    at = DAY_START + timedelta(hours=9, minutes=30)
    with db.write() as s:
        case = s.get(CaseRow, ids["high"])
        case.state, case.claimed_by, case.claim_expires_at, case.version = (
            "in_review",
            ids["ctv"],
            at + timedelta(hours=1),
            2,
        )
        for actor, assignee in ((ids["ld"], "ctv1"), (ids["ctv"], "ctv1")):
            s.add(
                CaseEventRow(
                    case_id=ids["high"],
                    at=at,
                    actor_id=actor,
                    action="assign" if actor == ids["ld"] else "claim",
                    from_state="new",
                    to_state="in_review",
                    version=2,
                    note="",
                    evidence=[],
                    data={"assignee": assignee},
                )
            )
    with SmtpServer() as srv:
        _run(db, srv.port, at + timedelta(minutes=1))  # queued
        _run(db, srv.port, at + timedelta(minutes=5))  # the group window has passed: sent
    assigned = [m for m in srv.received() if "Được giao xử lý" in m["Subject"]]
    assert [m["To"].addresses[0].addr_spec for m in assigned] == [CTV]
    assert "vừa được giao cho ctv1 xử lý" in assigned[0].get_body(("plain",)).get_content()


def test_mail_server_down_then_up_delivers_each_alert_once(db: Database) -> None:
    seed_known_day(db)
    port = free_port()
    now = OPENED + timedelta(minutes=5)
    _run(db, port, OPENED + timedelta(minutes=1))  # queued
    report = _run(db, port, now)
    assert report.retry == 2 and report.sent == 0
    with SmtpServer(port) as srv:
        _run(db, port, now + timedelta(minutes=1))  # retry not due yet (2 minutes)
        assert srv.raw == []
        _run(db, port, now + timedelta(minutes=3))
        _run(db, port, now + timedelta(minutes=10))
    assert _to(srv) == Counter([LEADER, CTV])


def test_webhook_refusal_is_failed_and_mail_still_goes(db: Database) -> None:
    ids = seed_known_day(db)
    with LocalServer() as hook, SmtpServer() as srv:
        hook.route("/relay", Reply(status=404))
        for minutes in (1, 5):
            _run(db, srv.port, OPENED + timedelta(minutes=minutes), webhook=hook.url("/relay"))
    assert _to(srv) == Counter([LEADER, CTV])
    with db.read() as s:
        states = {(r, st) for _, r, st in alert_outbox.sent_to(s, ids["critical"])}
    assert ("webhook", "failed") in states


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [
        (21, 59, False),
        (22, 0, True),
        (23, 30, True),
        (0, 10, True),
        (5, 59, True),
        (6, 0, False),
        (12, 0, False),
    ],
)
def test_quiet_hours_span_midnight(hour: int, minute: int, quiet: bool) -> None:
    settings = AlertSettings(quiet_start="22:00", quiet_end="06:00")
    local = datetime(2026, 12, 1, hour, minute, tzinfo=UTC) - timedelta(hours=7)  # that local time in UTC
    assert in_quiet_hours(local, settings) is quiet


def test_batches_wait_for_the_group_window() -> None:
    settings = AlertSettings(group_minutes=3)
    t0 = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    waiting = [
        Waiting(1, "a@x.vn", False, t0),
        Waiting(2, "a@x.vn", False, t0 + timedelta(minutes=2)),
        Waiting(3, "b@x.vn", True, t0 + timedelta(minutes=2)),
    ]
    assert ready_batches(waiting, t0 + timedelta(minutes=2), settings) == []
    assert ready_batches(waiting, t0 + timedelta(minutes=3), settings) == [[1, 2]]
    assert ready_batches(waiting, t0 + timedelta(minutes=5), settings) == [[1, 2], [3]]


def _cli(tmp_path: Path, db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "sources.toml"
    config.write_text(CONFIG_TOML.format(port=free_port(), extra=""), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "250"}
    cmd = [sys.executable, "-m", "monitor", "--config", str(config), "--db", db_url, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)


def test_users_get_an_email_address(db_url: str, tmp_path: Path) -> None:
    done = _cli(
        tmp_path,
        db_url,
        "users",
        "add",
        "ld.duc",
        "--role",
        "lãnh đạo",
        "--name",
        "Phạm Minh Đức",
        "--email",
        "duc@ca.kontum.example",
    )
    assert done.returncode == 0, done.stderr
    listed = _cli(tmp_path, db_url, "users", "list")
    assert "duc@ca.kontum.example" in listed.stdout
    bad = _cli(
        tmp_path,
        db_url,
        "users",
        "add",
        "ctv.an",
        "--role",
        "ctv",
        "--name",
        "An",
        "--email",
        "an\r\nBcc: x@y.vn",
    )
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "Địa chỉ thư" in bad.stderr and "không hợp lệ" in bad.stderr


def test_status_shows_daemon_digests_alerts_and_overdue_cases(db_url: str, tmp_path: Path) -> None:
    db = Database(db_url)
    ids = seed_known_day(db)
    with db.write() as s:  # a digest interrupted mid-send an hour ago, and a failed alert
        outbox.claim_digest(
            s,
            DAY_START.date(),
            "duc@ca.kontum.example",
            "<abc@ca.kontum.example>",
            datetime.now(UTC) - timedelta(hours=1),
        )
        alert_outbox.enqueue(
            s,
            [
                {
                    "case_id": ids["critical"],
                    "event": "critical",
                    "event_key": "critical",
                    "recipient": LEADER,
                    "recipient_name": "",
                    "urgent": True,
                    "reason": "…",
                    "title": "…",
                }
            ],
            datetime.now(UTC),
        )
    db.dispose()
    done = _cli(tmp_path, db_url, "status")
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    assert "Bộ lập lịch: KHÔNG chạy" in out
    assert "Tin Địa Phương" in out  # failing for 4 fetches in a row
    assert "bị gián đoạn" in out and "<abc@ca.kontum.example>" in out
    assert "hoa@ca.kontum.example" in out and "chưa gửi lần nào" in out
    assert "Cảnh báo: chờ gửi 1" in out
    assert "Vụ việc quá hạn (" in out and f"#{ids['critical']}" in out
