"""Turn httpx exceptions and our own limits into `FetchError`s with a Vietnamese sentence and a kind."""

from __future__ import annotations

import ssl

import httpx

from monitor.errors import (
    DeadlineExceededError,
    FailureKind,
    FetchError,
    PoolExhaustedError,
    TooManyRedirectsError,
)


def format_seconds(seconds: float) -> str:
    """Seconds the way a Vietnamese reader writes them: 30 giây, 0,5 giây."""
    text = f"{seconds:.0f}" if seconds == int(seconds) else f"{seconds:g}".replace(".", ",")
    return f"{text} giây"


def short(url: str, limit: int = 120) -> str:
    """A URL cut to a length fit for a message."""
    return url if len(url) <= limit else url[: limit - 1] + "…"


def deadline_exceeded(seconds: float, url: str) -> DeadlineExceededError:
    """The error for a fetch that ran out of wall-clock time."""
    return DeadlineExceededError(
        f"Quá thời gian tải ({format_seconds(seconds)})",
        detail=f"wall-clock deadline of {seconds}s exceeded for {url}",
        kind=FailureKind.TRANSIENT,
    )


def bad_scheme(url: str) -> FetchError:
    """The error for a URL that is not http or https."""
    return FetchError(
        f"Chỉ hỗ trợ địa chỉ http/https: {short(url)}",
        detail=f"refused scheme of {short(url)}",
        kind=FailureKind.HARD,
    )


def bad_url(url: str, why: str) -> FetchError:
    """The error for a URL we cannot even parse."""
    message = f"Địa chỉ không hợp lệ: {short(url)}"
    return FetchError(message, detail=f"invalid URL {url!r}: {why}", kind=FailureKind.HARD)


def too_many_redirects(url: str, cap: int) -> TooManyRedirectsError:
    """The error for a chain longer than the redirect cap."""
    return TooManyRedirectsError(
        f"Chuyển hướng quá nhiều lần (quá {cap} lần)", detail=f"more than {cap} redirects from {url}"
    )


def redirect_loop(url: str) -> TooManyRedirectsError:
    """The error for a chain that comes back to a URL it already left twice."""
    return TooManyRedirectsError(f"Vòng lặp chuyển hướng tại {short(url)}", detail=f"redirect loop at {url}")


def _caused_by_bad_certificate(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def from_httpx(exc: httpx.HTTPError, url: str, timeout: httpx.Timeout) -> FetchError:
    """Map an httpx exception to our error tree (pool exhaustion is ours; network trouble transient)."""
    detail = f"{type(exc).__name__}: {exc} ({url})"
    if isinstance(exc, httpx.PoolTimeout):
        return PoolExhaustedError(
            f"Hết kết nối trống trong nhóm kết nối của chương trình (chờ quá {format_seconds(timeout.pool or 0)})",
            detail=detail,
            kind=FailureKind.OURS,
        )
    if isinstance(exc, httpx.ConnectTimeout):
        text = f"Quá thời gian kết nối tới máy chủ ({format_seconds(timeout.connect or 0)})"
        return FetchError(text, detail=detail, kind=FailureKind.TRANSIENT)
    if isinstance(exc, httpx.TimeoutException):
        text = f"Máy chủ không trả lời kịp ({format_seconds(timeout.read or 0)})"
        return FetchError(text, detail=detail, kind=FailureKind.TRANSIENT)
    if isinstance(exc, httpx.ConnectError) and _caused_by_bad_certificate(exc):
        return FetchError("Chứng chỉ TLS của máy chủ không hợp lệ", detail=detail, kind=FailureKind.HARD)
    if isinstance(exc, httpx.ConnectError):
        return FetchError("Không kết nối được tới máy chủ", detail=detail, kind=FailureKind.TRANSIENT)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.NetworkError):
        return FetchError("Kết nối bị ngắt giữa chừng", detail=detail, kind=FailureKind.TRANSIENT)
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return bad_url(url, str(exc))
    return FetchError("Lỗi khi tải dữ liệu", detail=detail, kind=FailureKind.HARD)
