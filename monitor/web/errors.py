"""Error pages in Vietnamese (never a traceback), for browsers and for htmx requests."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> ResponseReturnValue:
        return render_error(exc.code or 500)

    @app.errorhandler(Exception)
    def _any(exc: Exception) -> ResponseReturnValue:
        log.exception("unhandled error", extra={"path": request.path})
        return render_error(500)
