"""Sending the digest through a real SMTP server (aiosmtpd on 127.0.0.1): once per day and recipient, ever."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from digest_support import DAY, SEND_AT, digest_config, seed_known_day
from pipeline_helpers import run_together
from smtp_server import SmtpServer, free_port

from monitor.digest.service import send_day, send_due
from monitor.mail import SmtpSender
from monitor.store import outbox
from monitor.store.db import Database

READERS = ["duc@ca.kontum.example", "hoa@ca.kontum.example"]


def _send_due(db: Database, port: int, now=SEND_AT):  # type: ignore[no-untyped-def]
    config = digest_config(port)
    return send_due(db, config, now, SmtpSender(config.smtp))


def _recipients(srv: SmtpServer) -> Counter[str]:
    return Counter(r for rcpts, _ in srv.raw for r in rcpts)


def test_digest_mail_is_vietnamese_with_both_parts(db: Database) -> None:
    seed_known_day(db)
    with SmtpServer() as srv:
        outcomes = _send_due(db, srv.port)
    assert [o.state for o in outcomes] == ["sent", "sent"]
    assert _recipients(srv) == Counter(READERS)
    raw = srv.raw[0][1]
    assert b"Subject: =?utf-8?" in raw  # RFC 2047 on the wire
    msg = srv.received()[0]
    assert msg["Subject"] == "Bản tin dư luận ngày 30/11/2026"
    assert msg["To"].addresses[0].display_name == "Đại tá Phạm Minh Đức"
    assert msg["From"].addresses[0].addr_spec == "bantuyentruyen@ca.kontum.example"
    assert msg["Message-ID"] and msg["Date"]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Người dân xếp hàng từ 4 giờ sáng" in text and "Người dân xếp hàng từ 4 giờ sáng" in html
    assert "Bcc" not in msg and "victim@example.com" not in str(msg["To"])
    with db.read() as s:
        entry = outbox.digest_entry(s, DAY, READERS[0])
    assert entry is not None and entry.state == "sent" and entry.message_id == msg["Message-ID"]


def test_reader_with_targets_gets_a_cut_digest(db: Database) -> None:
    seed_known_day(db)
    with SmtpServer() as srv:
        _send_due(db, srv.port)
    by_to = {m["To"].addresses[0].addr_spec: m.get_body(("plain",)).get_content() for m in srv.received()}
    assert "Phạm vi: Công an tỉnh Kon Tum, Kon Tum" in by_to[READERS[0]]
    assert "Phạm vi: Công an tỉnh Kon Tum\n" in by_to[READERS[1]]


def test_restart_after_sending_sends_nothing_more(db_url: str) -> None:
    with SmtpServer() as srv:
        first = Database(db_url)
        seed_known_day(first)
        _send_due(first, srv.port)
        first.dispose()
        again = Database(db_url)  # a restarted daemon: new process, same database
        outcomes = _send_due(again, srv.port, SEND_AT + timedelta(minutes=1))
        again.dispose()
    assert {o.state for o in outcomes} == {"skipped"}
    assert _recipients(srv) == Counter(READERS)


def test_server_down_then_up_retries_and_delivers_once(db: Database) -> None:
    port = free_port()
    seed_known_day(db)
    down = _send_due(db, port)  # nobody listens: connection refused
    assert {o.state for o in down} == {"retry"}
    assert "Không kết nối được máy chủ thư" in down[0].detail
    assert {o.state for o in _send_due(db, port, SEND_AT + timedelta(minutes=1))} == {
        "skipped"
    }  # not due yet
    with SmtpServer(port) as srv:
        srv.refuse_with("451 4.3.0 Thử lại sau")
        later = _send_due(db, port, SEND_AT + timedelta(minutes=6))  # 4xx: still temporary
        assert {o.state for o in later} == {"retry"}
        srv.refuse_with(None)
        up = _send_due(db, port, SEND_AT + timedelta(minutes=30))
        assert {o.state for o in up} == {"sent"}
        _send_due(db, port, SEND_AT + timedelta(hours=2))
    assert _recipients(srv) == Counter(READERS)
    with db.read() as s:
        assert outbox.digest_entry(s, DAY, READERS[0]).attempts == 3  # type: ignore[union-attr]


def test_permanent_refusal_is_failed_and_not_retried(db: Database) -> None:
    seed_known_day(db)
    with SmtpServer() as srv:
        srv.refuse_with("554 5.7.1 Từ chối")
        assert {o.state for o in _send_due(db, srv.port)} == {"failed"}
        srv.refuse_with(None)
        assert {o.state for o in _send_due(db, srv.port, SEND_AT + timedelta(hours=3))} == {"skipped"}
    assert srv.raw == []
    with db.read() as s:
        assert outbox.digest_entry(s, DAY, READERS[0]).state == "failed"  # type: ignore[union-attr]


def test_two_daemons_at_once_send_once(db_url: str) -> None:
    handles = [Database(db_url) for _ in range(3)]
    seed_known_day(handles[0])
    turn = iter(handles)
    lock = threading.Lock()
    with SmtpServer() as srv:

        def work() -> None:
            with lock:
                mine = next(turn)
            _send_due(mine, srv.port)

        assert run_together(work, 3) == []
    for h in handles:
        h.dispose()
    assert _recipients(srv) == Counter(READERS)


def test_daemon_down_at_send_time_sends_once_when_back(db: Database) -> None:
    seed_known_day(db)
    back = SEND_AT + timedelta(hours=5)  # 12:30, long after 07:00
    with SmtpServer() as srv:
        assert {o.state for o in _send_due(db, srv.port, back)} == {"sent"}  # the catch-up on start
        assert {o.state for o in _send_due(db, srv.port, back + timedelta(minutes=1))} == {"skipped"}
    assert _recipients(srv) == Counter(READERS)


def test_crash_mid_send_is_left_for_an_operator(db: Database) -> None:
    seed_known_day(db)
    with db.write() as s:  # a process claimed the row, then died before the SMTP server answered
        assert outbox.claim_digest(s, DAY, READERS[0], "<x@ca.kontum.example>", SEND_AT)
    with SmtpServer() as srv:
        outcomes = _send_due(db, srv.port, SEND_AT + timedelta(hours=1))
    assert (outcomes[0].recipient, outcomes[0].state, outcomes[0].detail) == (
        READERS[0],
        "skipped",
        "sending",
    )
    assert _recipients(srv) == Counter([READERS[1]])
    with db.read() as s:
        assert [e.recipient for e in outbox.entries_in_state(s, "sending")] == [READERS[0]]


def test_force_sends_again(db: Database) -> None:
    seed_known_day(db)
    config = digest_config()
    with SmtpServer() as srv:
        config = digest_config(srv.port)
        send_day(db, config, DAY, SEND_AT, SmtpSender(config.smtp))
        send_day(db, config, DAY, SEND_AT, SmtpSender(config.smtp), force=True)
    assert _recipients(srv) == Counter(READERS * 2)
    ids = {m["Message-ID"] for m in srv.received()}
    assert len(ids) == 4


def test_chart_png_goes_inline_when_enabled(db: Database) -> None:
    from pathlib import Path

    from digest_support import CONFIG_TOML

    from monitor.config import parse_config

    seed_known_day(db)
    with SmtpServer() as srv:
        text = CONFIG_TOML.replace('time = "07:00"', 'time = "07:00"\nchart_png = true')
        config = parse_config(text.format(port=srv.port, extra=""), Path("sources.toml"))
        send_due(db, config, SEND_AT, SmtpSender(config.smtp))
    msg = srv.received()[0]
    html = msg.get_body(("html",)).get_content()
    [image] = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    cid = image["Content-ID"].strip("<>")
    assert cid == "chart-20261130@ca.kontum.example" and f'src="cid:{cid}"' in html
    assert 'alt="Biểu đồ số bài 8 ngày gần đây: 23/11: 3;' in html
    assert image.get_content().startswith(b"\x89PNG\r\n\x1a\n")
    assert "<table" in html  # the table-cell bars stay for readers who block images
