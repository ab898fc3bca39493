"""The validation service: starts runs (one per station at a time), serves their reports, routes
the bus events of a station under validation to its run, and records the integrity failures
every station reports (whether a run is active or not)."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Collection
from typing import Any

from chargebridge.bus.memory import Subscription
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.store.repository import Row
from chargebridge.tasks import cancel_and_wait
from chargebridge.validation.bench import Ports
from chargebridge.validation.model import RunSettings, RunStatus
from chargebridge.validation.runner import Run, run_summary, run_view
from chargebridge.validation.store import ValidationStore
from chargebridge.validation.verdicts import is_integrity_failure

log = logging.getLogger(__name__)

_KINDS = {
    EventKind.STATION_CONNECTED,
    EventKind.STATION_DISCONNECTED,
    EventKind.STATION_BOOTED,
    EventKind.STATUS_CHANGED,
    EventKind.TRANSACTION_STARTED,
    EventKind.TRANSACTION_ENDED,
    EventKind.FIRMWARE_STATUS,
    EventKind.LOG_STATUS,
    EventKind.SECURITY_EVENT,
}

# How long a stopping node waits for runs to put their stations back before giving up on them.
STOP_GRACE_S = 15.0


class Busy(Exception):
    """A run is already active for this station."""


class NotConnected(Exception):
    pass


class ValidationService:
    def __init__(self, ports: Ports):
        self.ports = ports
        self.db = ValidationStore(ports.store)
        self.active: dict[str, Run] = {}  # by station id
        self._runs: dict[str, Run] = {}  # by run id, while running
        self._subscription: Subscription | None = None
        self._consumer: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # Runs that were running when the node stopped cannot go on: say so.
        for row in await self.db.running():
            await self.db.update_run(
                row["id"],
                status=RunStatus.ABORTED.value,
                reason="the node restarted during the run",
                updated_at=self.ports.clock.now(),
                finished_at=self.ports.clock.now(),
            )
        self._subscription = self.ports.requests.bus.subscribe("validation", _KINDS)
        self._consumer = asyncio.create_task(self._consume(self._subscription), name="validation-events")

    async def stop(self) -> None:
        runs = list(self._runs.values())
        for run in runs:
            run.abort("the node stopped during the run")
        tasks = [run.task for run in runs if run.task is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=STOP_GRACE_S)
            for task in pending:
                await cancel_and_wait(task)
        if self._subscription is not None:
            self.ports.requests.bus.unsubscribe(self._subscription)
        if self._consumer is not None:
            await cancel_and_wait(self._consumer)

    # -- runs ------------------------------------------------------------------------------------

    async def start_run(
        self, station_id: str, settings: RunSettings, *, requested_by: str | None, base_url: str
    ) -> Run:
        """Start a run; raises LookupError (not registered), NotConnected, Busy."""
        if station_id in self.active:
            raise Busy(f"a validation run ({self.active[station_id].id}) is already running for {station_id}")
        row = await self.ports.store.get_station(station_id)
        if row is None:
            raise LookupError(f"station {station_id!r} is not registered")
        conn = self.ports.gateway.connections.get(station_id)
        if conn is None:
            raise NotConnected(f"station {station_id!r} is not connected")
        if station_id in self.active:  # checked again: the awaits above let another request in
            raise Busy(f"a validation run ({self.active[station_id].id}) is already running for {station_id}")
        run_id = secrets.token_hex(8)
        identity = {
            "vendor": row["vendor"],
            "model": row["model"],
            "firmware_version": row["firmware_version"],
            "serial_number": row["serial_number"],
        }
        token = settings.id_token or f"CBV{run_id[:12].upper()}"
        run = Run(
            run_id,
            station_id,
            conn.adapter.version,
            settings,
            self.ports,
            self.db,
            identity=identity,
            requested_by=requested_by,
            base_url=base_url,
            token=token,
            on_done=self._done,
        )
        self.active[station_id] = run
        self._runs[run_id] = run
        try:
            await self.db.add_run(run.row())
        except BaseException:
            self.active.pop(station_id, None)
            self._runs.pop(run_id, None)
            raise
        run.start()
        log.info("%s: validation run %s started (%s)", station_id, run_id, settings.level.value)
        return run

    def _done(self, run: Run) -> None:
        if self.active.get(run.station_id) is run:
            del self.active[run.station_id]
        self._runs.pop(run.id, None)
        log.info(
            "%s: validation run %s %s, level reached %s%s",
            run.station_id,
            run.id,
            run.status.value,
            run.level.value,
            f" ({run.reason})" if run.reason else "",
        )

    async def view(self, run_id: str) -> dict[str, Any] | None:
        run = self._runs.get(run_id)
        if run is not None:
            return run.view()
        row = await self.db.get_run(run_id)
        return run_view(row) if row is not None else None

    async def station_of(self, run_id: str) -> str | None:
        run = self._runs.get(run_id)
        if run is not None:
            return run.station_id
        row = await self.db.get_run(run_id)
        return row["station_id"] if row is not None else None

    async def list_runs(
        self, *, station_id: str | None, only: Collection[str] | None, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        rows = await self.db.list_runs(station_id=station_id, only=only, limit=limit, offset=offset)
        out = []
        for row in rows:
            live = self._runs.get(row["id"])
            summary = run_summary(row)
            if live is not None:
                summary.update(
                    status=live.status.value,
                    level_reached=live.level.value,
                    current_case=live.current.id if live.current else None,
                )
                summary["prompt"] = live.prompt
            out.append(summary)
        return out

    def abort(self, run_id: str, reason: str) -> bool:
        run = self._runs.get(run_id)
        return run.abort(reason) if run is not None else False

    async def wait(self, run_id: str) -> None:
        """Until the run has finished (tests, the CLI's local use)."""
        run = self._runs.get(run_id)
        if run is not None and run.task is not None:
            await asyncio.shield(run.task)

    # -- the compatibility matrix -----------------------------------------------------------------

    async def annotate_matrix(self, rows: list[Row]) -> None:
        """Add the validated level (newest finished run of the vendor/model/firmware) and the
        number of quirks seen to each row of the firmware compatibility matrix."""
        await annotate_matrix(self.db, rows)

    # -- bus -------------------------------------------------------------------------------------

    async def _consume(self, subscription: Subscription) -> None:
        while True:
            event = await subscription.get()
            run = self.active.get(event.station_id)
            if run is not None:
                try:
                    run.on_event(event)
                except Exception:
                    log.exception("validation run %s: could not take an event", run.id)
            if event.kind is EventKind.SECURITY_EVENT:
                await self._security_event(event, run)

    async def _security_event(self, event: DomainEvent, run: Run | None) -> None:
        kind = event.data.get("type")
        if not isinstance(kind, str) or not is_integrity_failure(kind):
            return
        info = event.data.get("tech_info")
        try:
            await self.db.add_integrity_failure(
                event.station_id, kind, info if isinstance(info, str) else None, event.at, run.id if run else None
            )
        except Exception:
            log.exception("%s: could not record the integrity failure %s", event.station_id, kind)
            return
        log.warning("%s: integrity failure reported: %s", event.station_id, kind)
        self.ports.requests.bus.publish(
            DomainEvent(
                EventKind.STATION_EVENT,
                event.station_id,
                event.at,
                {"type": "integrity_failure", "event": kind, "tech_info": info, "run_id": run.id if run else None},
            )
        )


async def annotate_matrix(db: ValidationStore, rows: list[Row]) -> None:
    """:meth:`ValidationService.annotate_matrix` on a store alone (the CLI's matrix check reads
    the database without a running node)."""
    keys = [(r["vendor"], r["model"], r["firmware_version"]) for r in rows]
    levels = await db.validated_levels(keys)
    quirks = await db.quirk_counts(keys)
    for row, key in zip(rows, keys, strict=True):
        level = levels.get(key)
        row["validated_level"] = level["level_reached"] if level is not None else None
        row["validation_run_id"] = level["id"] if level is not None else None
        row["validated_at"] = level["finished_at"] if level is not None else None
        row["quirks"] = quirks.get(key, 0)
