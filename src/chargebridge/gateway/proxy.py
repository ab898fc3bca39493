"""The client's address behind a load balancer: trusted proxies, X-Forwarded-For and the PROXY
protocol (v1 text and v2 binary, https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt).

Nothing here does I/O. A header is believed only when the peer that sent it is a trusted proxy
(``trusted_proxies``); otherwise anyone could pick the address its failures are counted under.

- **X-Forwarded-For**: the entries are read right to left (each proxy appends the address it
  saw), skipping trusted proxies; the first untrusted one is the client. A malformed entry ends
  the walk: the address seen last (a trusted proxy) is used, never a made-up one.
- **PROXY protocol**: the header comes before any other byte of the connection (before TLS on
  the wss port), so it is read at the connection level (:mod:`chargebridge.gateway.listener`).
  ``PROXY UNKNOWN`` (v1) and the ``LOCAL`` command (v2, the balancer's own health checks) carry
  no client: the peer's own address is used.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

V1_PREFIX = b"PROXY "
V1_MAX_LENGTH = 107  # the specification's bound, CRLF included
V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
V2_HEADER_LENGTH = 16


class ProxyProtocolError(ValueError):
    """The bytes are not a valid PROXY protocol header."""


def parse_networks(entries: Iterable[str]) -> tuple[IpNetwork, ...]:
    """``10.0.0.0/8``, ``192.0.2.7``, ``2001:db8::/32`` ...; a bad entry raises ValueError naming it."""
    networks: list[IpNetwork] = []
    for entry in entries:
        text = entry.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ValueError(f"not an IP address or network: {text!r}") from exc
    return tuple(networks)


def parse_address(text: str) -> IpAddress | None:
    """An IP address as found in a header: ``192.0.2.1``, ``192.0.2.1:5555``, ``[2001:db8::1]:443``
    or ``2001:db8::1``; IPv4-mapped IPv6 addresses become IPv4. None when it is none of these."""
    text = text.strip().strip('"')
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None
        text = text[1:end]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class TrustedProxies:
    def __init__(self, networks: Sequence[IpNetwork] = ()):
        self.networks = tuple(networks)

    def __bool__(self) -> bool:
        return bool(self.networks)

    def trusts(self, host: str | IpAddress | None) -> bool:
        if not self.networks or host is None:
            return False
        address = parse_address(host) if isinstance(host, str) else host
        return address is not None and any(address in network for network in self.networks)

    def client_address(self, peer: str, forwarded_for: Sequence[str] = ()) -> str:
        """The client's address: ``peer`` itself unless it is trusted and X-Forwarded-For (all
        header lines, in order) names someone behind it."""
        if not self.trusts(peer):
            return peer
        entries = [part for line in forwarded_for for part in line.split(",") if part.strip()]
        client = peer
        for entry in reversed(entries):
            address = parse_address(entry)
            if address is None:
                break
            client = str(address)
            if not self.trusts(address):
                break
        return client


@dataclass(frozen=True, slots=True)
class ProxyHeader:
    length: int  # bytes of the header, to be skipped
    source: str | None  # the client's address; None for PROXY UNKNOWN / LOCAL
    source_port: int | None = None


def parse_proxy_header(data: bytes) -> ProxyHeader | None:
    """The PROXY header at the start of ``data``; None when more bytes are needed.
    Raises :class:`ProxyProtocolError` when the bytes cannot be one."""
    if data.startswith(V2_SIGNATURE[: len(data)]) and data[:1] == b"\r":
        return _parse_v2(data)
    if V1_PREFIX.startswith(data[: len(V1_PREFIX)]):
        return _parse_v1(data)
    raise ProxyProtocolError("the connection does not start with a PROXY protocol header")


def _parse_v1(data: bytes) -> ProxyHeader | None:
    end = data.find(b"\r\n", 0, V1_MAX_LENGTH)
    if end < 0:
        if len(data) >= V1_MAX_LENGTH:
            raise ProxyProtocolError("PROXY v1 header longer than 107 bytes")
        return None
    try:
        line = data[:end].decode("ascii")
    except UnicodeDecodeError as exc:
        raise ProxyProtocolError("PROXY v1 header is not ASCII") from exc
    parts = line.split(" ")
    if len(parts) >= 2 and parts[1] == "UNKNOWN":
        return ProxyHeader(end + 2, None)
    if len(parts) != 6 or parts[1] not in ("TCP4", "TCP6"):
        raise ProxyProtocolError("malformed PROXY v1 header")
    _, family, source, _destination, source_port, _destination_port = parts
    address = _strict_address(source)
    if address is None or (family == "TCP4") != (address.version == 4):
        raise ProxyProtocolError("PROXY v1 header with a bad source address")
    port = _port(source_port)
    if port is None or _port(_destination_port) is None:
        raise ProxyProtocolError("PROXY v1 header with a bad port")
    return ProxyHeader(end + 2, str(address), port)


def _parse_v2(data: bytes) -> ProxyHeader | None:
    if len(data) < V2_HEADER_LENGTH:
        return None
    if data[:12] != V2_SIGNATURE:
        raise ProxyProtocolError("bad PROXY v2 signature")
    version_command, family, length = data[12], data[13], struct.unpack("!H", data[14:16])[0]
    if version_command >> 4 != 2:
        raise ProxyProtocolError("unsupported PROXY protocol version")
    total = V2_HEADER_LENGTH + length
    if len(data) < total:
        return None
    command = version_command & 0x0F
    if command == 0x0:  # LOCAL: the balancer's own connection (health check)
        return ProxyHeader(total, None)
    if command != 0x1:
        raise ProxyProtocolError("unknown PROXY v2 command")
    body = data[V2_HEADER_LENGTH:total]
    address_family, transport = family >> 4, family & 0x0F
    if transport not in (0x1, 0x2) or address_family not in (0x1, 0x2):  # UNSPEC, UNIX: no IP client
        return ProxyHeader(total, None)
    size = 12 if address_family == 0x1 else 36
    if len(body) < size:
        raise ProxyProtocolError("PROXY v2 address block too short")
    raw = body[:4] if address_family == 0x1 else body[:16]
    port_offset = 8 if address_family == 0x1 else 32
    source = ipaddress.ip_address(raw)
    port = struct.unpack("!H", body[port_offset : port_offset + 2])[0]
    if isinstance(source, ipaddress.IPv6Address) and source.ipv4_mapped is not None:
        return ProxyHeader(total, str(source.ipv4_mapped), port)
    return ProxyHeader(total, str(source), port)


def _strict_address(text: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _port(text: str) -> int | None:
    if not text.isdigit() or (len(text) > 1 and text[0] == "0"):
        return None
    port = int(text)
    return port if 0 <= port <= 65535 else None


def proxy_v1_header(source: str, destination: str, source_port: int, destination_port: int) -> bytes:
    """A PROXY v1 header (for tests and the simulator)."""
    family = "TCP4" if ipaddress.ip_address(source).version == 4 else "TCP6"
    return f"PROXY {family} {source} {destination} {source_port} {destination_port}\r\n".encode("ascii")


def proxy_v2_header(source: str, destination: str, source_port: int, destination_port: int) -> bytes:
    """A PROXY v2 header for a TCP connection (for tests)."""
    src, dst = ipaddress.ip_address(source), ipaddress.ip_address(destination)
    if src.version == 4:
        family, body = 0x11, src.packed + dst.packed
    else:
        family, body = 0x21, src.packed + dst.packed
    body += struct.pack("!HH", source_port, destination_port)
    return V2_SIGNATURE + bytes([0x21, family]) + struct.pack("!H", len(body)) + body
