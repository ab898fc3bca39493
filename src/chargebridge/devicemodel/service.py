"""The device model service: inventories from reports, variables read and written within the
station's message limits, network profiles (OCPP 2.0.1 block B; 1.6 configuration keys).

- **Reports.** ``request_report`` sends GetBaseReport / GetReport with a fresh requestId; the
  station answers in NotifyReport parts (``seqNo``, ``tbc``), in any order. Each part is applied
  when it arrives (its variables upserted, a repeat ignored) and the report is complete when
  every part 0..last arrived; a complete FullInventory then drops what it did not list, so the
  stored inventory is exactly the station's. A 1.6 report is GetConfiguration, answered at once.
- **Variables.** GetVariables / SetVariables (1.6 GetConfiguration / ChangeConfiguration) are
  split into several CALLs when the station's ``ItemsPerMessage`` / ``BytesPerMessage`` (1.6
  ``GetConfigurationMaxKeys``) say so, and the results merged in the order asked. The limits come
  from the stored device model; a station whose limits are not stored is asked for them once.
  The split runs as the gateway's executor for these commands, so the generic command route
  gets it too. Values read or set are stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chargebridge.bus.memory import EventBus
from chargebridge.devicemodel.chunks import Limits, frame_bytes, parse_limit, split
from chargebridge.devicemodel.store import DeviceModelStore
from chargebridge.domain import devicemodel as dm
from chargebridge.domain.commands import (
    Command,
    CommandNotSupported,
    CommandOutcome,
    GetConfiguration,
    SetConfiguration,
    VariableRef,
)
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.requests import Ack
from chargebridge.gateway.server import CommandAnswer, Gateway
from chargebridge.rpc import CallRejected, OcppVersion
from chargebridge.security.audit import SECRET_SETTINGS
from chargebridge.services.clock import Clock
from chargebridge.services.station_requests import StationRequests
from chargebridge.store.repository import Row, Store

log = logging.getLogger(__name__)

DEVICE_MODEL = "device_model"  # station_reports.kind of GetBaseReport / GetReport / 1.6 reports
DEVICE_DATA = "DeviceDataCtrlr"
MAX_KEYS_16 = "GetConfigurationMaxKeys"

# GenericDeviceModelStatusEnumType (and friends) -> the report's state after the station's answer.
_ANSWER_STATES = {"Accepted": "accepted", "EmptyResultSet": "empty"}


def answer_state(status: str) -> str:
    return _ANSWER_STATES.get(status, "rejected")


@dataclass(frozen=True, slots=True)
class Requester:
    """Who asked (the API token), kept with every report request."""

    token_id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class SplitAnswer:
    """A command sent as one or more CALLs, the answers merged."""

    action: str
    outcome: CommandOutcome
    messages: int
    round_trip_ms: float

    def command_answer(self) -> CommandAnswer:
        return CommandAnswer(self.action, self.outcome, self.round_trip_ms)


def key_columns(ref: VariableRef, station_id: str) -> dict[str, Any]:
    """The primary key of a variable attribute row ("" and 0 for what the address leaves out)."""
    return {
        "station_id": station_id,
        "component": ref.component,
        "component_instance": ref.component_instance or "",
        "evse_id": ref.evse_id or 0,
        "connector_id": ref.connector_id or 0,
        "variable": ref.variable,
        "variable_instance": ref.instance or "",
        "attribute": ref.attribute or "Actual",
    }


def kept_value(ref: VariableRef, value: str | None) -> str | None:
    """Credentials (BasicAuthPassword, AuthorizationKey) are never stored."""
    return None if ref.variable in SECRET_SETTINGS else value


def value_row(
    station_id: str, ref: VariableRef, value: str | None, source: str, now: datetime, mutability: str | None = None
) -> dict[str, Any]:
    return {
        **key_columns(ref, station_id),
        "value": kept_value(ref, value),
        "mutability": mutability,
        "source": source,
        "updated_at": now,
    }


def reported_rows(
    station_id: str, variables: Sequence[dm.ReportedVariable], report_id: int, now: datetime
) -> list[Row]:
    rows = []
    for item in variables:
        chars = item.characteristics
        for attribute in item.attributes:
            ref = replace(item.ref, attribute=attribute.type)
            rows.append(
                {
                    **key_columns(ref, station_id),
                    "value": kept_value(ref, attribute.value),
                    "mutability": attribute.mutability or "ReadWrite",  # the spec's default
                    "persistent": attribute.persistent if attribute.persistent is not None else False,
                    "constant": attribute.constant if attribute.constant is not None else False,
                    "data_type": chars.data_type if chars else None,
                    "unit": chars.unit if chars else None,
                    "min_limit": chars.min_limit if chars else None,
                    "max_limit": chars.max_limit if chars else None,
                    "values_list": chars.values_list if chars else None,
                    "supports_monitoring": chars.supports_monitoring if chars else None,
                    "source": "report",
                    "report_id": report_id,
                    "updated_at": now,
                }
            )
    return rows


def key_rows_16(station_id: str, keys: Sequence[dict[str, Any]], report_id: int, now: datetime) -> list[Row]:
    """A 1.6 GetConfiguration's configurationKey list as device model rows."""
    return [
        {
            **key_columns(VariableRef(dm.NO_COMPONENT, key["key"]), station_id),
            "value": kept_value(VariableRef(dm.NO_COMPONENT, key["key"]), key.get("value")),
            "mutability": "ReadOnly" if key["readonly"] else "ReadWrite",
            "persistent": None,
            "constant": None,
            "data_type": None,
            "unit": None,
            "min_limit": None,
            "max_limit": None,
            "values_list": None,
            "supports_monitoring": None,
            "source": "report",
            "report_id": report_id,
            "updated_at": now,
        }
        for key in keys
    ]


def ref_of_result(result: dict[str, Any]) -> VariableRef:
    """The address a GetVariableResult / SetVariableResult names."""
    component, variable = result["component"], result["variable"]
    evse = component.get("evse") or {}
    return VariableRef(
        component=component["name"],
        variable=variable["name"],
        instance=variable.get("instance"),
        component_instance=component.get("instance"),
        evse_id=evse.get("id"),
        connector_id=evse.get("connectorId"),
        attribute=result.get("attributeType", "Actual"),
    )


def address_view(ref: VariableRef) -> dict[str, Any]:
    return {
        "component": ref.component or None,
        "component_instance": ref.component_instance,
        "evse_id": ref.evse_id,
        "connector_id": ref.connector_id,
        "variable": ref.variable,
        "variable_instance": ref.instance,
        "attribute": ref.attribute or "Actual",
    }


class DeviceModelService:
    def __init__(self, store: Store, gateway: Gateway, bus: EventBus, clock: Clock, requests: StationRequests):
        self.db = DeviceModelStore(store)
        self.store = store
        self.gateway = gateway
        self.bus = bus
        self.clock = clock
        self.requests = requests
        # (station, component, instance) whose limits were asked for on this node (asked once).
        self._limits_asked: set[tuple[str, str, str]] = set()

    def start(self) -> None:
        self.requests.register(dm.NotifyReportRequest, self.on_notify_report)
        self.gateway.register_executor(GetConfiguration, self._execute_get)
        self.gateway.register_executor(SetConfiguration, self._execute_set_configuration)
        self.gateway.register_executor(dm.SetVariables, self._execute_set)

    # -- shared helpers --------------------------------------------------------------------

    def version(self, station_id: str) -> OcppVersion:
        return self.gateway.version_of(station_id)  # raises StationNotConnected

    def completed(self, station_id: str, command: str, answer: SplitAnswer | CommandAnswer, by: str | None) -> None:
        """Publish ``command.completed`` like the command route does."""
        messages = answer.messages if isinstance(answer, SplitAnswer) else 1
        self.bus.publish(
            DomainEvent(
                EventKind.COMMAND_COMPLETED,
                station_id,
                self.clock.now(),
                {
                    "command": command,
                    "action": answer.action,
                    "status": answer.outcome.status,
                    "messages": messages,
                    "round_trip_ms": round(answer.round_trip_ms, 3),
                    "by": by,
                },
            )
        )

    def report_completed(self, station_id: str, report: Row) -> None:
        """Publish that every part of a report arrived (``station.event``, type ``report.complete``)."""
        data = {
            "type": "report.complete",
            "kind": report["kind"],
            "request_id": report["request_id"],
            "parts": report["parts"],
            "items": report["items"],
        }
        self.bus.publish(DomainEvent(EventKind.STATION_EVENT, station_id, self.clock.now(), data))

    async def limits(self, station_id: str, component: str, instance: str) -> Limits:
        """The station's ItemsPerMessage / BytesPerMessage for ``instance`` (a message name) of
        ``component`` (1.6: GetConfigurationMaxKeys), from the stored model or, once, the station."""
        v16 = self.version(station_id) is OcppVersion.V16
        wanted = [(MAX_KEYS_16, "")] if v16 else [("ItemsPerMessage", instance), ("BytesPerMessage", instance)]
        stored_component = dm.NO_COMPONENT if v16 else component
        values = await self.db.values_of(station_id, stored_component, wanted)
        missing = [key for key in wanted if key not in values]
        asked = (station_id, stored_component, instance)
        if missing and asked not in self._limits_asked:
            self._limits_asked.add(asked)
            try:
                for name, name_instance in missing:  # one item a message: the limit may be 1
                    ref = VariableRef(stored_component, name, instance=name_instance or None)
                    command = GetConfiguration(keys=(name,)) if v16 else GetConfiguration(variables=(ref,))
                    answer = await self.gateway.execute_single(station_id, command)
                    await self._store_read(station_id, v16, command, answer.outcome.response)
            except CallRejected as exc:  # the station refuses the question: it states no limit
                log.info("%s: no message limits of %s (%s)", station_id, instance, exc.code)
            except Exception:
                self._limits_asked.discard(asked)  # not answered (timeout, disconnect): ask next time
                raise
            values = await self.db.values_of(station_id, stored_component, wanted)
        if v16:
            return Limits(items=parse_limit(values.get((MAX_KEYS_16, ""))))
        return Limits(
            items=parse_limit(values.get(("ItemsPerMessage", instance))),
            bytes=parse_limit(values.get(("BytesPerMessage", instance))),
        )

    async def split_send(
        self,
        station_id: str,
        items: Sequence[Any],
        make: Callable[[list[Any]], Command],
        limits: Limits,
        timeout_s: float | None = None,
    ) -> list[CommandAnswer]:
        """Send ``items`` in as few commands as the limits allow (in order); the answers in order."""
        adapter = self.gateway.connection(station_id).adapter

        def size_of(chunk: Sequence[Any]) -> int:
            return frame_bytes(*adapter.encode_command(make(list(chunk))))

        chunks = split(items, limits, size_of) if len(items) > 1 else [list(items)]
        answers = []
        for chunk in chunks:
            answers.append(await self.gateway.execute_single(station_id, make(chunk), timeout_s))
        return answers

    # -- GetVariables / GetConfiguration ---------------------------------------------------

    async def get_split(
        self, station_id: str, command: GetConfiguration, timeout_s: float | None = None
    ) -> SplitAnswer:
        """GetVariables (1.6 GetConfiguration) split by the station's limits, answers merged, values stored."""
        v16 = self.version(station_id) is OcppVersion.V16
        if v16 and command.variables:
            raise CommandNotSupported("1.6 uses configuration keys, not component variables")
        items: list[Any] = list(command.keys) if v16 else [*command.variables, *command.keys]
        if len(items) > 1:
            limits = await self.limits(station_id, DEVICE_DATA, "GetVariables")
        else:
            limits = Limits()

        def make(chunk: list[Any]) -> GetConfiguration:
            keys = tuple(item for item in chunk if isinstance(item, str))
            return GetConfiguration(keys=keys, variables=tuple(item for item in chunk if isinstance(item, VariableRef)))

        if not items:  # 1.6: every key (2.0.1 refuses an empty GetVariables in the adapter)
            answers = [await self.gateway.execute_single(station_id, command, timeout_s)]
        else:
            answers = await self.split_send(station_id, items, make, limits, timeout_s)
        adapter = self.gateway.connection(station_id).adapter
        if v16:
            merged: dict[str, Any] = {"configurationKey": []}
            unknown: list[str] = []
            for answer in answers:
                merged["configurationKey"].extend(answer.outcome.response.get("configurationKey", ()))
                unknown.extend(answer.outcome.response.get("unknownKey", ()))
            if unknown:
                merged["unknownKey"] = unknown
        else:
            merged = {
                "getVariableResult": [r for a in answers for r in a.outcome.response.get("getVariableResult", ())]
            }
        action = answers[0].action
        await self._store_read(station_id, v16, command, merged)
        return SplitAnswer(
            action, adapter.decode_outcome(action, merged), len(answers), sum(a.round_trip_ms for a in answers)
        )

    async def _execute_get(self, station_id: str, command: GetConfiguration, timeout_s: float | None) -> CommandAnswer:
        return (await self.get_split(station_id, command, timeout_s)).command_answer()

    async def _store_read(self, station_id: str, v16: bool, command: Command, response: dict[str, Any]) -> None:
        now = self.clock.now()
        rows: list[dict[str, Any]] = []
        if v16:
            for key in response.get("configurationKey", ()):
                ref = VariableRef(dm.NO_COMPONENT, key["key"])
                rows.append(
                    value_row(
                        station_id, ref, key.get("value"), "get", now, "ReadOnly" if key["readonly"] else "ReadWrite"
                    )
                )
        else:
            for result in response.get("getVariableResult", ()):
                if result.get("attributeStatus") == "Accepted":
                    ref = ref_of_result(result)
                    rows.append(value_row(station_id, ref, result.get("attributeValue"), "get", now))
        try:
            await self.db.store_values(rows)
        except Exception:  # the answer is the operator's; a failed write is logged, not turned into an error
            log.exception("%s: could not store the variables read", station_id)

    async def get_variables(
        self, station_id: str, refs: Sequence[VariableRef]
    ) -> tuple[SplitAnswer, list[dict[str, Any]]]:
        """The route: read variables (1.6 keys: refs of NO_COMPONENT), one result per ref in order."""
        v16 = self.version(station_id) is OcppVersion.V16
        if v16:
            if any(ref.component != dm.NO_COMPONENT or ref.attribute not in (None, "Actual") for ref in refs):
                raise CommandNotSupported("1.6 configuration keys have no component and only an actual value")
            command = GetConfiguration(keys=tuple(ref.variable for ref in refs))
        else:
            if any(ref.component == dm.NO_COMPONENT for ref in refs):
                raise CommandNotSupported("2.0.1 variables need a component")
            command = GetConfiguration(variables=tuple(refs))
        answer = await self.get_split(station_id, command)
        return answer, read_results(v16, refs, answer.outcome.response)

    # -- SetVariables / ChangeConfiguration ------------------------------------------------

    async def set_split(self, station_id: str, command: dm.SetVariables, timeout_s: float | None = None) -> SplitAnswer:
        v16 = self.version(station_id) is OcppVersion.V16
        items = list(command.items)
        adapter = self.gateway.connection(station_id).adapter
        if v16:
            # ChangeConfiguration carries one key: one CALL per item.
            answers = [
                await self.gateway.execute_single(station_id, dm.SetVariables((item,)), timeout_s) for item in items
            ]
            merged: dict[str, Any] = {
                "changeConfiguration": [
                    {"key": item.ref.variable, "status": answer.outcome.status}
                    for item, answer in zip(items, answers, strict=True)
                ]
            }
            statuses = [answer.outcome.status for answer in answers]
            outcome = CommandOutcome(next((s for s in statuses if s != "Accepted"), "Accepted"), merged)
        else:
            limits = await self.limits(station_id, DEVICE_DATA, "SetVariables") if len(items) > 1 else Limits()
            answers = await self.split_send(
                station_id, items, lambda chunk: dm.SetVariables(tuple(chunk)), limits, timeout_s
            )
            merged = {
                "setVariableResult": [r for a in answers for r in a.outcome.response.get("setVariableResult", ())]
            }
            outcome = adapter.decode_outcome("SetVariables", merged)
        await self._store_written(station_id, v16, items, merged)
        return SplitAnswer(answers[0].action, outcome, len(answers), sum(a.round_trip_ms for a in answers))

    async def _execute_set(self, station_id: str, command: dm.SetVariables, timeout_s: float | None) -> CommandAnswer:
        return (await self.set_split(station_id, command, timeout_s)).command_answer()

    async def _execute_set_configuration(
        self, station_id: str, command: SetConfiguration, timeout_s: float | None
    ) -> CommandAnswer:
        """The generic set-configuration command (one key or variable): sent as is, the value stored if accepted."""
        answer = await self.gateway.execute_single(station_id, command, timeout_s)
        if answer.outcome.status == "Accepted":
            if answer.action == "ChangeConfiguration" and command.key is not None:
                refs = [VariableRef(dm.NO_COMPONENT, command.key)]
            else:
                refs = [ref_of_result(result) for result in answer.outcome.response.get("setVariableResult", ())]
            now = self.clock.now()
            try:
                await self.db.store_values([value_row(station_id, ref, command.value, "set", now) for ref in refs])
            except Exception:
                log.exception("%s: could not store the variable set", station_id)
        return answer

    async def _store_written(
        self, station_id: str, v16: bool, items: Sequence[dm.VariableValue], merged: dict[str, Any]
    ) -> None:
        now = self.clock.now()
        statuses = (
            [entry["status"] for entry in merged["changeConfiguration"]]
            if v16
            else [result.get("attributeStatus") for result in merged["setVariableResult"]]
        )
        rows = [
            value_row(station_id, replace(item.ref, attribute=item.ref.attribute or "Actual"), item.value, "set", now)
            for item, status in zip(items, statuses, strict=False)
            if status == "Accepted"
        ]
        try:
            await self.db.store_values(rows)
        except Exception:
            log.exception("%s: could not store the variables set", station_id)

    async def set_variables(
        self, station_id: str, items: Sequence[dm.VariableValue]
    ) -> tuple[SplitAnswer, list[dict[str, Any]]]:
        v16 = self.version(station_id) is OcppVersion.V16
        for item in items:
            if v16 and (item.ref.component != dm.NO_COMPONENT or item.ref.attribute not in (None, "Actual")):
                raise CommandNotSupported("1.6 configuration keys have no component and only an actual value")
            if not v16 and item.ref.component == dm.NO_COMPONENT:
                raise CommandNotSupported("2.0.1 variables need a component")
        answer = await self.set_split(station_id, dm.SetVariables(tuple(items)))
        return answer, write_results(v16, items, answer.outcome.response)

    # -- reports ---------------------------------------------------------------------------

    async def request_report(
        self,
        station_id: str,
        *,
        base: str | None,
        criteria: Sequence[str],
        selectors: Sequence[dm.ComponentVariable],
        who: Requester,
    ) -> Row:
        """GetBaseReport (``base``) or GetReport; 1.6: GetConfiguration. The report row after the answer."""
        version = self.version(station_id)
        v16 = version is OcppVersion.V16
        parameters = {
            "report_base": base,
            "component_criteria": list(criteria),
            "component_variables": [selector_json(s) for s in selectors],
        }
        action = "GetConfiguration" if v16 else ("GetBaseReport" if base else "GetReport")
        now = self.clock.now()
        if not v16 and selectors and len(selectors) > 1:
            await self._check_report_limits(station_id, selectors)
        report = await self.db.create_report(
            station_id, DEVICE_MODEL, action, parameters, now, requested_by=who.token_id, requested_by_name=who.name
        )
        if v16:
            return await self._report_16(station_id, report, base, selectors, who)
        request_id = report["request_id"]
        command: Command = (
            dm.GetBaseReport(request_id, base) if base else dm.GetReport(request_id, tuple(selectors), tuple(criteria))
        )
        return await self.send_request(station_id, report, command, dm.NotifyReportRequest, "get-report", who)

    async def send_request(
        self,
        station_id: str,
        report: Row,
        command: Command,
        part_type: type,
        name: str,
        who: Requester,
        state_for: Callable[[str], str] = answer_state,
    ) -> Row:
        """Send a request the station answers in parts (``part_type`` requests naming its
        requestId, which a Pending station may send); the report row after the station's answer."""
        request_id = report["request_id"]
        self.requests.expect(station_id, part_type, request_id)
        try:
            answer = await self.gateway.execute(station_id, command)
        except Exception as exc:
            self.requests.forget_expected(station_id, part_type, request_id)
            await self.db.finish_report(report["id"], "failed", self.clock.now(), status_info={"error": str(exc)[:255]})
            raise
        status = answer.outcome.status
        if status != "Accepted":
            self.requests.forget_expected(station_id, part_type, request_id)
        status_info = answer.outcome.response.get("statusInfo")
        await self.db.report_answered(report["id"], status, status_info, state_for(status), self.clock.now())
        self.completed(station_id, name, answer, who.token_id)
        refreshed = await self.db.get_report(station_id, report["kind"], request_id)
        assert refreshed is not None
        return refreshed

    async def _check_report_limits(self, station_id: str, selectors: Sequence[dm.ComponentVariable]) -> None:
        limits = await self.limits(station_id, DEVICE_DATA, "GetReport")
        if limits.items is not None and len(selectors) > limits.items:
            raise CommandNotSupported(
                f"the station takes at most {limits.items} component variables in one GetReport (ItemsPerMessage)"
            )
        if limits.bytes is not None:
            size = frame_bytes(
                *self.gateway.connection(station_id).adapter.encode_command(dm.GetReport(0, tuple(selectors)))
            )
            if size > limits.bytes:
                raise CommandNotSupported(f"this GetReport is {size} bytes; the station takes at most {limits.bytes}")

    async def _report_16(
        self, station_id: str, report: Row, base: str | None, selectors: Sequence[dm.ComponentVariable], who: Requester
    ) -> Row:
        now = self.clock.now()
        try:
            if base is not None or not selectors:
                answer: SplitAnswer | CommandAnswer = await self.gateway.execute(
                    station_id, dm.GetBaseReport(report["request_id"], base or "FullInventory")
                )
            else:
                keys = []
                for selector in selectors:
                    if selector.component.name != dm.NO_COMPONENT or selector.variable is None:
                        raise CommandNotSupported(
                            "1.6 configuration keys have no component: name each key as a variable"
                        )
                    keys.append(selector.variable)
                answer = await self.get_split(station_id, GetConfiguration(keys=tuple(keys)))
        except Exception as exc:
            await self.db.finish_report(report["id"], "failed", now, status_info={"error": str(exc)[:255]})
            raise
        response = answer.outcome.response
        keys_found = list(response.get("configurationKey", ()))
        rows = key_rows_16(station_id, keys_found, report["id"], now)
        if base is not None or not selectors:
            await self.db.replace_keys(station_id, rows, report["id"])
        else:
            await self.db.store_values(rows)
        messages = answer.messages if isinstance(answer, SplitAnswer) else 1
        await self.db.finish_report(
            report["id"],
            "complete",
            now,
            status="Accepted" if keys_found or not response.get("unknownKey") else "EmptyResultSet",
            parts=messages,
            items=len(keys_found),
            last_seq_no=messages - 1,
            result={"unknown_keys": response["unknownKey"]} if response.get("unknownKey") else None,
        )
        self.completed(station_id, "get-report", answer, who.token_id)
        refreshed = await self.db.get_report(station_id, DEVICE_MODEL, report["request_id"])
        assert refreshed is not None
        self.report_completed(station_id, refreshed)
        return refreshed

    async def on_notify_report(
        self, station_id: str, version: str, request: dm.NotifyReportRequest, now: datetime
    ) -> Ack:
        async def apply(conn: Any, report: Row) -> None:
            await self.db.upsert_reported(conn, reported_rows(station_id, request.variables, report["id"], now))

        async def on_complete(conn: Any, report: Row) -> None:
            if (report["parameters"] or {}).get("report_base") == "FullInventory":
                await self.db.drop_unreported(conn, station_id, report["id"], only_keys=False)

        outcome = await self.db.receive_part(
            station_id,
            DEVICE_MODEL,
            request.request_id,
            request.seq_no,
            request.tbc,
            len(request.variables),
            now,
            generated_at=request.generated_at,
            apply=apply,
            on_complete=on_complete,
        )
        if outcome.complete:
            self.requests.forget_expected(station_id, dm.NotifyReportRequest, request.request_id)
            if outcome.new:
                self.report_completed(station_id, outcome.report)
        return Ack()

    # -- network profile -------------------------------------------------------------------

    async def set_network_profile(
        self, station_id: str, command: dm.SetNetworkProfile, who: Requester
    ) -> CommandAnswer:
        answer = await self.gateway.execute(station_id, command)
        profile = command.profile
        await self.store.add_station_event(
            station_id,
            "network_profile",
            self.clock.now(),
            {
                "configuration_slot": command.configuration_slot,
                "csms_url": profile.csms_url,
                "security_profile": profile.security_profile,
                "ocpp_interface": profile.ocpp_interface,
                "status": answer.outcome.status,
                "by": who.token_id,
            },
        )
        self.completed(station_id, "set-network-profile", answer, who.token_id)
        return answer


# -- results -------------------------------------------------------------------------------


def selector_json(selector: dm.ComponentVariable) -> dict[str, Any]:
    c = selector.component
    return {
        "component": c.name or None,
        "component_instance": c.instance,
        "evse_id": c.evse_id,
        "connector_id": c.connector_id,
        "variable": selector.variable,
        "variable_instance": selector.variable_instance,
    }


def read_results(v16: bool, refs: Sequence[VariableRef], response: dict[str, Any]) -> list[dict[str, Any]]:
    """One neutral result per ref asked: status in the 2.0.1 vocabulary (1.6 unknown keys: UnknownVariable)."""
    if v16:
        found = {key["key"]: key for key in response.get("configurationKey", ())}
        out = []
        for ref in refs:
            key = found.get(ref.variable)
            if key is None:
                out.append(address_view(ref) | {"status": "UnknownVariable", "value": None, "mutability": None})
            else:
                mutability = "ReadOnly" if key["readonly"] else "ReadWrite"
                out.append(
                    address_view(ref) | {"status": "Accepted", "value": key.get("value"), "mutability": mutability}
                )
        return out
    return [
        address_view(ref_of_result(result))
        | {
            "status": result["attributeStatus"],
            "value": result.get("attributeValue"),
            "status_info": result.get("attributeStatusInfo"),
        }
        for result in response.get("getVariableResult", ())
    ]


# 1.6 ChangeConfiguration statuses in the 2.0.1 SetVariableStatusEnumType vocabulary.
_CHANGE_STATUS = {"NotSupported": "UnknownVariable"}


def write_results(v16: bool, items: Sequence[dm.VariableValue], response: dict[str, Any]) -> list[dict[str, Any]]:
    if v16:
        return [
            address_view(item.ref) | {"status": _CHANGE_STATUS.get(entry["status"], entry["status"])}
            for item, entry in zip(items, response["changeConfiguration"], strict=True)
        ]
    return [
        address_view(ref_of_result(result))
        | {"status": result["attributeStatus"], "status_info": result.get("attributeStatusInfo")}
        for result in response.get("setVariableResult", ())
    ]
