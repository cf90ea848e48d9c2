"""What the web app needs, built once by `monitor web` (or a test) and passed to create_app."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.accounts.policy import AccountPolicy
from monitor.errors import ConfigError

if TYPE_CHECKING:
    from monitor.config import Config
    from monitor.store.db import Database

SECRET_ENV = "MONITOR_SECRET_KEY"
MIN_SECRET_BYTES = 32


@dataclass(frozen=True)
class WebSettings:
    """Secret key, cookie security, account policy, paging and polling."""

    secret_key: str
    https: bool = False  # served over HTTPS (directly or behind a TLS proxy): Secure + __Host- cookies
    policy: AccountPolicy = field(default_factory=AccountPolicy)
    page_size: int = 50
    poll_seconds: int = 20  # the queue asks for new cases this often
    # The dashboard's counts are computed at most this often per web process and shared by every viewer
    # (the page says when they were computed): aggregating a month of a big archive takes seconds.
    dashboard_seconds: int = 60

    @property
    def cookie_name(self) -> str:
        """`__Host-` pins the cookie to this host and path / and requires Secure (RFC 6265bis §4.1.3.2)."""
        return "__Host-monitor_session" if self.https else "monitor_session"


def load_secret(env_value: str | None, secret_file: Path | None) -> str:
    """The session secret from the environment or a file; ConfigError (Vietnamese) when missing or short."""
    if secret_file is not None:
        try:
            value = secret_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"Không đọc được tệp khóa bí mật {secret_file}: {exc.strerror or exc}."
            ) from None
    else:
        value = (env_value or "").strip()
    if not value:
        raise ConfigError(
            f"Chưa có khóa bí mật cho phiên đăng nhập: đặt biến môi trường {SECRET_ENV} "
            "hoặc dùng --secret-file TỆP (ví dụ tạo bằng: python3 -c "
            '"import secrets; print(secrets.token_hex(32))" > secret.key).'
        )
    if len(value.encode("utf-8")) < MIN_SECRET_BYTES:
        raise ConfigError(f"Khóa bí mật quá ngắn: cần ít nhất {MIN_SECRET_BYTES} ký tự ngẫu nhiên.")
    return value


@dataclass(frozen=True)
class WebContext:
    """Everything a request handler reaches through `current_app`: database, config, settings."""

    db: Database
    config: Config
    settings: WebSettings
