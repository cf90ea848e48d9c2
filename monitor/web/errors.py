"""Error pages in Vietnamese (never a traceback), for browsers and for htmx requests.

Every refused permission check ends here: a PermissionDeniedError from the domain (case actions, press
responses, user administration) or from the `roles` gate is written to the audit log once, with the actor,
the time and the client address (`accounts.service.record_refusal`), and answered 403 with its sentence.
Routes never catch it (they re-raise it past their `except MonitorError`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from monitor.accounts.service import record_refusal
from monitor.errors import PermissionDeniedError

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        "Yêu cầu không hợp lệ",
        "Yêu cầu thiếu mã bảo vệ hoặc dữ liệu không đúng; hãy tải lại trang rồi thử lại.",
    ),
    401: ("Cần đăng nhập", "Hãy đăng nhập để tiếp tục."),
    403: (
        "Không có quyền",
        "Tài khoản của bạn không được phép làm việc này. Lần từ chối đã được ghi nhật ký.",
    ),
    404: ("Không tìm thấy", "Trang hoặc vụ việc này không có."),
    405: ("Không được phép", "Trang này không nhận kiểu yêu cầu đó."),
    413: ("Dữ liệu quá lớn", "Nội dung gửi lên quá lớn."),
    429: ("Quá nhiều yêu cầu", "Hãy chờ một lát rồi thử lại."),
    500: ("Lỗi hệ thống", "Đã có lỗi ngoài ý muốn; lỗi đã được ghi lại. Hãy thử lại sau."),
}


def render_error(code: int, detail: str | None = None) -> tuple[str, int]:
    """The error page for `code` (a fragment for htmx)."""
    title, text = MESSAGES.get(code, MESSAGES[500])
    template = "_error_fragment.html" if request.headers.get("HX-Request") else "error.html"
    return render_template(template, code=code, title=title, text=detail or text), code


def install(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> ResponseReturnValue:
        log.info("csrf refused", extra={"path": request.path, "reason": exc.description})
        return render_error(400, "Thiếu hoặc sai mã bảo vệ (CSRF); hãy tải lại trang rồi thử lại.")

    @app.errorhandler(PermissionDeniedError)
    def _refused(exc: PermissionDeniedError) -> ResponseReturnValue:
        from monitor.web.security import actor, ctx

        record_refusal(ctx().db, actor(), exc, datetime.now(UTC))
        log.info("permission refused", extra={"path": request.path, "action": exc.action})
        return render_error(403, exc.message)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> ResponseReturnValue:
        return render_error(exc.code or 500)

    @app.errorhandler(Exception)
    def _any(exc: Exception) -> ResponseReturnValue:
        log.exception("unhandled error", extra={"path": request.path})
        return render_error(500)
