"""Modbus meters: poll energy meters over Modbus TCP or RTU and publish their readings as meter samples.

What a meter's registers mean lives in a *register map*, a TOML data file (built-in maps are in
``integrations/registermaps/``; a config may name its own file). Each poll reads the mapped
registers in as few requests as possible, decodes them (int16 ... float64, SunSpec scale factors,
word and byte order) and turns them into one version-neutral :class:`MeterSample`, published on
the bus as ``meter.sampled`` for a station (and stored like a station's own MeterValues) or for a
site. A timeout, a refused connection, an exception response, a map that does not fit the device
or an implausible value raises a fault (source ``modbus``) that is cleared on the next good poll;
nothing a meter does can stop the poller.

:class:`TelemetrySink` (meter samples and faults of one field device) is shared with the CAN bus
integration.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import struct
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from fastapi import APIRouter
from pydantic import Field, ValidationError, model_validator

from chargebridge.api.auth import Scope, Viewer, scope
from chargebridge.bus.memory import EventBus
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.model import MeterSample, ReadingContext, SampledValue
from chargebridge.domain.requests import MeterValuesRequest
from chargebridge.domain.timeutil import format_datetime
from chargebridge.integrations.base import Section, StrictModel
from chargebridge.services.clock import Clock
from chargebridge.store.repository import Store
from chargebridge.tasks import cancel_and_wait, raise_if_cancelling

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext

log = logging.getLogger(__name__)

DataType = Literal[
    "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64", "acc32", "acc64", "sunssf"
]
Order = Literal["big", "little"]
RegisterType = Literal["holding", "input"]

_WORDS: dict[str, int] = {
    "int16": 1,
    "uint16": 1,
    "sunssf": 1,
    "int32": 2,
    "uint32": 2,
    "float32": 2,
    "acc32": 2,
    "int64": 4,
    "uint64": 4,
    "float64": 4,
    "acc64": 4,
}
_STRUCT: dict[str, str] = {
    "int16": ">h",
    "uint16": ">H",
    "sunssf": ">h",
    "int32": ">i",
    "uint32": ">I",
    "acc32": ">I",
    "int64": ">q",
    "uint64": ">Q",
    "acc64": ">Q",
    "float32": ">f",
    "float64": ">d",
}
# SunSpec "not implemented" values (acc32/acc64 have none: 0 is a valid reading).
_NOT_IMPLEMENTED: dict[str, int] = {
    "int16": 0x8000,
    "sunssf": 0x8000,
    "uint16": 0xFFFF,
    "int32": 0x80000000,
    "uint32": 0xFFFFFFFF,
    "int64": 0x8000000000000000,
    "uint64": 0xFFFFFFFFFFFFFFFF,
}

MAX_REGISTERS_PER_READ = 125  # Modbus limit for function codes 3 and 4


# -- register maps ----------------------------------------------------------------------------


class RegisterSpec(StrictModel):
    """One value in a meter's register map."""

    name: str
    address: int = Field(ge=0, le=65535)
    type: DataType
    register_type: RegisterType | None = None  # default: the map's
    word_order: Order | None = None
    byte_order: Order | None = None
    scale: float = 1.0  # value = raw * scale * 10**scale_factor + offset
    offset: float = 0.0
    scale_factor: str | None = None  # name of a ``sunssf`` register in the same map
    measurand: str | None = None  # None: a helper register (e.g. a scale factor), not published
    unit: str | None = None
    phase: str | None = None
    location: str | None = None
    min: float | None = None  # plausibility range (after scaling); outside is a bad reading
    max: float | None = None

    @property
    def words(self) -> int:
        return _WORDS[self.type]


class RegisterCheck(StrictModel):
    """A register whose raw value must be one of ``one_of`` (e.g. the SunSpec model id)."""

    address: int = Field(ge=0, le=65535)
    type: DataType = "uint16"
    register_type: RegisterType | None = None
    one_of: list[int]
    what: str = ""


class RegisterMap(StrictModel):
    name: str
    description: str = ""
    manufacturer: str = ""
    models: list[str] = []
    register_type: RegisterType = "holding"
    word_order: Order = "big"
    byte_order: Order = "big"
    sunspec_sentinels: bool = False  # SunSpec "not implemented" values (0x8000, NaN, ...) mean "absent"
    max_gap: int = Field(default=16, ge=0)  # unmapped registers read through to merge two blocks
    checks: list[RegisterCheck] = []
    registers: list[RegisterSpec]

    @model_validator(mode="after")
    def _consistent(self) -> RegisterMap:
        names = [r.name for r in self.registers]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate register names {duplicates}")
        by_name = {r.name: r for r in self.registers}
        for reg in self.registers:
            if reg.scale_factor is not None:
                target = by_name.get(reg.scale_factor)
                if target is None or target.type != "sunssf":
                    raise ValueError(f"register {reg.name!r}: scale_factor {reg.scale_factor!r} is no sunssf register")
            if reg.measurand is not None and reg.unit is None:
                raise ValueError(f"register {reg.name!r}: a published register needs a unit")
        return self


class MapError(ValueError):
    """A register map file that cannot be used."""


def builtin_maps() -> list[str]:
    folder = resources.files("chargebridge.integrations") / "registermaps"
    return sorted(e.name.removesuffix(".toml") for e in folder.iterdir() if e.name.endswith(".toml"))


def load_register_map(name_or_path: str) -> RegisterMap:
    """A built-in map by name (``eastron-sdm630``) or a TOML file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise MapError(f"register map {source}: {exc}") from exc
    else:
        entry = resources.files("chargebridge.integrations") / "registermaps" / f"{name_or_path}.toml"
        if not entry.is_file():
            raise MapError(f"no built-in register map {name_or_path!r} (built-in: {', '.join(builtin_maps())})")
        source, text = name_or_path, entry.read_text(encoding="utf-8")
    try:
        return RegisterMap.model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise MapError(f"register map {source}: {exc}") from exc


# -- decoding ---------------------------------------------------------------------------------


def decode_words(words: Sequence[int], data_type: str, word_order: str = "big", byte_order: str = "big") -> float | int:
    """The value of ``words`` (16-bit registers in the order read) as ``data_type``."""
    if len(words) != _WORDS[data_type]:
        raise ValueError(f"{data_type} needs {_WORDS[data_type]} registers, got {len(words)}")
    ordered = list(words) if word_order == "big" else list(reversed(words))
    raw = b"".join(w.to_bytes(2, "big" if byte_order == "big" else "little") for w in ordered)
    value: float | int = struct.unpack(_STRUCT[data_type], raw)[0]
    return value


def _raw_unsigned(words: Sequence[int], word_order: str, byte_order: str) -> int:
    ordered = list(words) if word_order == "big" else list(reversed(words))
    raw = b"".join(w.to_bytes(2, "big" if byte_order == "big" else "little") for w in ordered)
    return int.from_bytes(raw, "big")


@dataclass(frozen=True, slots=True)
class Block:
    register_type: str
    start: int
    count: int


def plan_reads(specs: Sequence[tuple[str, int, int]], max_gap: int) -> list[Block]:
    """Group (register type, address, words) into as few reads as the 125-register limit allows."""
    blocks: list[Block] = []
    for reg_type in sorted({s[0] for s in specs}):
        spans = sorted((a, a + n) for t, a, n in specs if t == reg_type)
        start, end = spans[0]
        for s, e in spans[1:]:
            if s - end <= max_gap and max(end, e) - start <= MAX_REGISTERS_PER_READ:
                end = max(end, e)
            else:
                blocks.append(Block(reg_type, start, end - start))
                start, end = s, e
        blocks.append(Block(reg_type, start, end - start))
    return blocks


@dataclass(frozen=True, slots=True)
class Decoded:
    values: tuple[SampledValue, ...]
    bad: tuple[str, ...]  # "<register>: why" for every implausible value
    mismatches: tuple[str, ...]  # failed map checks


def decode_readings(
    rmap: RegisterMap,
    registers: Mapping[tuple[str, int], int],
    *,
    offset: int = 0,
    context: ReadingContext = ReadingContext.SAMPLE_PERIODIC,
) -> Decoded:
    """Turn raw registers ``{(register type, address): word}`` into sampled values (pure)."""

    def words_of(reg_type: str, address: int, count: int) -> list[int]:
        return [registers[(reg_type, address + offset + i)] for i in range(count)]

    mismatches: list[str] = []
    for check in rmap.checks:
        reg_type = check.register_type or rmap.register_type
        found = decode_words(words_of(reg_type, check.address, _WORDS[check.type]), check.type)
        if int(found) not in check.one_of:
            mismatches.append(f"{check.what or check.address}: {found} is not one of {check.one_of}")

    raw_values: dict[str, float | int | None] = {}
    for reg in rmap.registers:
        reg_type = reg.register_type or rmap.register_type
        word_order = reg.word_order or rmap.word_order
        byte_order = reg.byte_order or rmap.byte_order
        words = words_of(reg_type, reg.address, reg.words)
        value: float | int | None = decode_words(words, reg.type, word_order, byte_order)
        if rmap.sunspec_sentinels and (
            (isinstance(value, float) and math.isnan(value))
            or _NOT_IMPLEMENTED.get(reg.type) == _raw_unsigned(words, word_order, byte_order)
        ):
            value = None
        raw_values[reg.name] = value

    values: list[SampledValue] = []
    bad: list[str] = []
    for reg in rmap.registers:
        raw = raw_values[reg.name]
        if reg.measurand is None or raw is None:
            continue
        exponent = 0
        if reg.scale_factor is not None:
            sf = raw_values[reg.scale_factor]
            if sf is None:
                continue  # scale factor not implemented: the value cannot be read
            exponent = int(sf)
            if not -10 <= exponent <= 10:
                bad.append(f"{reg.name}: scale factor {exponent} out of range")
                continue
        value = float(raw) * reg.scale * (10.0**exponent) + reg.offset
        if not math.isfinite(value):
            bad.append(f"{reg.name}: {raw} is not a number")
            continue
        if (reg.min is not None and value < reg.min) or (reg.max is not None and value > reg.max):
            bad.append(f"{reg.name}: {value:g} outside [{reg.min}, {reg.max}]")
            continue
        assert reg.unit is not None
        values.append(
            SampledValue(
                measurand=reg.measurand,
                value=round(value, 6),
                unit=reg.unit,
                context=context,
                phase=reg.phase,
                location=reg.location,
            )
        )
    return Decoded(tuple(values), tuple(bad), tuple(mismatches))


# -- where readings and faults go --------------------------------------------------------------


def sample_json(sample: MeterSample) -> list[dict[str, Any]]:
    return [
        {
            "measurand": v.measurand,
            "value": v.value,
            "unit": v.unit,
            "phase": v.phase,
            "location": v.location,
            "context": v.context.value,
        }
        for v in sample.values
    ]


class DeviceSink(Protocol):
    """Where a field-device reader (:class:`ModbusMeter`, the CAN bus reader) sends what it reads.

    On a node it is a :class:`TelemetrySink` (store and bus); on an edge, the edge's durable
    outbox (``chargebridge.edge.devices``). The readers only ever call these.
    """

    clock: Clock
    active_faults: dict[str, str]

    async def sample(self, sample: MeterSample) -> None: ...

    async def fault(self, code: str, info: str, vendor_code: str | None = None) -> None: ...

    async def clear(self, code: str) -> None: ...

    def status(self) -> dict[str, Any]: ...


class TelemetrySink:
    """Meter samples and faults of one field device, for a station or a site.

    For a station, samples are stored like the station's own MeterValues and faults go to the
    faults table (source ``modbus`` / ``canbus``); for a site (no station row) both are published
    on the bus only and the active faults are kept here. Every fault is raised once and cleared
    once; store failures are logged, never raised.
    """

    def __init__(
        self,
        *,
        source: str,
        device: str,
        bus: EventBus,
        clock: Clock,
        store: Store | None,
        station_id: str | None,
        site_id: str | None,
        evse_id: int = 0,
        connector_id: int | None = None,
    ):
        if (station_id is None) == (site_id is None):
            raise ValueError("exactly one of station_id and site_id")
        self.source = source
        self.device = device
        self.bus = bus
        self.clock = clock
        self.store = store
        self.station_id = station_id
        self.site_id = site_id
        self.evse_id = evse_id
        self.connector_id = connector_id
        self.active_faults: dict[str, str] = {}
        self.samples = 0
        self.last_sample_at: datetime | None = None

    @property
    def target(self) -> str:
        return self.station_id if self.station_id is not None else f"site:{self.site_id}"

    def _meta(self) -> dict[str, Any]:
        return {"source": self.source, "device": self.device, "site_id": self.site_id, "evse_id": self.evse_id}

    async def sample(self, sample: MeterSample) -> None:
        if not sample.values:
            return
        self.samples += 1
        self.last_sample_at = sample.timestamp
        if self.station_id is not None and self.store is not None:
            request = MeterValuesRequest(self.evse_id, self.connector_id, (sample,))
            try:
                await self.store.add_meter_values(self.station_id, request, self.clock.now())
            except Exception:
                log.exception("%s %s: could not store meter values", self.source, self.device)
        self.bus.publish(
            DomainEvent(
                EventKind.METER_SAMPLED,
                self.target,
                sample.timestamp,
                {
                    **self._meta(),
                    "transaction_id": None,
                    "timestamp": format_datetime(sample.timestamp),
                    "values": sample_json(sample),
                },
            )
        )

    async def fault(self, code: str, info: str, vendor_code: str | None = None) -> None:
        """Raise ``code`` unless it is already active (then only its info is updated)."""
        already = code in self.active_faults
        self.active_faults[code] = info
        if already:
            return
        now = self.clock.now()
        log.warning("%s %s: fault %s: %s", self.source, self.device, code, info)
        if self.station_id is not None and self.store is not None:
            try:
                await self.store.raise_fault(
                    self.station_id,
                    source=self.source,
                    code=code,
                    at=now,
                    evse_id=self.evse_id,
                    connector_id=self.connector_id or 0,
                    vendor_code=vendor_code,
                    info=info[:500],
                )
            except Exception:
                log.exception("%s %s: could not store fault %s", self.source, self.device, code)
        self.bus.publish(
            DomainEvent(
                EventKind.FAULT_RAISED,
                self.target,
                now,
                {**self._meta(), "code": code, "vendor_code": vendor_code, "info": info},
            )
        )

    async def clear(self, code: str) -> None:
        if self.active_faults.pop(code, None) is None:
            return
        now = self.clock.now()
        log.info("%s %s: fault %s cleared", self.source, self.device, code)
        if self.station_id is not None and self.store is not None:
            try:
                await self.store.clear_faults(
                    self.station_id,
                    source=self.source,
                    code=code,
                    at=now,
                    evse_id=self.evse_id,
                    connector_id=self.connector_id or 0,
                )
            except Exception:
                log.exception("%s %s: could not clear fault %s", self.source, self.device, code)
        self.bus.publish(DomainEvent(EventKind.FAULT_CLEARED, self.target, now, {**self._meta(), "code": code}))

    def status(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "device": self.device,
            "station_id": self.station_id,
            "site_id": self.site_id,
            "evse_id": self.evse_id,
            "samples": self.samples,
            "last_sample_at": format_datetime(self.last_sample_at) if self.last_sample_at else None,
            "active_faults": dict(self.active_faults),
        }


# -- configuration ----------------------------------------------------------------------------


class ModbusLinkConfig(StrictModel):
    """How to reach one Modbus device and which map decodes it (shared by ``[modbus]`` and the edge)."""

    name: str
    map: str  # a built-in map name or the path of a TOML register map
    transport: Literal["tcp", "rtu"] = "tcp"
    host: str = "127.0.0.1"
    port: int = Field(default=502, ge=0, le=65535)
    serial_port: str | None = None  # rtu: a device path or a pyserial URL
    baudrate: int = 9600
    bytesize: Literal[7, 8] = 8
    parity: Literal["N", "E", "O"] = "N"
    stopbits: Literal[1, 2] = 1
    device_id: int = Field(default=1, ge=0, le=255)
    address_offset: int = 0  # added to every map address (e.g. a SunSpec meter model at another base)
    poll_interval_s: float = Field(default=10.0, gt=0)
    timeout_s: float = Field(default=2.0, gt=0)

    @model_validator(mode="after")
    def _link(self) -> ModbusLinkConfig:
        if self.transport == "rtu" and not self.serial_port:
            raise ValueError(f"meter {self.name!r}: transport 'rtu' needs serial_port")
        try:
            load_register_map(self.map)
        except MapError as exc:
            raise ValueError(f"meter {self.name!r}: {exc}") from exc
        return self


class ModbusMeterConfig(ModbusLinkConfig):
    """A meter of the ``[modbus]`` section: a link and the station or site its readings belong to."""

    station_id: str | None = None
    site_id: str | None = None
    evse_id: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _target(self) -> ModbusMeterConfig:
        if (self.station_id is None) == (self.site_id is None):
            raise ValueError(f"meter {self.name!r}: set exactly one of station_id and site_id")
        return self


class ModbusConfig(Section):
    """``[modbus]``: meters polled over Modbus TCP or RTU."""

    meters: list[ModbusMeterConfig] = []

    @model_validator(mode="after")
    def _unique(self) -> ModbusConfig:
        names = [m.name for m in self.meters]
        if len(names) != len(set(names)):
            raise ValueError("modbus meter names must be unique")
        return self


# -- polling ----------------------------------------------------------------------------------


class ModbusTimeout(Exception):
    pass


class ModbusReadError(Exception):
    pass


class ModbusMeter:
    """Polls one meter; :meth:`poll_once` never raises (every failure becomes a fault).

    One request is on the line at a time: polls and raw diagnostic reads (:meth:`read_raw`)
    take turns on the device's lock, so a technician's read never corrupts a poll on a
    half-duplex RS-485 line.
    """

    FAULT_CODES = ("Timeout", "CommunicationError", "MapMismatch", "BadReading")

    def __init__(self, config: ModbusLinkConfig, sink: DeviceSink, rmap: RegisterMap | None = None):
        self.config = config
        self.sink = sink
        self.map = rmap or load_register_map(config.map)
        specs = [
            (r.register_type or self.map.register_type, r.address + config.address_offset, r.words)
            for r in self.map.registers
        ] + [
            (c.register_type or self.map.register_type, c.address + config.address_offset, _WORDS[c.type])
            for c in self.map.checks
        ]
        self.blocks = plan_reads(specs, self.map.max_gap)
        self.polls = 0
        self.failures = 0
        self.timeouts = 0  # failures by kind (the sum is ``failures``)
        self.errors = 0
        self.last_good_read_at: datetime | None = None
        self.last_error: str | None = None
        self._lock = asyncio.Lock()
        self._client: Any = None
        self._task: asyncio.Task[None] | None = None

    def _new_client(self) -> Any:
        from pymodbus import FramerType
        from pymodbus.client import AsyncModbusSerialClient, AsyncModbusTcpClient

        c = self.config
        if c.transport == "tcp":
            return AsyncModbusTcpClient(c.host, port=c.port, timeout=c.timeout_s, retries=0, reconnect_delay=0)
        assert c.serial_port is not None
        return AsyncModbusSerialClient(
            c.serial_port,
            framer=FramerType.RTU,
            baudrate=c.baudrate,
            bytesize=c.bytesize,
            parity=c.parity,
            stopbits=c.stopbits,
            timeout=c.timeout_s,
            retries=0,
            reconnect_delay=0,
        )

    async def _read_block(self, block: Block, device_id: int | None = None) -> list[int]:
        from pymodbus.exceptions import ConnectionException, ModbusIOException

        client = self._client
        read = client.read_holding_registers if block.register_type == "holding" else client.read_input_registers
        unit = self.config.device_id if device_id is None else device_id
        try:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for drops a cancellation that
            # arrives together with the answer, and the poller then never stopped.
            async with asyncio.timeout(self.config.timeout_s + 1.0):
                response = await read(block.start, count=block.count, device_id=unit)
        except (TimeoutError, ModbusIOException) as exc:
            raise ModbusTimeout(f"no answer to reading {block.count} registers at {block.start}: {exc}") from exc
        except ConnectionException as exc:
            raise ModbusReadError(f"connection lost: {exc}") from exc
        if response.isError():
            raise ModbusReadError(f"exception response reading {block.register_type} {block.start}+{block.count}")
        registers: list[int] = list(response.registers)
        if len(registers) < block.count:
            raise ModbusReadError(f"short answer: {len(registers)} of {block.count} registers")
        return registers[: block.count]

    async def _connect(self) -> None:
        if self._client is None:
            self._client = self._new_client()
        if not self._client.connected:
            try:
                async with asyncio.timeout(self.config.timeout_s + 1.0):
                    ok = await self._client.connect()
            except TimeoutError as exc:
                raise ModbusTimeout("connect timed out") from exc
            if not ok:
                raise ModbusReadError(f"cannot connect ({self.config.transport})")

    async def read_registers(self) -> dict[tuple[str, int], int]:
        async with self._lock:
            try:
                await self._connect()
                out: dict[tuple[str, int], int] = {}
                for block in self.blocks:
                    for i, word in enumerate(await self._read_block(block)):
                        out[(block.register_type, block.start + i)] = word
                return out
            except BaseException:
                self._drop_client()  # a late answer must not be taken for the next request's
                raise

    async def read_raw(
        self, register_type: RegisterType, address: int, count: int, device_id: int | None = None
    ) -> list[int]:
        """Read ``count`` registers as they are (diagnostics). Raises :class:`ModbusTimeout` or
        :class:`ModbusReadError`; the link is dropped after a failure like after a failed poll."""
        if not 1 <= count <= MAX_REGISTERS_PER_READ:
            raise ValueError(f"count must be 1..{MAX_REGISTERS_PER_READ}")
        if not 0 <= address <= 65535 or address + count > 65536:
            raise ValueError("address out of range")
        async with self._lock:
            try:
                await self._connect()
                return await self._read_block(Block(register_type, address, count), device_id)
            except BaseException:
                self._drop_client()
                raise

    def _drop_client(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None

    async def poll_once(self) -> MeterSample | None:
        self.polls += 1
        try:
            registers = await self.read_registers()
        except ModbusTimeout as exc:
            self.failures += 1
            self.timeouts += 1
            self.last_error = f"Timeout: {exc}"
            await self.sink.fault("Timeout", str(exc))
            return None
        except Exception as exc:  # refused connection, exception response, serial port missing, ...
            self.failures += 1
            self.errors += 1
            self.last_error = f"{type(exc).__name__}: {exc}"
            await self.sink.fault("CommunicationError", f"{type(exc).__name__}: {exc}")
            return None
        self.last_good_read_at = self.sink.clock.now()
        await self.sink.clear("Timeout")
        await self.sink.clear("CommunicationError")
        decoded = decode_readings(self.map, registers, offset=self.config.address_offset)
        if decoded.mismatches:
            await self.sink.fault("MapMismatch", "; ".join(decoded.mismatches))
            return None
        await self.sink.clear("MapMismatch")
        if decoded.bad:
            await self.sink.fault("BadReading", "; ".join(decoded.bad))
        else:
            await self.sink.clear("BadReading")
        sample = MeterSample(self.sink.clock.now(), decoded.values)
        await self.sink.sample(sample)
        return sample

    async def run(self) -> None:
        while True:
            started = asyncio.get_running_loop().time()
            try:
                await self.poll_once()
            except Exception:  # a bug in decoding must not end the poller
                log.exception("modbus meter %s: poll failed", self.config.name)
            raise_if_cancelling()  # a cancellation a library swallowed still ends the poller
            elapsed = asyncio.get_running_loop().time() - started
            await asyncio.sleep(max(0.0, self.config.poll_interval_s - elapsed))

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"modbus-{self.config.name}")

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None
        self._drop_client()

    def status(self) -> dict[str, Any]:
        return {
            "name": self.config.name,
            "map": self.map.name,
            "transport": self.config.transport,
            "polls": self.polls,
            "failures": self.failures,
            "timeouts": self.timeouts,
            "errors": self.errors,
            "last_good_read_at": format_datetime(self.last_good_read_at) if self.last_good_read_at else None,
            "last_error": self.last_error,
            **self.sink.status(),
        }


class ModbusExtension:
    """The ``[modbus]`` section as an extension: one poller per meter, a status route."""

    name = "modbus"

    def __init__(self, config: ModbusConfig):
        self.config = config
        self.meters: list[ModbusMeter] = []

    def routers(self) -> list[APIRouter]:
        router = APIRouter(prefix="/api/v1/integrations/modbus", tags=["integrations"])

        @router.get("/meters", openapi_extra=scope(Scope.FLEET))
        async def meters(_: Viewer) -> list[dict[str, Any]]:
            return [m.status() for m in self.meters]

        return [router]

    async def start(self, context: ApiContext) -> None:
        for cfg in self.config.meters:
            sink = TelemetrySink(
                source="modbus",
                device=cfg.name,
                bus=context.bus,
                clock=context.clock,
                store=context.store,
                station_id=cfg.station_id,
                site_id=cfg.site_id,
                evse_id=cfg.evse_id,
            )
            meter = ModbusMeter(cfg, sink)
            meter.start()
            self.meters.append(meter)

    async def stop(self) -> None:
        await asyncio.gather(*(meter.stop() for meter in self.meters))  # each bounded (cancel_and_wait)
        self.meters = []

    def stats(self) -> dict[str, float]:
        return {
            "meters": len(self.meters),
            "polls_total": sum(m.polls for m in self.meters),
            "poll_failures_total": sum(m.failures for m in self.meters),
            "active_faults": sum(len(m.sink.active_faults) for m in self.meters),
        }
