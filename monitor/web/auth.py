"""Log-in and log-out."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from monitor.accounts.service import Actor, audit, authenticate
from monitor.errors import LoginRefusedError
from monitor.store.audit import OK
from monitor.web.security import WebUser, ctx, me
from monitor.web.sessions import end_session, rotate_session

bp = Blueprint("auth", __name__)


def _local(target: str | None) -> str:
    """Only a path on this site is followed after log-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("queue.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """The log-in form; on success a new session id and the page asked for (or the queue)."""
    if current_user.is_authenticated:
        return redirect(url_for("queue.index"))
    error = None
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        try:
            user = authenticate(
                ctx().db, username, password, g.client_addr, datetime.now(UTC), ctx().settings.policy
            )
        except LoginRefusedError as exc:
            error = exc.message
        else:
            rotate_session(session)
            session.pop("csrf_token", None)
            login_user(WebUser(user.id, user.username, user.name, user.role))
            return redirect(_local(request.args.get("next")))
    status = 401 if error else 200
    return render_template("login.html", error=error, username=username), status


@bp.route("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """No icon (browsers ask for one on every page; answering 204 keeps them off the log-in redirect)."""
    return "", 204


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    """End the session (its row is deleted) and go back to the log-in page."""
    if current_user.is_authenticated:
        audit(ctx().db, Actor(me().username, g.client_addr), "logout", me().username, OK, datetime.now(UTC))
    logout_user()
    end_session(session)
    return redirect(url_for("auth.login"))
