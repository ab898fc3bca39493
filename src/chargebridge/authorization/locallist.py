"""The local authorization list as pure logic (no I/O): derived from the id-token store,
versioned, compared, and cut into SendLocalList messages.

Versions. The list has one version for the whole node. Each change set (tokens added, changed,
blocked, expired or deleted since the last look) raises it by the number of tokens it changes,
so that between any two versions there are at least as many version numbers as changed
entries. That lets a list too large for one message go out as several messages with strictly
increasing versions that end exactly at the list's version (OCPP 2.0.1 D01.FR.11: the first
message Full, the rest Differential; every versionNumber above 0, D01.FR.18): a station that
compares versions never sees the same number twice, and one that stops half-way reports a
version that does not match the history, so it gets a full list next time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chargebridge.domain.authorization import AuthorizationEntry, SendLocalList, UpdateType
from chargebridge.domain.model import AuthorizationStatus, IdToken, IdTokenInfo
from chargebridge.services.authorization import token_info


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One token as the list carries it. ``status`` None: the token is not (any more) on the list."""

    id_token: str
    status: str | None
    type: str | None = None
    expires_at: datetime | None = None
    group_id: str | None = None

    @property
    def present(self) -> bool:
        return self.status is not None

    def authorization(self) -> AuthorizationEntry:
        info = (
            IdTokenInfo(AuthorizationStatus(self.status), expires_at=self.expires_at, group_id=self.group_id)
            if self.status is not None
            else None
        )
        return AuthorizationEntry(IdToken(self.id_token, self.type), info)


def entry_of_token(row: Mapping[str, Any], now: datetime) -> ListEntry:
    """A stored id token as a list entry: its status as Authorize would answer it now (an Accepted
    token past its expiry is Expired), with its expiry and group."""
    info = token_info(dict(row), now)
    return ListEntry(row["id_token"], info.status.value, row["type"], row["expires_at"], row["group_id"])


def entry_of_row(row: Mapping[str, Any]) -> ListEntry:
    """A ``local_list_entries`` row as an entry."""
    return ListEntry(row["id_token"], row["status"], row["type"], row["expires_at"], row["group_id"])


def desired_list(tokens: Iterable[Mapping[str, Any]], now: datetime) -> dict[str, ListEntry]:
    """What the list should hold now: every token of the id-token store, whatever its status
    (a Blocked or Expired entry makes an offline station refuse the card, which is the point)."""
    return {row["id_token"]: entry_of_token(row, now) for row in tokens}


def changes(current: Mapping[str, ListEntry], desired: Mapping[str, ListEntry]) -> list[ListEntry]:
    """The entries that bring ``current`` (the list's newest state per token, tombstones
    included) to ``desired``: new or changed entries, and removals (status None)."""
    out: list[ListEntry] = []
    for token, entry in desired.items():
        if current.get(token) != entry:
            out.append(entry)
    for token, entry in current.items():
        if entry.present and token not in desired:
            out.append(ListEntry(token, None))
    out.sort(key=lambda e: e.id_token)
    return out


def next_version(version: int, changed: int) -> int:
    """The version after a change set of ``changed`` entries (see the module docstring)."""
    return version + max(changed, 1)


class CannotSplit(ValueError):
    """The entries cannot be sent within the station's limits and the available version numbers."""


@dataclass(frozen=True, slots=True)
class Limits:
    """What one SendLocalList may carry (None: no limit known)."""

    items_per_message: int | None = None
    bytes_per_message: int | None = None


# Room left for what the size estimate cannot see (version digits of later chunks).
_SIZE_MARGIN = 16


def split(
    entries: list[AuthorizationEntry],
    limits: Limits,
    entry_size: Callable[[AuthorizationEntry], int] | None = None,
    base_size: int = 0,
) -> list[list[AuthorizationEntry]]:
    """Cut ``entries`` into chunks within the item and byte limits (in order). No entries: one empty chunk.

    ``entry_size`` is an entry's encoded size in bytes, ``base_size`` the message's size without
    entries (both only needed with a byte limit)."""
    if not entries:
        return [[]]
    items = limits.items_per_message if limits.items_per_message and limits.items_per_message > 0 else None
    max_bytes = limits.bytes_per_message if limits.bytes_per_message and limits.bytes_per_message > 0 else None
    chunks: list[list[AuthorizationEntry]] = []
    chunk: list[AuthorizationEntry] = []
    size = base_size + _SIZE_MARGIN
    for entry in entries:
        extra = (entry_size(entry) + 1) if (max_bytes is not None and entry_size is not None) else 0
        too_many = items is not None and len(chunk) >= items
        too_big = max_bytes is not None and chunk and size + extra > max_bytes
        if too_many or too_big:
            chunks.append(chunk)
            chunk, size = [], base_size + _SIZE_MARGIN
        if max_bytes is not None and size + extra > max_bytes:
            raise CannotSplit(f"one entry ({entry.id_token.value[:40]!r}) is larger than {max_bytes} bytes")
        chunk.append(entry)
        size += extra
    chunks.append(chunk)
    return chunks


def plan(
    chunks: list[list[AuthorizationEntry]], *, full: bool, target_version: int, station_version: int | None
) -> list[SendLocalList]:
    """The SendLocalList messages for ``chunks``: versions strictly increasing, the last one
    ``target_version``; a full list opens with a Full message, everything else is Differential.
    A differential's first version must lie above ``station_version``; every version above 0."""
    count = len(chunks)
    first = target_version - (count - 1)
    floor = 0 if full or station_version is None else max(station_version, 0)
    if first <= floor:
        raise CannotSplit(f"{count} messages need versions {first}..{target_version}, which must all lie above {floor}")
    messages = []
    for index, chunk in enumerate(chunks):
        update = UpdateType.FULL if full and index == 0 else UpdateType.DIFFERENTIAL
        messages.append(SendLocalList(first + index, update, tuple(chunk)))
    return messages
