"""Whole processes: kill -9 mid-pass then a clean resume; two `monitor run` on one database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from monitor.store.db import Database
from monitor.store.tables import ArticleRow, LeaseRow
from tests.pipeline_helpers import numbered_items, rss, write_config
from tests.servers import LocalServer, Reply


def monitor_cmd(config: Path, db_url: str, *args: str) -> list[str]:
    """The argv of a `monitor` invocation in a fresh interpreter."""
    return [
        sys.executable,
        "-c",
        "from monitor.cli import main; main()",
        "--config",
        str(config),
        "--db",
        db_url,
        *args,
    ]


def wait_for(predicate, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    """Poll until predicate() is true or the timeout passes."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _articles(db_url: str) -> int:
    db = Database(db_url)
    try:
        with db.read() as s:
            return s.scalar(select(func.count()).select_from(ArticleRow)) or 0
    finally:
        db.dispose()


def test_kill_mid_pass_loses_nothing_and_resume_duplicates_nothing(db_url: str, tmp_path: Path) -> None:
    with LocalServer() as srv:
        urls = {}
        for i in range(6):
            body = rss(numbered_items(10, prefix=f"s{i}"))
            slow = i >= 3
            srv.route(
                f"/s{i}.rss", Reply(body=body, content_type="application/rss+xml", delay=60 if slow else 0)
            )
            urls[f"s{i}"] = srv.url(f"/s{i}.rss")
        config = write_config(tmp_path / "sources.toml", urls)
        proc = subprocess.Popen(
            monitor_cmd(config, db_url, "fetch", "--no-pages", "--no-analysis"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert wait_for(lambda: _articles(db_url) >= 30), "the fast sources were never stored"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        assert _articles(db_url) == 30  # everything already fetched survived the kill
        for i in range(3, 6):  # the slow outlets recover
            srv.route(
                f"/s{i}.rss",
                Reply(body=rss(numbered_items(10, prefix=f"s{i}")), content_type="application/rss+xml"),
            )
        done = subprocess.run(
            monitor_cmd(config, db_url, "fetch", "--no-pages", "--no-analysis"),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    assert _articles(db_url) == 60
    assert "Kết quả thu thập" in done.stdout


def test_second_scheduler_on_same_database_exits_with_message(db_url: str, tmp_path: Path) -> None:
    with LocalServer() as srv:
        srv.route("/a.rss", Reply(body=rss(numbered_items(3)), content_type="application/rss+xml"))
        config = write_config(tmp_path / "sources.toml", {"a": srv.url("/a.rss")})
        first = subprocess.Popen(
            monitor_cmd(config, db_url, "run", "--no-analysis", "--tick", "3600"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        db = Database(db_url)
        try:

            def leased() -> bool:
                with db.read() as s:
                    return s.scalar(select(func.count()).select_from(LeaseRow)) == 1

            assert wait_for(leased), "the first scheduler never took the lease"
            assert wait_for(lambda: _articles(db_url) == 3), "the first scheduler's pass did not run"
            second = subprocess.run(
                monitor_cmd(config, db_url, "run", "--no-analysis"),
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert second.returncode == 1
            assert "Một tiến trình `monitor run` khác" in second.stderr
            assert "Traceback" not in second.stderr
            first.send_signal(signal.SIGTERM)
            _out, err = first.communicate(timeout=30)
            assert first.returncode == 0, err
            assert "Đã dừng bộ lập lịch" in err
            with db.read() as s:  # a graceful stop gives the lease back
                assert s.scalar(select(func.count()).select_from(LeaseRow)) == 0
        finally:
            if first.poll() is None:
                os.kill(first.pid, signal.SIGKILL)
            db.dispose()
