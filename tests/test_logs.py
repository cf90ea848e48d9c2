"""Logs keep their fields: one key=value format, so `extra=` fields appear in every line."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

from test_queue_support import seed_cases, seed_users

from monitor.logs import KeyValueFormatter
from monitor.store.db import Database

ROOT = Path(__file__).resolve().parents[1]


def test_extra_fields_follow_the_message() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(KeyValueFormatter())
    log = logging.getLogger("monitor.test_logs")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("queue stage retry", extra={"article_id": 42, "attempt": 2, "error": 'khóa "trùng" = 1'})
        try:
            raise ValueError("hỏng")
        except ValueError:
            log.exception("pass failed", extra={"source_key": "baokontum"})
    finally:
        log.removeHandler(handler)
    first, second, *trace = out.getvalue().splitlines()
    assert first.endswith(
        'WARNING monitor.test_logs queue stage retry article_id=42 attempt=2 error="khóa \\"trùng\\" = 1"'
    )
    assert second.endswith("ERROR monitor.test_logs pass failed source_key=baokontum")
    assert trace[-1] == "ValueError: hỏng"


def test_the_cli_writes_case_id_in_its_log_lines(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'logs.db'}"
    db = Database(url)
    db.migrate()
    seed_users(db)
    [case_id] = seed_cases(db, 1)
    db.dispose()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "monitor",
            "-v",
            "--db",
            url,
            "--config",
            str(ROOT / "sources.toml"),
            "case",
            str(case_id),
            "claim",
            "--as",
            "ctv1",
        ],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "case transition" in line]
    assert lines and f"case_id={case_id} action=claim state=in_review" in lines[0]
