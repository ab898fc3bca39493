"""Pure rules of the device model: message size limits, splitting, report parts. No I/O.

A 2.0.1 station says how much one message may carry: ``ItemsPerMessage`` and
``BytesPerMessage`` of the controller component (DeviceDataCtrlr for GetVariables,
SetVariables and GetReport; MonitoringCtrlr for SetVariableMonitoring and
ClearVariableMonitoring), instance = the message name. A 1.6 charge point limits the keys of
one GetConfiguration with ``GetConfigurationMaxKeys``. A request with more is split.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from chargebridge.rpc.frames import encode_call

T = TypeVar("T")

# OCPP-J message ids are at most 36 characters: a frame is measured with the longest one.
_LONGEST_MESSAGE_ID = "x" * 36


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one message may carry; None: no limit known."""

    items: int | None = None
    bytes: int | None = None


class TooLarge(Exception):
    """One item alone is larger than the station's BytesPerMessage."""

    def __init__(self, index: int, size: int, limit: int):
        super().__init__(f"item {index} alone makes a {size}-byte message; the station takes at most {limit} bytes")
        self.index = index
        self.size = size
        self.limit = limit


def parse_limit(value: str | None) -> int | None:
    """A reported limit: a positive integer, else no limit."""
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if number > 0 else None


def frame_bytes(action: str, payload: dict[str, Any]) -> int:
    """The size of the CALL frame carrying ``payload``, as UTF-8 bytes on the wire."""
    return len(encode_call(_LONGEST_MESSAGE_ID, action, payload).encode())


def split(items: Sequence[T], limits: Limits, size_of: Callable[[Sequence[T]], int]) -> list[list[T]]:
    """Cut ``items`` into consecutive chunks of at most ``limits.items`` items whose message
    (``size_of(chunk)`` bytes) is at most ``limits.bytes``. Order is kept. Raises TooLarge."""
    chunks: list[list[T]] = []
    current: list[T] = []
    for index, item in enumerate(items):
        candidate = [*current, item]
        too_many = limits.items is not None and len(candidate) > limits.items
        too_big = limits.bytes is not None and size_of(candidate) > limits.bytes
        if current and (too_many or too_big):
            chunks.append(current)
            candidate = [item]
        if limits.bytes is not None:
            size = size_of(candidate)
            if size > limits.bytes:
                raise TooLarge(index, size, limits.bytes)
        current = candidate
    if current:
        chunks.append(current)
    return chunks


def missing_parts(received: Iterable[int], last_seq_no: int | None) -> list[int]:
    """The part numbers not received yet: below the last part's (tbc false) number, or beyond
    what arrived when the last part has not come."""
    seen = set(received)
    top = last_seq_no if last_seq_no is not None else (max(seen) if seen else -1)
    return [seq_no for seq_no in range(top + 1) if seq_no not in seen]


def is_complete(received: Iterable[int], last_seq_no: int | None) -> bool:
    """Every part 0..last arrived (parts may come in any order)."""
    return last_seq_no is not None and not missing_parts(received, last_seq_no)
