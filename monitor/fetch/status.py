"""Small named questions about a response status, and the error each failing status becomes."""

from __future__ import annotations

import http
from collections.abc import Mapping
from datetime import UTC, datetime

from monitor.errors import FailureKind, HttpStatusError
from monitor.fetch.health import parse_retry_after

REDIRECTS = frozenset({301, 302, 303, 307, 308})


def is_modified(status: int) -> bool:
    """Whether the answer carries a new representation (anything but 304, RFC 9110 §15.4.5)."""
    return status != 304


def is_redirect(status: int) -> bool:
    """Whether the status asks us to follow a Location header."""
    return status in REDIRECTS


def is_success(status: int) -> bool:
    """Whether the status carries a usable body (2xx, except 206: we never ask for ranges)."""
    return 200 <= status < 300 and status != 206


def is_rate_limited(status: int) -> bool:
    """Whether the server says we asked too often (RFC 6585 §4)."""
    return status == 429


def is_transient_status(status: int) -> bool:
    """Whether an error status is worth retrying soon (5xx, 429, 408) rather than a hard failure."""
    return status >= 500 or status in (408, 429)


def has_retry_after(status: int) -> bool:
    """Whether we honour Retry-After on this status (429 and 503, RFC 9110 §10.2.3, RFC 6585 §4)."""
    return status in (429, 503)


# What users read for the statuses outlets actually send (the English reason phrase stays in the log).
STATUS_VI = {
    400: "yêu cầu không hợp lệ",
    401: "cần đăng nhập",
    403: "bị từ chối truy cập",
    404: "không tìm thấy trang",
    405: "phương thức không được phép",
    406: "không có định dạng phù hợp",
    408: "máy chủ chờ yêu cầu quá lâu",
    410: "trang đã bị gỡ bỏ",
    429: "gửi yêu cầu quá dày",
    451: "bị chặn vì lý do pháp lý",
    500: "lỗi bên trong máy chủ",
    501: "máy chủ không hỗ trợ",
    502: "cổng trung gian nhận phản hồi lỗi",
    503: "dịch vụ tạm ngừng",
    504: "cổng trung gian chờ quá lâu",
}


def reason_phrase(status: int) -> str:
    """The standard English reason phrase for a status ('' if unknown), for logs."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def reason_vi(status: int) -> str:
    """What a status means, in Vietnamese ('' if we have no words for it)."""
    return STATUS_VI.get(status, "")


def status_error(status: int, headers: Mapping[str, str], url: str) -> HttpStatusError:
    """The error for a status we cannot use, with its kind and any Retry-After in seconds."""
    phrase = reason_vi(status)
    shown = f"{status} ({phrase})" if phrase else str(status)
    retry_after = None
    if has_retry_after(status):
        retry_after = parse_retry_after(headers.get("retry-after"), datetime.now(UTC))
    if is_rate_limited(status):
        message = f"Máy chủ từ chối vì tải quá dày: lỗi {shown}"
    else:
        message = f"Máy chủ trả về lỗi {shown}"
    return HttpStatusError(
        message,
        status=status,
        detail=f"HTTP {status} {reason_phrase(status)} from {url}"
        + (f", retry after {retry_after:.0f}s" if retry_after else ""),
        kind=FailureKind.TRANSIENT if is_transient_status(status) else FailureKind.HARD,
        retry_after=retry_after,
    )
