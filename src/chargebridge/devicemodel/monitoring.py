"""Monitoring (OCPP 2.0.1 block N): monitors set, cleared and reported; monitor events as faults and alerts.

- SetVariableMonitoring / ClearVariableMonitoring are split by the station's MonitoringCtrlr
  ``ItemsPerMessage`` / ``BytesPerMessage`` (instance = the message name); the monitors the
  station accepted are stored with the id it gave them, cleared ones are removed.
- SetMonitoringBase / SetMonitoringLevel: the accepted base and level are stored.
- GetMonitoringReport: NotifyMonitoringReport parts are assembled like device model reports; a
  complete report without criteria replaces the stored monitors.
- NotifyEvent: an ``Alerting`` event of a monitor of severity 0-4 (Danger .. Error) raises a
  fault (source ``monitor``, code ``<Component>.<Variable>``) and its ``cleared`` event clears
  it; other monitor alerts (severity 5-9, or a monitor not known here) are recorded as
  ``monitor_alert`` station events and published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from chargebridge.devicemodel.chunks import Limits
from chargebridge.devicemodel.service import (
    DeviceModelService,
    Requester,
    SplitAnswer,
    address_view,
    ref_of_result,
    selector_json,
)
from chargebridge.domain import devicemodel as dm
from chargebridge.domain.commands import CommandOutcome
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.requests import Ack, NotifyEventRequest
from chargebridge.gateway.server import CommandAnswer
from chargebridge.store.repository import Row

MONITORING = "monitoring"
MONITORING_CTRLR = "MonitoringCtrlr"
# Event triggers that mean a monitor's condition holds (threshold crossed); Delta/Periodic only report values.
ALERTING = "Alerting"
MONITOR_NOTIFICATIONS = frozenset({"HardWiredMonitor", "PreconfiguredMonitor", "CustomMonitor"})


def monitor_row(station_id: str, monitor: dm.Monitor, source: str, now: datetime, report_id: int | None = None) -> Row:
    ref = monitor.ref
    assert monitor.id is not None
    return {
        "station_id": station_id,
        "monitor_id": monitor.id,
        "component": ref.component,
        "component_instance": ref.component_instance,
        "evse_id": ref.evse_id,
        "connector_id": ref.connector_id,
        "variable": ref.variable,
        "variable_instance": ref.instance,
        "type": monitor.type,
        "value": monitor.value,
        "severity": monitor.severity,
        "transaction_only": monitor.transaction,
        "source": source,
        "report_id": report_id,
        "updated_at": now,
    }


class MonitoringService:
    def __init__(self, core: DeviceModelService):
        self.core = core
        self.db = core.db

    def start(self) -> None:
        core = self.core
        core.requests.register(dm.NotifyMonitoringReportRequest, self.on_monitoring_report)
        core.gateway.register_executor(dm.SetVariableMonitoring, self._execute_set)
        core.gateway.register_executor(dm.ClearVariableMonitoring, self._execute_clear)
        core.requests.notify_event_hook = self.on_notify_event

    async def _limits(self, station_id: str, action: str, count: int) -> Limits:
        return await self.core.limits(station_id, MONITORING_CTRLR, action) if count > 1 else Limits()

    # -- set / clear -----------------------------------------------------------------------

    async def set_split(
        self, station_id: str, command: dm.SetVariableMonitoring, timeout_s: float | None = None
    ) -> SplitAnswer:
        self.core.version(station_id)
        monitors = list(command.monitors)
        limits = await self._limits(station_id, "SetVariableMonitoring", len(monitors))
        answers = await self.core.split_send(
            station_id, monitors, lambda chunk: dm.SetVariableMonitoring(tuple(chunk)), limits, timeout_s
        )
        merged = {
            "setMonitoringResult": [r for a in answers for r in a.outcome.response.get("setMonitoringResult", ())]
        }
        now = self.core.clock.now()
        rows = []
        for monitor, result in zip(monitors, merged["setMonitoringResult"], strict=False):
            if result.get("status") == "Accepted" and result.get("id") is not None:
                rows.append(monitor_row(station_id, replace(monitor, id=result["id"]), "set", now))
        await self.db.save_monitors(rows)
        adapter = self.core.gateway.connection(station_id).adapter
        outcome = adapter.decode_outcome("SetVariableMonitoring", merged)
        return SplitAnswer(answers[0].action, outcome, len(answers), sum(a.round_trip_ms for a in answers))

    async def _execute_set(
        self, station_id: str, command: dm.SetVariableMonitoring, timeout_s: float | None
    ) -> CommandAnswer:
        return (await self.set_split(station_id, command, timeout_s)).command_answer()

    async def clear_split(
        self, station_id: str, command: dm.ClearVariableMonitoring, timeout_s: float | None = None
    ) -> SplitAnswer:
        self.core.version(station_id)
        ids = list(command.ids)
        limits = await self._limits(station_id, "ClearVariableMonitoring", len(ids))
        answers = await self.core.split_send(
            station_id, ids, lambda chunk: dm.ClearVariableMonitoring(tuple(chunk)), limits, timeout_s
        )
        merged = {
            "clearMonitoringResult": [r for a in answers for r in a.outcome.response.get("clearMonitoringResult", ())]
        }
        gone = [r["id"] for r in merged["clearMonitoringResult"] if r.get("status") in ("Accepted", "NotFound")]
        await self.db.delete_monitors(station_id, gone)
        adapter = self.core.gateway.connection(station_id).adapter
        outcome: CommandOutcome = adapter.decode_outcome("ClearVariableMonitoring", merged)
        return SplitAnswer(answers[0].action, outcome, len(answers), sum(a.round_trip_ms for a in answers))

    async def _execute_clear(
        self, station_id: str, command: dm.ClearVariableMonitoring, timeout_s: float | None
    ) -> CommandAnswer:
        return (await self.clear_split(station_id, command, timeout_s)).command_answer()

    async def set_monitors(
        self, station_id: str, monitors: Sequence[dm.Monitor], who: Requester
    ) -> tuple[SplitAnswer, list[dict[str, Any]]]:
        answer = await self.set_split(station_id, dm.SetVariableMonitoring(tuple(monitors)))
        self.core.completed(station_id, "set-variable-monitoring", answer, who.token_id)
        results = [
            _monitor_address(result)
            | {
                "id": result.get("id"),
                "status": result["status"],
                "type": result["type"],
                "severity": result["severity"],
                "status_info": result.get("statusInfo"),
            }
            for result in answer.outcome.response["setMonitoringResult"]
        ]
        return answer, results

    async def clear_monitors(
        self, station_id: str, ids: Sequence[int], who: Requester
    ) -> tuple[SplitAnswer, list[dict[str, Any]]]:
        answer = await self.clear_split(station_id, dm.ClearVariableMonitoring(tuple(ids)))
        self.core.completed(station_id, "clear-variable-monitoring", answer, who.token_id)
        results = [
            {"id": result["id"], "status": result["status"], "status_info": result.get("statusInfo")}
            for result in answer.outcome.response["clearMonitoringResult"]
        ]
        return answer, results

    async def set_base(self, station_id: str, base: str, who: Requester) -> CommandAnswer:
        answer = await self.core.gateway.execute(station_id, dm.SetMonitoringBase(base))
        if answer.outcome.status == "Accepted":
            await self.db.set_monitoring(station_id, self.core.clock.now(), monitoring_base=base)
        self.core.completed(station_id, "set-monitoring-base", answer, who.token_id)
        return answer

    async def set_level(self, station_id: str, severity: int, who: Requester) -> CommandAnswer:
        answer = await self.core.gateway.execute(station_id, dm.SetMonitoringLevel(severity))
        if answer.outcome.status == "Accepted":
            await self.db.set_monitoring(station_id, self.core.clock.now(), monitoring_level=severity)
        self.core.completed(station_id, "set-monitoring-level", answer, who.token_id)
        return answer

    # -- reports ---------------------------------------------------------------------------

    async def request_report(
        self, station_id: str, *, criteria: Sequence[str], selectors: Sequence[dm.ComponentVariable], who: Requester
    ) -> Row:
        self.core.version(station_id)
        parameters = {
            "monitoring_criteria": list(criteria),
            "component_variables": [selector_json(s) for s in selectors],
        }
        report = await self.db.create_report(
            station_id,
            MONITORING,
            "GetMonitoringReport",
            parameters,
            self.core.clock.now(),
            requested_by=who.token_id,
            requested_by_name=who.name,
        )
        command = dm.GetMonitoringReport(report["request_id"], tuple(criteria), tuple(selectors))
        return await self.core.send_request(
            station_id, report, command, dm.NotifyMonitoringReportRequest, "get-monitoring-report", who
        )

    async def on_monitoring_report(
        self, station_id: str, version: str, request: dm.NotifyMonitoringReportRequest, now: datetime
    ) -> Ack:
        async def apply(conn: Any, report: Row) -> None:
            rows = [monitor_row(station_id, m, "report", now, report["id"]) for m in request.monitors]
            await self.db.upsert_monitors(conn, rows)

        async def on_complete(conn: Any, report: Row) -> None:
            parameters = report["parameters"] or {}
            if (
                report["action"]
                and not parameters.get("monitoring_criteria")
                and not parameters.get("component_variables")
            ):
                await self.db.drop_unreported_monitors(conn, station_id, report["id"])

        outcome = await self.db.receive_part(
            station_id,
            MONITORING,
            request.request_id,
            request.seq_no,
            request.tbc,
            len(request.monitors),
            now,
            generated_at=request.generated_at,
            apply=apply,
            on_complete=on_complete,
        )
        if outcome.complete:
            self.core.requests.forget_expected(station_id, dm.NotifyMonitoringReportRequest, request.request_id)
            if outcome.new:
                self.core.report_completed(station_id, outcome.report)
        return Ack()

    # -- events ----------------------------------------------------------------------------

    async def on_notify_event(self, station_id: str, request: NotifyEventRequest, now: datetime) -> None:
        """Monitor events become faults (severity 0-4) or alerts; a Problem variable is a fault already."""
        events = [
            ev
            for ev in request.events
            if ev.trigger == ALERTING
            and ev.variable != "Problem"
            and (ev.variable_monitoring_id is not None or ev.event_notification_type in MONITOR_NOTIFICATIONS)
        ]
        if not events:
            return
        monitors = await self.db.get_monitors(
            station_id, [ev.variable_monitoring_id for ev in events if ev.variable_monitoring_id is not None]
        )
        store, bus = self.core.store, self.core.bus
        for ev in events:
            monitor = monitors.get(ev.variable_monitoring_id) if ev.variable_monitoring_id is not None else None
            severity = monitor["severity"] if monitor is not None else None
            code = f"{ev.component}.{ev.variable}"
            data = {
                "code": code,
                "component": ev.component,
                "variable": ev.variable,
                "actual_value": ev.actual_value,
                "monitor_id": ev.variable_monitoring_id,
                "monitor_type": monitor["type"] if monitor is not None else None,
                "severity": severity,
                "cleared": bool(ev.cleared),
                "evse_id": ev.evse_id,
                "connector_id": ev.connector_id,
                "tech_code": ev.tech_code,
                "tech_info": ev.tech_info,
            }
            where = {"evse_id": ev.evse_id or 0, "connector_id": ev.connector_id or 0}
            if severity is not None and severity <= dm.FAULT_SEVERITY:
                if ev.cleared:
                    await store.clear_faults(station_id, source="monitor", code=code, at=ev.timestamp, **where)
                    bus.publish(DomainEvent(EventKind.FAULT_CLEARED, station_id, ev.timestamp, data))
                else:
                    info = f"{ev.actual_value[:200]} (monitor {ev.variable_monitoring_id}, severity {severity})"
                    await store.raise_fault(
                        station_id,
                        source="monitor",
                        code=code[:64],
                        at=ev.timestamp,
                        vendor_code=ev.tech_code,
                        info=info,
                        **where,
                    )
                    bus.publish(DomainEvent(EventKind.FAULT_RAISED, station_id, ev.timestamp, data))
            else:
                await store.add_station_event(station_id, "monitor_alert", ev.timestamp, data)
                bus.publish(
                    DomainEvent(EventKind.STATION_EVENT, station_id, ev.timestamp, {"type": "monitor_alert", **data})
                )


def _monitor_address(result: dict[str, Any]) -> dict[str, Any]:
    view = address_view(ref_of_result(result))
    del view["attribute"]
    return view
