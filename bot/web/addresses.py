"""Which network addresses `/classify-url` may connect to, and reading IP literals in every spelling."""

import ipaddress
import re
from dataclasses import dataclass
from typing import Iterable, Optional, Union

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

# NAT64 prefixes (well-known and local-use): the IPv4 address in the last 32 bits is what gets reached.
NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_NUMBER_PART = re.compile(r"^(0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*)$", re.IGNORECASE)


def ipv4_literal(host: str) -> Optional[ipaddress.IPv4Address]:
    """The IPv4 address `host` spells the way inet_aton reads it (decimal, octal, hex, 1-4 parts), else None.

    Resolvers and browsers accept `2130706433`, `0177.0.0.1`, `0x7f.1` and `127.1` as 127.0.0.1,
    so the policy must read them the same way before deciding.
    """
    parts = host.rstrip(".").split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMBER_PART.match(part) for part in parts):
        return None
    numbers = [_parse_number(part) for part in parts]
    *leading, last = numbers
    if any(number > 0xFF for number in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    value = 0
    for number in leading:
        value = value * 256 + number
    value = value * 256 ** (5 - len(numbers)) + last
    return ipaddress.IPv4Address(value)


def ip_literal(host: str) -> Optional[IPAddress]:
    """`host` as an IP address when it is one (IPv4 in any spelling, or IPv6 with or without brackets)."""
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            return None
    return ipv4_literal(host)


def ends_in_number(host: str) -> bool:
    """Whether browsers would read `host` as an IPv4 address (its last label is a number), valid or not."""
    last = host.rstrip(".").rsplit(".", 1)[-1]
    return bool(last) and (last.isdigit() or bool(re.fullmatch(r"0x[0-9a-f]*", last, re.IGNORECASE)))


def _parse_number(part: str) -> int:
    if part.lower().startswith("0x"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)
    return int(part)


def embedded_ipv4(address: ipaddress.IPv6Address) -> Optional[ipaddress.IPv4Address]:
    """The IPv4 address an IPv6 address really leads to (mapped, compatible, 6to4, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in network for network in NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


@dataclass(frozen=True)
class AddressPolicy:
    """Allows only globally routable unicast addresses, plus the networks in `allow` (tests pass 127.0.0.1/32)."""

    allow: tuple[IPNetwork, ...] = ()

    @classmethod
    def allowing(cls, networks: Iterable[str]) -> "AddressPolicy":
        """A policy that also lets through the given networks, written like '127.0.0.1/32'."""
        return cls(tuple(ipaddress.ip_network(network) for network in networks))

    def permits(self, address: IPAddress) -> bool:
        """Whether a connection to `address` is allowed."""
        if any(address.version == network.version and address in network for network in self.allow):
            return True
        if isinstance(address, ipaddress.IPv6Address):
            if address.scope_id is not None or address.teredo is not None:
                return False  # zone ids name local links; Teredo tunnels go wherever a relay sends them
            inner = embedded_ipv4(address)
            if inner is not None:
                return self.permits(inner)
        return address.is_global and not address.is_multicast and not address.is_reserved
