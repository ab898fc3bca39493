"""One edge process: devices -> outbox -> uplink, commands back, and the status page.

:class:`EdgeNode` starts the outbox, one reader per enabled device, the status page and the
uplink loop. The uplink loop connects, then runs the sender (oldest unacknowledged records first,
in batches, a status-only batch at least every ``heartbeat_s``) and the command loop side by
side; when either finds the link down both end, the link is closed and opened again after an
exponential back-off with jitter (1 s doubling up to ``retry_max_s``). Records leave the outbox
only when the far side acknowledged them, so a crash, a power cut or a week without uplink loses
nothing (up to ``max_buffered_records``) and the server applies each record once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from chargebridge.domain.timeutil import format_datetime
from chargebridge.edge.commands import CommandHandler, Limits
from chargebridge.edge.config import EdgeConfig
from chargebridge.edge.devices import EdgeDevice, OutboxSink
from chargebridge.edge.outbox import Outbox
from chargebridge.edge.protocol import Answer, Command
from chargebridge.edge.statuspage import StatusPage
from chargebridge.edge.uplinks import Uplink, UplinkDown, build_uplink
from chargebridge.services.clock import Clock, SystemClock
from chargebridge.tasks import cancel_and_wait

log = logging.getLogger(__name__)


def _version() -> str:
    try:
        return version("chargebridge")
    except PackageNotFoundError:
        return ""


@dataclass
class UplinkState:
    url: str | None
    connected: bool = False
    batches: int = 0
    records: int = 0
    failures: int = 0
    last_ack_at: datetime | None = None
    last_error: str | None = None
    next_attempt_s: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "connected": self.connected,
            "batches_sent": self.batches,
            "records_sent": self.records,
            "failures": self.failures,
            "last_ack_at": format_datetime(self.last_ack_at) if self.last_ack_at else None,
            "last_error": self.last_error,
        }


class EdgeNode:
    def __init__(self, config: EdgeConfig, clock: Clock | None = None):
        self.config = config
        self.clock = clock or SystemClock()
        self.edge_id = config.edge.id
        self.outbox = Outbox(config.edge.data_dir / "outbox.db", config.edge.max_buffered_records)
        self.limits = Limits(self.outbox)
        self.devices: dict[str, EdgeDevice] = {}
        self.wake = asyncio.Event()
        self.uplink_state = UplinkState(config.uplink.url)
        self.commands = CommandHandler(self.devices, self.limits, self.clock, self.status)
        self.status_page = StatusPage(config.edge.status_host, config.edge.status_port, self.status)
        self.started_at: datetime | None = None
        self._uplink_task: asyncio.Task[None] | None = None

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        self.started_at = self.clock.now()
        await self.outbox.open()
        await self.limits.restore()
        for cfg in self.config.devices:
            if not cfg.enabled:
                continue
            sink = OutboxSink(cfg.name, self.outbox, self.clock, self.wake.set)
            await sink.restore()
            self.devices[cfg.name] = EdgeDevice(cfg, sink)
        await self.status_page.start()
        for device in self.devices.values():
            device.start()
        if self.config.uplink.url is not None:
            self._uplink_task = asyncio.create_task(self._uplink_loop(), name="edge-uplink")
        else:
            log.warning("edge %s: no upstream configured; readings stay in the outbox", self.edge_id)
        log.info(
            "edge %s: %d device(s), status page http://%s:%d/, outbox %d record(s) waiting",
            self.edge_id,
            len(self.devices),
            self.status_page.host,
            self.status_page.port,
            self.outbox.depth,
        )

    async def stop(self) -> None:
        if self._uplink_task is not None:
            await cancel_and_wait(self._uplink_task)
            self._uplink_task = None
        await asyncio.gather(*(d.stop() for d in self.devices.values()))
        await self.status_page.stop()
        await self.outbox.close()

    # -- status -----------------------------------------------------------------------------

    def device_statuses(self) -> list[dict[str, Any]]:
        return [d.status() for d in self.devices.values()]

    def status(self) -> dict[str, Any]:
        return {
            "edge_id": self.edge_id,
            "name": self.config.edge.name,
            "version": _version(),
            "at": format_datetime(self.clock.now()),
            "started_at": format_datetime(self.started_at) if self.started_at else None,
            "heartbeat_s": self.config.edge.heartbeat_s,
            "uplink": self.uplink_state.to_json(),
            "outbox": {
                "outbox_id": self.outbox.outbox_id,
                "depth": self.outbox.depth,
                "dropped": self.outbox.dropped,
                "last_seq": self.outbox.last_seq,
                "acked_seq": self.outbox.acked_seq,
            },
            "limits": dict(self.limits.values),
            "commands": {"handled": self.commands.handled, "failed": self.commands.failed},
            "devices": self.device_statuses(),
        }

    def wire_status(self) -> dict[str, Any]:
        """What goes upstream with each batch (``protocol.WireStatus``)."""
        keep = ("name", "transport", "station_id", "site_id", "evse_id", "reachable", "last_good_read_at")
        devices = []
        for d in self.device_statuses():
            entry = {k: d[k] for k in keep}
            entry["last_error"] = (d["last_error"] or None) and str(d["last_error"])[:500]
            entry["counters"] = d["counters"]
            entry["active_faults"] = d["active_faults"]
            devices.append(entry)
        return {
            "at": format_datetime(self.clock.now()),
            "version": _version()[:32],
            "started_at": format_datetime(self.started_at) if self.started_at else None,
            "heartbeat_s": self.config.edge.heartbeat_s,
            "outbox_depth": self.outbox.depth,
            "outbox_dropped": self.outbox.dropped,
            "limits": dict(self.limits.values),
            "devices": devices,
        }

    # -- uplink -----------------------------------------------------------------------------

    def _uplink(self) -> Uplink:
        url = self.config.uplink.url
        assert url is not None
        return build_uplink(url, self.edge_id, self.config.uplink)

    async def _uplink_loop(self) -> None:
        backoff = 1.0
        while True:
            uplink = self._uplink()
            try:
                await uplink.open()
                self.uplink_state.connected = True
                log.info("edge %s: uplink %s connected", self.edge_id, uplink.kind)
                backoff = 1.0
                await self._run_connected(uplink)
            except UplinkDown as exc:
                self.uplink_state.failures += 1
                self.uplink_state.last_error = str(exc)[:500]
                log.warning("edge %s: uplink down: %s", self.edge_id, exc)
            finally:
                self.uplink_state.connected = False
                await uplink.close()
            delay = min(backoff, self.config.uplink.retry_max_s) * random.uniform(0.8, 1.2)
            backoff = min(backoff * 2, self.config.uplink.retry_max_s)
            await asyncio.sleep(delay)

    async def _run_connected(self, uplink: Uplink) -> None:
        tasks = [
            asyncio.create_task(self._send_loop(uplink), name="edge-send"),
            asyncio.create_task(uplink.serve_commands(self._handle_command), name="edge-commands"),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            for task in tasks:
                if not task.done():
                    await cancel_and_wait(task)
        failures = [task.exception() for task in tasks if task.done() and not task.cancelled()]
        for exc in failures:  # every failure is retrieved; the first one is raised
            if exc is not None:
                raise exc
        raise UplinkDown("uplink loop ended")

    async def _handle_command(self, command: Command) -> Answer:
        log.info("edge %s: command %s %s", self.edge_id, command.type, command.id)
        return await self.commands.handle(command)

    async def _send_loop(self, uplink: Uplink) -> None:
        loop = asyncio.get_running_loop()
        heartbeat = self.config.edge.heartbeat_s
        last_sent = -heartbeat
        cfg = self.config.uplink
        while True:
            records = await self.outbox.pending(cfg.batch_records, cfg.batch_bytes)
            due = loop.time() - last_sent >= heartbeat
            if not records and not due:
                self.wake.clear()
                if self.outbox.last_seq > self.outbox.acked_seq:
                    continue  # appended between the read and the clear
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(0.0, last_sent + heartbeat - loop.time())):
                        await self.wake.wait()
                continue
            batch = {
                "edge_id": self.edge_id,
                "outbox_id": self.outbox.outbox_id,
                "sent_at": format_datetime(self.clock.now()),
                "status": self.wire_status(),
                "records": [r.to_json() for r in records],
            }
            acked = await uplink.send(batch)
            last_sent = loop.time()
            self.uplink_state.batches += 1
            self.uplink_state.records += len(records)
            self.uplink_state.last_ack_at = self.clock.now()
            if records:
                if acked < records[-1].seq:
                    raise UplinkDown(f"the server acknowledged up to {acked}, not {records[-1].seq}")
                await self.outbox.ack(min(acked, self.outbox.last_seq))
