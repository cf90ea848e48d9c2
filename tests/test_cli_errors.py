"""Bad input on the command line gets a sentence, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--db", "bogus", "sources"], "Địa chỉ cơ sở dữ liệu không hợp lệ"),
        (
            ["--db", "sqlite:////nonexistent/dir/x.db", "sources"],
            "Không mở được tệp cơ sở dữ liệu",
        ),
        (["--db", "postgresql+psycopg://postgres@127.0.0.1:1/test", "sources"], "Không kết nối"),
        (["export", "--format", "xml"], "chỉ nhận jsonl hoặc csv"),
        (["export", "--since", "31/02/2026"], "không hợp lệ"),
        (["export", "--output", "/nonexistent/dir/out.jsonl"], "Lỗi tệp"),
        (["--config", "/nonexistent/sources.toml", "sources"], "Không tìm thấy tệp cấu hình"),
        (["fetch", "--source", "khong-co"], 'Không có nguồn tin với khóa "khong-co"'),
        (["case", "999", "claim", "--as", "ai-do"], ""),
    ],
)
def test_errors_are_sentences(args: list[str], expected: str, tmp_path: Path) -> None:
    base = ["--config", str(ROOT / "sources.toml"), "--db", f"sqlite:///{tmp_path / 'm.db'}"]
    cmd = [sys.executable, "-c", "from monitor.cli import main; main()", *base, *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr
    assert expected in done.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["nosuchcommand"], "không có lệnh 'nosuchcommand'"),
        (["case", "abc"], "cần một số nguyên"),
        (["users", "add", "ctv.an", "--role", "collaborator"], "thiếu tùy chọn --name"),
        (["queue", "--page", "0"], "cần lớn hơn hoặc bằng 1"),
        (["queue", "--bogus"], "không có tùy chọn --bogus"),
    ],
)
def test_usage_errors_are_vietnamese(args: list[str], expected: str, tmp_path: Path) -> None:
    base = ["--config", str(ROOT / "sources.toml"), "--db", f"sqlite:///{tmp_path / 'm.db'}"]
    cmd = [sys.executable, "-c", "from monitor.cli import main; main()", *base, *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2
    assert expected in done.stderr and "Traceback" not in done.stderr
    assert "--help" in done.stderr
