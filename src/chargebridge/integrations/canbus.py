"""CAN bus: read a power module's frames, decode them with a DBC, publish telemetry and faults of a station.

Frames come from a python-can interface (``socketcan`` in production, ``virtual`` in tests),
are decoded with cantools against a DBC file (the built-in ``dc-power-module.dbc`` or a file an
operator ships), and the configured signals become meter samples: the latest value of every
mapped signal is published at most once per ``sample_interval_s`` (power modules send every
10-100 ms; the bus would otherwise carry hundreds of samples a second). Fault-bit signals raise
and clear faults (source ``canbus``) as soon as a frame flips them. Silence on the bus for
``stale_after_s`` raises ``NoFrames``; an interface that cannot be opened raises ``BusError``
and is retried with back-off. Nothing on the bus can crash the reader.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import cantools
from fastapi import APIRouter
from pydantic import Field, model_validator

from chargebridge.api.auth import Scope, Viewer, scope
from chargebridge.domain.model import MeterSample, SampledValue
from chargebridge.domain.timeutil import format_datetime
from chargebridge.integrations.base import Section, StrictModel
from chargebridge.integrations.modbus import DeviceSink, TelemetrySink
from chargebridge.tasks import cancel_and_wait

if TYPE_CHECKING:
    import can
    from cantools.database.can import Database

    from chargebridge.api.deps import ApiContext

log = logging.getLogger(__name__)


def builtin_dbcs() -> list[str]:
    folder = resources.files("chargebridge.integrations") / "dbc"
    return sorted(e.name.removesuffix(".dbc") for e in folder.iterdir() if e.name.endswith(".dbc"))


def load_dbc(name_or_path: str) -> Database:
    """A built-in DBC by name (``dc-power-module``) or a DBC file by path."""
    path = Path(name_or_path)
    if path.suffix.lower() == ".dbc" or path.exists():
        text = path.read_text(encoding="utf-8")
    else:
        entry = resources.files("chargebridge.integrations") / "dbc" / f"{name_or_path}.dbc"
        if not entry.is_file():
            raise ValueError(f"no built-in DBC {name_or_path!r} (built-in: {', '.join(builtin_dbcs())})")
        text = entry.read_text(encoding="utf-8")
    db = cantools.database.load_string(text, database_format="dbc")
    assert isinstance(db, cantools.database.can.Database)
    return db


class CanSignalMap(StrictModel):
    """One DBC signal published as a sampled value."""

    signal: str
    measurand: str
    unit: str
    negative_measurand: str | None = None  # e.g. "Current.Export": negative values go here, as magnitudes
    scale: float = 1.0  # applied after the DBC's own factor/offset
    offset: float = 0.0
    phase: str | None = None
    location: str | None = None


class CanFaultMap(StrictModel):
    """One DBC signal (typically a fault bit) that raises a fault while active."""

    signal: str
    code: str
    active_when: Literal["nonzero", "zero"] = "nonzero"
    vendor_code_signal: str | None = None  # a signal carrying the module's own error code
    info: str = ""


class CanLinkConfig(StrictModel):
    """One CAN interface, its DBC and what to read from it (shared by ``[canbus]`` and the edge)."""

    name: str
    interface: str = "socketcan"
    channel: str = "can0"
    bitrate: int | None = None
    dbc: str = "dc-power-module"
    sample_interval_s: float = Field(default=1.0, gt=0)
    stale_after_s: float = Field(default=5.0, gt=0)
    signals: list[CanSignalMap] = []
    faults: list[CanFaultMap] = []

    @model_validator(mode="after")
    def _check(self) -> CanLinkConfig:
        try:
            db = load_dbc(self.dbc)
        except Exception as exc:
            raise ValueError(f"bus {self.name!r}: cannot load DBC {self.dbc!r}: {exc}") from exc
        known = {s.name for m in db.messages for s in m.signals}
        wanted = [m.signal for m in self.signals] + [f.signal for f in self.faults]
        wanted += [f.vendor_code_signal for f in self.faults if f.vendor_code_signal]
        missing = sorted(set(wanted) - known)
        if missing:
            raise ValueError(f"bus {self.name!r}: signals {missing} are not in DBC {self.dbc!r}")
        return self


class CanBusConfig(CanLinkConfig):
    """A bus of the ``[canbus]`` section: a link and the station or site its telemetry belongs to."""

    station_id: str | None = None
    site_id: str | None = None
    evse_id: int = Field(default=0, ge=0)
    connector_id: int | None = None

    @model_validator(mode="after")
    def _target(self) -> CanBusConfig:
        if (self.station_id is None) == (self.site_id is None):
            raise ValueError(f"bus {self.name!r}: set exactly one of station_id and site_id")
        return self


class CanConfig(Section):
    """``[canbus]``: CAN interfaces whose frames become station or site telemetry."""

    buses: list[CanBusConfig] = []

    @model_validator(mode="after")
    def _unique(self) -> CanConfig:
        names = [b.name for b in self.buses]
        if len(names) != len(set(names)):
            raise ValueError("canbus bus names must be unique")
        return self


def example_power_module_config(name: str = "power-module", **overrides: Any) -> CanBusConfig:
    """The mapping of the shipped DC power module DBC (also the documented example)."""
    values: dict[str, Any] = {
        "name": name,
        "dbc": "dc-power-module",
        "signals": [
            {"signal": "PM_OutputVoltage", "measurand": "Voltage", "unit": "V", "location": "Outlet"},
            {
                "signal": "PM_OutputCurrent",
                "measurand": "Current.Import",
                "negative_measurand": "Current.Export",
                "unit": "A",
                "location": "Outlet",
            },
            {
                "signal": "PM_OutputPower",
                "measurand": "Power.Active.Import",
                "negative_measurand": "Power.Active.Export",
                "unit": "W",
                "location": "Outlet",
            },
            {"signal": "PM_HeatsinkTemp", "measurand": "Temperature", "unit": "Celsius", "location": "Body"},
        ],
        "faults": [
            {"signal": "PM_FaultOverVoltage", "code": "OverVoltage", "vendor_code_signal": "PM_VendorErrorCode"},
            {"signal": "PM_FaultOverCurrent", "code": "OverCurrentFailure", "vendor_code_signal": "PM_VendorErrorCode"},
            {"signal": "PM_FaultOverTemp", "code": "HighTemperature", "vendor_code_signal": "PM_VendorErrorCode"},
            {"signal": "PM_FaultInputUnderVoltage", "code": "UnderVoltage", "vendor_code_signal": "PM_VendorErrorCode"},
            {"signal": "PM_FaultFan", "code": "PowerModuleFan", "vendor_code_signal": "PM_VendorErrorCode"},
            {"signal": "PM_FaultShortCircuit", "code": "PowerModuleShortCircuit"},
        ],
    }
    values.update(overrides)
    return CanBusConfig.model_validate(values)


@dataclass
class _Latest:
    value: float
    fresh: bool


class CanBusReader:
    """Reads one CAN interface. :meth:`handle_frame` is the whole decoding path (tests drive it too)."""

    def __init__(self, config: CanLinkConfig, sink: DeviceSink, db: Database | None = None):
        self.config = config
        self.sink = sink
        self.db = db or load_dbc(config.dbc)
        self._ids = {m.frame_id for m in self.db.messages}
        self._latest: dict[str, _Latest] = {}
        self._signal_maps = {m.signal: m for m in config.signals}
        self.frames = 0
        self.unknown_frames = 0
        self.bad_frames = 0
        self.last_frame_at: datetime | None = None  # of the last frame the DBC decoded
        self._bus: can.BusABC | None = None
        self._notifier: can.Notifier | None = None
        self._task: asyncio.Task[None] | None = None

    # -- decoding ---------------------------------------------------------------------------

    async def handle_frame(self, arbitration_id: int, data: bytes) -> None:
        if arbitration_id not in self._ids:
            self.unknown_frames += 1
            return
        try:
            decoded = self.db.decode_message(arbitration_id, data, decode_choices=False)
        except Exception as exc:
            self.bad_frames += 1
            log.debug("canbus %s: bad frame %#x: %s", self.config.name, arbitration_id, exc)
            return
        self.frames += 1
        self.last_frame_at = self.sink.clock.now()
        assert isinstance(decoded, dict)
        for name, value in decoded.items():
            if isinstance(value, int | float):
                self._latest[name] = _Latest(float(value), True)
        for fault in self.config.faults:
            if fault.signal not in decoded:
                continue
            raw = self._latest[fault.signal].value
            active = raw != 0 if fault.active_when == "nonzero" else raw == 0
            if active:
                vendor_code = None
                if fault.vendor_code_signal and fault.vendor_code_signal in self._latest:
                    code_value = int(self._latest[fault.vendor_code_signal].value)
                    vendor_code = f"{code_value:#06x}" if code_value else None
                await self.sink.fault(fault.code, fault.info or f"{fault.signal} active", vendor_code)
            else:
                await self.sink.clear(fault.code)

    def current_sample(self, *, only_fresh: bool = True) -> MeterSample | None:
        """The mapped signals' latest values as one sample (None if nothing new since the last one)."""
        values: list[SampledValue] = []
        for name, mapping in self._signal_maps.items():
            latest = self._latest.get(name)
            if latest is None or (only_fresh and not latest.fresh):
                continue
            value = latest.value * mapping.scale + mapping.offset
            measurand = mapping.measurand
            if value < 0 and mapping.negative_measurand is not None:
                measurand, value = mapping.negative_measurand, -value
            values.append(
                SampledValue(
                    measurand=measurand,
                    value=round(value, 6),
                    unit=mapping.unit,
                    phase=mapping.phase,
                    location=mapping.location,
                )
            )
        for latest in self._latest.values():
            latest.fresh = False
        if not values:
            return None
        return MeterSample(self.sink.clock.now(), tuple(values))

    async def publish(self) -> MeterSample | None:
        sample = self.current_sample()
        if sample is not None:
            await self.sink.sample(sample)
        return sample

    # -- I/O --------------------------------------------------------------------------------

    def _open(self) -> can.AsyncBufferedReader:
        import can

        c = self.config
        kwargs: dict[str, Any] = {"interface": c.interface, "channel": c.channel}
        if c.bitrate is not None:
            kwargs["bitrate"] = c.bitrate
        self._bus = can.Bus(**kwargs)
        reader = can.AsyncBufferedReader()
        self._notifier = can.Notifier(self._bus, [reader], loop=asyncio.get_running_loop())
        return reader

    def _close(self) -> None:
        if self._notifier is not None:
            with contextlib.suppress(Exception):
                self._notifier.stop()
            self._notifier = None
        if self._bus is not None:
            with contextlib.suppress(Exception):
                self._bus.shutdown()
            self._bus = None

    async def _receive(self, reader: can.AsyncBufferedReader) -> None:
        loop = asyncio.get_running_loop()
        interval = self.config.sample_interval_s
        last_frame = loop.time()
        next_publish = loop.time() + interval
        while True:
            try:
                message = await asyncio.wait_for(reader.get_message(), max(0.0, next_publish - loop.time()))
            except TimeoutError:
                message = None
            if message is not None and not message.is_error_frame and not message.is_remote_frame:
                last_frame = loop.time()
                await self.sink.clear("NoFrames")
                await self.handle_frame(message.arbitration_id, bytes(message.data))
            if loop.time() >= next_publish:
                next_publish = loop.time() + interval
                await self.publish()
                silent = loop.time() - last_frame
                if silent >= self.config.stale_after_s:
                    await self.sink.fault("NoFrames", f"no CAN frames for {silent:.1f} s on {self.config.channel}")

    async def run(self) -> None:
        backoff = 1.0
        while True:
            try:
                reader = self._open()
            except Exception as exc:
                self._close()
                await self.sink.fault("BusError", f"cannot open {self.config.interface} {self.config.channel}: {exc}")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            await self.sink.clear("BusError")
            backoff = 1.0
            try:
                await self._receive(reader)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("canbus %s: reader failed", self.config.name)
                await self.sink.fault("BusError", f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(backoff)
            finally:
                self._close()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"canbus-{self.config.name}")

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None
        self._close()

    def status(self) -> dict[str, Any]:
        return {
            "name": self.config.name,
            "interface": self.config.interface,
            "channel": self.config.channel,
            "frames": self.frames,
            "unknown_frames": self.unknown_frames,
            "bad_frames": self.bad_frames,
            "last_frame_at": format_datetime(self.last_frame_at) if self.last_frame_at else None,
            **self.sink.status(),
        }


class CanExtension:
    """The ``[canbus]`` section as an extension: one reader per interface, a status route."""

    name = "canbus"

    def __init__(self, config: CanConfig):
        self.config = config
        self.readers: list[CanBusReader] = []

    def routers(self) -> list[APIRouter]:
        router = APIRouter(prefix="/api/v1/integrations/canbus", tags=["integrations"])

        @router.get("/buses", openapi_extra=scope(Scope.FLEET))
        async def buses(_: Viewer) -> list[dict[str, Any]]:
            return [r.status() for r in self.readers]

        return [router]

    async def start(self, context: ApiContext) -> None:
        for cfg in self.config.buses:
            sink = TelemetrySink(
                source="canbus",
                device=cfg.name,
                bus=context.bus,
                clock=context.clock,
                store=context.store,
                station_id=cfg.station_id,
                site_id=cfg.site_id,
                evse_id=cfg.evse_id,
                connector_id=cfg.connector_id,
            )
            reader = CanBusReader(cfg, sink)
            reader.start()
            self.readers.append(reader)

    async def stop(self) -> None:
        for reader in self.readers:
            await reader.stop()
        self.readers = []

    def stats(self) -> dict[str, float]:
        return {
            "buses": len(self.readers),
            "frames_total": sum(r.frames for r in self.readers),
            "unknown_frames_total": sum(r.unknown_frames for r in self.readers),
            "bad_frames_total": sum(r.bad_frames for r in self.readers),
            "active_faults": sum(len(r.sink.active_faults) for r in self.readers),
        }
