"""What an edge and the server say to each other (pure: pydantic models and helpers, no I/O).

**Batches (edge -> server).** The edge numbers every record it writes to its outbox (``seq``,
strictly increasing within one outbox, ``outbox_id``) and sends them in order::

    {"edge_id": "depot-7", "outbox_id": "5f0c...", "sent_at": "2025-01-01T10:00:00Z",
     "status": {...} | null,
     "records": [
       {"seq": 41, "kind": "sample", "device": "grid-meter", "at": "...",
        "data": {"values": [{"measurand": "Voltage", "value": 230.1, "unit": "V", "phase": "L1-N",
                             "location": null, "context": "Sample.Periodic"}]}},
       {"seq": 42, "kind": "fault", "device": "grid-meter", "at": "...",
        "data": {"code": "Timeout", "info": "no answer ...", "vendor_code": null}},
       {"seq": 43, "kind": "clear", "device": "grid-meter", "at": "...", "data": {"code": "Timeout"}}]}

The server applies the records whose ``seq`` is above the last one it applied for that edge and
outbox, all in one database transaction, and answers ``{"acked_seq": 43, ...}``; the edge then
deletes what is acknowledged. A batch sent twice (a lost answer, a replay after a restart) is
applied once: idempotent by (edge id, seq). A new ``outbox_id`` (the edge's disk was replaced)
starts a new sequence.

**Commands (server -> edge) and answers (edge -> server)**::

    {"id": "3c1f...", "type": "read_register", "params": {...}, "created_at": "...", "expires_at": "..."}
    {"status": "ok", "result": {...}}            |   {"status": "error", "error": "why"}

Command types: ``ping``; ``read_register`` (``device``, ``register_type`` holding|input,
``address``, ``count`` 1..125, optional ``device_id``); ``set_limit`` (``name``, ``value``,
``unit``, optional ``valid_until``: a limit such as the site's grid limit, kept by the edge across
restarts and shown to local consumers); ``status``. An edge answers a type it does not know with
an error, never silence.
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

NAME_PATTERN = r"^[A-Za-z0-9_-]{1,48}$"
_NAME = re.compile(NAME_PATTERN)
MAX_RECORDS_PER_BATCH = 1000
MAX_VALUES_PER_SAMPLE = 200

RecordKind = Literal["sample", "fault", "clear"]
CommandType = Literal["ping", "read_register", "set_limit", "status"]
COMMAND_TYPES: tuple[str, ...] = ("ping", "read_register", "set_limit", "status")


def valid_name(value: str, what: str = "name") -> str:
    """Edge ids and device names: 1-48 of A-Z a-z 0-9 _ - (safe in URLs, MQTT topics and NATS subjects)."""
    if not _NAME.match(value):
        raise ValueError(f"{what} {value!r} must be 1-48 characters of A-Z, a-z, 0-9, '_' and '-'")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WireValue(_Model):
    measurand: str = Field(max_length=64)
    value: float
    unit: str = Field(max_length=16)
    phase: str | None = Field(default=None, max_length=8)
    location: str | None = Field(default=None, max_length=16)
    context: str = Field(default="Sample.Periodic", max_length=32)


class WireRecord(_Model):
    seq: int = Field(ge=1, le=2**63 - 1)
    kind: RecordKind
    device: str
    at: datetime
    data: dict[str, Any]

    @field_validator("device")
    @classmethod
    def _device(cls, value: str) -> str:
        return valid_name(value, "device")

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("timestamps need a time zone (RFC 3339)")
        return value

    def values(self) -> list[WireValue]:
        """A sample's values (raises ValueError for a malformed sample)."""
        raw = self.data.get("values")
        if not isinstance(raw, list) or len(raw) > MAX_VALUES_PER_SAMPLE:
            raise ValueError(f"record {self.seq}: a sample needs 'values', a list of at most {MAX_VALUES_PER_SAMPLE}")
        return [WireValue.model_validate(v) for v in raw]

    def code(self) -> str:
        code = self.data.get("code")
        if not isinstance(code, str) or not 1 <= len(code) <= 64:
            raise ValueError(f"record {self.seq}: a {self.kind} record needs 'code' (1-64 characters)")
        return code


class WireDeviceStatus(_Model):
    """What an edge reports of one device with each batch (state, not events: the latest wins)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str
    transport: str = Field(max_length=8)
    station_id: str | None = Field(default=None, max_length=48)
    site_id: str | None = Field(default=None, max_length=64)
    evse_id: int = Field(default=0, ge=0)
    reachable: bool | None = None
    last_good_read_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)
    counters: dict[str, int] = {}
    active_faults: dict[str, str] = {}

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return valid_name(value, "device")


class WireStatus(_Model):
    model_config = ConfigDict(extra="allow", frozen=True)

    at: datetime
    version: str = Field(default="", max_length=32)
    started_at: datetime | None = None
    heartbeat_s: float = Field(default=30.0, gt=0, le=86_400)
    outbox_depth: int = Field(default=0, ge=0)
    outbox_dropped: int = Field(default=0, ge=0)
    limits: dict[str, Any] = {}
    devices: list[WireDeviceStatus] = Field(default=[], max_length=256)


class Batch(_Model):
    edge_id: str
    outbox_id: str = Field(min_length=1, max_length=64)
    sent_at: datetime | None = None
    status: WireStatus | None = None
    records: list[WireRecord] = Field(default=[], max_length=MAX_RECORDS_PER_BATCH)

    @field_validator("edge_id")
    @classmethod
    def _edge(cls, value: str) -> str:
        return valid_name(value, "edge id")

    @field_validator("records")
    @classmethod
    def _ordered(cls, records: list[WireRecord]) -> list[WireRecord]:
        for before, after in itertools.pairwise(records):
            if after.seq <= before.seq:
                raise ValueError(f"records must be in increasing seq order ({before.seq} then {after.seq})")
        return records


class BatchAnswer(_Model):
    acked_seq: int
    applied: int
    duplicates: int


class Command(_Model):
    """A command as the edge reads it (the server's view has more fields: ignored here)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    type: str
    params: dict[str, Any] = {}
    created_at: datetime | None = None
    expires_at: datetime | None = None


class Answer(_Model):
    status: Literal["ok", "error"]
    result: dict[str, Any] | None = None
    error: str | None = Field(default=None, max_length=1000)


class ReadRegisterParams(_Model):
    device: str
    register_type: Literal["holding", "input"] = "holding"
    address: int = Field(ge=0, le=65535)
    count: int = Field(default=1, ge=1, le=125)
    device_id: int | None = Field(default=None, ge=0, le=255)


class SetLimitParams(_Model):
    name: str = Field(min_length=1, max_length=64)
    value: float
    unit: str = Field(default="W", max_length=16)
    valid_until: datetime | None = None
