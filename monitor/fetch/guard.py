"""SSRF guard: which URLs and addresses a fetch may reach, checked after DNS on every hop."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from monitor.errors import BlockedAddressError, FailureKind, FetchError

Resolver = Callable[[str, int], Awaitable[list[str]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = frozenset({"http", "https"})
# NAT64 (RFC 6052) embeds an IPv4 address in the low 32 bits, like ::ffff:0:0/96 does.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_allowed_scheme(scheme: str) -> bool:
    """Whether a URL scheme may be fetched at all (http and https only)."""
    return scheme.lower() in ALLOWED_SCHEMES


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address hidden in an IPv4-mapped, 6to4, Teredo or NAT64 IPv6 address."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]  # (server, client): the client is where packets end up
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_blocked_address(ip: IPAddress) -> bool:
    """Whether an address is not a public unicast one (private, loopback, link-local, …)."""
    inner = embedded_ipv4(ip)
    if inner is not None and is_blocked_address(inner):
        return True
    if inner is not None and ip in _NAT64:
        return False  # NAT64 of a public IPv4 address (DNS64 networks): public, though not "global"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return True
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global  # also catches 100.64.0.0/10 (carrier-grade NAT)
    )


def parse_ip(host: str) -> IPAddress | None:
    """The host as an IP address when it is a literal in any spelling, else None.

    Besides dotted quads and IPv6, the legacy inet_aton spellings count (the WHATWG URL standard and
    getaddrinfo both read them as addresses): one decimal number (2852039166), octal (0251.0376.0251.0376),
    hex (0xa9fea9fe) and short forms (169.254.43518) are all 169.254.169.254.
    """
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if not bare or not all(c in "0123456789abcdefxABCDEFX." for c in bare) or not bare[0].isdigit():
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except OSError:
        return None


def canonical_host(host: str) -> str:
    """One spelling per host: an IP literal in its standard form, a name lower-cased."""
    ip = parse_ip(host)
    return str(ip) if ip is not None else host.strip("[]").lower().rstrip(".")


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve a host name with the event loop's getaddrinfo (the default resolver)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def blocked(host: str, address: str) -> BlockedAddressError:
    """The error for a refused address (`host` is the name it came from)."""
    shown = address if parse_ip(host) is not None else f"{host} ({address})"
    return BlockedAddressError(
        f"Địa chỉ nội bộ bị chặn: {shown}",
        detail=f"refused non-public address {host} -> {address}",
        kind=FailureKind.HARD,
    )


def check_literal_host(url: str, *, trusted: str | None) -> None:
    """Refuse a URL whose host is a non-public IP literal in any spelling, unless it is `trusted`.

    Runs before the URL is parsed for the request, so spellings an HTTP library would reject or read
    differently (0251.0376.0251.0376) are refused as what they are: a private address.
    """
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return  # not parseable: the fetch itself reports the bad URL
    ip = parse_ip(host) if host else None
    if host and ip is not None and is_blocked_address(ip) and canonical_host(host) != trusted:
        raise blocked(host, str(ip))


async def resolve_checked(
    host: str, port: int, resolver: Resolver, *, allow_private: bool
) -> tuple[str, ...]:
    """Resolve `host` and return its addresses, refusing the host if any of them is not public."""
    literal = parse_ip(host)
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = await resolver(host, port)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(
                f"Không phân giải được tên miền: {host}",
                detail=f"DNS lookup failed for {host}: {exc}",
                kind=FailureKind.DNS,
            ) from exc
        if not addresses:
            raise FetchError(
                f"Không phân giải được tên miền: {host}",
                detail=f"DNS returned no address for {host}",
                kind=FailureKind.DNS,
            )
    if not allow_private:
        # Any bad answer refuses the host: the connection could go to whichever address.
        for address in addresses:
            ip = parse_ip(address.split("%", 1)[0])
            if ip is None or is_blocked_address(ip):
                raise blocked(host, address)
    return tuple(addresses)
