"""Administration (admins only): users, sources (health, pause/resume), watch targets and flag rules, audit log.

Every change goes through `accounts.service`, which checks again that the actor is an admin and writes the
audit line; the `roles` gate here only keeps the pages themselves from other roles.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from monitor.accounts import service as accounts
from monitor.errors import MonitorError, PermissionDeniedError
from monitor.fetch.health import Health, status_label
from monitor.store import audit as store_audit
from monitor.store import sources as store_sources
from monitor.store import users as store_users
from monitor.store import web_sessions as store_sessions
from monitor.vocab import ROLE_LABELS, Role
from monitor.web.security import actor, ctx, roles

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@roles(Role.ADMIN)
def users() -> ResponseReturnValue:
    """Users with their role, state and open sessions; forms for every change."""
    with ctx().db.read() as session:
        people = store_users.list_users(session)
        sessions = {u.id: store_sessions.count_user_sessions(session, u.id) for u in people}
    return render_template("admin/users.html", people=people, sessions=sessions, role_labels=ROLE_LABELS)


def _done(message: str) -> ResponseReturnValue:
    flash(message, "ok")
    return redirect(url_for("admin.users"))


@bp.route("/users/add", methods=["POST"])
@roles(Role.ADMIN)
def add_user() -> ResponseReturnValue:
    """Create a user with a first password."""
    form = request.form
    try:
        user = accounts.add_user(
            ctx().db,
            actor(),
            form.get("username", ""),
            form.get("role", ""),
            form.get("name", ""),
            form.get("password", ""),
            datetime.now(UTC),
        )
    except PermissionDeniedError:
        raise  # already audited by accounts.service; answered 403 by web.errors
    except MonitorError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.users"))
    return _done(f"Đã thêm {user.name} ({user.username}) — {ROLE_LABELS[user.role]}.")


@bp.route("/users/<username>/<change>", methods=["POST"])
@roles(Role.ADMIN)
def change_user(username: str, change: str) -> ResponseReturnValue:
    """Role, disable/enable, reset password, end sessions."""
    now, db, who = datetime.now(UTC), ctx().db, actor()
    try:
        if change == "role":
            user = accounts.change_role(db, who, username, request.form.get("role", ""), now)
            return _done(f"{user.name} nay là {ROLE_LABELS[user.role]} (áp dụng từ lần bấm tiếp theo).")
        if change in ("disable", "enable"):
            user = accounts.set_active(db, who, username, change == "enable", now, ctx().config.queue)
            return _done(f"Đã {'mở lại' if user.active else 'khóa'} tài khoản {user.username}.")
        if change == "password":
            user = accounts.reset_password(db, who, username, request.form.get("password", ""), now)
            return _done(f"Đã đặt mật khẩu mới cho {user.username}; các phiên cũ đã kết thúc.")
        if change == "sessions":
            ended = accounts.end_sessions(db, who, username, now)
            return _done(f"Đã kết thúc {ended} phiên đăng nhập của {username}.")
    except PermissionDeniedError:
        raise  # already audited by accounts.service; answered 403 by web.errors
    except MonitorError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.users"))
    flash("Thao tác không hợp lệ.", "error")
    return redirect(url_for("admin.users"))


@bp.route("/sources")
@roles(Role.ADMIN)
def sources() -> ResponseReturnValue:
    """Configured sources with their health, last error (Vietnamese) and pause state."""
    config = ctx().config
    now = datetime.now(UTC)
    with ctx().db.read() as session:
        stored = {s.key: s for s in store_sources.list_sources(session)}
    rows = []
    for src in config.sources:
        st = stored.get(src.key)
        health = Health(**st.health) if st else Health()
        rows.append(
            {
                "key": src.key,
                "name": src.name,
                "url": src.url,
                "interval": config.interval_of(src),
                "enabled": src.enabled,
                "paused": bool(st and st.paused),
                "paused_at": st.paused_at if st else None,
                "status": status_label(health, now),
                "failing": health.consecutive_failures > 0,
                "health": health,
                "stored": st is not None,
            }
        )
    return render_template("admin/sources.html", rows=rows)


@bp.route("/sources/<key>/<change>", methods=["POST"])
@roles(Role.ADMIN)
def pause_source(key: str, change: str) -> ResponseReturnValue:
    """Pause or resume a source (a database override; `monitor sources` shows it)."""
    if change not in ("pause", "resume"):
        flash("Thao tác không hợp lệ.", "error")
    else:
        try:
            accounts.pause_source(ctx().db, actor(), key, change == "pause", datetime.now(UTC))
            flash(f"Đã {'tạm dừng' if change == 'pause' else 'cho chạy lại'} nguồn {key}.", "ok")
        except PermissionDeniedError:
            raise
        except MonitorError as exc:
            flash(exc.message, "error")
    return redirect(url_for("admin.sources"))


def _fields(obj: Any) -> list[tuple[str, Any]]:
    return [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj)]


@bp.route("/rules")
@roles(Role.ADMIN)
def rules() -> ResponseReturnValue:
    """What is loaded from sources.toml: watch targets, the flag rule and the queue settings (read-only)."""
    config = ctx().config
    return render_template(
        "admin/rules.html",
        watches=[_fields(w) for w in config.watches],
        flags=_fields(config.flags),
        queue=_fields(config.queue),
        config_path=getattr(config, "path", None),
    )


@bp.route("/audit")
@roles(Role.ADMIN)
def audit() -> ResponseReturnValue:
    """The newest audit lines."""
    with ctx().db.read() as session:
        lines = store_audit.recent(session, 300)
    return render_template("admin/audit.html", lines=lines)
