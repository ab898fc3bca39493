"""Charge points written with the public `ocpp` package against the device model: a 2.0.1 station
reports its model in two parts (the last first), declares ItemsPerMessage 1 and refuses more,
and sends every other station-to-CSMS message of blocks B, N and O; a 1.6 charge point limits
GetConfiguration to one key."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import websockets
from ocpp.exceptions import OccurrenceConstraintViolationError
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint as Cp16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import ChargePoint as Cp201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201

from tests.conftest import Node, random_id
from tests.integration.test_device_model import eventually

NOW = "2026-05-01T10:00:00Z"


def variable(component: str, name: str, value: str, instance: str | None = None) -> dict[str, Any]:
    var: dict[str, Any] = {"name": name} | ({"instance": instance} if instance else {})
    return {
        "component": {"name": component},
        "variable": var,
        "variable_attribute": [{"type": "Actual", "value": value, "mutability": "ReadOnly"}],
        "variable_characteristics": {"data_type": "integer", "supports_monitoring": False},
    }


MODEL = [
    variable("DeviceDataCtrlr", "ItemsPerMessage", "1", "GetVariables"),
    variable("DeviceDataCtrlr", "BytesPerMessage", "4000", "GetVariables"),
    variable("OCPPCommCtrlr", "HeartbeatInterval", "60"),
    variable("OCPPCommCtrlr", "NetworkProfileConnectionAttempts", "3"),
]
VALUES = {("OCPPCommCtrlr", "HeartbeatInterval"): "60", ("OCPPCommCtrlr", "NetworkProfileConnectionAttempts"): "3"}


class Station201(Cp201):
    get_variables_calls: list[int]

    @on(Action201.get_base_report)
    async def on_get_base_report(self, request_id: int, report_base: str, **kwargs: Any) -> Any:
        return result201.GetBaseReport(status="Accepted")

    @after(Action201.get_base_report)
    async def send_report(self, request_id: int, report_base: str, **kwargs: Any) -> None:
        await self.call(
            call201.NotifyReport(request_id=request_id, generated_at=NOW, seq_no=1, tbc=False, report_data=MODEL[2:])
        )
        await self.call(
            call201.NotifyReport(request_id=request_id, generated_at=NOW, seq_no=0, tbc=True, report_data=MODEL[:2])
        )

    @on(Action201.get_variables)
    async def on_get_variables(self, get_variable_data: list[dict[str, Any]], **kwargs: Any) -> Any:
        if len(get_variable_data) > 1:  # ItemsPerMessage GetVariables = 1 (B06.FR.16)
            raise OccurrenceConstraintViolationError(description="one variable a message")
        self.get_variables_calls.append(len(get_variable_data))
        item = get_variable_data[0]
        value = VALUES.get((item["component"]["name"], item["variable"]["name"]))
        status = "Accepted" if value is not None else "UnknownVariable"
        result = {"attribute_status": status, "component": item["component"], "variable": item["variable"]}
        if value is not None:
            result["attribute_value"] = value
        return result201.GetVariables(get_variable_result=[result])


@contextlib.asynccontextmanager
async def running(cp: Any) -> Any:
    task = asyncio.create_task(cp.start())
    try:
        yield cp
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def test_ocpp_library_station_reports_in_parts_and_gets_variables_one_at_a_time(node: Node) -> None:
    sid = random_id("LIBDM")
    async with websockets.connect(f"{node.ocpp_url}/{sid}", subprotocols=["ocpp2.0.1"]) as ws:  # type: ignore[list-item]
        cp = Station201(sid, ws)
        cp.get_variables_calls = []
        async with running(cp):
            boot = await cp.call(
                call201.BootNotification(charging_station={"model": "M", "vendor_name": "V"}, reason="PowerUp")
            )
            assert boot.status == "Accepted"
            async with node.client() as http:
                report = await http.post(f"/api/v1/stations/{sid}/reports", json={"report_base": "FullInventory"})
                assert report.status_code == 200, report.text
                path = f"/api/v1/stations/{sid}/reports/{report.json()['request_id']}"

                async def complete() -> bool:
                    return bool((await http.get(path)).json()["state"] == "complete")

                await eventually(complete)
                model = (await http.get(f"/api/v1/stations/{sid}/device-model")).json()
                assert model["total"] == 4
                wanted = [
                    {"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval"},
                    {"component": "OCPPCommCtrlr", "variable": "NetworkProfileConnectionAttempts"},
                    {"component": "OCPPCommCtrlr", "variable": "Unknown"},
                ]
                got = await http.post(f"/api/v1/stations/{sid}/variables/get", json={"variables": wanted})
                assert got.status_code == 200, got.text
                assert got.json()["messages"] == 3 and cp.get_variables_calls == [1, 1, 1]
                assert [r["value"] for r in got.json()["results"]] == ["60", "3", None]

            # every other station-to-CSMS message of blocks B, N and O is answered, none NotSupported
            monitoring = call201.NotifyMonitoringReport(
                request_id=11,
                seq_no=0,
                generated_at=NOW,
                monitor=[
                    {
                        "component": {"name": "EVSE", "evse": {"id": 1}},
                        "variable": {"name": "Power"},
                        "variable_monitoring": [
                            {"id": 4, "transaction": False, "value": 7000, "type": "UpperThreshold", "severity": 3}
                        ],
                    }
                ],
            )
            customer = call201.NotifyCustomerInformation(
                data="nothing stored", seq_no=0, generated_at=NOW, request_id=12
            )
            display = call201.NotifyDisplayMessages(
                request_id=13,
                message_info=[{"id": 1, "priority": "NormalCycle", "message": {"format": "ASCII", "content": "Hi"}}],
            )
            event = call201.NotifyEvent(
                generated_at=NOW,
                seq_no=0,
                event_data=[
                    {
                        "event_id": 1,
                        "timestamp": NOW,
                        "trigger": "Alerting",
                        "actual_value": "7400",
                        "event_notification_type": "CustomMonitor",
                        "component": {"name": "EVSE", "evse": {"id": 1}},
                        "variable": {"name": "Power"},
                        "variable_monitoring_id": 4,
                    }
                ],
            )
            for message in (monitoring, customer, display, event):
                await cp.call(message)  # a CALLERROR would raise here
            async with node.client() as http:
                monitors = (await http.get(f"/api/v1/stations/{sid}/monitoring")).json()["monitors"]
                assert [(m["id"], m["severity"]) for m in monitors] == [(4, 3)]
                faults = (await http.get(f"/api/v1/stations/{sid}/faults")).json()["items"]
                assert [f["code"] for f in faults if f["source"] == "monitor"] == ["EVSE.Power"]
                messages = (await http.get(f"/api/v1/stations/{sid}/display-messages")).json()["items"]
                assert [m["content"] for m in messages] == ["Hi"]
                log = (await http.get(f"/api/v1/stations/{sid}/customer-information")).json()["items"]
                assert log[0]["data"] == "nothing stored" and log[0]["requested_by"] is None  # nobody here asked


class Station16(Cp16):
    requested_keys: list[list[str]]

    @on(Action16.get_configuration)
    async def on_get_configuration(self, key: list[str] | None = None, **kwargs: Any) -> Any:
        keys = key or []
        if len(keys) > 1:
            raise OccurrenceConstraintViolationError(description="GetConfigurationMaxKeys is 1")
        self.requested_keys.append(keys)
        known = {"GetConfigurationMaxKeys": "1", "HeartbeatInterval": "300", "MeterValueSampleInterval": "60"}
        names = keys or list(known)
        return result16.GetConfiguration(
            configuration_key=[
                {"key": k, "readonly": k == "GetConfigurationMaxKeys", "value": known[k]} for k in names if k in known
            ],
            unknown_key=[k for k in names if k not in known] or None,
        )

    @on(Action16.change_configuration)
    async def on_change_configuration(self, key: str, value: str, **kwargs: Any) -> Any:
        return result16.ChangeConfiguration(status="Accepted" if key == "HeartbeatInterval" else "NotSupported")


async def test_ocpp_library_16_charge_point_gets_one_key_a_message(node: Node) -> None:
    sid = random_id("LIBDM16")
    async with websockets.connect(f"{node.ocpp_url}/{sid}", subprotocols=["ocpp1.6"]) as ws:  # type: ignore[list-item]
        cp = Station16(sid, ws)
        cp.requested_keys = []
        async with running(cp):
            await cp.call(call16.BootNotification(charge_point_vendor="V", charge_point_model="M"))
            async with node.client() as http:
                wanted = [{"variable": k} for k in ("HeartbeatInterval", "MeterValueSampleInterval", "Nope")]
                got = await http.post(f"/api/v1/stations/{sid}/variables/get", json={"variables": wanted})
                assert got.status_code == 200, got.text
                # the limit was looked up (one key), then one key a message
                assert cp.requested_keys == [
                    ["GetConfigurationMaxKeys"],
                    ["HeartbeatInterval"],
                    ["MeterValueSampleInterval"],
                    ["Nope"],
                ]
                assert [r["status"] for r in got.json()["results"]] == ["Accepted", "Accepted", "UnknownVariable"]
                setting = [{"variable": "HeartbeatInterval", "value": "120"}, {"variable": "Nope", "value": "1"}]
                written = await http.post(f"/api/v1/stations/{sid}/variables/set", json={"variables": setting})
                assert [r["status"] for r in written.json()["results"]] == ["Accepted", "UnknownVariable"]
                stored = (
                    await http.get(f"/api/v1/stations/{sid}/device-model", params={"variable": "HeartbeatInterval"})
                ).json()
                assert stored["items"][0]["value"] == "120" and stored["items"][0]["source"] == "set"
