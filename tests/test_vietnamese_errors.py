"""Everything a user reads is Vietnamese: no traceback, no English from the OS, SQLite, TOML or HTTP."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.cli.fetch import format_interrupted, offline_hint
from monitor.pipeline.ingest import SourceReport
from monitor.store.db import Database
from tests.pipeline_helpers import numbered_items, rss, write_config
from tests.servers import LocalServer, Reply

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = ("Traceback", "No such file", "not a database", "readonly database", "Error:", "None”", "“None")


def monitor(
    tmp_path: Path, *args: str, db: str | None = None, config: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a fresh interpreter, as a user would."""
    base = ["--config", str(config or ROOT / "sources.toml"), "--db", db or f"sqlite:///{tmp_path / 'm.db'}"]
    cmd = [sys.executable, "-c", "from monitor.cli import main; main()", *base, *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "250"}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)


def _vietnamese_failure(done: subprocess.CompletedProcess[str], words: str) -> None:
    assert done.returncode == 1, done.stderr
    assert words in done.stderr, done.stderr
    for english in ENGLISH:
        assert english not in done.stderr + done.stdout, done.stderr
    assert len(done.stderr.strip().splitlines()) <= 2  # one sentence (a config notice may precede it)


def test_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    (tmp_path / "hong.db").write_text("Đây không phải cơ sở dữ liệu, chỉ là chữ.\n" * 50, encoding="utf-8")
    done = monitor(tmp_path, "sources", db=f"sqlite:///{tmp_path / 'hong.db'}")
    _vietnamese_failure(done, "Tệp cơ sở dữ liệu không phải SQLite hoặc đã hỏng")


def test_a_corrupted_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "hu.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    db.dispose()
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the first page (schema) overwritten
    path.write_bytes(bytes(data))
    done = monitor(tmp_path, "sources", db=f"sqlite:///{path}")
    _vietnamese_failure(done, "Tệp cơ sở dữ liệu không phải SQLite hoặc đã hỏng")


def test_an_unsupported_database(tmp_path: Path) -> None:
    done = monitor(tmp_path, "sources", db="mysql://x")
    _vietnamese_failure(done, "Cơ sở dữ liệu “mysql” không được hỗ trợ: chỉ dùng SQLite hoặc PostgreSQL")


def test_a_read_only_database(tmp_path: Path) -> None:
    path = tmp_path / "chi-doc.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    db.dispose()
    done = monitor(
        tmp_path,
        "users",
        "add",
        "qt",
        "--role",
        "admin",
        "--name",
        "Quản Trị",
        db=f"sqlite:///file:{path}?mode=ro&uri=true",
    )
    _vietnamese_failure(done, "Cơ sở dữ liệu chỉ cho đọc")


@pytest.mark.parametrize("manifest", ["{", '{"ten": "khong co version"}', None])
def test_a_bad_models_directory(tmp_path: Path, manifest: str | None) -> None:
    models = tmp_path / "models"
    shutil.copytree(ROOT / "monitor" / "models", models)
    if manifest is None:
        (models / "tone.bin").write_bytes(b"hong")
    else:
        (models / "manifest.json").write_text(manifest, encoding="utf-8")
    done = monitor(tmp_path, "--models", str(models), "reanalyze", "--workers", "0")
    _vietnamese_failure(done, f"Thư mục mô hình {models} không dùng được")


def test_os_errors_are_translated(tmp_path: Path) -> None:
    done = monitor(tmp_path, "export", "--output", str(tmp_path / "khong-co" / "bai.csv"))
    _vietnamese_failure(done, "không tìm thấy tệp hoặc thư mục")


def test_toml_errors_from_the_cli(tmp_path: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text('[[source]]\nkey = "bao"\nname = Báo Thử\n', encoding="utf-8")
    done = monitor(tmp_path, "sources", config=bad)
    _vietnamese_failure(done, "sources.toml, dòng 3, cột 8: sai cú pháp TOML — giá trị không hợp lệ")
    assert "Invalid value" not in done.stderr


def test_http_reasons_are_vietnamese(tmp_path: Path) -> None:
    with LocalServer() as srv:
        srv.route("/a.rss", Reply(status=429, body=b"slow down", headers={"Retry-After": "60"}))
        config = write_config(tmp_path / "sources.toml", {"a": srv.url("/a.rss")})
        done = monitor(tmp_path, "fetch", "--no-analysis", config=config)
    assert "429 (gửi yêu cầu quá dày)" in done.stdout
    assert "Too Many Requests" not in done.stdout + done.stderr


def test_no_none_in_case_messages(tmp_path: Path) -> None:
    for args in (["case", "1", "lam-gi", "--as", "ai"], ["case", "1", "verify", "--as", "ai"]):
        done = monitor(tmp_path, *args)
        assert done.returncode != 0 and "None" not in done.stderr + done.stdout, done.stderr
        assert "Traceback" not in done.stderr


def test_csv_export_starts_with_a_bom(tmp_path: Path) -> None:
    out = tmp_path / "bai.csv"
    assert monitor(tmp_path, "export", "--format", "csv", "--output", str(out)).returncode == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfurl,")
    piped = monitor(tmp_path, "export", "--format", "csv")
    assert piped.stdout.startswith("\ufeffurl,")
    jsonl = monitor(tmp_path, "export")
    assert not jsonl.stdout.startswith("\ufeff")


def test_every_source_failing_on_dns_suggests_the_demo(tmp_path: Path) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(
        "".join(
            f'[[source]]\nkey = "bao-{i}"\nname = "Báo {i}"\nurl = "https://bao-{i}.invalid/rss"\n\n'
            for i in range(3)
        ),
        encoding="utf-8",
    )
    done = monitor(tmp_path, "fetch", "--no-analysis", config=config)
    assert done.returncode == 2
    assert "máy này có vẻ chưa kết nối Internet" in done.stdout and "monitor demo" in done.stdout


def test_offline_hint_only_when_every_source_failed_on_dns() -> None:
    dns = SourceReport("a", "A", status="failed", error="Không phân giải được tên miền", error_kind="dns")
    other = SourceReport("b", "B", status="failed", error="Máy chủ trả về lỗi 500", error_kind="transient")
    ok = SourceReport("c", "C", status="ok", new=3)
    assert offline_hint([dns, dns]) is not None
    assert offline_hint([dns, other]) is None and offline_hint([dns, ok]) is None and offline_hint([]) is None


def test_interrupted_message_says_what_was_kept() -> None:
    done = [
        SourceReport("a", "A", status="ok", new=12, updated=1),
        SourceReport("b", "B", status="not_modified"),
    ]
    text = format_interrupted(done, 11, "ingest")
    assert text == (
        "Đã dừng theo yêu cầu (đang ở bước “Tải nguồn tin”). Đã lưu kết quả của 2/11 nguồn: 12 bài mới, "
        "1 bài cập nhật. Phần chưa xong sẽ được làm tiếp ở lần chạy sau."
    )


def test_ctrl_c_during_fetch_says_what_was_kept(tmp_path: Path) -> None:
    with LocalServer() as srv:
        srv.route("/nhanh.rss", Reply(body=rss(numbered_items(4)), content_type="application/rss+xml"))
        srv.route("/cham.rss", Reply(hang=True))
        config = write_config(
            tmp_path / "sources.toml", {"nhanh": srv.url("/nhanh.rss"), "cham": srv.url("/cham.rss")}
        )
        cmd = [
            sys.executable,
            "-c",
            "from monitor.cli import main; main()",
            "--config",
            str(config),
            "--db",
            f"sqlite:///{tmp_path / 'm.db'}",
            "fetch",
            "--no-analysis",
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "250"}
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path
        )
        try:
            end = time.monotonic() + 60
            while srv.hits["/cham.rss"] == 0 and time.monotonic() < end:
                time.sleep(0.1)
            time.sleep(1.5)  # the fast source is stored meanwhile; the slow one hangs
            proc.send_signal(signal.SIGINT)
            _out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 130, err
    assert "Đã dừng theo yêu cầu" in err and "Đã lưu kết quả của 1/2 nguồn: 4 bài mới" in err, err
    assert "Traceback" not in err
