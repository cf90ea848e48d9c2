"""Who may see what, and the headers every answer carries.

- Deny by default: `before_request` sends every request for a non-public endpoint without a logged-in,
  active user to /login (htmx gets 401 and an HX-Redirect). The user is re-read from the database on
  every request, so a role change or a disabled account takes effect on the next one.
- `roles(...)` guards pages meant for some roles; a refusal is a PermissionDeniedError, audited and
  answered 403 by `web.errors` like every refusal the domain raises. Case actions are decided by the
  domain (`queue.service.act`), exactly as for the CLI.
- Security headers (OWASP Secure Headers): a strict CSP without inline script or eval, DENY framing,
  nosniff, no referrer.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar, cast

from flask import Flask, Response, current_app, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user

from monitor.accounts.policy import client_address
from monitor.accounts.service import Actor
from monitor.errors import PermissionDeniedError
from monitor.store import users as store_users
from monitor.web.settings import WebContext

F = TypeVar("F", bound=Callable[..., Any])

PAGE_REFUSED = "Tài khoản của bạn không được mở trang hay làm việc này. Lần từ chối đã được ghi nhật ký."

PUBLIC_ENDPOINTS = frozenset({"auth.login", "auth.favicon", "static"})

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class WebUser(UserMixin):  # type: ignore[misc]
    """The logged-in user as Flask-Login sees it (re-read from the database on every request)."""

    def __init__(self, user_id: int, username: str, name: str, role: str) -> None:
        self.id = user_id
        self.username = username
        self.name = name
        self.role = role

    def get_id(self) -> str:
        """Flask-Login's session key."""
        return str(self.id)


def ctx() -> WebContext:
    """The WebContext of the running app."""
    return cast(WebContext, current_app.extensions["monitor"])


def me() -> WebUser:
    """The logged-in user (only called behind the log-in gate)."""
    return cast(WebUser, current_user._get_current_object())


def actor() -> Actor:
    """The acting user and client address, for the domain and the audit log."""
    return Actor(me().username, g.client_addr)


def refuse(action: str, obj: str, message: str = PAGE_REFUSED) -> NoReturn:
    """A refused permission check: audited and answered 403 by the one handler (`web.errors`)."""
    raise PermissionDeniedError(message, action=action, obj=obj)


def roles(*allowed: str) -> Callable[[F], F]:
    """Only users with one of `allowed` roles reach the view; others get an audited 403."""

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            if me().role not in allowed:
                refuse(f"view:{request.endpoint}", request.path)
            return view(*args, **kwargs)

        return cast(F, inner)

    return wrap


def _load_user(user_id: str) -> WebUser | None:
    try:
        uid = int(user_id)
    except ValueError:
        return None
    user = getattr(session, "user", None)  # read with the session row (web.sessions), re-read every request
    if user is None or user.id != uid:
        with ctx().db.read() as s:
            user = store_users.user_by_id(s, uid)
    if user is None or not user.active:
        return None
    return WebUser(user.id, user.username, user.name, user.role)


def _gate() -> ResponseReturnValue | None:
    g.started = time.perf_counter()
    g.client_addr = client_address(
        request.remote_addr, request.headers.get("X-Forwarded-For"), ctx().settings.policy.trusted_proxies
    )
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    if request.headers.get("HX-Request"):
        response = Response("", status=401)
        response.headers["HX-Redirect"] = url_for("auth.login")
        return response
    return redirect(
        url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None)
    )


def _headers(response: Response) -> Response:
    started = getattr(g, "started", None)
    if started is not None:  # the server's own time (W3C Server Timing); bench/bench_web.py reads it
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    for key, value in HEADERS.items():
        response.headers.setdefault(key, value)
    if ctx().settings.https:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if current_user and current_user.is_authenticated:
        response.headers.setdefault("Cache-Control", "no-store")  # pages of a logged-in user stay private
    return response


def install(app: Flask) -> None:
    """Log-in manager, the deny-by-default gate and the security headers."""
    manager = LoginManager()
    manager.login_view = "auth.login"
    manager.login_message = ""
    manager.session_protection = None  # our sessions are server-side and rotated at log-in
    manager.user_loader(_load_user)
    manager.init_app(app)
    app.before_request(_gate)
    app.after_request(_headers)
