"""Password hashing (argon2id via argon2-cffi, the only module that imports it) and the password rules."""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 256  # argon2 takes any length; a cap keeps a megabyte "password" from costing anything


@cache
def _hasher() -> PasswordHasher:
    # OWASP Password Storage Cheat Sheet, first argon2id profile: m=19 MiB, t=2, p=1. One lane keeps a
    # log-in from taking every core of a small server; stored hashes with other parameters are re-hashed
    # at their next log-in (needs_rehash).
    return PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


@cache
def common_passwords() -> frozenset[str]:
    """The refused list (monitor/data/common_passwords.txt), lower-cased."""
    text = resources.files("monitor").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is refused (one Vietnamese sentence), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Mật khẩu cần ít nhất {MIN_LENGTH} ký tự."
    if len(password) > MAX_LENGTH:
        return f"Mật khẩu dài quá {MAX_LENGTH} ký tự."
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        return "Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác."
    if username and username.lower() in lowered:
        return "Mật khẩu không được chứa tên đăng nhập."
    return None


def hash_password(password: str) -> str:
    """An argon2id hash string (salt and parameters included)."""
    return _hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches `stored`; a missing hash still costs one hash (no timing oracle)."""
    if stored is None:
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash uses weaker parameters than today's (re-hashed at the next log-in)."""
    return _hasher().check_needs_rehash(stored)
