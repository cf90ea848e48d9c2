"""Mail: build a MIME message (EmailMessage, default policy) and hand it to an SMTP server.

The default policy encodes a Vietnamese subject and display names (RFC 2047) and refuses CR/LF in any
header value, so nothing a press article says can add a header. The SMTP password comes from the
environment (`MONITOR_SMTP_PASSWORD`) or a file named in `[smtp] password_file`, never from sources.toml.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from monitor.config import SmtpSettings
from monitor.errors import ConfigError, PermanentDeliveryError, TemporaryDeliveryError

log = logging.getLogger(__name__)

PASSWORD_ENV = "MONITOR_SMTP_PASSWORD"


@dataclass(frozen=True)
class InlineImage:
    """A PNG shown inside the HTML part through `cid:` (with alt text in the HTML)."""

    cid: str  # without angle brackets
    png: bytes


def one_line(text: str) -> str:
    """Collapse every run of whitespace, CR and LF included, into one space (header-safe)."""
    return " ".join(text.split())


def address(name: str, addr: str) -> Address:
    """A display name and an address as a header value (the name is encoded when not ASCII)."""
    user, _, domain = addr.partition("@")
    return Address(display_name=one_line(name), username=user, domain=domain)


def parse_sender(text: str, fallback: str) -> Address:
    """'Name <addr>' (or a bare address) from the config; `fallback` when empty."""
    name, addr = parseaddr(text or fallback)
    return address(name, addr)


def new_message_id(sender: Address) -> str:
    """A fresh, globally unique Message-ID in the sender's domain."""
    return make_msgid(domain=sender.domain or "localhost")


def build_message(
    *,
    subject: str,
    sender: Address,
    to: Sequence[Address],
    text: str,
    html: str | None,
    message_id: str,
    now: datetime,
    images: Sequence[InlineImage] = (),
) -> EmailMessage:
    """A text (+ HTML alternative, + inline images) message with Date and Message-ID."""
    msg = EmailMessage()
    msg["Subject"] = one_line(subject)
    msg["From"] = sender
    msg["To"] = list(to)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
    msg.set_content(text, subtype="plain", charset="utf-8")
    if html is not None:
        msg.add_alternative(html, subtype="html", charset="utf-8")
        if images:
            html_part = list(msg.iter_parts())[1]
            for img in images:
                html_part.add_related(img.png, "image", "png", cid=f"<{img.cid}>", disposition="inline")
    return msg


def smtp_password(smtp: SmtpSettings) -> str | None:
    """The SMTP password: MONITOR_SMTP_PASSWORD, else the file [smtp] password_file, else None."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if smtp.password_file:
        try:
            return Path(smtp.password_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"Không đọc được tệp mật khẩu thư {smtp.password_file}: {exc.strerror or exc}."
            ) from None
    return None


class SmtpSender:
    """Hands messages to the configured SMTP server; failures become Temporary/PermanentDeliveryError."""

    def __init__(self, smtp: SmtpSettings) -> None:
        self.smtp = smtp

    def send(self, msg: EmailMessage) -> None:
        """Send one message (one connection per message: a digest or an alert batch is rare)."""
        s = self.smtp
        try:
            context = ssl.create_default_context()
            client: smtplib.SMTP
            if s.security == "ssl":
                client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            with client:
                if s.security == "starttls":
                    client.starttls(context=context)
                password = smtp_password(s)
                if s.username and password is not None:
                    client.login(s.username, password)
                refused = client.send_message(msg)
                if refused:
                    log.warning("smtp refused some recipients refused=%s", sorted(refused))
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise _by_code(
                min(codes) if codes else 550, f"người nhận bị từ chối ({exc.recipients})"
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, _reply(exc.smtp_error)) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TemporaryDeliveryError(
                f"Không kết nối được máy chủ thư {s.host}:{s.port} ({exc}).", detail=repr(exc)
            ) from None


def _reply(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


def _by_code(code: int, text: str) -> TemporaryDeliveryError | PermanentDeliveryError:
    """RFC 5321 §4.2.1: 4yz is transient (retry), 5yz is permanent."""
    message = f"Máy chủ thư trả lời {code}: {one_line(text)[:300]}"
    if 400 <= code < 500:
        return TemporaryDeliveryError(message, detail=f"smtp {code}")
    return PermanentDeliveryError(message, detail=f"smtp {code}")
