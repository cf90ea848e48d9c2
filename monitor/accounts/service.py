"""Account actions shared by the web app and the CLI: log-in, passwords, user administration, audit.

Deny by default: every administrative function takes the acting user and checks, inside its write, the one
rule of who may manage users (`queue.users.can_manage_users`, shared with `monitor users`); a refusal is
written to the audit log (`record_refusal`, the only writer of refusal lines) and PermissionDeniedError is
raised. Disabling a user is `queue.users.disable_user` (their sessions end, their claims are released).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor.accounts import passwords
from monitor.accounts.policy import AccountPolicy, throttle_refusal
from monitor.config_tables import QueueSettings
from monitor.errors import LoginRefusedError, NotFoundError, PermissionDeniedError, StoreError
from monitor.queue.users import Target, UserAction, check, disable_user
from monitor.store import audit as store_audit
from monitor.store import sources as store_sources
from monitor.store import users as store_users
from monitor.store import web_sessions as store_sessions
from monitor.vocab import ROLE_LABELS, Role

if TYPE_CHECKING:
    from monitor.store.db import Database, Session
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


def record_refusal(db: Database, actor: Actor | None, exc: PermissionDeniedError, now: datetime) -> None:
    """Write the one audit line of a refused permission check (once, whoever catches it first).

    The only writer of refusal lines: the account functions below call it for their own refusals, the web
    app's error handler for every other PermissionDeniedError (case actions, responses, pages).
    """
    if exc.audited:
        return
    audit(db, actor, exc.action or "?", exc.obj, store_audit.REFUSED, now, exc.message)
    exc.audited = True


@contextmanager
def _audited_refusal(db: Database, actor: Actor, now: datetime) -> Iterator[None]:
    """Audit a PermissionDeniedError raised inside (after its transaction rolled back), then re-raise."""
    try:
        yield
    except PermissionDeniedError as exc:
        record_refusal(db, actor, exc, now)
        raise


def _check(session: Session, actor: Actor | None, action: UserAction, target: Target) -> None:
    """The one rule of who may manage users (`queue.users.can_manage_users`), inside the write."""
    check(session, actor.username if actor else None, action, target)


def set_password(
    db: Database, username: str, password: str, now: datetime, actor: Actor | None = None
) -> User:
    """Set a user's password (rules checked); their sessions end.

    `actor` None = the local operator at the CLI without --as: allowed only for the first admin's own first
    password (`queue.users.can_manage_users`); otherwise one's own password, or an admin for anyone's.
    """
    operator = actor or Actor("(cli)", "local")
    problem = passwords.password_problem(password, username)
    with _audited_refusal(db, operator, now), db.write() as session:
        user = _check_set_password(session, username, actor)
        if problem:
            raise StoreError(problem)
        store_users.set_password_hash(session, user.id, passwords.hash_password(password))
        ended = store_sessions.delete_user_sessions(session, user.id)
        store_audit.record_as(
            session,
            *_who(operator),
            "set_password",
            username,
            store_audit.OK,
            now,
            f"sessions ended: {ended}",
        )
    return user


def may_set_password(db: Database, username: str, now: datetime, actor: Actor | None = None) -> None:
    """Refuse, before anyone types a password, what `set_password` would refuse to this actor (audited
    PermissionDeniedError, or NotFoundError); `set_password` checks again inside its write."""
    with _audited_refusal(db, actor or Actor("(cli)", "local"), now), db.read() as session:
        _check_set_password(session, username, actor)


def _check_set_password(session: Session, username: str, actor: Actor | None) -> User:
    """The user whose password `actor` may set (the one rule of who may manage users)."""
    user = store_users.find_user(session, username)
    if user is None:
        raise NotFoundError(f"Không có người dùng “{username}”.")
    has_password = store_users.password_hash(session, user.id) is not None
    _check(session, actor, UserAction.SET_PASSWORD, Target(username, user.role, None, has_password))
    return user


def _require_admin(user: User | None, actor: Actor, action: str, obj: str) -> None:
    """PermissionDeniedError unless `user` (the actor, as stored) is an active admin (sources)."""
    if user is None or not user.active or user.role != Role.ADMIN:
        raise PermissionDeniedError(
            f"Chỉ {ROLE_LABELS[Role.ADMIN]} được làm việc này.",
            detail=f"{actor.username} is not an admin",
            action=action,
            obj=obj,
        )


def add_user(
    db: Database, actor: Actor, username: str, role: str, name: str, password: str, now: datetime
) -> User:
    """Create a user with a password (admin only)."""
    problem = passwords.password_problem(password, username)
    with _audited_refusal(db, actor, now), db.write() as session:
        _check(session, actor, UserAction.ADD, Target(username, None, role))
        if problem:
            raise StoreError(problem)
        user = store_users.add_user(session, username, role, name, now)
        store_users.set_password_hash(session, user.id, passwords.hash_password(password))
        store_audit.record_as(session, *_who(actor), "add_user", username, store_audit.OK, now, role)
    return user


def _target(user: User | None, username: str) -> User:
    if user is None:
        raise NotFoundError(f"Không có người dùng “{username}”.")
    return user


def change_role(db: Database, actor: Actor, username: str, role: str, now: datetime) -> User:
    """Change a user's role (admin only; the last admin keeps the role). Effective on their next request."""
    with _audited_refusal(db, actor, now), db.write() as session:
        user = _target(store_users.find_user(session, username), username)
        _check(session, actor, UserAction.SET_ROLE, Target(username, user.role, role))
        store_users.set_role(session, user.id, role)
        store_audit.record_as(
            session, *_who(actor), "change_role", username, store_audit.OK, now, f"{user.role} -> {role}"
        )
        return _target(store_users.find_user(session, username), username)


def set_active(
    db: Database,
    actor: Actor,
    username: str,
    active: bool,
    now: datetime,
    settings: QueueSettings | None = None,
) -> User:
    """Disable or re-enable a user (admin only). Disabling ends their sessions and releases the cases they
    hold, each release an event by the admin in the case's history (`queue.users.disable_user`)."""
    if not active:
        with _audited_refusal(db, actor, now):
            user, released = disable_user(db, actor.username, username, settings or QueueSettings(), now)
        detail = f"released: {', '.join(f'#{i}' for i in released)}" if released else ""
        audit(db, actor, "disable_user", username, store_audit.OK, now, detail)
        return user
    with _audited_refusal(db, actor, now), db.write() as session:
        user = _target(store_users.find_user(session, username), username)
        _check(session, actor, UserAction.ENABLE, Target(username, user.role))
        store_users.set_active(session, user.id, True)
        store_audit.record_as(session, *_who(actor), "enable_user", username, store_audit.OK, now)
        return _target(store_users.find_user(session, username), username)


def end_sessions(db: Database, actor: Actor, username: str, now: datetime) -> int:
    """End every session of a user (admin only); how many were ended."""
    with _audited_refusal(db, actor, now), db.write() as session:
        user = _target(store_users.find_user(session, username), username)
        _check(session, actor, UserAction.END_SESSIONS, Target(username, user.role))
        ended = store_sessions.delete_user_sessions(session, user.id)
        store_audit.record_as(
            session, *_who(actor), "end_sessions", username, store_audit.OK, now, str(ended)
        )
    return ended


def reset_password(db: Database, actor: Actor, username: str, password: str, now: datetime) -> User:
    """An admin sets a new password for a user (their sessions end)."""
    return set_password(db, username, password, now, actor=actor)


def pause_source(db: Database, actor: Actor, key: str, paused: bool, now: datetime) -> None:
    """Pause or resume fetching a source (admin only); `monitor sources` shows the pause too."""
    action = "pause_source" if paused else "resume_source"
    with _audited_refusal(db, actor, now), db.read() as session:
        _require_admin(store_users.find_user(session, actor.username), actor, action, key)
    with db.write() as session:
        if not store_sources.set_paused(session, key, paused, now):
            raise NotFoundError(f"Không có nguồn tin “{key}”.")
        store_audit.record_as(session, *_who(actor), action, key, store_audit.OK, now)
