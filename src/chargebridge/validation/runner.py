"""One validation run: executes the cases in order, keeps the report current, aborts when the
station leaves (not by the bench's doing), and always puts back what it changed.

The cases run in a child task so that an abort (the operator's, or an unexpected disconnect)
cancels only them: the run itself then finishes its report and the restoration.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from chargebridge.domain import charging as ch
from chargebridge.domain.authorization import CancelReservation, SendLocalList, UpdateType
from chargebridge.domain.commands import ChangeAvailability, RemoteStop
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.timeutil import format_datetime
from chargebridge.rpc import OcppVersion
from chargebridge.tasks import BackgroundTasks
from chargebridge.validation.bench import Bench, Ports, StationGone, connection_facts
from chargebridge.validation.catalogue import Case, plan
from chargebridge.validation.evidence import RunLog
from chargebridge.validation.model import Level, Quirk, Result, RunSettings, RunStatus, Verdict, level_reached
from chargebridge.validation.quirks import frame_quirks
from chargebridge.validation.store import ValidationStore
from chargebridge.validation.verdicts import latency_stats

log = logging.getLogger(__name__)

# Restoring after an abort or at shutdown gets at most this long per step class.
RESTORE_BUDGET_S = 120.0


class Run:
    def __init__(
        self,
        run_id: str,
        station_id: str,
        version: OcppVersion,
        settings: RunSettings,
        ports: Ports,
        db: ValidationStore,
        *,
        identity: dict[str, Any],
        requested_by: str | None,
        base_url: str,
        token: str,
        on_done: Callable[[Run], None],
    ):
        self.id = run_id
        self.station_id = station_id
        self.version = version
        self.settings = settings
        self.ports = ports
        self.db = db
        self.identity = identity
        self.requested_by = requested_by
        self.started_at = ports.clock.now()
        self.updated_at = self.started_at
        self.finished_at: datetime | None = None
        self.status = RunStatus.RUNNING
        self.reason: str | None = None
        self.level = Level.NONE
        self.log = RunLog(ports.clock.now)
        self.cases: list[dict[str, Any]] = []
        self.plan: list[Case] = plan(settings.level)
        self.current: Case | None = None
        self.prompt: dict[str, Any] | None = None
        self.quirks: list[tuple[str | None, Quirk]] = []
        self.latency: dict[str, dict[str, float]] = {}
        self.restoration: dict[str, list[str]] = {"restored": [], "not_restored": [], "kept": []}
        self.bench = Bench(
            run_id,
            station_id,
            version,
            settings,
            ports,
            self.log,
            token=token,
            base_url=base_url,
            set_prompt=self._set_prompt,
        )
        self._on_done = on_done
        self._cases_task: asyncio.Task[None] | None = None
        self.task: asyncio.Task[None] | None = None
        self._persist_lock = asyncio.Lock()
        self._background = BackgroundTasks(log, "storing a validation report failed")
        self._abort_reason: str | None = None
        self.phase = "cases"  # cases | restoring | done

    # -- control ---------------------------------------------------------------------------------

    def start(self) -> None:
        self.ports.gateway.tap(self.station_id, self.log.add_frame)
        self.task = asyncio.create_task(self._main(), name=f"validation:{self.id}")

    def abort(self, reason: str) -> bool:
        """Stop the cases (the restoration still runs). False when the run is over."""
        if self.status is not RunStatus.RUNNING or self.phase != "cases":
            return False
        if self._abort_reason is None:
            self._abort_reason = reason
        if self._cases_task is not None and not self._cases_task.done():
            self._cases_task.cancel()
        return True

    def on_event(self, event: DomainEvent) -> None:
        """A bus event about the station (the service routes them here)."""
        data = dict(event.data)
        if event.kind is EventKind.STATION_CONNECTED:
            conn = self.ports.gateway.connections.get(self.station_id)
            if conn is not None:
                facts = connection_facts(conn)
                data.update(
                    tls=facts.tls, authenticated=facts.authenticated, client_certificate_cn=facts.client_certificate_cn
                )
        self.log.note(event.kind.value, data, at=event.at)
        if (
            event.kind is EventKind.STATION_DISCONNECTED
            and self.bench.expecting_disconnect == 0
            and self._cases_task is not None
            and not self._cases_task.done()
        ):
            during = f" during {self.current.id}" if self.current is not None else ""
            self.abort(f"the station disconnected at {format_datetime(event.at)}{during}; the bench did not cause it")

    def _set_prompt(self, text: str | None) -> None:
        if text is None:
            self.prompt = None
        else:
            self.prompt = {
                "text": text,
                "since": format_datetime(self.ports.clock.now()),
                "case": self.current.id if self.current else None,
                "timeout_s": self.settings.manual_step_timeout_s,
            }
        self._persist_soon()

    # -- the run ---------------------------------------------------------------------------------

    async def _main(self) -> None:
        # The run stays "running" until its station is put back and its report is final.
        outcome: RunStatus = RunStatus.ABORTED
        reason: str | None = "the node stopped during the run"
        try:
            await self._prepare()
            self._cases_task = asyncio.create_task(self._run_cases(), name=f"validation-cases:{self.id}")
            try:
                await self._cases_task
                outcome, reason = RunStatus.FINISHED, None
            except StationGone as exc:
                outcome, reason = RunStatus.ABORTED, str(exc)
            except asyncio.CancelledError:
                outcome, reason = RunStatus.ABORTED, self._abort_reason or "the node stopped during the run"
            except Exception as exc:
                log.exception("validation run %s failed", self.id)
                outcome, reason = RunStatus.ABORTED, f"the bench failed: {type(exc).__name__}: {exc}"
            if outcome is RunStatus.ABORTED:
                await self._final_cases()
            self.current = None
            self.prompt = None
            self.phase = "restoring"
            self._skip_rest(outcome, reason)
            self._persist_soon()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(RESTORE_BUDGET_S + self.settings.firmware_timeout_s):
                    await self._restore(outcome)
        except asyncio.CancelledError:
            reason = self._abort_reason or reason
        finally:
            await asyncio.shield(self._finish(outcome, reason))

    async def _prepare(self) -> None:
        bench = self.bench
        if await self.ports.store.get_id_token(bench.token) is None:
            # Accepted at this station only, for the run: never in the fleet's tokens or local lists.
            self.ports.requests.grant_token(self.station_id, bench.token)
            bench.restore.created_token = bench.token
        self.log.note(
            "bench.start",
            {"station": self.identity, "ocpp_version": self.version.value, "settings": self.settings.to_json()},
        )

    async def _run_cases(self) -> None:
        for case in self.plan:
            await self._ensure_connected(case)
            self.current = case
            self._persist_soon()
            cursor = self.log.cursor
            started_at = self.ports.clock.now()
            started = time.monotonic()
            try:
                async with asyncio.timeout(self._case_cap()):
                    verdict = await case.run(self.bench)
            except (StationGone, asyncio.CancelledError):
                self._record(
                    case,
                    Verdict.failed(self._abort_reason or "the station left during the case"),
                    cursor,
                    started_at,
                    started,
                )
                raise
            except TimeoutError:
                verdict = Verdict.failed(f"the case did not finish within {self._case_cap():g} s")
            except Exception as exc:
                log.exception("validation run %s: case %s failed", self.id, case.id)
                verdict = Verdict.failed(f"the bench could not run this case: {type(exc).__name__}: {exc}")
            self.bench.prompt(None)
            self._record(case, verdict, cursor, started_at, started)
            await self._persist()

    async def _final_cases(self) -> None:
        """After an abort: the cases judged from what was observed (integrity) still count."""
        done = {c["id"] for c in self.cases}
        for case in self.plan:
            if case.final and case.id not in done:
                cursor, started_at, started = self.log.cursor, self.ports.clock.now(), time.monotonic()
                try:
                    async with asyncio.timeout(10):
                        verdict = await case.run(self.bench)
                except Exception as exc:
                    verdict = Verdict.failed(f"the bench could not run this case: {type(exc).__name__}: {exc}")
                self._record(case, verdict, cursor, started_at, started)

    def _case_cap(self) -> float:
        s = self.settings
        return (
            3 * s.manual_step_timeout_s
            + s.firmware_timeout_s
            + 3 * s.reboot_timeout_s
            + 12 * s.response_timeout_s
            + s.heartbeat_window
            + 60
        )

    async def _ensure_connected(self, case: Case) -> None:
        if self.bench.connected:
            return
        if await self.bench.wait_connected(self.settings.response_timeout_s):
            return
        last = self.cases[-1]["id"] if self.cases else None
        after = f" after {last}" if last else ""
        raise StationGone(
            f"the station is not connected{after} and did not come back within {self.settings.response_timeout_s:g} s"
        )

    def _record(self, case: Case, verdict: Verdict, cursor: int, started_at: datetime, started: float) -> None:
        for quirk in verdict.quirks:
            self.quirks.append((case.id, quirk))
        self.cases.append(
            {
                "id": case.id,
                "name": case.name,
                "level": case.level.value,
                "result": verdict.result.value,
                "reason": verdict.reason,
                "duration_ms": round((time.monotonic() - started) * 1000.0, 1),
                "started_at": format_datetime(started_at),
                "messages": list(case.messages.get(self.version, ())),
                "rule": case.rule,
                "facts": _jsonable(verdict.facts),
                "quirks": [q.to_json() for q in verdict.quirks],
                "evidence": self.log.evidence(cursor),
            }
        )
        self.latency = latency_stats(_round_trips(self))
        self.level = level_reached(self.settings.level, self._results())
        self.updated_at = self.ports.clock.now()

    def _results(self) -> list[tuple[Level, Result]]:
        return [(Level(c["level"]), Result(c["result"])) for c in self.cases]

    def _skip_rest(self, outcome: RunStatus, reason: str | None) -> None:
        done = {c["id"] for c in self.cases}
        why = f"the run was aborted: {reason}" if outcome is RunStatus.ABORTED else "not run"
        for case in self.plan:
            if case.id not in done:
                self.cases.append(
                    {
                        "id": case.id,
                        "name": case.name,
                        "level": case.level.value,
                        "result": Result.SKIPPED.value,
                        "reason": why,
                        "duration_ms": 0.0,
                        "started_at": None,
                        "messages": list(case.messages.get(self.version, ())),
                        "rule": case.rule,
                        "facts": {},
                        "quirks": [],
                        "evidence": [],
                    }
                )
        self.level = level_reached(self.settings.level, self._results())

    # -- restoration -----------------------------------------------------------------------------

    async def _restore(self, outcome: RunStatus) -> None:
        b = self.bench
        r = b.restore
        s = self.settings
        if not b.connected:
            await b.wait_connected(s.reboot_timeout_s if outcome is RunStatus.FINISHED else s.response_timeout_s)
        online = b.connected

        async def step(what: str, work: Callable[[], Awaitable[bool]]) -> None:
            if not online or not b.connected:
                r.not_restored.append(f"{what} (the station is not connected)")
                return
            try:
                ok = await work()
            except StationGone:
                ok = False
            except Exception as exc:
                log.exception("validation run %s: restoring %s failed", self.id, what)
                r.not_restored.append(f"{what} ({type(exc).__name__}: {exc})")
                return
            (r.restored if ok else r.not_restored).append(what)

        for tx in sorted(r.transactions):

            async def stop(tx: str = tx) -> bool:
                cursor = b.log.cursor
                sent = await b.execute(RemoteStop(tx))
                if sent.status != "Accepted":
                    return False
                return (
                    await b.wait_tx(
                        lambda m: m.kind == "ended" and m.transaction_id == tx, s.response_timeout_s, cursor
                    )
                    is not None
                )

            await step(f"transaction {tx} the bench started: stopped", stop)
        for profile_id, evse in sorted(r.profiles.items()):

            async def clear(profile_id: int = profile_id) -> bool:
                sent = await b.execute(ch.ClearChargingProfile(profile_id=profile_id))
                return sent.status in ("Accepted", "Unknown")

            await step(f"charging profile {profile_id} (EVSE {evse}) cleared", clear)
        for reservation_id, through_service in sorted(r.reservations.items()):

            async def cancel(reservation_id: int = reservation_id, through_service: bool = through_service) -> bool:
                service = self.ports.reservations
                if through_service and service is not None:
                    _, answer = await service.cancel(self.station_id, reservation_id)
                    return answer.outcome.status == "Accepted"
                return (await b.execute(CancelReservation(reservation_id))).status == "Accepted"

            await step(f"reservation {reservation_id} cancelled", cancel)
        for evse in sorted(r.inoperative):

            async def operative(evse: int = evse) -> bool:
                return (await b.execute(ChangeAvailability(True, evse_id=evse))).status in ("Accepted", "Scheduled")

            await step(f"EVSE {evse} operative again", operative)
        if r.local_list is not None:
            version, managed = r.local_list

            async def put_back_list() -> bool:
                if managed and self.ports.local_list is not None:
                    outcome = await self.ports.local_list.sync(self.station_id, "full", reason="validation restore")
                    return outcome.get("state") not in ("failed", "error")
                for attempt in (version, version + 2):
                    if (await b.execute(SendLocalList(attempt, UpdateType.FULL, ()))).status == "Accepted":
                        if attempt != version:
                            r.kept.append(
                                f"the local list is empty again, at version {attempt} ({version} cannot be sent)"
                            )
                        return True
                return False

            await step(
                "local authorization list " + ("resent by chargebridge" if managed else "emptied again"), put_back_list
            )
        for name, (setting, original) in list(r.config.items()):

            async def put_back(setting: Any = setting, original: str = original) -> bool:
                sent = await b.write_setting(setting, original)
                if sent.status not in ("Accepted", "RebootRequired"):
                    return False
                value, _ = await b.read_setting(setting)
                return value is None or value == original

            await step(f"{name} = {original}", put_back)
        if r.firmware is not None:
            original_version, image = r.firmware
            station = await self.ports.store.get_station(self.station_id)
            current = station["firmware_version"] if station is not None else None
            if current != original_version:
                if image is None:
                    r.not_restored.append(f"firmware stays at {current}: no image of {original_version} is registered")
                else:
                    from chargebridge.validation.cases_standard import install

                    async def reinstall(image: dict[str, Any] = image) -> bool:
                        verdict = await install(b, image, signed=False)
                        return verdict.ok

                    await step(f"firmware {original_version} installed again", reinstall)

    # -- reporting -------------------------------------------------------------------------------

    async def _finish(self, outcome: RunStatus, reason: str | None) -> None:
        try:
            self.status, self.reason, self.phase = outcome, reason, "done"
            self.ports.gateway.tap(self.station_id, None)
            token = self.bench.restore.created_token
            if token is not None:
                self.ports.requests.grant_token(self.station_id, token, False)
                self.bench.restore.restored.append(f"token {token} (accepted at this station for the run) withdrawn")
            self.ports.gateway.hold_off(self.station_id, 0)
            self.finished_at = self.ports.clock.now()
            self.updated_at = self.finished_at
            frames = list(self.log.frames(0))
            for quirk in frame_quirks(self.version, frames, probe_ids=frozenset(self.bench.probe_ids)):
                self.quirks.append((None, quirk))
            self.quirks = list(dict.fromkeys(self.quirks))
            self.latency = latency_stats(_round_trips(self))
            self.level = level_reached(self.settings.level, self._results())
            r = self.bench.restore
            self.restoration = {
                "restored": list(dict.fromkeys(r.restored)),
                "not_restored": list(dict.fromkeys(r.not_restored)),
                "kept": list(dict.fromkeys(r.kept)),
            }
            await self._background.wait()
            await self._persist()
            identity = (
                str(self.identity.get("vendor") or ""),
                str(self.identity.get("model") or ""),
                str(self.identity.get("firmware_version") or ""),
            )
            await self.db.add_quirks(self.id, self.station_id, identity, self.quirks, self.finished_at)
        except Exception:
            log.exception("validation run %s: could not finish its report", self.id)
        finally:
            self._on_done(self)

    def _persist_soon(self) -> None:
        self._background.spawn(self._persist())

    async def _persist(self) -> None:
        async with self._persist_lock:
            try:
                await self.db.update_run(
                    self.id,
                    status=self.status.value,
                    level_reached=self.level.value,
                    report=self.report(),
                    reason=self.reason,
                    updated_at=self.ports.clock.now(),
                    finished_at=self.finished_at,
                )
            except Exception:
                log.exception("validation run %s: could not store its report", self.id)

    def row(self) -> dict[str, Any]:
        """The row the run starts with."""
        return {
            "id": self.id,
            "station_id": self.station_id,
            "status": self.status.value,
            "level_requested": self.settings.level.value,
            "level_reached": self.level.value,
            "ocpp_version": self.version.value,
            "vendor": (self.identity.get("vendor") or None),
            "model": (self.identity.get("model") or None),
            "firmware_version": (self.identity.get("firmware_version") or None),
            "settings": self.settings.to_json(),
            "report": self.report(),
            "reason": None,
            "requested_by": self.requested_by,
            "started_at": self.started_at,
            "updated_at": self.started_at,
            "finished_at": None,
        }

    def report(self) -> dict[str, Any]:
        """What is stored as the run's report (the view adds the row's columns)."""
        done = {c["id"] for c in self.cases}
        return {
            "station": self.identity,
            "phase": self.phase,
            "current_case": self.current.id if self.current is not None else None,
            "prompt": self.prompt,
            "pending_cases": [
                {"id": c.id, "name": c.name, "level": c.level.value} for c in self.plan if c.id not in done
            ],
            "cases": self.cases,
            "latency": self.latency,
            "quirks": [{"case": case, **q.to_json()} for case, q in self.quirks],
            "restoration": self.restoration,
        }

    def view(self) -> dict[str, Any]:
        return run_view(
            {
                **self.row(),
                "status": self.status.value,
                "level_reached": self.level.value,
                "reason": self.reason,
                "updated_at": self.updated_at,
                "finished_at": self.finished_at,
            }
        )


def _round_trips(run: Run) -> list[tuple[str, float]]:
    from chargebridge.validation.cases_standard import command_round_trips

    return command_round_trips(run.bench)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return format_datetime(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _time(value: Any) -> str | None:
    if value is None:
        return None
    return format_datetime(value) if isinstance(value, datetime) else str(value)


def summary(cases: list[dict[str, Any]], requested: str, reached: str) -> dict[str, Any]:
    """Counts per level and whether it was reached (the procurement table)."""
    out: dict[str, Any] = {}
    for level in ("basic", "standard", "advanced"):
        mine = [c for c in cases if c["level"] == level]
        if not mine:
            continue
        out[level] = {
            "passed": sum(1 for c in mine if c["result"] == "passed"),
            "failed": sum(1 for c in mine if c["result"] == "failed"),
            "skipped": sum(1 for c in mine if c["result"] == "skipped"),
            "reached": Level(reached).rank >= Level(level).rank,
        }
    return {"requested": requested, "reached": reached, "levels": out}


def run_view(row: dict[str, Any]) -> dict[str, Any]:
    """The API's JSON of a run, from its row (stored or live)."""
    report = row.get("report") or {}
    station = report.get("station") or {}
    vendor, model, firmware = station.get("vendor"), station.get("model"), station.get("firmware_version")
    identity = {"vendor": vendor or "", "model": model or "", "firmware_version": firmware or ""}
    cases = report.get("cases", [])
    return {
        "id": row["id"],
        "status": row["status"],
        "station_id": row["station_id"],
        "ocpp_version": row.get("ocpp_version"),
        "level_requested": row["level_requested"],
        "level_reached": row["level_reached"],
        "station": station,
        "settings": row.get("settings") or {},
        "requested_by": row.get("requested_by"),
        "started_at": _time(row.get("started_at")),
        "updated_at": _time(row.get("updated_at")),
        "finished_at": _time(row.get("finished_at")),
        "reason": row.get("reason"),
        "phase": report.get("phase", "done"),
        "current_case": report.get("current_case"),
        "prompt": report.get("prompt"),
        "pending_cases": report.get("pending_cases", []),
        "cases": cases,
        "latency": report.get("latency", {}),
        "quirks": report.get("quirks", []),
        "restoration": report.get("restoration", {"restored": [], "not_restored": [], "kept": []}),
        "summary": summary(cases, row["level_requested"], row["level_reached"]),
        "links": {
            "self": f"/api/v1/validation-runs/{row['id']}",
            "html": f"/api/v1/validation-runs/{row['id']}/report.html",
            "matrix": "/api/v1/firmware/compatibility?" + urlencode(identity),
            "quirks": "/api/v1/validation-quirks?" + urlencode(identity),
        },
    }


def run_summary(row: dict[str, Any]) -> dict[str, Any]:
    """A run in a list (no report)."""
    return {
        "id": row["id"],
        "status": row["status"],
        "station_id": row["station_id"],
        "ocpp_version": row.get("ocpp_version"),
        "level_requested": row["level_requested"],
        "level_reached": row["level_reached"],
        "vendor": row.get("vendor"),
        "model": row.get("model"),
        "firmware_version": row.get("firmware_version"),
        "requested_by": row.get("requested_by"),
        "started_at": _time(row.get("started_at")),
        "finished_at": _time(row.get("finished_at")),
        "reason": row.get("reason"),
    }
