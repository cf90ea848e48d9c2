"""Users and roles: who may act on cases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
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
    email: str | None = None  # where alerts go


_EMAIL = re.compile(r"[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+")


def user_of_row(row: UserRow) -> User:
    """A stored user row as the frozen User (inside the store: rows never leave it)."""
    return User(row.id, row.username, row.name, row.role, row.active, row.email)


def add_user(
    session: Session, username: str, role: str, name: str, now: datetime, email: str | None = None
) -> User:
    """Create a user; a taken username, unknown role or malformed e-mail address is refused in Vietnamese."""
    if email is not None:
        email = email.strip()
        if not _EMAIL.fullmatch(email):
            raise StoreError(f"Địa chỉ thư “{email}” không hợp lệ, ví dụ: an.nv@congan.kontum.gov.vn.")
    if role not in ROLES:
        raise StoreError(f"Vai trò “{role}” không hợp lệ; chọn một trong: {choices(Role)}.")
    username, name = username.strip(), " ".join(name.split())
    if not re.fullmatch(r"[A-Za-z0-9._-]{2,64}", username):
        raise StoreError(
            f"Tên đăng nhập “{username}” không hợp lệ: 2–64 ký tự chữ không dấu, số, “.”, “_”, “-”."
        )
    if not name:
        raise StoreError("Họ tên không được để trống.")
    row = UserRow(username=username, name=name, role=role, active=True, email=email, created_at=now)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        raise StoreError(f"Tên đăng nhập “{username}” đã tồn tại.", detail=str(exc.orig)) from None
    return user_of_row(row)


def list_users(session: Session) -> list[User]:
    """Every user, by username."""
    return [user_of_row(r) for r in session.scalars(select(UserRow).order_by(UserRow.username))]


def find_user(session: Session, username: str) -> User | None:
    """The user named `username` (active or not), or None."""
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    return user_of_row(row) if row is not None else None


def user_by_id(session: Session, user_id: int) -> User | None:
    """The user with this id (active or not), or None."""
    row = session.get(UserRow, user_id)
    return user_of_row(row) if row is not None else None


def password_hash(session: Session, user_id: int) -> str | None:
    """The stored argon2 hash of a user's password (None: no password set)."""
    return session.scalar(select(UserRow.password_hash).where(UserRow.id == user_id))


def set_password_hash(session: Session, user_id: int, hashed: str) -> None:
    """Store a new password hash."""
    session.execute(update(UserRow).where(UserRow.id == user_id).values(password_hash=hashed))


def set_role(session: Session, user_id: int, role: str) -> None:
    """Change a user's role (checked against ROLES)."""
    if role not in ROLES:
        raise StoreError(f"Vai trò “{role}” không hợp lệ; chọn một trong: {', '.join(ROLES)}.")
    session.execute(update(UserRow).where(UserRow.id == user_id).values(role=role))


def set_active(session: Session, user_id: int, active: bool) -> None:
    """Enable or disable a user."""
    session.execute(update(UserRow).where(UserRow.id == user_id).values(active=active))


def count_admins(session: Session) -> int:
    """How many active admins there are."""
    rows = session.scalars(select(UserRow.id).where(UserRow.role == "admin", UserRow.active.is_(True)))
    return len(list(rows))


def count_admin_logins(session: Session) -> int:
    """How many active admins have a password (can log in to the web app)."""
    q = select(func.count(UserRow.id)).where(
        UserRow.role == "admin", UserRow.active.is_(True), UserRow.password_hash.is_not(None)
    )
    return int(session.scalar(q) or 0)


def get_user(session: Session, username: str) -> User:
    """The active user named `username`; NotFoundError when there is none or they were disabled."""
    user = find_user(session, username)
    if user is None:
        raise NotFoundError(f"Không có người dùng “{username}” (tạo bằng: monitor users add).")
    if not user.active:
        raise NotFoundError(f"Người dùng “{username}” đã bị vô hiệu hóa, không được thao tác.")
    return user


def held_case_ids(session: Session, user_id: int) -> list[int]:
    """Cases in review whose claim names the user (expired or not)."""
    from monitor.store.queue_tables import CaseRow

    q = select(CaseRow.id).where(CaseRow.claimed_by == user_id, CaseRow.state == "in_review")
    return list(session.scalars(q.order_by(CaseRow.id)))
