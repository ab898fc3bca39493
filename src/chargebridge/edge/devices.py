"""The edge's field devices: the node's own readers (``ModbusMeter``, ``CanBusReader``) writing to the outbox.

:class:`OutboxSink` is the :class:`~chargebridge.integrations.modbus.DeviceSink` of an edge: each
sample, fault and clear becomes one outbox record (durable before the reader goes on). A fault is
written once when it is raised and once when it clears, as on a node; the active faults are kept
in the outbox's state, so a fault that clears after a restart is still reported cleared.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chargebridge.domain.model import MeterSample
from chargebridge.domain.timeutil import format_datetime
from chargebridge.edge.config import EdgeCanDevice, EdgeModbusDevice
from chargebridge.edge.outbox import Outbox
from chargebridge.integrations.canbus import CanBusReader
from chargebridge.integrations.modbus import ModbusMeter, ModbusReadError, ModbusTimeout, sample_json
from chargebridge.services.clock import Clock

log = logging.getLogger(__name__)


class OutboxSink:
    def __init__(self, device: str, outbox: Outbox, clock: Clock, wake: Callable[[], None]):
        self.device = device
        self.outbox = outbox
        self.clock = clock
        self.wake = wake  # tells the uplink there is something to send
        self.active_faults: dict[str, str] = {}
        self.samples = 0
        self.last_sample_at: datetime | None = None

    def _state_key(self) -> str:
        return f"faults:{self.device}"

    async def restore(self) -> None:
        saved = await self.outbox.get_state(self._state_key())
        if isinstance(saved, dict):
            self.active_faults = {str(k): str(v) for k, v in saved.items()}

    async def _append(self, kind: str, at: datetime, data: dict[str, Any]) -> None:
        await self.outbox.append(kind, self.device, format_datetime(at), data)
        self.wake()

    async def sample(self, sample: MeterSample) -> None:
        if not sample.values:
            return
        await self._append("sample", sample.timestamp, {"values": sample_json(sample)})
        self.samples += 1
        self.last_sample_at = sample.timestamp

    async def fault(self, code: str, info: str, vendor_code: str | None = None) -> None:
        already = code in self.active_faults
        self.active_faults[code] = info[:500]
        if already:
            return
        log.warning("device %s: fault %s: %s", self.device, code, info)
        await self._append("fault", self.clock.now(), {"code": code, "info": info[:500], "vendor_code": vendor_code})
        await self.outbox.put_state(self._state_key(), self.active_faults)

    async def clear(self, code: str) -> None:
        if self.active_faults.pop(code, None) is None:
            return
        log.info("device %s: fault %s cleared", self.device, code)
        await self._append("clear", self.clock.now(), {"code": code})
        await self.outbox.put_state(self._state_key(), self.active_faults)

    def status(self) -> dict[str, Any]:
        return {
            "samples": self.samples,
            "last_sample_at": format_datetime(self.last_sample_at) if self.last_sample_at else None,
            "active_faults": dict(self.active_faults),
        }


class DeviceError(Exception):
    """A diagnostic the device cannot answer (the message says why)."""


class EdgeDevice:
    """One configured device: its reader, its sink, and what the server's diagnostics ask of it."""

    def __init__(self, config: EdgeModbusDevice | EdgeCanDevice, sink: OutboxSink):
        self.config = config
        self.sink = sink
        self.modbus: ModbusMeter | None = None
        self.can: CanBusReader | None = None
        if isinstance(config, EdgeModbusDevice):
            self.modbus = ModbusMeter(config, sink)
        else:
            self.can = CanBusReader(config, sink)

    @property
    def name(self) -> str:
        return self.config.name

    def start(self) -> None:
        if self.modbus is not None:
            self.modbus.start()
        elif self.can is not None:
            self.can.start()

    async def stop(self) -> None:
        if self.modbus is not None:
            await self.modbus.stop()
        elif self.can is not None:
            await self.can.stop()

    def reachable(self) -> bool | None:
        """None until the first poll; then whether the device answered its last poll / sends frames."""
        if self.modbus is not None:
            if self.modbus.polls == 0:
                return None
            return not ({"Timeout", "CommunicationError"} & self.sink.active_faults.keys())
        assert self.can is not None
        if self.can.frames == 0 and not self.sink.active_faults:
            return None
        return not ({"NoFrames", "BusError"} & self.sink.active_faults.keys())

    def last_good_read_at(self) -> datetime | None:
        if self.modbus is not None:
            return self.modbus.last_good_read_at
        assert self.can is not None
        return self.can.last_frame_at

    def counters(self) -> dict[str, int]:
        if self.modbus is not None:
            m = self.modbus
            return {"polls": m.polls, "failures": m.failures, "timeouts": m.timeouts, "errors": m.errors}
        assert self.can is not None
        c = self.can
        return {"frames": c.frames, "unknown_frames": c.unknown_frames, "bad_frames": c.bad_frames}

    def status(self) -> dict[str, Any]:
        c = self.config
        last = self.last_good_read_at()
        return {
            "name": c.name,
            "transport": c.transport,
            "station_id": c.station_id,
            "site_id": c.site_id,
            "evse_id": c.evse_id,
            "reachable": self.reachable(),
            "last_good_read_at": format_datetime(last) if last else None,
            "last_error": self.modbus.last_error if self.modbus is not None else None,
            "counters": self.counters(),
            "active_faults": dict(self.sink.active_faults),
            "samples": self.sink.samples,
            "where": self._where(),
        }

    def _where(self) -> str:
        c = self.config
        if isinstance(c, EdgeModbusDevice):
            if c.transport == "rtu":
                return f"{c.serial_port} {c.baudrate} {c.bytesize}{c.parity}{c.stopbits} id {c.device_id}"
            return f"{c.host}:{c.port} id {c.device_id}"
        return f"{c.interface} {c.channel}"

    async def read_register(
        self, register_type: str, address: int, count: int, device_id: int | None = None
    ) -> list[int]:
        if self.modbus is None:
            raise DeviceError(f"device {self.name!r} is a CAN interface: it has no registers")
        try:
            return await self.modbus.read_raw(
                "input" if register_type == "input" else "holding", address, count, device_id
            )
        except ModbusTimeout as exc:
            raise DeviceError(f"timeout: {exc}") from exc
        except (ModbusReadError, ValueError) as exc:
            raise DeviceError(str(exc)) from exc
        except Exception as exc:  # serial port gone, ...
            raise DeviceError(f"{type(exc).__name__}: {exc}") from exc
