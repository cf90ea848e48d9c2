"""Account actions shared by the web app and the CLI: log-in, passwords, user administration, audit.

Deny by default: every administrative function takes the acting user and checks, here, that the actor is
an active admin; a refusal is written to the audit log before PermissionDeniedError is raised.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor.accounts import passwords
from monitor.accounts.policy import AccountPolicy, throttle_refusal
from monitor.errors import LoginRefusedError, NotFoundError, PermissionDeniedError, StoreError
from monitor.store import audit as store_audit
from monitor.store import sources as store_sources
from monitor.store import users as store_users
from monitor.store import web_sessions as store_sessions
from monitor.vocab import ROLE_LABELS, Role

if TYPE_CHECKING:
    from monitor.store.db import Database
    from monitor.store.users import User

log = logging.getLogger(__name__)

LOGIN = "login"
BAD_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."


@dataclass(frozen=True)
class Actor:
    """Who is acting and from where (the audit log names both)."""

    username: str
    client_addr: str


def audit(
    db: Database,
    actor: Actor | None,
    action: str,
    obj: str,
    outcome: str,
    now: datetime,
    detail: str = "",
) -> None:
    """Append one audit line in its own transaction (so it survives the refusal that follows)."""
    with db.write() as session:
        store_audit.record_as(
            session, *_who(actor), action=action, obj=obj, outcome=outcome, now=now, detail=detail
        )


def _who(actor: Actor | None) -> tuple[str | None, str]:
    return (actor.username, actor.client_addr) if actor else (None, "-")


def authenticate(
    db: Database, username: str, password: str, client_addr: str, now: datetime, policy: AccountPolicy
) -> User:
    """The user if the name and password match an active account; LoginRefusedError otherwise (audited)."""
    username = username.strip()[:100]
    since = now - timedelta(minutes=policy.window_minutes)
    with db.read() as session:
        failures_user = store_audit.count_since(
            session, LOGIN, store_audit.FAILED, since, actor_name=username
        )
        failures_addr = store_audit.count_since(
            session, LOGIN, store_audit.FAILED, since, client_addr=client_addr
        )
        user = store_users.find_user(session, username)
        stored = store_users.password_hash(session, user.id) if user else None
    refusal = throttle_refusal(failures_user, failures_addr, policy)
    if refusal:
        audit(db, Actor(username, client_addr), LOGIN, username, store_audit.REFUSED, now, "throttled")
        raise LoginRefusedError(refusal)
    ok = passwords.verify_password(stored, password)  # costs one hash even for an unknown name
    if not ok or user is None or not user.active:
        reason = "bad password" if user and user.active else ("disabled" if user else "unknown user")
        audit(db, Actor(username, client_addr), LOGIN, username, store_audit.FAILED, now, reason)
        raise LoginRefusedError(BAD_LOGIN)
    with db.write() as session:
        if stored and passwords.needs_rehash(stored):
            store_users.set_password_hash(session, user.id, passwords.hash_password(password))
        store_audit.record_as(session, username, client_addr, LOGIN, username, store_audit.OK, now)
    return user


def set_password(
    db: Database, username: str, password: str, now: datetime, actor: Actor | None = None
) -> User:
    """Set a user's password (rules checked). `actor` None = the local operator at the CLI; else an admin."""
    with db.write() as session:
        user = store_users.find_user(session, username)
        if user is None:
            raise NotFoundError(f"Không có người dùng “{username}”.")
        if actor is not None and actor.username != username:
            _require_admin(store_users.find_user(session, actor.username), actor)
        problem = passwords.password_problem(password, username)
        if problem:
            raise StoreError(problem)
        store_users.set_password_hash(session, user.id, passwords.hash_password(password))
        ended = store_sessions.delete_user_sessions(session, user.id)
        name, addr = _who(actor or Actor("(cli)", "local"))
        store_audit.record_as(
            session, name, addr, "set_password", username, store_audit.OK, now, f"sessions ended: {ended}"
        )
    return user


def _require_admin(user: User | None, actor: Actor) -> None:
    """PermissionDeniedError unless `user` (the actor, as stored) is an active admin."""
    if user is None or not user.active or user.role != Role.ADMIN:
        raise PermissionDeniedError(
            f"Chỉ {ROLE_LABELS[Role.ADMIN]} được làm việc này.", detail=f"{actor.username} is not an admin"
        )


def _admin_action(db: Database, actor: Actor, action: str, obj: str, now: datetime) -> None:
    """Check the actor is an admin; a refusal is audited (committed) and raised."""
    with db.read() as session:
        user = store_users.find_user(session, actor.username)
    try:
        _require_admin(user, actor)
    except PermissionDeniedError:
        audit(db, actor, action, obj, store_audit.REFUSED, now, "not an admin")
        raise


def add_user(
    db: Database, actor: Actor, username: str, role: str, name: str, password: str, now: datetime
) -> User:
    """Create a user with a password (admin only)."""
    _admin_action(db, actor, "add_user", username, now)
    problem = passwords.password_problem(password, username)
    if problem:
        raise StoreError(problem)
    with db.write() as session:
        user = store_users.add_user(session, username, role, name, now)
        store_users.set_password_hash(session, user.id, passwords.hash_password(password))
        store_audit.record_as(session, *_who(actor), "add_user", username, store_audit.OK, now, role)
    return user


def _target(user: User | None, username: str) -> User:
    if user is None:
        raise NotFoundError(f"Không có người dùng “{username}”.")
    return user


def _not_last_admin(user: User, losing: bool, admins: int) -> None:
    if losing and user.role == Role.ADMIN and user.active and admins <= 1:
        raise StoreError("Không thể bỏ quyền quản trị của người quản trị cuối cùng.")


def change_role(db: Database, actor: Actor, username: str, role: str, now: datetime) -> User:
    """Change a user's role (admin only; the last admin keeps the role). Effective on their next request."""
    _admin_action(db, actor, "change_role", username, now)
    with db.write() as session:
        user = _target(store_users.find_user(session, username), username)
        _not_last_admin(user, role != Role.ADMIN, store_users.count_admins(session))
        store_users.set_role(session, user.id, role)
        store_audit.record_as(
            session, *_who(actor), "change_role", username, store_audit.OK, now, f"{user.role} -> {role}"
        )
        return _target(store_users.find_user(session, username), username)


def set_active(db: Database, actor: Actor, username: str, active: bool, now: datetime) -> User:
    """Disable (sessions ended) or re-enable a user (admin only)."""
    action = "enable_user" if active else "disable_user"
    _admin_action(db, actor, action, username, now)
    with db.write() as session:
        user = _target(store_users.find_user(session, username), username)
        _not_last_admin(user, not active, store_users.count_admins(session))
        store_users.set_active(session, user.id, active)
        if not active:
            store_sessions.delete_user_sessions(session, user.id)
        store_audit.record_as(session, *_who(actor), action, username, store_audit.OK, now)
        return _target(store_users.find_user(session, username), username)


def end_sessions(db: Database, actor: Actor, username: str, now: datetime) -> int:
    """End every session of a user (admin only); how many were ended."""
    _admin_action(db, actor, "end_sessions", username, now)
    with db.write() as session:
        user = _target(store_users.find_user(session, username), username)
        ended = store_sessions.delete_user_sessions(session, user.id)
        store_audit.record_as(
            session, *_who(actor), "end_sessions", username, store_audit.OK, now, str(ended)
        )
    return ended


def reset_password(db: Database, actor: Actor, username: str, password: str, now: datetime) -> User:
    """An admin sets a new password for a user (their sessions end)."""
    _admin_action(db, actor, "reset_password", username, now)
    return set_password(db, username, password, now, actor=actor)


def pause_source(db: Database, actor: Actor, key: str, paused: bool, now: datetime) -> None:
    """Pause or resume fetching a source (admin only); `monitor sources` shows the pause too."""
    action = "pause_source" if paused else "resume_source"
    _admin_action(db, actor, action, key, now)
    with db.write() as session:
        if not store_sources.set_paused(session, key, paused, now):
            raise NotFoundError(f"Không có nguồn tin “{key}”.")
        store_audit.record_as(session, *_who(actor), action, key, store_audit.OK, now)
