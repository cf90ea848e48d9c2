"""The daemon sends the due digest on start (catch-up) and never twice across restarts (real processes)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from smtp_server import SmtpServer
from test_cli_process import monitor_cmd, wait_for

from monitor.store import leases, outbox
from monitor.store.db import Database

CONFIG = """
[[digest.recipient]]
name = "Đại tá Phạm Minh Đức"
address = "duc@ca.kontum.example"

[[digest.recipient]]
name = "Trung tá Lê Thị Hoa"
address = "hoa@ca.kontum.example"

[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
timeout = 5
"""


def _daemon(config: Path, db_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        monitor_cmd(config, db_url, "-v", "run", "--no-analysis", "--tick", "3600"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
    return err


def test_daemon_down_at_send_time_sends_once_when_back_and_not_again_after_restart(
    db_url: str, tmp_path: Path
) -> None:
    with SmtpServer() as srv:
        config = tmp_path / "sources.toml"
        config.write_text(CONFIG.format(port=srv.port), encoding="utf-8")
        first = _daemon(config, db_url)
        try:
            assert wait_for(lambda: len(srv.raw) >= 2, timeout=60), "the catch-up never sent the digest"
        finally:
            err = _stop(first)
        assert "Traceback" not in err, err
        second = _daemon(config, db_url)  # restarted after sending
        try:
            db = Database(db_url)
            try:

                def leased() -> bool:
                    with db.read() as s:
                        return leases.current(s, "scheduler") is not None

                assert wait_for(leased, timeout=60), "the second daemon never started"
                time.sleep(3)  # time for the catch-up of the second process to run
                with db.read() as s:
                    assert {e.state for e in outbox.latest_digest_entries(s)} == {"sent"}
            finally:
                db.dispose()
        finally:
            err = _stop(second)
        # the second process did run its catch-up (and it found everything sent)
        assert re.search(r"trigger: interval\[0:01:00\].*executed successfully", err), err
    assert sorted(r for rcpts, _ in srv.raw for r in rcpts) == [
        "duc@ca.kontum.example",
        "hoa@ca.kontum.example",
    ]
    subjects = {m["Subject"] for m in srv.received()}
    assert len(subjects) == 1 and next(iter(subjects)).startswith("Bản tin dư luận ngày ")
