"""Account rules as pure functions, the CLI password command, the secret key, vendored htmx."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.accounts.passwords import hash_password, password_problem, verify_password
from monitor.accounts.policy import AccountPolicy, client_address, session_alive, throttle_refusal
from monitor.errors import ConfigError
from monitor.web.settings import load_secret

ROOT = Path(__file__).resolve().parents[1]
HTMX_SHA256 = (
    "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"  # htmx.org 2.0.11 dist/htmx.min.js
)


@pytest.mark.parametrize(
    ("password", "username", "refused"),
    [
        ("ngắn-quá", "", "ít nhất 10"),
        ("matkhau123", "", "phổ biến"),
        ("MatKhau@2025", "", "phổ biến"),
        ("1234567890", "", "phổ biến"),
        ("aaaaaaaaaaaa", "", "phổ biến"),
        ("ctv.an-rất-dài-2026", "ctv.an", "tên đăng nhập"),
        ("Đồi thông Măng Đen 2026", "ctv.an", None),
        ("x" * 300, "", "dài quá"),
    ],
)
def test_password_rules(password, username, refused):
    problem = password_problem(password, username)
    assert (problem is None) if refused is None else (refused in problem)


def test_passwords_are_argon2id_and_verify():
    stored = hash_password("Đồi thông Măng Đen 2026")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "Đồi thông Măng Đen 2026")
    assert not verify_password(stored, "Đồi thông Măng Đen 2025")
    assert not verify_password(None, "anything at all")
    assert not verify_password("not-a-hash", "anything at all")


@pytest.mark.parametrize(
    ("remote", "header", "trusted", "expected"),
    [
        ("203.0.113.9", None, (), "203.0.113.9"),
        ("203.0.113.9", "1.2.3.4", (), "203.0.113.9"),  # untrusted peer: header ignored
        ("127.0.0.1", "1.2.3.4", ("127.0.0.1",), "1.2.3.4"),
        ("127.0.0.1", "6.6.6.6, 1.2.3.4", ("127.0.0.1",), "1.2.3.4"),  # spoofed left part ignored
        ("10.0.0.5", "1.2.3.4, 10.0.0.4", ("10.0.0.0/8",), "1.2.3.4"),  # chain of trusted proxies
        ("127.0.0.1", "not-an-ip", ("127.0.0.1",), "127.0.0.1"),
        ("127.0.0.1", "10.0.0.4", ("127.0.0.1", "10.0.0.0/8"), "127.0.0.1"),
    ],
)
def test_client_address(remote, header, trusted, expected):
    assert client_address(remote, header, trusted) == expected


def test_session_lifetimes_and_throttle():
    policy = AccountPolicy()
    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert session_alive(now - timedelta(hours=2), now - timedelta(minutes=29), now, policy)
    assert not session_alive(now - timedelta(hours=2), now - timedelta(minutes=31), now, policy)
    assert not session_alive(now - timedelta(hours=12, seconds=1), now, now, policy)
    assert throttle_refusal(4, 19, policy) is None
    assert "quá nhiều lần" in throttle_refusal(5, 0, policy)
    assert "quá nhiều lần" in throttle_refusal(0, 20, policy)


def test_secret_key_is_required(tmp_path):
    with pytest.raises(ConfigError, match="MONITOR_SECRET_KEY"):
        load_secret(None, None)
    with pytest.raises(ConfigError, match="quá ngắn"):
        load_secret("short", None)
    with pytest.raises(ConfigError, match="Không đọc được"):
        load_secret(None, tmp_path / "missing.key")
    key = tmp_path / "secret.key"
    key.write_text("s" * 64 + "\n")
    assert load_secret("ignored-when-a-file-is-given", key) == "s" * 64


def _cli(tmp_path, *args, stdin=None, env_extra=None):
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "MONITOR_DATABASE_URL": f"sqlite:///{tmp_path}/m.db",
    }
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(ROOT / "sources.toml"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_monitor_web_refuses_to_start_without_a_secret(tmp_path):
    r = _cli(tmp_path, "web", "--port", "8999")
    assert r.returncode == 1
    assert "Chưa có khóa bí mật" in r.stderr and "Traceback" not in r.stderr


def test_users_passwd_reads_stdin_when_piped(tmp_path):
    assert _cli(tmp_path, "users", "add", "qt", "--role", "admin", "--name", "Hoàng Quản Trị").returncode == 0
    r = _cli(tmp_path, "users", "passwd", "qt", stdin="ngắn\n")
    assert r.returncode == 1 and "ít nhất 10 ký tự" in r.stderr
    r = _cli(tmp_path, "users", "passwd", "qt", stdin="Đồi thông Măng Đen 2026\n")
    assert r.returncode == 0, r.stderr
    assert "Đã đặt mật khẩu" in r.stdout and "Măng Đen" not in r.stdout
    from monitor.store.db import Database
    from monitor.store.users import find_user, password_hash

    db = Database(f"sqlite:///{tmp_path}/m.db")
    with db.read() as s:
        user = find_user(s, "qt")
        assert user is not None
        assert verify_password(password_hash(s, user.id), "Đồi thông Măng Đen 2026")
    db.dispose()
    r = _cli(tmp_path, "users", "passwd", "ai-do", stdin="Đồi thông Măng Đen 2026\n")
    assert r.returncode == 1 and "Không có người dùng" in r.stderr


def test_vendored_htmx_is_2x_with_its_license():
    static = ROOT / "monitor" / "web" / "static"
    body = (static / "htmx.min.js").read_bytes()
    assert hashlib.sha256(body).hexdigest() == HTMX_SHA256
    assert b'version:"2.0.11"' in body
    assert "Zero-Clause BSD" in (static / "htmx.LICENSE.txt").read_text()


def test_users_passwd_on_a_terminal_does_not_echo(tmp_path):
    import fcntl
    import os
    import pty
    import termios
    import time

    assert _cli(tmp_path, "users", "add", "qt", "--role", "admin", "--name", "Hoàng Quản Trị").returncode == 0
    master, slave = pty.openpty()

    def controlling_tty() -> None:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "MONITOR_DATABASE_URL": f"sqlite:///{tmp_path}/m.db",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(ROOT / "sources.toml"), "users", "passwd", "qt"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        preexec_fn=controlling_tty,  # noqa: PLW1509 (the child needs the pty as its controlling terminal)
    )
    os.close(slave)
    seen = b""

    def read_until(marker: bytes) -> None:
        nonlocal seen
        deadline = time.monotonic() + 60
        while marker not in seen and time.monotonic() < deadline:
            try:
                seen += os.read(master, 1024)
            except OSError:
                break

    read_until("Mật khẩu mới: ".encode())
    os.write(master, "Đồi thông Măng Đen 2026\n".encode())
    read_until("Nhập lại mật khẩu: ".encode())
    os.write(master, "Đồi thông Măng Đen 2026\n".encode())
    read_until("Đã đặt mật khẩu".encode())
    assert proc.wait(timeout=60) == 0
    os.close(master)
    assert "Đã đặt mật khẩu".encode() in seen
    assert "Măng Đen".encode() not in seen  # typed without echo
