"""Users and roles: who may act on cases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.errors import NotFoundError, StoreError
from monitor.store.queue_tables import UserRow
from monitor.vocab import Role, choices

ROLES: tuple[str, ...] = tuple(Role)


@dataclass(frozen=True)
class User:
    """A person who acts on cases."""

    id: int
    username: str
    name: str
    role: str
    active: bool


def _user(row: UserRow) -> User:
    return User(row.id, row.username, row.name, row.role, row.active)


def add_user(session: Session, username: str, role: str, name: str, now: datetime) -> User:
    """Create a user; a taken username or unknown role is refused in Vietnamese."""
    if role not in ROLES:
        raise StoreError(f"Vai trò “{role}” không hợp lệ; chọn một trong: {choices(Role)}.")
    username, name = username.strip(), " ".join(name.split())
    if not re.fullmatch(r"[A-Za-z0-9._-]{2,64}", username):
        raise StoreError(
            f"Tên đăng nhập “{username}” không hợp lệ: 2–64 ký tự chữ không dấu, số, “.”, “_”, “-”."
        )
    if not name:
        raise StoreError("Họ tên không được để trống.")
    row = UserRow(username=username, name=name, role=role, active=True, created_at=now)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        raise StoreError(f"Tên đăng nhập “{username}” đã tồn tại.", detail=str(exc.orig)) from None
    return _user(row)


def list_users(session: Session) -> list[User]:
    """Every user, by username."""
    return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.username))]


def _row(session: Session, username: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None:
        raise NotFoundError(f"Không có người dùng “{username}” (tạo bằng: monitor users add).")
    return row


def get_user(session: Session, username: str, *, include_disabled: bool = False) -> User:
    """The active user named `username` (or a disabled one, when asked), else NotFoundError."""
    row = _row(session, username)
    if not row.active and not include_disabled:
        raise NotFoundError(f"Người dùng “{username}” đã bị vô hiệu hóa, không được thao tác.")
    return _user(row)


def count_active_admins(session: Session) -> int:
    """How many active admins there are."""
    q = select(func.count()).select_from(UserRow).where(UserRow.role == "admin", UserRow.active.is_(True))
    return int(session.scalar(q) or 0)


def set_role(session: Session, username: str, role: str) -> User:
    """Give `username` another role."""
    if role not in ROLES:
        raise StoreError(f"Vai trò “{role}” không hợp lệ; chọn một trong: {', '.join(ROLES)}.")
    row = _row(session, username)
    row.role = role
    return _user(row)


def set_active(session: Session, username: str, active: bool) -> User:
    """Enable or disable `username`."""
    row = _row(session, username)
    row.active = active
    return _user(row)


def held_case_ids(session: Session, user_id: int) -> list[int]:
    """Cases in review whose claim names the user (expired or not)."""
    from monitor.store.queue_tables import CaseRow

    q = select(CaseRow.id).where(CaseRow.claimed_by == user_id, CaseRow.state == "in_review")
    return list(session.scalars(q.order_by(CaseRow.id)))
