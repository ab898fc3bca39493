"""HTTP routes of the device model capability, all under ``/api/v1/stations/{station_id}/``.

Reading what is stored needs a viewer token; asking a station anything needs an operator
(admin for network profiles, customer information and credentials). Every POST/PUT/DELETE is
recorded by the audit log. A station-scoped token reaches only its stations (the station id is
in every path). Errors of the station call map like the command route's (409 not connected,
422 not expressible in the station's version, 502 CALLERROR, 504 no answer).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from chargebridge.api.auth import Admin, Operator, Principal, Role, Scope, Viewer, scope
from chargebridge.api.commands import HashDataBody
from chargebridge.api.deps import Context, Offset
from chargebridge.api.routes import COMMAND_FAILURES, _call_failure, _station_or_404
from chargebridge.devicemodel.chunks import TooLarge, missing_parts
from chargebridge.devicemodel.customer import CUSTOMER
from chargebridge.devicemodel.display import DISPLAY
from chargebridge.devicemodel.monitoring import MONITORING
from chargebridge.devicemodel.service import DEVICE_MODEL, Requester, SplitAnswer
from chargebridge.devicemodel.store import VariableFilter
from chargebridge.domain import devicemodel as dm
from chargebridge.domain.commands import VariableRef
from chargebridge.domain.model import IdToken
from chargebridge.gateway.server import CommandAnswer
from chargebridge.security.audit import SECRET_SETTINGS
from chargebridge.store.repository import Row

if TYPE_CHECKING:
    from chargebridge.devicemodel.extension import DeviceModelExtension

StationId = Annotated[str, Path(min_length=1, max_length=48)]
RequestId = Annotated[int, Path(ge=0, le=2**31 - 1)]
Name50 = Annotated[str, Field(min_length=1, max_length=50)]
Int32 = Annotated[int, Field(ge=0, le=2**31 - 1)]  # OCPP integers are 32-bit
Positive32 = Annotated[int, Field(ge=1, le=2**31 - 1)]
Attribute = Literal["Actual", "Target", "MinSet", "MaxSet"]
Criterion = Literal["Active", "Available", "Enabled", "Problem"]
MonitorType = Literal["UpperThreshold", "LowerThreshold", "Delta", "Periodic", "PeriodicClockAligned"]
MonitoringCriterion = Literal["ThresholdMonitoring", "DeltaMonitoring", "PeriodicMonitoring"]
Priority = Literal["AlwaysFront", "InFront", "NormalCycle"]
MessageState = Literal["Charging", "Faulted", "Idle", "Unavailable"]
IdTokenType = Literal["Central", "eMAID", "ISO14443", "ISO15693", "KeyCode", "Local", "MacAddress", "NoAuthorization"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AddressBody(_Strict):
    """A variable: ``component`` (absent for a 1.6 configuration key, which is the ``variable``)."""

    component: str | None = Field(default=None, max_length=50)
    component_instance: str | None = Field(default=None, max_length=50)
    evse_id: Positive32 | None = None
    connector_id: Positive32 | None = None
    variable: Name50
    variable_instance: str | None = Field(default=None, max_length=50)
    attribute: Attribute | None = None

    @model_validator(mode="after")
    def _connector_needs_evse(self) -> AddressBody:
        if self.connector_id is not None and self.evse_id is None:
            raise ValueError("connector_id needs evse_id")
        return self

    def ref(self) -> VariableRef:
        return VariableRef(
            component=self.component or dm.NO_COMPONENT,
            variable=self.variable,
            instance=self.variable_instance,
            component_instance=self.component_instance,
            evse_id=self.evse_id,
            connector_id=self.connector_id,
            attribute=self.attribute,
        )


class GetVariablesBody(_Strict):
    variables: list[AddressBody] = Field(min_length=1, max_length=1000)


class ValueBody(AddressBody):
    value: str = Field(max_length=1000)


class SetVariablesBody(_Strict):
    variables: list[ValueBody] = Field(min_length=1, max_length=1000)


class SelectorBody(_Strict):
    """A report selector: a component (all its variables) or one variable of it; for 1.6 a key as ``variable``."""

    component: str | None = Field(default=None, max_length=50)
    component_instance: str | None = Field(default=None, max_length=50)
    evse_id: Positive32 | None = None
    connector_id: Positive32 | None = None
    variable: str | None = Field(default=None, min_length=1, max_length=50)
    variable_instance: str | None = Field(default=None, max_length=50)

    @model_validator(mode="after")
    def _named(self) -> SelectorBody:
        if not self.component and self.variable is None:
            raise ValueError("give a component, a variable or both")
        return self

    def selector(self) -> dm.ComponentVariable:
        component = dm.ComponentRef(
            self.component or dm.NO_COMPONENT, self.component_instance, self.evse_id, self.connector_id
        )
        return dm.ComponentVariable(component, self.variable, self.variable_instance)


class ReportBody(_Strict):
    report_base: Literal["ConfigurationInventory", "FullInventory", "SummaryInventory"] | None = None
    component_criteria: list[Criterion] = Field(default_factory=list, max_length=4)
    component_variables: list[SelectorBody] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _one_kind(self) -> ReportBody:
        if self.report_base is not None and (self.component_criteria or self.component_variables):
            raise ValueError("give report_base (GetBaseReport) or criteria/component_variables (GetReport), not both")
        return self


class ApnBody(_Strict):
    apn: str = Field(max_length=512)
    authentication: Literal["CHAP", "NONE", "PAP", "AUTO"]
    user_name: str | None = Field(default=None, max_length=20)
    password: str | None = Field(default=None, max_length=20)
    sim_pin: Int32 | None = None
    preferred_network: str | None = Field(default=None, max_length=6)
    use_only_preferred_network: bool | None = None


class VpnBody(_Strict):
    server: str = Field(max_length=512)
    user: str = Field(max_length=20)
    group: str | None = Field(default=None, max_length=20)
    password: str = Field(max_length=20)
    secret: str = Field(max_length=255, description="the VPN shared key (OCPP `key`)")
    type: Literal["IKEv2", "IPSec", "L2TP", "PPTP"]


class NetworkProfileBody(_Strict):
    configuration_slot: Int32
    csms_url: str = Field(min_length=1, max_length=512)
    security_profile: int = Field(ge=0, le=3)
    ocpp_interface: Literal["Wired0", "Wired1", "Wired2", "Wired3", "Wireless0", "Wireless1", "Wireless2", "Wireless3"]
    message_timeout_s: Positive32 = 30
    ocpp_version: Literal["OCPP12", "OCPP15", "OCPP16", "OCPP20"] = "OCPP20"
    ocpp_transport: Literal["JSON", "SOAP"] = "JSON"
    apn: ApnBody | None = None
    vpn: VpnBody | None = None

    def command(self) -> dm.SetNetworkProfile:
        apn = dm.Apn(**self.apn.model_dump()) if self.apn else None
        vpn = None
        if self.vpn is not None:
            v = self.vpn
            vpn = dm.Vpn(v.server, v.user, v.password, v.secret, v.type, v.group)
        profile = dm.NetworkProfile(
            self.csms_url,
            self.security_profile,
            self.ocpp_interface,
            self.message_timeout_s,
            self.ocpp_version,
            self.ocpp_transport,
            apn,
            vpn,
        )
        return dm.SetNetworkProfile(self.configuration_slot, profile)


class MonitorBody(_Strict):
    id: Int32 | None = Field(default=None, description="the station's id of a monitor to replace")
    component: Name50
    component_instance: str | None = Field(default=None, max_length=50)
    evse_id: Positive32 | None = None
    connector_id: Positive32 | None = None
    variable: Name50
    variable_instance: str | None = Field(default=None, max_length=50)
    type: MonitorType
    value: float = Field(allow_inf_nan=False)
    severity: int = Field(ge=0, le=9)
    transaction: bool = False

    def monitor(self) -> dm.Monitor:
        ref = VariableRef(
            self.component,
            self.variable,
            instance=self.variable_instance,
            component_instance=self.component_instance,
            evse_id=self.evse_id,
            connector_id=self.connector_id,
        )
        return dm.Monitor(ref, self.type, self.value, self.severity, self.transaction, self.id)


class MonitorsBody(_Strict):
    monitors: list[MonitorBody] = Field(min_length=1, max_length=1000)


class ClearMonitorsBody(_Strict):
    ids: list[Int32] = Field(min_length=1, max_length=1000)


class MonitoringBaseBody(_Strict):
    monitoring_base: Literal["All", "FactoryDefault", "HardWiredOnly"]


class MonitoringLevelBody(_Strict):
    severity: int = Field(ge=0, le=9)


class MonitoringReportBody(_Strict):
    monitoring_criteria: list[MonitoringCriterion] = Field(default_factory=list, max_length=3)
    component_variables: list[SelectorBody] = Field(default_factory=list, max_length=1000)


class IdTokenBody(_Strict):
    id_token: str = Field(min_length=1, max_length=36)
    type: IdTokenType = "Central"


class CustomerInformationBody(_Strict):
    report: bool = True
    clear: bool = False
    customer_identifier: str | None = Field(default=None, min_length=1, max_length=64)
    id_token: IdTokenBody | None = None
    customer_certificate: HashDataBody | None = None

    @model_validator(mode="after")
    def _one_customer(self) -> CustomerInformationBody:
        named = [x for x in (self.customer_identifier, self.id_token, self.customer_certificate) if x is not None]
        if len(named) != 1:
            raise ValueError(
                "name the customer with exactly one of customer_identifier, id_token, customer_certificate"
            )
        if not self.report and not self.clear:
            raise ValueError("ask to report, to clear, or both")
        return self


class DisplayComponentBody(_Strict):
    name: Name50
    instance: str | None = Field(default=None, max_length=50)
    evse_id: Positive32 | None = None
    connector_id: Positive32 | None = None


class DisplayMessageBody(_Strict):
    id: Int32 | None = Field(default=None, description="absent: one above the highest stored id")
    priority: Priority = "NormalCycle"
    state: MessageState | None = None
    format: Literal["ASCII", "HTML", "URI", "UTF8"] = "UTF8"
    language: str | None = Field(default=None, max_length=8)
    content: str = Field(min_length=1, max_length=512)
    start_at: datetime | None = None
    end_at: datetime | None = None
    transaction_id: str | None = Field(default=None, max_length=36)
    display: DisplayComponentBody | None = None

    def message(self, message_id: int) -> dm.DisplayMessage:
        display = None
        if self.display is not None:
            d = self.display
            display = dm.ComponentRef(d.name, d.instance, d.evse_id, d.connector_id)
        return dm.DisplayMessage(
            id=message_id,
            priority=self.priority,
            content=self.content,
            format=self.format,
            language=self.language,
            state=self.state,
            start_at=self.start_at,
            end_at=self.end_at,
            transaction_id=self.transaction_id,
            display=display,
        )


class DisplayReportBody(_Strict):
    ids: list[Int32] = Field(default_factory=list, max_length=1000)
    priority: Priority | None = None
    state: MessageState | None = None


# -- views -----------------------------------------------------------------------------------


def variable_view(row: Row) -> dict[str, Any]:
    characteristics = None
    if row["data_type"] is not None:
        characteristics = {
            "data_type": row["data_type"],
            "unit": row["unit"],
            "min_limit": row["min_limit"],
            "max_limit": row["max_limit"],
            "values_list": row["values_list"],
            "supports_monitoring": row["supports_monitoring"],
        }
    return {
        "component": row["component"] or None,
        "component_instance": row["component_instance"] or None,
        "evse_id": row["evse_id"] or None,
        "connector_id": row["connector_id"] or None,
        "variable": row["variable"],
        "variable_instance": row["variable_instance"] or None,
        "attribute": row["attribute"],
        "value": row["value"],
        "mutability": row["mutability"],
        "persistent": row["persistent"],
        "constant": row["constant"],
        "characteristics": characteristics,
        "source": row["source"],
        "updated_at": row["updated_at"],
    }


def report_view(row: Row, parts: list[int] | None = None) -> dict[str, Any]:
    out = {
        "request_id": row["request_id"],
        "kind": row["kind"],
        "action": row["action"] or None,
        "parameters": row["parameters"],
        "status": row["status"],
        "status_info": row["status_info"],
        "state": row["state"],
        "parts": row["parts"],
        "items": row["items"],
        "requested_by": row["requested_by"],
        "requested_by_name": row["requested_by_name"],
        "requested_at": row["requested_at"],
        "updated_at": row["updated_at"],
        "completed_at": row["completed_at"],
    }
    if parts is not None:
        out["missing_parts"] = missing_parts(parts, row["last_seq_no"]) if row["state"] == "receiving" else []
    return out


def customer_view(row: Row) -> dict[str, Any]:
    return report_view(row) | {"data": (row["result"] or {}).get("data")}


def customer_request_view(row: Row) -> dict[str, Any]:
    """The answer to a request: no customer data (it would be kept in the audit log forever)."""
    return report_view(row)


def monitor_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["monitor_id"],
        "component": row["component"],
        "component_instance": row["component_instance"],
        "evse_id": row["evse_id"],
        "connector_id": row["connector_id"],
        "variable": row["variable"],
        "variable_instance": row["variable_instance"],
        "type": row["type"],
        "value": row["value"],
        "severity": row["severity"],
        "transaction": row["transaction_only"],
        "source": row["source"],
        "updated_at": row["updated_at"],
    }


def message_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["message_id"],
        "priority": row["priority"],
        "state": row["state"],
        "format": row["format"],
        "language": row["language"],
        "content": row["content"],
        "start_at": row["start_at"],
        "end_at": row["end_at"],
        "transaction_id": row["transaction_id"],
        "display": row["display"],
        "source": row["source"],
        "updated_at": row["updated_at"],
    }


def split_view(answer: SplitAnswer, results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "action": answer.action,
        "status": answer.outcome.status,
        "messages": answer.messages,
        "results": results,
        "round_trip_ms": round(answer.round_trip_ms, 3),
    }


def answer_view(answer: CommandAnswer, **extra: Any) -> dict[str, Any]:
    return {
        "action": answer.action,
        "status": answer.outcome.status,
        "response": answer.outcome.response,
        "round_trip_ms": round(answer.round_trip_ms, 3),
        **extra,
    }


def requester(principal: Principal) -> Requester:
    return Requester(principal.token_id, principal.name)


def build_routers(ext: DeviceModelExtension) -> list[APIRouter]:
    api = APIRouter(prefix="/api/v1", tags=["device model"])

    def running() -> DeviceModelExtension:
        if ext.core is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the device model service is not running")
        return ext

    async def station(ctx: Any, station_id: str) -> None:
        await _station_or_404(ctx, station_id)

    def failure(exc: Exception) -> HTTPException:
        if isinstance(exc, TooLarge):
            return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc))
        return _call_failure(exc)

    failures: tuple[type[Exception], ...] = (*COMMAND_FAILURES, TooLarge)

    async def report_of(station_id: str, kind: str, request_id: int) -> dict[str, Any]:
        core = running().core
        assert core is not None
        row = await core.db.get_report(station_id, kind, request_id)
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no request {request_id} of station {station_id!r}")
        return report_view(row, await core.db.part_numbers(row["id"]))

    async def reports_of(station_id: str, kind: str, limit: int, offset: int) -> dict[str, Any]:
        core = running().core
        assert core is not None
        rows = await core.db.list_reports(kind, station_id=station_id, limit=limit, offset=offset)
        return {"items": [report_view(row) for row in rows], "limit": limit, "offset": offset}

    # -- device model (B) ------------------------------------------------------------------

    @api.get("/stations/{station_id}/device-model", openapi_extra=scope(Scope.STATION))
    async def device_model(
        ctx: Context,
        _: Viewer,
        station_id: StationId,
        component: Annotated[str | None, Query(max_length=50, description='"" = 1.6 configuration keys')] = None,
        component_instance: Annotated[str | None, Query(max_length=50)] = None,
        evse_id: Annotated[int | None, Query(ge=0)] = None,
        connector_id: Annotated[int | None, Query(ge=0)] = None,
        variable: Annotated[str | None, Query(max_length=50)] = None,
        variable_instance: Annotated[str | None, Query(max_length=50)] = None,
        attribute: Attribute | None = None,
        mutability: Literal["ReadOnly", "WriteOnly", "ReadWrite"] | None = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        """The stored inventory, one item per variable attribute, filtered (exact matches)."""
        await station(ctx, station_id)
        core = running().core
        assert core is not None
        where = VariableFilter(
            component, component_instance, evse_id, connector_id, variable, variable_instance, attribute, mutability
        )
        rows, total = await core.db.list_variables(station_id, where, limit, offset)
        next_offset = offset + len(rows)
        return {
            "items": [variable_view(row) for row in rows],
            "total": total,
            "limit": limit,
            "offset": offset,
            "next_offset": next_offset if next_offset < total else None,
        }

    @api.post("/stations/{station_id}/reports", openapi_extra=scope(Scope.STATION))
    async def request_report(ctx: Context, who: Operator, station_id: StationId, body: ReportBody) -> dict[str, Any]:
        """GetBaseReport (``report_base``, default FullInventory) or GetReport (criteria, component
        variables); 1.6: GetConfiguration. Answers once the station accepted; parts arrive later."""
        await station(ctx, station_id)
        core = running().core
        assert core is not None
        base = body.report_base
        if base is None and not body.component_criteria and not body.component_variables:
            base = "FullInventory"
        try:
            row = await core.request_report(
                station_id,
                base=base,
                criteria=body.component_criteria,
                selectors=[s.selector() for s in body.component_variables],
                who=requester(who),
            )
        except failures as exc:
            raise failure(exc) from exc
        return report_view(row, await core.db.part_numbers(row["id"]))

    @api.get("/stations/{station_id}/reports", openapi_extra=scope(Scope.STATION))
    async def list_reports(
        ctx: Context,
        _: Viewer,
        station_id: StationId,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        await station(ctx, station_id)
        return await reports_of(station_id, DEVICE_MODEL, limit, offset)

    @api.get("/stations/{station_id}/reports/{request_id}", openapi_extra=scope(Scope.STATION))
    async def get_report(ctx: Context, _: Viewer, station_id: StationId, request_id: RequestId) -> dict[str, Any]:
        return await report_of(station_id, DEVICE_MODEL, request_id)

    @api.post("/stations/{station_id}/variables/get", openapi_extra=scope(Scope.STATION))
    async def get_variables(
        ctx: Context, who: Operator, station_id: StationId, body: GetVariablesBody
    ) -> dict[str, Any]:
        """GetVariables (1.6 GetConfiguration), split by the station's limits; one result per variable."""
        await station(ctx, station_id)
        core = running().core
        assert core is not None
        try:
            answer, results = await core.get_variables(station_id, [item.ref() for item in body.variables])
        except failures as exc:
            raise failure(exc) from exc
        core.completed(station_id, "get-variables", answer, who.token_id)
        return split_view(answer, results)

    @api.post("/stations/{station_id}/variables/set", openapi_extra=scope(Scope.STATION))
    async def set_variables(
        ctx: Context, who: Operator, station_id: StationId, body: SetVariablesBody
    ) -> dict[str, Any]:
        """SetVariables (1.6 ChangeConfiguration, one key per message); credentials need the admin role."""
        if who.role < Role.ADMIN and any(item.variable in SECRET_SETTINGS for item in body.variables):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "setting a credential needs the admin role")
        await station(ctx, station_id)
        core = running().core
        assert core is not None
        items = [dm.VariableValue(item.ref(), item.value) for item in body.variables]
        try:
            answer, results = await core.set_variables(station_id, items)
        except failures as exc:
            raise failure(exc) from exc
        core.completed(station_id, "set-variables", answer, who.token_id)
        return split_view(answer, results)

    @api.post("/stations/{station_id}/network-profile", openapi_extra=scope(Scope.STATION))
    async def set_network_profile(
        ctx: Context, who: Admin, station_id: StationId, body: NetworkProfileBody
    ) -> dict[str, Any]:
        """SetNetworkProfile (2.0.1 only): a connection profile for a configuration slot."""
        await station(ctx, station_id)
        core = running().core
        assert core is not None
        try:
            answer = await core.set_network_profile(station_id, body.command(), requester(who))
        except failures as exc:
            raise failure(exc) from exc
        return answer_view(answer)

    # -- monitoring (N) --------------------------------------------------------------------

    @api.get("/stations/{station_id}/monitoring", openapi_extra=scope(Scope.STATION))
    async def monitoring(ctx: Context, _: Viewer, station_id: StationId) -> dict[str, Any]:
        await station(ctx, station_id)
        core = running().core
        assert core is not None
        settings = await core.db.monitoring_of(station_id)
        return {
            "monitoring_base": settings["monitoring_base"] if settings else None,
            "monitoring_level": settings["monitoring_level"] if settings else None,
            "monitors": [monitor_view(row) for row in await core.db.list_monitors(station_id)],
        }

    @api.post("/stations/{station_id}/monitoring", openapi_extra=scope(Scope.STATION))
    async def set_monitors(ctx: Context, who: Operator, station_id: StationId, body: MonitorsBody) -> dict[str, Any]:
        """SetVariableMonitoring, split by the station's MonitoringCtrlr limits."""
        await station(ctx, station_id)
        svc = running().monitoring
        assert svc is not None
        try:
            answer, results = await svc.set_monitors(station_id, [m.monitor() for m in body.monitors], requester(who))
        except failures as exc:
            raise failure(exc) from exc
        return split_view(answer, results)

    @api.post("/stations/{station_id}/monitoring/clear", openapi_extra=scope(Scope.STATION))
    async def clear_monitors(
        ctx: Context, who: Operator, station_id: StationId, body: ClearMonitorsBody
    ) -> dict[str, Any]:
        """ClearVariableMonitoring, split by the station's MonitoringCtrlr limits."""
        await station(ctx, station_id)
        svc = running().monitoring
        assert svc is not None
        try:
            answer, results = await svc.clear_monitors(station_id, body.ids, requester(who))
        except failures as exc:
            raise failure(exc) from exc
        return split_view(answer, results)

    @api.put("/stations/{station_id}/monitoring/base", openapi_extra=scope(Scope.STATION))
    async def set_monitoring_base(
        ctx: Context, who: Operator, station_id: StationId, body: MonitoringBaseBody
    ) -> dict[str, Any]:
        await station(ctx, station_id)
        svc = running().monitoring
        assert svc is not None
        try:
            return answer_view(await svc.set_base(station_id, body.monitoring_base, requester(who)))
        except failures as exc:
            raise failure(exc) from exc

    @api.put("/stations/{station_id}/monitoring/level", openapi_extra=scope(Scope.STATION))
    async def set_monitoring_level(
        ctx: Context, who: Operator, station_id: StationId, body: MonitoringLevelBody
    ) -> dict[str, Any]:
        await station(ctx, station_id)
        svc = running().monitoring
        assert svc is not None
        try:
            return answer_view(await svc.set_level(station_id, body.severity, requester(who)))
        except failures as exc:
            raise failure(exc) from exc

    @api.post("/stations/{station_id}/monitoring/reports", openapi_extra=scope(Scope.STATION))
    async def request_monitoring_report(
        ctx: Context, who: Operator, station_id: StationId, body: MonitoringReportBody
    ) -> dict[str, Any]:
        await station(ctx, station_id)
        ext_ = running()
        assert ext_.monitoring is not None and ext_.core is not None
        try:
            row = await ext_.monitoring.request_report(
                station_id,
                criteria=body.monitoring_criteria,
                selectors=[s.selector() for s in body.component_variables],
                who=requester(who),
            )
        except failures as exc:
            raise failure(exc) from exc
        return report_view(row, await ext_.core.db.part_numbers(row["id"]))

    @api.get("/stations/{station_id}/monitoring/reports", openapi_extra=scope(Scope.STATION))
    async def list_monitoring_reports(
        ctx: Context,
        _: Viewer,
        station_id: StationId,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        await station(ctx, station_id)
        return await reports_of(station_id, MONITORING, limit, offset)

    @api.get("/stations/{station_id}/monitoring/reports/{request_id}", openapi_extra=scope(Scope.STATION))
    async def get_monitoring_report(
        ctx: Context, _: Viewer, station_id: StationId, request_id: RequestId
    ) -> dict[str, Any]:
        return await report_of(station_id, MONITORING, request_id)

    # -- customer information (N09/N10) ------------------------------------------------------

    @api.post("/stations/{station_id}/customer-information", openapi_extra=scope(Scope.STATION))
    async def request_customer_information(
        ctx: Context, who: Admin, station_id: StationId, body: CustomerInformationBody
    ) -> dict[str, Any]:
        """CustomerInformation: report and/or clear one customer's data; who asked is logged."""
        await station(ctx, station_id)
        ext_ = running()
        assert ext_.customer is not None
        token = body.id_token
        try:
            row = await ext_.customer.request(
                station_id,
                report=body.report,
                clear=body.clear,
                customer_identifier=body.customer_identifier,
                id_token=IdToken(token.id_token, token.type) if token else None,
                certificate=body.customer_certificate.hash_data() if body.customer_certificate else None,
                who=requester(who),
            )
        except failures as exc:
            raise failure(exc) from exc
        return customer_request_view(row)

    @api.get("/stations/{station_id}/customer-information", openapi_extra=scope(Scope.STATION))
    async def list_customer_information(
        ctx: Context,
        _: Admin,
        station_id: StationId,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        """The data-protection log of one station: who asked for which customer's data, and what came back."""
        await station(ctx, station_id)
        core = running().core
        assert core is not None
        rows = await core.db.list_reports(CUSTOMER, station_id=station_id, limit=limit, offset=offset)
        return {"items": [customer_view(row) for row in rows], "limit": limit, "offset": offset}

    @api.get("/customer-information", openapi_extra=scope(Scope.FLEET))
    async def customer_information_log(
        _: Admin,
        customer_identifier: Annotated[str | None, Query(max_length=64)] = None,
        id_token: Annotated[str | None, Query(max_length=36)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        """The data-protection log of every station, optionally for one customer."""
        core = running().core
        assert core is not None
        parameter = None
        if customer_identifier is not None:
            parameter = ("customer_identifier", customer_identifier)
        elif id_token is not None:
            parameter = ("id_token", id_token)
        rows = await core.db.list_reports(CUSTOMER, limit=limit, offset=offset, parameter=parameter)
        return {
            "items": [customer_view(row) | {"station_id": row["station_id"]} for row in rows],
            "limit": limit,
            "offset": offset,
        }

    # -- display messages (O) --------------------------------------------------------------

    @api.get("/stations/{station_id}/display-messages", openapi_extra=scope(Scope.STATION))
    async def list_display_messages(ctx: Context, _: Viewer, station_id: StationId) -> dict[str, Any]:
        await station(ctx, station_id)
        core = running().core
        assert core is not None
        return {"items": [message_view(row) for row in await core.db.list_messages(station_id)]}

    @api.post("/stations/{station_id}/display-messages", openapi_extra=scope(Scope.STATION))
    async def set_display_message(
        ctx: Context, who: Operator, station_id: StationId, body: DisplayMessageBody
    ) -> dict[str, Any]:
        """SetDisplayMessage; an accepted message is stored."""
        await station(ctx, station_id)
        ext_ = running()
        assert ext_.display is not None and ext_.core is not None
        message_id = body.id if body.id is not None else await ext_.core.db.next_message_id(station_id)
        try:
            answer = await ext_.display.set_message(station_id, body.message(message_id), requester(who))
        except failures as exc:
            raise failure(exc) from exc
        return answer_view(answer, id=message_id)

    @api.delete("/stations/{station_id}/display-messages/{message_id}", openapi_extra=scope(Scope.STATION))
    async def clear_display_message(
        ctx: Context, who: Operator, station_id: StationId, message_id: RequestId
    ) -> dict[str, Any]:
        """ClearDisplayMessage (status Accepted, or Unknown when the station has no such message)."""
        await station(ctx, station_id)
        svc = running().display
        assert svc is not None
        try:
            return answer_view(await svc.clear_message(station_id, message_id, requester(who)), id=message_id)
        except failures as exc:
            raise failure(exc) from exc

    @api.post("/stations/{station_id}/display-messages/reports", openapi_extra=scope(Scope.STATION))
    async def request_display_messages(
        ctx: Context, who: Operator, station_id: StationId, body: DisplayReportBody
    ) -> dict[str, Any]:
        """GetDisplayMessages; NotifyDisplayMessages parts update the stored messages."""
        await station(ctx, station_id)
        ext_ = running()
        assert ext_.display is not None and ext_.core is not None
        try:
            row = await ext_.display.request_report(
                station_id, ids=body.ids, priority=body.priority, state=body.state, who=requester(who)
            )
        except failures as exc:
            raise failure(exc) from exc
        return report_view(row, await ext_.core.db.part_numbers(row["id"]))

    @api.get("/stations/{station_id}/display-messages/reports", openapi_extra=scope(Scope.STATION))
    async def list_display_reports(
        ctx: Context,
        _: Viewer,
        station_id: StationId,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        await station(ctx, station_id)
        return await reports_of(station_id, DISPLAY, limit, offset)

    @api.get("/stations/{station_id}/display-messages/reports/{request_id}", openapi_extra=scope(Scope.STATION))
    async def get_display_report(
        ctx: Context, _: Viewer, station_id: StationId, request_id: RequestId
    ) -> dict[str, Any]:
        return await report_of(station_id, DISPLAY, request_id)

    return [api]
