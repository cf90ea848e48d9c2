"""The daemon after kill -9, while waiting, and what it prints: startup line, one line per pass."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.cli.run import format_pass, format_waiting
from monitor.pipeline import PassReport
from monitor.pipeline.analyse import AnalyseReport
from monitor.pipeline.ingest import SourceReport
from monitor.pipeline.queue import QueueReport
from monitor.scheduler import holder_is_gone
from monitor.store import leases
from monitor.store.db import Database
from monitor.store.tables import LeaseRow
from tests.pipeline_helpers import numbered_items, rss, write_config
from tests.servers import LocalServer, Reply
from tests.test_cli_process import monitor_cmd, wait_for

HOST = socket.gethostname()


@pytest.mark.parametrize(
    ("holder", "alive", "gone"),
    [
        (f"{HOST}:4242", set(), True),  # this host, no such process
        (f"{HOST}:4242", {4242}, False),  # this host, still running
        ("other-host:4242", set(), False),  # another machine: only expiry frees it
        (f"{HOST}:abc", set(), False),
        ("", set(), False),
    ],
)
def test_holder_is_gone(holder: str, alive: set[int], gone: bool) -> None:
    assert holder_is_gone(holder, HOST, lambda pid: pid in alive) is gone


def test_one_line_per_pass() -> None:
    report = PassReport(
        sources=[
            SourceReport("a", "A", status="ok", new=12),
            SourceReport("b", "B", status="not_modified"),
            SourceReport("c", "C", status="failed", error="Không phân giải được tên miền"),
        ],
        analysis=AnalyseReport(analysed=12, mentioned=4, flagged=2, queue=QueueReport(cases_opened=1)),
    )
    line = format_pass(report, 14.25, datetime(2026, 12, 1, 1, 5, tzinfo=UTC))
    assert line == (
        "08:05 01/12/2026 lượt chạy: 2/3 nguồn đã lấy, 12 bài mới, 4 bài nhắc đến mục tiêu, "
        "2 bài gắn cờ, 1 vụ việc mới, 1 nguồn lỗi, 14,2 giây."
    )


def test_waiting_says_for_whom_and_since_when() -> None:
    lease = leases.Lease(
        "scheduler", "may-chu:77", datetime(2026, 12, 1, 2, 0, tzinfo=UTC), datetime.now(UTC)
    )
    assert "Đang chờ: bộ lập lịch may-chu:77" in format_waiting(lease)
    assert "từ 09:00 01/12/2026" in format_waiting(lease)


def _holder(db_url: str) -> str | None:
    db = Database(db_url)
    try:
        with db.read() as s:
            return s.scalar(select(LeaseRow.holder))
    finally:
        db.dispose()


def test_restart_after_kill_9_takes_the_lease_at_once(db_url: str, tmp_path: Path) -> None:
    with LocalServer() as srv:
        srv.route("/a.rss", Reply(body=rss(numbered_items(3)), content_type="application/rss+xml"))
        config = write_config(tmp_path / "sources.toml", {"a": srv.url("/a.rss")})
        cmd = monitor_cmd(config, db_url, "run", "--no-analysis", "--tick", "3600")
        # The first daemon watches another source: had it fetched "a" before the kill, "a" would not be
        # due again for the second daemon's pass, and that pass would fetch nothing.
        other = write_config(tmp_path / "other.toml", {"z": "http://127.0.0.1:9/z.rss"})
        first_cmd = monitor_cmd(other, db_url, "run", "--no-analysis", "--tick", "3600")
        first = subprocess.Popen(first_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert wait_for(lambda: _holder(db_url) == f"{HOST}:{first.pid}"), "no lease taken"
        finally:
            first.kill()  # kill -9: the lease stays behind, unexpired, naming a dead process
            first.wait()
        second = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert wait_for(lambda: _holder(db_url) == f"{HOST}:{second.pid}", timeout=30), (
                "lease not taken over"
            )
            assert wait_for(lambda: srv.hits["/a.rss"] >= 1, timeout=30)
        finally:
            second.send_signal(signal.SIGTERM)
            _out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert f"Tiến trình {HOST}:{first.pid} đã dừng đột ngột" in err
    assert "Bộ lập lịch bắt đầu: cơ sở dữ liệu" in err and "sources.toml (1 nguồn)" in err
    assert "lượt chạy: 1/1 nguồn đã lấy" in err
    assert "Traceback" not in err


def test_run_wait_says_it_is_waiting_and_stops_quietly(db_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path / "sources.toml", {"a": "http://127.0.0.1:9/a.rss"})
    db = Database(db_url)
    db.migrate()
    since = datetime.now(UTC) - timedelta(minutes=3)
    with db.write() as s:  # a live holder: this test process itself
        leases.try_acquire(s, "scheduler", f"{HOST}:{os.getpid()}", since, timedelta(hours=1))
    db.dispose()
    waiting = subprocess.Popen(
        monitor_cmd(config, db_url, "run", "--wait", "--no-analysis"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        assert waiting.stderr is not None
        while not lines or "Đang chờ" not in lines[-1]:  # the notices first, then the waiting line
            line = waiting.stderr.readline()
            if not line:
                break
            lines.append(line)
    finally:
        waiting.send_signal(signal.SIGINT)
        _out, err = waiting.communicate(timeout=60)
    err = "".join(lines) + err
    assert f"Đang chờ: bộ lập lịch {HOST}:{os.getpid()}" in err
    assert "bắt đầu" not in err and "dùng --wait" not in err and "Traceback" not in err
    assert waiting.returncode == 0
