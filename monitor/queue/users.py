"""Who may manage users: one pure rule (shared by the CLI and the web app) and the services around it.

The acting user of the CLI (`--as` / MONITOR_USER) must be a real, active user; the web app passes the
logged-in user. Managing users (adding one, changing a role, disabling or enabling, ending sessions,
setting someone else's password) needs an active admin, with two bootstrap exceptions: while the database
has no active admin yet, anyone may add users (so the first admin of an empty database can be created),
and while no admin has a password yet, the local operator may set an admin's first password (so the
first admin can log in to the web app). Everyone may set their own password. A disabled user can do
nothing and their claims are released. `accounts.service` (the web app, `monitor users passwd`) checks
the same rule through `check`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from monitor.errors import NotFoundError, PermissionDeniedError, TransitionError, WorkflowError
from monitor.store import cases as store_cases
from monitor.store import users as store_users
from monitor.store import web_sessions as store_sessions
from monitor.store.users import User
from monitor.vocab import ROLE_LABELS, Action, Role

if TYPE_CHECKING:
    from monitor.config_tables import QueueSettings
    from monitor.queue.service import Decision
    from monitor.store.db import Database

log = logging.getLogger(__name__)


class UserAction(StrEnum):
    """What an admin does to a user account."""

    ADD = "add"
    SET_ROLE = "set_role"
    DISABLE = "disable"
    ENABLE = "enable"
    SET_PASSWORD = "set_password"
    END_SESSIONS = "end_sessions"


_ACTION_WORDS = {
    UserAction.ADD: "thêm người dùng",
    UserAction.SET_ROLE: "đổi vai trò",
    UserAction.DISABLE: "vô hiệu hóa người dùng",
    UserAction.ENABLE: "mở lại tài khoản",
    UserAction.SET_PASSWORD: "đặt mật khẩu cho người khác",
    UserAction.END_SESSIONS: "kết thúc phiên đăng nhập của người khác",
}


# The audit log's name for each action (the web app's admin pages write the same names).
AUDIT_ACTIONS = {
    UserAction.ADD: "add_user",
    UserAction.SET_ROLE: "change_role",
    UserAction.DISABLE: "disable_user",
    UserAction.ENABLE: "enable_user",
    UserAction.SET_PASSWORD: "set_password",
    UserAction.END_SESSIONS: "end_sessions",
}


@dataclass(frozen=True)
class Target:
    """The account acted on: its current role (None when it does not exist yet), the role asked for,
    and (for a password) whether it already has one."""

    username: str
    role: str | None = None
    new_role: str | None = None
    has_password: bool = False


def _first_admin_password(actor: User | None, action: UserAction, target: Target, admin_logins: int) -> bool:
    """The other bootstrap step: the local operator sets the first admin's own first password."""
    return (
        actor is None
        and action is UserAction.SET_PASSWORD
        and target.role == Role.ADMIN
        and not target.has_password
        and admin_logins == 0
    )


def permission_refusal(
    actor: User | None, action: UserAction, target: Target, *, active_admins: int, admin_logins: int = 0
) -> str | None:
    """Why `actor` may not do `action` at all (Vietnamese), or None: a permission refusal (pure).

    `admin_logins` counts the active admins who have a password (who can log in to the web app).
    """
    words = _ACTION_WORDS[action]
    if actor is not None and not actor.active:
        return f"Người dùng “{actor.username}” đã bị vô hiệu hóa, không được thao tác."
    if active_admins == 0 and action is UserAction.ADD:
        return None  # bootstrapping: the first admin (and users before any admin) of a new database
    if _first_admin_password(actor, action, target, admin_logins):
        return None
    if action is UserAction.SET_PASSWORD and actor is not None and actor.username == target.username:
        return None  # one's own password
    if active_admins == 0:
        return "Chưa có quản trị viên: hãy tạo quản trị viên đầu tiên (monitor users add TÊN --role admin)."
    if actor is None:
        return f"Cần quản trị viên để {words}: thêm --as TÊN (hoặc biến môi trường MONITOR_USER)."
    if actor.role != Role.ADMIN:
        return f"Chỉ quản trị viên được {words}; “{actor.username}” là {ROLE_LABELS[actor.role]}."
    return None


def last_admin_refusal(action: UserAction, target: Target, *, active_admins: int) -> str | None:
    """Why an allowed change may still not happen: it would leave no active admin (pure)."""
    losing_admin = target.role == Role.ADMIN and (
        action is UserAction.DISABLE or (action is UserAction.SET_ROLE and target.new_role != Role.ADMIN)
    )
    if losing_admin and active_admins <= 1:
        return f"“{target.username}” là quản trị viên cuối cùng; hãy tạo quản trị viên khác trước."
    return None


def can_manage_users(
    actor: User | None, action: UserAction, target: Target, *, active_admins: int, admin_logins: int = 0
) -> str | None:
    """None when `actor` may do `action` to `target`, else the Vietnamese reason it may not (pure).

    The one rule of who may manage users, for the CLI (`monitor users`) and the web app (accounts.service).
    """
    return permission_refusal(
        actor, action, target, active_admins=active_admins, admin_logins=admin_logins
    ) or last_admin_refusal(action, target, active_admins=active_admins)


def check(
    session: Any,  # a store session (the queue layer never names sqlalchemy)
    actor_name: str | None,
    action: UserAction,
    target: Target,
) -> User | None:
    """The acting user if the rule allows `action`; PermissionDeniedError when the actor may not do it
    at all, TransitionError when it would leave no admin (both in Vietnamese)."""
    actor = _existing(session, actor_name) if actor_name else None
    admins = store_users.count_admins(session)
    refusal = permission_refusal(
        actor, action, target, active_admins=admins, admin_logins=store_users.count_admin_logins(session)
    )
    if refusal:
        raise PermissionDeniedError(refusal, action=AUDIT_ACTIONS[action], obj=target.username)
    refusal = last_admin_refusal(action, target, active_admins=admins)
    if refusal:
        raise TransitionError(refusal)
    return actor


def _existing(session: Any, username: str) -> User:
    """The user named `username`, active or not (NotFoundError when there is none)."""
    user = store_users.find_user(session, username)
    if user is None:
        raise NotFoundError(f"Không có người dùng “{username}” (tạo bằng: monitor users add).")
    return user


def parse_role(word: str) -> str:
    """The role id a user meant (id or Vietnamese label), or a Vietnamese refusal."""
    from monitor.vocab import choices, parse

    role = parse(Role, word)
    if role is None:
        raise TransitionError(
            f"Vai trò “{word}” không hợp lệ; chọn một trong: {', '.join(Role)} ({choices(Role)})."
        )
    return role.value


def add_user(
    db: Database,
    actor_name: str | None,
    username: str,
    role: str,
    name: str,
    now: datetime,
    email: str | None = None,
) -> User:
    """Create a user if `actor_name` may; the new user."""
    role = parse_role(role)
    with db.write() as session:
        check(session, actor_name, UserAction.ADD, Target(username, None, role))
        user = store_users.add_user(session, username, role, name, now, email)
    log.info("user added", extra={"user": username, "role": role, "actor": actor_name})
    return user


def set_role(db: Database, actor_name: str | None, username: str, role: str) -> User:
    """Change a user's role if `actor_name` may; the user afterwards."""
    role = parse_role(role)
    with db.write() as session:
        target = _existing(session, username)
        check(session, actor_name, UserAction.SET_ROLE, Target(username, target.role, role))
        store_users.set_role(session, target.id, role)
        user = _existing(session, username)
    log.info("user role changed", extra={"user": username, "role": role, "actor": actor_name})
    return user


def disable_user(
    db: Database, actor_name: str | None, username: str, settings: QueueSettings, now: datetime
) -> tuple[User, list[int]]:
    """Disable a user if `actor_name` may, and release the cases they hold; (user, released case ids)."""
    from monitor.queue.service import Decision

    with db.write() as session:
        target = _existing(session, username)
        actor = check(session, actor_name, UserAction.DISABLE, Target(username, target.role))
        store_users.set_active(session, target.id, False)
        store_sessions.delete_user_sessions(session, target.id)  # logged out of the web app too
        user = _existing(session, username)
        held = store_users.held_case_ids(session, user.id)
        assigned = store_cases.assigned_open_case_ids(session, user.id)
    assert actor is not None  # an admin: check refused anyone else
    release = Decision(
        Action.RELEASE,
        note=f"Quản trị viên trả lại vụ việc {username} đang giữ: tài khoản đã bị vô hiệu hóa.",
        details={"released_for": username},
    )
    # each release is an event by the admin, like any other release
    released = _act_on_disable(db, held, actor.username, release, settings, now)
    # A disabled collaborator can work no case: the leaders see those given to them as nobody's again
    # (and may give them to someone else); each case's history says why.
    unassign = Decision(
        Action.UNASSIGN,
        note=f"Quản trị viên bỏ giao việc cho {username}: tài khoản đã bị vô hiệu hóa.",
        details={"unassigned": username},
    )
    unassigned = _act_on_disable(db, assigned, actor.username, unassign, settings, now)
    log.info(
        "user disabled",
        extra={"user": username, "actor": actor_name, "released": released, "unassigned": unassigned},
    )
    return user, released


def _act_on_disable(
    db: Database, case_ids: Sequence[int], admin: str, d: Decision, settings: QueueSettings, now: datetime
) -> list[int]:
    """One step of disabling a user on each case; the cases it was done on (a case that moved on meanwhile
    has nothing left to do)."""
    from monitor.queue.service import act

    done = []
    for case_id in case_ids:
        try:
            act(db, case_id, admin, d, settings, now)
        except WorkflowError as exc:
            log.info("case step on disable skipped", extra={"case_id": case_id, "error": str(exc)})
            continue
        done.append(case_id)
    return done
