"""Vendor formats: DataTransfer decoders and quirk profiles, registered as data per vendor/model/firmware.

A *vendor profile* is a TOML file (built-in ones in ``integrations/vendors/``, more from the
``[vendors]`` config section) that says, for one vendor and optional model / firmware patterns:

* which DataTransfer messages it sends (``vendorId`` + ``messageId``) and how to decode their
  ``data`` into domain events (decoder kind ``json_fields``: JSON field paths mapped to meter
  sampled values, station-event fields, or fault flags);
* which schema violations of standard messages to accept and how to normalise them (quirks:
  truncate an over-long string, map a non-standard errorCode to ``OtherError`` +
  ``vendorErrorCode``, replace or drop a field).

Nothing here branches on a vendor name in code. Schema validation stays strict by default: a
violation is relaxed only when a quirk of the sending station's vendor/model/firmware names that
action, field and rule. Every violation is counted per vendor/model/firmware (relaxed or
rejected) and served at ``GET /api/v1/integrations/vendors/violations``.

Hooks (see docs): :meth:`QuirkEngine.relaxer` builds the ``relax`` callable of an
:class:`~chargebridge.rpc.endpoint.RpcEndpoint`; :meth:`VendorDataTransfers.handle` is the
``data_transfer_hook`` of :class:`~chargebridge.services.station_requests.StationRequests`.
"""

from __future__ import annotations

import asyncio
import copy
import fnmatch
import json
import logging
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter
from pydantic import ValidationError, model_validator

from chargebridge.api.auth import Scope, Viewer, scope
from chargebridge.bus.memory import EventBus, Subscription
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.model import MeterSample, ReadingContext, SampledValue
from chargebridge.domain.requests import (
    DataTransferRequest,
    DataTransferResponse,
    DataTransferStatus,
    MeterValuesRequest,
)
from chargebridge.domain.timeutil import format_datetime
from chargebridge.integrations.base import Section, StrictModel
from chargebridge.integrations.modbus import sample_json
from chargebridge.rpc.errors import ErrorCode, OcppError
from chargebridge.services.clock import Clock
from chargebridge.store.repository import Store
from chargebridge.tasks import cancel_and_wait

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext

log = logging.getLogger(__name__)

RelaxHook = Callable[[str, dict[str, Any], OcppError], dict[str, Any] | None]


# -- profile files ----------------------------------------------------------------------------


class FieldMap(StrictModel):
    """One field of a decoded DataTransfer ``data`` object. ``path`` is dot-separated (``cabinet.temp``)."""

    path: str
    required: bool = False
    # exactly one of the three targets:
    measurand: str | None = None  # -> a sampled value (needs unit)
    unit: str | None = None
    scale: float = 1.0
    phase: str | None = None
    location: str | None = None
    event_key: str | None = None  # -> a key of the station.event data
    fault_code: str | None = None  # -> truthy raises, falsy clears a fault (source "vendor")

    @model_validator(mode="after")
    def _one_target(self) -> FieldMap:
        targets = [t for t in (self.measurand, self.event_key, self.fault_code) if t is not None]
        if len(targets) != 1:
            raise ValueError(f"field {self.path!r}: set exactly one of measurand, event_key, fault_code")
        if self.measurand is not None and self.unit is None:
            raise ValueError(f"field {self.path!r}: a measurand needs a unit")
        return self


class DataTransferDecoder(StrictModel):
    message_id: str
    decoder: Literal["json_fields"] = "json_fields"
    evse_path: str | None = None  # a field holding the EVSE id the values belong to (default 0)
    fields: list[FieldMap]


class QuirkRule(StrictModel):
    """Relax one schema rule on one field of one or more actions, for matching models/firmware."""

    name: str
    actions: list[str]
    field: str  # dot path inside the payload, e.g. "chargingStation.serialNumber"; "*" matches one level
    rules: list[str]  # JSON schema rules as reported by the validator: maxLength, enum, minLength, ...
    fix: Literal["truncate", "map_error_code", "replace", "drop"]
    models: list[str] = ["*"]
    firmware: list[str] = ["*"]
    value: Any = None  # replace: the new value; map_error_code: the standard code (default OtherError)
    vendor_field: str = "vendorErrorCode"  # map_error_code: sibling that receives the original code
    vendor_field_max: int = 50


class VendorProfile(StrictModel):
    vendor: str  # as sent in BootNotification (compared case-insensitively)
    description: str = ""
    vendor_ids: list[str] = []  # DataTransfer vendorId values this vendor uses
    models: list[str] = ["*"]
    firmware: list[str] = ["*"]
    data_transfer: list[DataTransferDecoder] = []
    quirks: list[QuirkRule] = []

    def covers(self, identity: Identity | None) -> bool:
        if identity is None:
            return False
        return (
            identity.vendor.casefold() == self.vendor.casefold()
            and _matches(identity.model, self.models)
            and _matches(identity.firmware, self.firmware)
        )


class VendorsConfig(Section):
    """``[vendors]``: vendor profiles (built-in ones plus files named here)."""

    builtin: bool = True  # load the profiles shipped in the package
    profiles: list[str] = []  # more profile files (TOML)

    @model_validator(mode="after")
    def _loadable(self) -> VendorsConfig:
        for path in self.profiles:
            try:
                load_profile(Path(path))
            except ValueError as exc:
                raise ValueError(f"vendors.profiles: {exc}") from exc
        return self


def _matches(value: str | None, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(value or "", p) for p in patterns)


def load_profile(path: Path | str, text: str | None = None) -> VendorProfile:
    source = str(path)
    try:
        raw = tomllib.loads(text if text is not None else Path(path).read_text(encoding="utf-8"))
        return VendorProfile.model_validate(raw)
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ValueError(f"vendor profile {source}: {exc}") from exc


def builtin_profiles() -> list[VendorProfile]:
    folder = resources.files("chargebridge.integrations") / "vendors"
    return [
        load_profile(entry.name, entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".toml")
    ]


def load_profiles(config: VendorsConfig) -> list[VendorProfile]:
    return (builtin_profiles() if config.builtin else []) + [load_profile(Path(p)) for p in config.profiles]


# -- identities and violations ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Identity:
    vendor: str
    model: str
    firmware: str | None = None

    def key(self) -> str:
        return f"{self.vendor}/{self.model}/{self.firmware or '-'}"


def identity_from_boot(payload: dict[str, Any]) -> Identity | None:
    """The vendor/model/firmware a BootNotification payload (1.6 or 2.0.1) claims."""
    station = payload.get("chargingStation")
    if isinstance(station, dict):  # 2.0.1
        vendor, model, firmware = station.get("vendorName"), station.get("model"), station.get("firmwareVersion")
    else:
        vendor, model, firmware = (
            payload.get("chargePointVendor"),
            payload.get("chargePointModel"),
            payload.get("firmwareVersion"),
        )
    if not isinstance(vendor, str) or not isinstance(model, str):
        return None
    return Identity(vendor, model, firmware if isinstance(firmware, str) else None)


@dataclass(frozen=True, slots=True)
class Violation:
    """A schema violation of an inbound CALL: where (path inside the payload) and which rule."""

    action: str
    path: tuple[str | int, ...]
    rule: str | None
    limit: Any  # the rule's definition (e.g. 25 for maxLength)
    message: str

    @property
    def field(self) -> str:
        return ".".join(str(p) for p in self.path)


def violation_of(action: str, error: OcppError) -> Violation:
    """Read path and rule from the validator's exception (the OcppError's cause), else from the message."""
    cause = error.__cause__
    path: list[str | int] = list(getattr(cause, "path", None) or [])
    rule = getattr(cause, "rule", None)
    limit = getattr(cause, "rule_definition", None)
    if not path:
        head = error.description.split(" ", 1)[0]
        path = [int(p) if p.isdigit() else p for p in head.replace("[", ".").replace("]", "").split(".") if p]
    if path and path[0] == "data":
        path = path[1:]
    return Violation(action, tuple(path), rule, limit, error.description)


def _path_matches(pattern: str, path: Sequence[str | int]) -> bool:
    parts = pattern.split(".")
    norm = [str(p) for p in path]
    return len(parts) == len(norm) and all(p == "*" or p == n for p, n in zip(parts, norm, strict=True))


@dataclass(frozen=True, slots=True)
class Relaxation:
    quirk: str
    payload: dict[str, Any]
    note: str


def relax_violation(
    profiles: Iterable[VendorProfile], identity: Identity | None, violation: Violation, payload: dict[str, Any]
) -> Relaxation | None:
    """Pure: the normalised payload if a quirk of this identity covers the violation, else None.

    The payload is never changed in place; a quirk that does not fit the payload's shape (the
    field is missing, not a string, ...) does not apply.
    """
    if identity is None or not violation.path:
        return None
    for profile in profiles:
        if not profile.covers(identity):
            continue
        for quirk in profile.quirks:
            if (
                violation.action not in quirk.actions
                or violation.rule not in quirk.rules
                or not _path_matches(quirk.field, violation.path)
                or not _matches(identity.model, quirk.models)
                or not _matches(identity.firmware, quirk.firmware)
            ):
                continue
            fixed = _apply_fix(quirk, violation, payload)
            if fixed is not None:
                return Relaxation(quirk.name, fixed, f"{quirk.name}: {violation.field} {violation.rule} ({quirk.fix})")
    return None


def _apply_fix(quirk: QuirkRule, violation: Violation, payload: dict[str, Any]) -> dict[str, Any] | None:
    out = copy.deepcopy(payload)
    parent: Any = out
    for key in violation.path[:-1]:
        try:
            parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return None
    last = violation.path[-1]
    if not isinstance(parent, dict) or not isinstance(last, str) or last not in parent:
        return None
    value = parent[last]
    match quirk.fix:
        case "truncate":
            if not isinstance(value, str) or not isinstance(violation.limit, int):
                return None
            parent[last] = value[: violation.limit]
        case "map_error_code":
            if not isinstance(value, str):
                return None
            parent[last] = quirk.value if quirk.value is not None else "OtherError"
            parent.setdefault(quirk.vendor_field, value[: quirk.vendor_field_max])
        case "replace":
            parent[last] = quirk.value
        case "drop":
            del parent[last]
    return out


class ViolationCounter:
    """Schema violations per vendor/model/firmware, action, field, rule and outcome."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str, str, str, str, str, str]] = Counter()

    def count(self, identity: Identity | None, violation: Violation, outcome: str) -> None:
        who = identity or Identity("unknown", "unknown", None)
        key = (
            who.vendor,
            who.model,
            who.firmware or "",
            violation.action,
            violation.field,
            violation.rule or "",
            outcome,
        )
        self._counts[key] += 1

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "vendor": k[0],
                "model": k[1],
                "firmware": k[2] or None,
                "action": k[3],
                "field": k[4],
                "rule": k[5] or None,
                "outcome": k[6],
                "count": n,
            }
            for k, n in sorted(self._counts.items())
        ]

    def total(self, outcome: str | None = None) -> int:
        return sum(n for k, n in self._counts.items() if outcome is None or k[6] == outcome)


class QuirkEngine:
    """Holds the profiles, the identity of every station and the violation counts."""

    MAX_NOTES = 100

    def __init__(self, profiles: Sequence[VendorProfile]):
        self.profiles = list(profiles)
        self.identities: dict[str, Identity] = {}
        self.violations = ViolationCounter()

    def learn(self, station_id: str, identity: Identity | None) -> None:
        if identity is not None:
            self.identities[station_id] = identity

    def relax(self, station_id: str, action: str, payload: dict[str, Any], error: OcppError) -> dict[str, Any] | None:
        """The RpcEndpoint hook body. Never raises; returns the normalised payload or None (stay strict)."""
        if error.code is ErrorCode.NOT_IMPLEMENTED:
            return None
        try:
            identity = identity_from_boot(payload) if action == "BootNotification" else None
            identity = identity or self.identities.get(station_id)
            violation = violation_of(action, error)
            relaxation = relax_violation(self.profiles, identity, violation, payload)
        except Exception:
            log.exception("%s: quirk evaluation failed; the message stays rejected", station_id)
            return None
        self.violations.count(identity, violation, "relaxed" if relaxation else "rejected")
        if relaxation is None:
            return None
        if action == "BootNotification":
            self.learn(station_id, identity_from_boot(relaxation.payload))
        log.info("%s: %s accepted under quirk %s", station_id, action, relaxation.note)
        return relaxation.payload

    def relaxer(self, station_id: str) -> RelaxHook:
        """The ``relax`` argument for the RpcEndpoint of one station's connection."""

        def hook(action: str, payload: dict[str, Any], error: OcppError) -> dict[str, Any] | None:
            return self.relax(station_id, action, payload, error)

        return hook


# -- DataTransfer decoding ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecodedTransfer:
    status: DataTransferStatus
    evse_id: int = 0
    values: tuple[SampledValue, ...] = ()
    event: dict[str, Any] | None = None
    faults: tuple[tuple[str, bool], ...] = ()  # (code, active)
    error: str | None = None


def _get(data: Any, path: str) -> Any:
    for key in path.split("."):
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and key.isdigit() and int(key) < len(data):
            data = data[int(key)]
        else:
            return None
    return data


def decode_data_transfer(
    profiles: Iterable[VendorProfile], identity: Identity | None, request: DataTransferRequest
) -> DecodedTransfer:
    """Pure: what a DataTransfer means. UnknownVendorId / UnknownMessageId as OCPP defines them."""
    vendor_profiles = [
        p
        for p in profiles
        if request.vendor_id.casefold() in {v.casefold() for v in p.vendor_ids}
        and (identity is None or (_matches(identity.model, p.models) and _matches(identity.firmware, p.firmware)))
    ]
    if not vendor_profiles:
        return DecodedTransfer(DataTransferStatus.UNKNOWN_VENDOR_ID)
    decoder = next((d for p in vendor_profiles for d in p.data_transfer if d.message_id == request.message_id), None)
    if decoder is None:
        return DecodedTransfer(DataTransferStatus.UNKNOWN_MESSAGE_ID)
    data: Any = request.data
    if isinstance(data, str):  # 1.6 carries data as text; 2.0.1 as any JSON
        try:
            data = json.loads(data)
        except ValueError as exc:
            return DecodedTransfer(DataTransferStatus.REJECTED, error=f"data is not JSON: {exc}")
    if not isinstance(data, dict):
        return DecodedTransfer(DataTransferStatus.REJECTED, error="data is not a JSON object")
    values: list[SampledValue] = []
    event: dict[str, Any] = {}
    faults: list[tuple[str, bool]] = []
    for f in decoder.fields:
        raw = _get(data, f.path)
        if raw is None:
            if f.required:
                return DecodedTransfer(DataTransferStatus.REJECTED, error=f"missing field {f.path!r}")
            continue
        if f.measurand is not None:
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                return DecodedTransfer(DataTransferStatus.REJECTED, error=f"field {f.path!r} is not a number")
            assert f.unit is not None
            values.append(
                SampledValue(
                    f.measurand, float(raw) * f.scale, f.unit, ReadingContext.OTHER, phase=f.phase, location=f.location
                )
            )
        elif f.event_key is not None:
            event[f.event_key] = raw
        elif f.fault_code is not None:
            faults.append((f.fault_code, bool(raw)))
    evse = _get(data, decoder.evse_path) if decoder.evse_path else 0
    return DecodedTransfer(
        DataTransferStatus.ACCEPTED,
        evse_id=evse if isinstance(evse, int) and not isinstance(evse, bool) else 0,
        values=tuple(values),
        event=event or None,
        faults=tuple(faults),
    )


class VendorDataTransfers:
    """Answers DataTransfer for registered vendors and publishes what the data means."""

    def __init__(self, engine: QuirkEngine, store: Store, bus: EventBus, clock: Clock):
        self.engine = engine
        self.store = store
        self.bus = bus
        self.clock = clock
        self.counts: Counter[tuple[str, str, str]] = Counter()  # (vendor_id, message_id, status)

    async def _identity(self, station_id: str) -> Identity | None:
        known = self.engine.identities.get(station_id)
        if known is not None:
            return known
        row = await self.store.get_station(station_id)
        if row is None or not row["vendor"] or row["model"] is None:
            return None
        identity = Identity(row["vendor"], row["model"], row["firmware_version"])
        self.engine.learn(station_id, identity)
        return identity

    async def handle(self, station_id: str, request: DataTransferRequest, now: datetime) -> DataTransferResponse | None:
        """The StationRequests hook: None leaves the answer to the service (UnknownVendorId)."""
        identity = await self._identity(station_id)
        decoded = decode_data_transfer(self.engine.profiles, identity, request)
        self.counts[(request.vendor_id, request.message_id or "", decoded.status.value)] += 1
        if decoded.status is DataTransferStatus.UNKNOWN_VENDOR_ID:
            return None
        if decoded.status is not DataTransferStatus.ACCEPTED:
            if decoded.error:
                log.warning(
                    "%s: DataTransfer %s/%s: %s", station_id, request.vendor_id, request.message_id, decoded.error
                )
            return DataTransferResponse(decoded.status)
        meta = {"source": "vendor", "vendor_id": request.vendor_id, "message_id": request.message_id}
        if decoded.values:
            sample = MeterSample(now, decoded.values)
            await self.store.add_meter_values(station_id, MeterValuesRequest(decoded.evse_id, None, (sample,)), now)
            self.bus.publish(
                DomainEvent(
                    EventKind.METER_SAMPLED,
                    station_id,
                    now,
                    {
                        **meta,
                        "evse_id": decoded.evse_id,
                        "transaction_id": None,
                        "timestamp": format_datetime(now),
                        "values": sample_json(sample),
                    },
                )
            )
        if decoded.event:
            self.bus.publish(DomainEvent(EventKind.STATION_EVENT, station_id, now, {**meta, "decoded": decoded.event}))
        for code, active in decoded.faults:
            if active:
                await self.store.raise_fault(station_id, source="vendor", code=code, at=now, evse_id=decoded.evse_id)
            else:
                await self.store.clear_faults(station_id, source="vendor", code=code, at=now, evse_id=decoded.evse_id)
            kind = EventKind.FAULT_RAISED if active else EventKind.FAULT_CLEARED
            self.bus.publish(DomainEvent(kind, station_id, now, {**meta, "code": code}))
        return DataTransferResponse(DataTransferStatus.ACCEPTED)


# -- the extension -------------------------------------------------------------------------------


class VendorsExtension:
    """Loads the profiles, installs the DataTransfer hook and (where the gateway offers it) the quirk hook."""

    name = "vendors"

    def __init__(self, config: VendorsConfig, profiles: Sequence[VendorProfile] | None = None):
        self.config = config
        self.engine = QuirkEngine(load_profiles(config) if profiles is None else profiles)
        self.transfers: VendorDataTransfers | None = None
        self._task: asyncio.Task[None] | None = None
        self._sub: Subscription | None = None
        self._bus: EventBus | None = None
        self.hooks: list[str] = []

    def routers(self) -> list[APIRouter]:
        router = APIRouter(prefix="/api/v1/integrations/vendors", tags=["integrations"])

        @router.get("/violations", openapi_extra=scope(Scope.FLEET))
        async def violations(_: Viewer) -> list[dict[str, Any]]:
            """Schema violations per vendor/model/firmware: relaxed by a quirk or rejected."""
            return self.engine.violations.rows()

        @router.get("/profiles", openapi_extra=scope(Scope.FLEET))
        async def profiles(_: Viewer) -> list[dict[str, Any]]:
            return [p.model_dump(mode="json") for p in self.engine.profiles]

        return [router]

    async def start(self, context: ApiContext) -> None:
        rows, _ = await context.store.list_stations(limit=100_000)
        for row in rows:
            if row["vendor"] and row["model"] is not None:
                self.engine.learn(row["id"], Identity(row["vendor"], row["model"], row["firmware_version"]))
        self.transfers = VendorDataTransfers(self.engine, context.store, context.bus, context.clock)
        context.requests.data_transfer_hook = self.transfers.handle
        self.hooks.append("data_transfer")
        context.gateway.relax_for = self.engine.relaxer
        self.hooks.append("relax")
        self._bus = context.bus
        self._sub = sub = context.bus.subscribe("vendors", {EventKind.STATION_BOOTED}, queue_size=1000)
        self._task = asyncio.create_task(self._learn_boots(sub), name="vendors-identities")

    async def _learn_boots(self, sub: Subscription) -> None:
        async for event in sub:
            vendor, model = event.data.get("vendor"), event.data.get("model")
            if isinstance(vendor, str) and isinstance(model, str):
                self.engine.learn(event.station_id, Identity(vendor, model, event.data.get("firmware_version")))

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None
        if self._sub is not None and self._bus is not None:
            self._bus.unsubscribe(self._sub)
            self._sub = None

    def stats(self) -> dict[str, float]:
        return {
            "profiles": len(self.engine.profiles),
            "violations_relaxed_total": self.engine.violations.total("relaxed"),
            "violations_rejected_total": self.engine.violations.total("rejected"),
            "data_transfers_total": sum(self.transfers.counts.values()) if self.transfers else 0,
        }
