"""Names of everything this network keeps in NATS: subjects, streams, key-value buckets, keys.

Pure functions, no I/O. Every name starts with the network's prefix (``cluster_prefix``), so
several networks (or parallel test runs) share one NATS server without seeing each other.

Station ids may hold characters NATS gives a meaning to (``.`` separates subject tokens, ``*``
and ``>`` are wildcards; key-value keys allow only ``[-/_=.A-Za-z0-9]``), so a station id becomes
one token by escaping: ``A-Z a-z 0-9 -`` stay, every other UTF-8 byte becomes ``_XX`` (two
upper-case hex digits). The empty id (an event that names no station) is the token ``_``.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

_PREFIX = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_NODE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_KEEP = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")
_HEX = re.compile(r"_([0-9A-F]{2})")
NO_STATION = "_"


def validate_prefix(prefix: str) -> str:
    if not _PREFIX.match(prefix):
        raise ValueError(f"cluster prefix {prefix!r}: 1-32 characters of A-Z a-z 0-9 _ -")
    return prefix


def validate_node_id(node_id: str) -> str:
    if not _NODE_ID.match(node_id):
        raise ValueError(f"node id {node_id!r}: 1-64 characters of A-Z a-z 0-9 _ - (it names NATS subjects)")
    return node_id


def validate_nats_url(url: str) -> str:
    """One or more ``nats://`` / ``tls://`` server URLs, comma-separated (a cluster's seeds)."""
    for part in url.split(","):
        parsed = urlsplit(part.strip())
        if parsed.scheme not in ("nats", "tls", "ws", "wss") or not parsed.hostname:
            raise ValueError(f"NATS URL {part.strip()!r}: expected nats://HOST:PORT (or tls://, ws://, wss://)")
    return url


def safe_nats_url(url: str) -> str:
    """The URL(s) without credentials, for logs and status pages."""
    parts = []
    for part in nats_servers(url):
        parsed = urlsplit(part)
        port = f":{parsed.port}" if parsed.port else ""
        parts.append(f"{parsed.scheme}://{parsed.hostname}{port}")
    return ",".join(parts)


def nats_servers(url: str) -> list[str]:
    return [part.strip() for part in url.split(",") if part.strip()]


def default_node_id() -> str:
    """The host name made into a valid node id (in Kubernetes a StatefulSet pod's name)."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", socket.gethostname()).strip("-")[:64]
    return cleaned or "node"


def station_token(station_id: str) -> str:
    """A station id as one subject token / key-value key (reversible, see the module doc)."""
    if not station_id:
        return NO_STATION
    out: list[str] = []
    for byte in station_id.encode("utf-8"):
        out.append(chr(byte) if byte in _KEEP else f"_{byte:02X}")
    return "".join(out)


def station_from_token(token: str) -> str:
    if token == NO_STATION:
        return ""
    out = bytearray()
    i = 0
    while i < len(token):
        char = token[i]
        if char == "_" and _HEX.match(token, i):
            out.append(int(token[i + 1 : i + 3], 16))
            i += 3
        elif char != "_" and ord(char) < 128 and ord(char) in _KEEP:
            out.append(ord(char))
            i += 1
        else:
            raise ValueError(f"not a station token: {token!r}")
    return out.decode("utf-8")  # UnicodeDecodeError is a ValueError


def key_token(name: str) -> str:
    """A free-form name (a lease name such as ``firmware.campaigns``) as a key-value key: the
    characters keys allow stay, dots included; others are escaped like station ids."""
    if not name or name.startswith(".") or name.endswith(".") or ".." in name:
        raise ValueError(f"lease name {name!r}: dot-separated words")
    return ".".join(station_token(part) for part in name.split("."))


@dataclass(frozen=True, slots=True)
class Names:
    """Every name of one network (one prefix)."""

    prefix: str

    def __post_init__(self) -> None:
        validate_prefix(self.prefix)

    # -- the event stream (domain events of every node) ------------------------------------

    @property
    def events_stream(self) -> str:
        return f"{self.prefix}-events"

    @property
    def events_subjects(self) -> str:
        return f"{self.prefix}.ev.>"

    def event_subject(self, kind: str, station_id: str) -> str:
        """``{prefix}.ev.{kind}.{station}``: kinds are two words (``transaction.ended``), so a
        consumer may filter by kind (``{prefix}.ev.transaction.ended.*``) or by station
        (``{prefix}.ev.*.*.{station}``)."""
        return f"{self.prefix}.ev.{kind}.{station_token(station_id)}"

    def parse_event_subject(self, subject: str) -> tuple[str, str]:
        head = f"{self.prefix}.ev."
        if not subject.startswith(head):
            raise ValueError(f"not an event subject of {self.prefix}: {subject!r}")
        parts = subject[len(head) :].split(".")
        if len(parts) != 3:
            raise ValueError(f"not an event subject of {self.prefix}: {subject!r}")
        return f"{parts[0]}.{parts[1]}", station_from_token(parts[2])

    # -- webhook deliveries (a work queue: one consumer per subscription) ------------------

    @property
    def webhooks_stream(self) -> str:
        return f"{self.prefix}-webhooks"

    @property
    def webhooks_subjects(self) -> str:
        return f"{self.prefix}.wh.>"

    def webhook_subject(self, subscription_id: str) -> str:
        return f"{self.prefix}.wh.{station_token(subscription_id)}"

    def webhook_consumer(self, subscription_id: str) -> str:
        return f"wh-{station_token(subscription_id)}"

    # -- key-value buckets -----------------------------------------------------------------

    @property
    def nodes_bucket(self) -> str:
        return f"{self.prefix}-nodes"

    @property
    def presence_bucket(self) -> str:
        return f"{self.prefix}-presence"

    @property
    def leases_bucket(self) -> str:
        return f"{self.prefix}-leases"

    # -- node-to-node requests -------------------------------------------------------------

    def node_call(self, node_id: str) -> str:
        """Request/reply: send a CALL to a station whose socket ``node_id`` holds."""
        return f"{self.prefix}.node.{node_id}.call"

    def node_close(self, node_id: str) -> str:
        """Request/reply: ``node_id`` closes its socket of a station another node took over."""
        return f"{self.prefix}.node.{node_id}.close"

    def control(self, topic: str) -> str:
        """Broadcast to every node (e.g. ``webhooks``: subscriptions changed, reload them)."""
        return f"{self.prefix}.ctl.{topic}"
