"""What the bench saw during a run: every OCPP frame exchanged with the station (from the
gateway's frame tap) and the domain events about it (from the bus), in one ordered, bounded log.

Cases wait on the log (:meth:`RunLog.wait_for`) and take their evidence from it (a slice between
two cursors). Frames are parsed once when they arrive; a reply carries the action of the CALL it
answers. Nothing here does I/O.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chargebridge.domain.timeutil import format_datetime

CALL, CALLRESULT, CALLERROR = 2, 3, 4
_TYPE_NAMES = {CALL: "CALL", CALLRESULT: "CALLRESULT", CALLERROR: "CALLERROR"}

# Station -> CSMS ("in") and CSMS -> station ("out"), as the gateway's tap names them.
IN, OUT = "in", "out"

# Evidence per case: at most this many entries (the first and last halves when there are more),
# and frames longer than this many characters are cut.
MAX_EVIDENCE = 120
MAX_FRAME_CHARS = 4000


@dataclass(frozen=True, slots=True)
class Frame:
    """One WebSocket message exchanged with the station."""

    seq: int
    at: datetime
    mono: float
    direction: str  # IN: from the station, OUT: to the station
    text: str
    type: int | None  # CALL / CALLRESULT / CALLERROR, None: not an OCPP-J frame
    message_id: str | None
    action: str | None  # a CALL's action; a reply: the action of the CALL it answers (when known)
    payload: Any  # CALL / CALLRESULT payload; CALLERROR: {"code", "description", "details"}

    @property
    def from_station(self) -> bool:
        return self.direction == IN

    def is_call(self, action: str | None = None, *, from_station: bool | None = None) -> bool:
        if self.type != CALL or (action is not None and self.action != action):
            return False
        return from_station is None or self.from_station == from_station

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "seq": self.seq,
            "at": format_datetime(self.at),
            "direction": "station->csms" if self.from_station else "csms->station",
            "type": _TYPE_NAMES.get(self.type or 0, "invalid"),
            "action": self.action,
            "message_id": self.message_id,
        }
        if len(self.text) > MAX_FRAME_CHARS:
            out["frame"] = self.text[:MAX_FRAME_CHARS]
            out["truncated_chars"] = len(self.text) - MAX_FRAME_CHARS
        else:
            out["frame"] = self.text
        return out


@dataclass(frozen=True, slots=True)
class Observed:
    """A domain event about the station (``station.connected``, ``transaction.started``, ...) or
    a note of the bench (``bench.*``: a prompt, the connection's TLS details)."""

    seq: int
    at: datetime
    mono: float
    kind: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": format_datetime(self.at), "event": self.kind, "data": self.data}


Entry = Frame | Observed


def parse_frame(text: str) -> tuple[int | None, str | None, str | None, Any]:
    """(type, message id, action, payload) of an OCPP-J frame; (None, ...) when it is not one."""
    try:
        data = json.loads(text)
    except ValueError:
        return None, None, None, None
    if not isinstance(data, list) or len(data) < 3 or data[0] not in (CALL, CALLRESULT, CALLERROR):
        return None, None, None, None
    message_id = data[1] if isinstance(data[1], str) else None
    if data[0] == CALL:
        if len(data) != 4 or not isinstance(data[2], str):
            return None, message_id, None, None
        return CALL, message_id, data[2], data[3]
    if data[0] == CALLRESULT:
        return CALLRESULT, message_id, None, data[2]
    details = data[4] if len(data) > 4 else {}
    error = {"code": data[2], "description": data[3] if len(data) > 3 else "", "details": details}
    return CALLERROR, message_id, None, error


class RunLog:
    """The ordered, bounded log of one run. ``add_frame`` is the gateway tap's callback."""

    def __init__(self, now: Callable[[], datetime], *, max_entries: int = 20_000):
        self._now = now
        self._entries: deque[Entry] = deque(maxlen=max_entries)
        self._seq = 0
        # Outstanding CALLs by (direction of the CALL, message id) -> action, to name their replies.
        self._open_calls: dict[tuple[str, str], str] = {}
        self._changed = asyncio.Event()

    @property
    def cursor(self) -> int:
        """The sequence number the next entry will get (a case's evidence starts here)."""
        return self._seq

    def _next(self) -> tuple[int, datetime, float]:
        seq = self._seq
        self._seq += 1
        return seq, self._now(), time.monotonic()

    def add_frame(self, direction: str, raw: str | bytes) -> None:
        text = raw if isinstance(raw, str) else raw.decode("utf-8", errors="replace")
        kind, message_id, action, payload = parse_frame(text)
        if message_id is not None:
            if kind == CALL and action is not None:
                if len(self._open_calls) > 1000:  # replies that never came: forget the oldest
                    self._open_calls.pop(next(iter(self._open_calls)))
                self._open_calls[(direction, message_id)] = action
            elif kind in (CALLRESULT, CALLERROR):
                other = OUT if direction == IN else IN
                action = self._open_calls.pop((other, message_id), None)
        seq, at, mono = self._next()
        self._append(Frame(seq, at, mono, direction, text, kind, message_id, action, payload))

    def note(self, kind: str, data: dict[str, Any] | None = None, at: datetime | None = None) -> Observed:
        seq, now, mono = self._next()
        entry = Observed(seq, at or now, mono, kind, dict(data or {}))
        self._append(entry)
        return entry

    def _append(self, entry: Entry) -> None:
        self._entries.append(entry)
        self._changed.set()

    def since(self, cursor: int, until: int | None = None) -> list[Entry]:
        """Entries with ``cursor <= seq < until`` still held (the oldest go when the log is full)."""
        entries = self._entries
        start = bisect.bisect_left(entries, cursor, key=lambda e: e.seq)
        out: list[Entry] = []
        for index in range(start, len(entries)):
            entry = entries[index]
            if until is not None and entry.seq >= until:
                break
            out.append(entry)
        return out

    def frames(self, cursor: int = 0, until: int | None = None) -> Iterator[Frame]:
        return (e for e in self.since(cursor, until) if isinstance(e, Frame))

    def events(self, cursor: int = 0, until: int | None = None, kind: str | None = None) -> Iterator[Observed]:
        return (e for e in self.since(cursor, until) if isinstance(e, Observed) and (kind is None or e.kind == kind))

    async def wait_for(
        self, predicate: Callable[[Entry], bool], timeout_s: float, *, cursor: int | None = None
    ) -> Entry | None:
        """The first entry from ``cursor`` (default: now) that satisfies ``predicate``, waiting at
        most ``timeout_s``; None when none came in time."""
        position = self.cursor if cursor is None else cursor
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout_s)
        while True:
            for entry in self.since(position):
                position = entry.seq + 1
                if predicate(entry):
                    return entry
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            self._changed.clear()
            try:
                async with asyncio.timeout(remaining):
                    await self._changed.wait()
            except TimeoutError:
                pass

    def evidence(self, cursor: int, until: int | None = None) -> list[dict[str, Any]]:
        """The entries of a case as JSON: all of them, or the first and last ``MAX_EVIDENCE / 2``
        with a note of how many were left out."""
        entries = self.since(cursor, until)
        if len(entries) <= MAX_EVIDENCE:
            return [e.to_json() for e in entries]
        half = MAX_EVIDENCE // 2
        left_out = len(entries) - 2 * half
        return [
            *(e.to_json() for e in entries[:half]),
            {"omitted": left_out, "note": f"{left_out} entries left out of the evidence"},
            *(e.to_json() for e in entries[-half:]),
        ]
