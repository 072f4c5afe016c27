"""SSRF guard: refuse hosts that are, or resolve to, private, loopback, link-local, multicast or metadata addresses.

Checked before every request, on every redirect hop, and again inside the connection's DNS resolver (so a host
that re-resolves to a private address between the check and the connect is still refused). Legacy IPv4 forms
(``2130706433``, ``0177.0.0.1``, ``0x7f.1``) and IPv6-mapped/NAT64 addresses are decoded first. Hosts or IPs in
``crawler.allow_private_hosts`` are exempt (tests allow the local test web on 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_LEGACY_V4 = re.compile(r"^(0[xX][0-9a-fA-F]*|[0-9]+)(\.(0[xX][0-9a-fA-F]*|[0-9]+)){0,3}$")
_METADATA = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack
    ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("192.0.0.192"),  # Oracle Cloud
    ipaddress.ip_address("fd00:ec2::254"),  # AWS IPv6 metadata
}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
METADATA_HOSTNAMES = frozenset({"metadata.google.internal", "metadata", "instance-data", "metadata.azure.internal"})


class SsrfRefused(Exception):
    """The target is an internal address; ``reason`` says which range."""


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a host string denotes literally (including legacy IPv4 forms), or None for a name."""
    h = host.strip().strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(h)
    except ValueError:
        pass
    if _LEGACY_V4.match(h):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(h))
        except OSError:
            return None
    return None


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why connecting to ``ip`` is refused, or None if it is a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return forbidden_reason(ip.ipv4_mapped)
        if ip in _NAT64:
            return forbidden_reason(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None:
            return forbidden_reason(ip.sixtofour)
    if ip in _METADATA:
        return f"{ip} is a cloud metadata address"
    checks = (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    )
    for name, hit in checks:
        if hit:
            return f"{ip} is a {name} address"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


@dataclass
class SsrfGuard:
    """Resolves a host and refuses internal targets unless the host (or its IP) is allow-listed."""

    allow_private_hosts: Iterable[str] = ()
    overrides: dict[str, str] | None = None  # host → "ip" or "ip:port" (like curl --resolve)

    def __post_init__(self) -> None:
        self._allow = {h.strip().lower().strip("[]") for h in self.allow_private_hosts}
        self._overrides = {k.lower(): v for k, v in (self.overrides or {}).items()}

    def allowed_host(self, host: str) -> bool:
        return host.lower().strip("[]") in self._allow

    def override(self, host: str) -> tuple[str, int | None] | None:
        target = self._overrides.get(host.lower())
        if target is None:
            return None
        if target.count(":") == 1:
            ip, port = target.split(":")
            return ip, int(port)
        return target, None

    def check_ip(self, host: str, ip: IPAddress) -> None:
        if self.allowed_host(host) or self.allowed_host(str(ip)):
            return
        reason = forbidden_reason(ip)
        if reason:
            raise SsrfRefused(f"refused {host}: {reason} (add it to crawler.allow_private_hosts only if trusted)")

    async def resolve(self, host: str, port: int, family: int = socket.AF_UNSPEC) -> list[tuple[str, int, int]]:
        """(ip, port, family) for ``host``, every one checked; raises SsrfRefused or OSError."""
        low = host.lower().rstrip(".")
        if low in METADATA_HOSTNAMES and not self.allowed_host(low):
            raise SsrfRefused(f"refused {host}: a cloud metadata host name (crawler.allow_private_hosts)")
        mapped = self.override(low)
        if mapped is not None:
            ip = ipaddress.ip_address(mapped[0])
            self.check_ip(low, ip)
            return [(str(ip), mapped[1] or port, socket.AF_INET6 if ip.version == 6 else socket.AF_INET)]
        literal = parse_ip_literal(low)
        if literal is not None:
            self.check_ip(low, literal)
            return [(str(literal), port, socket.AF_INET6 if literal.version == 6 else socket.AF_INET)]
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(low, port, family=family, type=socket.SOCK_STREAM)
        out: list[tuple[str, int, int]] = []
        for fam, _, _, _, sockaddr in infos:
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            self.check_ip(low, ip)  # every address must be public: one private answer refuses the host
            out.append((str(ip), int(sockaddr[1]), int(fam)))
        if not out:
            raise OSError(f"no addresses for {host}")
        return out
