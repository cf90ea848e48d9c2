"""Pure decisions of the account layer: session lifetimes, log-in throttling, the client's address."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class AccountPolicy:
    """Session timeouts and log-in throttling limits (defaults follow OWASP's session/auth cheat sheets)."""

    idle_minutes: float = 30.0  # a session unused this long is over
    absolute_hours: float = 12.0  # and no session outlives one working day, used or not
    touch_seconds: float = 60.0  # last_seen_at is written at most this often (one write per minute)
    window_minutes: float = 15.0  # failures counted over this window
    max_failures_per_user: int = 5
    max_failures_per_addr: int = 20
    trusted_proxies: tuple[str, ...] = ()  # addresses/networks whose X-Forwarded-For we believe


def session_alive(created_at: datetime, last_seen_at: datetime, now: datetime, policy: AccountPolicy) -> bool:
    """Whether a session is within both its idle and its absolute timeout."""
    return now - last_seen_at < timedelta(minutes=policy.idle_minutes) and now - created_at < timedelta(
        hours=policy.absolute_hours
    )


def throttle_refusal(user_failures: int, addr_failures: int, policy: AccountPolicy) -> str | None:
    """The Vietnamese refusal when too many log-ins failed recently for this account or address, else None."""
    if user_failures >= policy.max_failures_per_user or addr_failures >= policy.max_failures_per_addr:
        return (
            f"Đăng nhập sai quá nhiều lần; hãy thử lại sau {policy.window_minutes:.0f} phút "
            "hoặc liên hệ quản trị."
        )
    return None


def _in(addr: str, networks: Sequence[str]) -> bool:
    try:
        ip = ipaddress.ip_address(addr.strip())
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def client_address(remote_addr: str | None, forwarded_for: str | None, trusted_proxies: Sequence[str]) -> str:
    """The client's address: X-Forwarded-For is read only when the peer is a trusted proxy.

    Walks the header right to left (RFC 7239 §5.2 semantics for the de-facto header): the first address
    that is not itself a trusted proxy is the client; anything further left was written by the client.
    """
    peer = (remote_addr or "").strip() or "?"
    if not forwarded_for or not _in(peer, trusted_proxies):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _in(hop, trusted_proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer
    return peer
