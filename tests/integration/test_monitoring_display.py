"""Monitoring (2.0.1 block N), customer information (N09/N10) and display messages (block O) over
real sockets, from the simulated station's side."""

from __future__ import annotations

from typing import Any

from chargebridge.rpc import OcppVersion
from tests.conftest import Node, random_id
from tests.integration.helpers import BOOT201, RawStation
from tests.integration.test_device_model import eventually, sim_station, wait_report

V201 = OcppVersion.V201
POWER = {"component": "EVSE", "evse_id": 1, "variable": "Power"}


async def test_monitors_set_split_reported_cleared_and_their_events_raise_faults_and_alerts(node: Node) -> None:
    async with sim_station(node, V201, monitoring_items_per_message=2) as sim:
        sid = sim.station_id
        async with node.client() as http:
            monitors = [
                POWER | {"type": "UpperThreshold", "value": 7000, "severity": 2},
                POWER | {"type": "LowerThreshold", "value": 10, "severity": 6},
                POWER | {"type": "Delta", "value": 500, "severity": 8, "transaction": True},
                {"component": "Nowhere", "variable": "X", "type": "Delta", "value": 1, "severity": 5},
            ]
            answer = await http.post(f"/api/v1/stations/{sid}/monitoring", json={"monitors": monitors})
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert body["messages"] == 2  # at most 2 monitors a SetVariableMonitoring
            assert [r["status"] for r in body["results"]] == ["Accepted", "Accepted", "Accepted", "UnknownComponent"]
            ids = [r["id"] for r in body["results"][:3]]
            assert set(sim.state.device_model.monitors) == set(ids)
            stored = (await http.get(f"/api/v1/stations/{sid}/monitoring")).json()
            assert [m["id"] for m in stored["monitors"]] == sorted(ids) and stored["monitors"][2]["transaction"] is True

            # severity 2 (SystemFailure): a fault while the condition holds, cleared with it
            sim.notify_monitor(ids[0], "7400")

            async def faults() -> list[dict[str, Any]]:
                items: list[dict[str, Any]] = (await http.get(f"/api/v1/stations/{sid}/faults")).json()["items"]
                return [f for f in items if f["source"] == "monitor"]

            fault = (await eventually(faults))[0]
            assert fault["code"] == "EVSE.Power" and fault["evse_id"] == 1 and "severity 2" in fault["info"]
            sim.notify_monitor(ids[0], "6900", cleared=True)

            async def cleared() -> bool:
                return not await faults()

            await eventually(cleared)
            # severity 6 (Warning): an alert, not a fault
            sim.notify_monitor(ids[1], "5")

            async def alerts() -> list[dict[str, Any]]:
                events = await http.get(f"/api/v1/stations/{sid}/events", params={"kind": "monitor_alert"})
                return list(events.json()["items"])

            alert = (await eventually(alerts))[0]
            assert alert["data"]["monitor_id"] == ids[1] and alert["data"]["severity"] == 6
            assert not await faults()

            base = await http.put(f"/api/v1/stations/{sid}/monitoring/base", json={"monitoring_base": "All"})
            level = await http.put(f"/api/v1/stations/{sid}/monitoring/level", json={"severity": 4})
            assert base.json()["status"] == "Accepted" and level.json()["status"] == "Accepted"
            assert sim.state.device_model.monitoring_level == 4
            assert (
                await http.put(f"/api/v1/stations/{sid}/monitoring/level", json={"severity": 12})
            ).status_code == 422

            # the station loses one monitor behind our back: an unfiltered report replaces the stored list
            del sim.state.device_model.monitors[ids[2]]
            sim.state.device_model.items_per_part = 1
            sim.state.device_model.reverse_parts = True
            report = await http.post(f"/api/v1/stations/{sid}/monitoring/reports", json={})
            assert report.status_code == 200 and report.json()["action"] == "GetMonitoringReport"
            done = await wait_report(node, f"/api/v1/stations/{sid}/monitoring/reports/{report.json()['request_id']}")
            assert done["parts"] == 2 and done["items"] == 2
            stored = (await http.get(f"/api/v1/stations/{sid}/monitoring")).json()
            assert stored["monitoring_base"] == "All" and stored["monitoring_level"] == 4
            assert [(m["id"], m["source"]) for m in stored["monitors"]] == [(ids[0], "report"), (ids[1], "report")]
            none = await http.post(
                f"/api/v1/stations/{sid}/monitoring/reports", json={"monitoring_criteria": ["PeriodicMonitoring"]}
            )
            assert none.json()["state"] == "empty"

            clear = await http.post(f"/api/v1/stations/{sid}/monitoring/clear", json={"ids": [ids[0], ids[1], 999]})
            assert [r["status"] for r in clear.json()["results"]] == ["Accepted", "Accepted", "NotFound"]
            assert clear.json()["messages"] == 2
            assert (await http.get(f"/api/v1/stations/{sid}/monitoring")).json()["monitors"] == []


async def test_customer_information_is_assembled_and_who_asked_is_logged(node: Node) -> None:
    async with sim_station(node, V201, reverse_parts=True) as sim:
        sid = sim.station_id
        text = "".join(f"session {n}: 12.3 kWh at station {sid}; " for n in range(40))  # > 512: several parts
        sim.state.device_model.customers["TAG-CUST-1"] = text
        operator = await node.token("operator")
        body = {"id_token": {"id_token": "TAG-CUST-1", "type": "ISO14443"}, "report": True, "clear": True}
        async with node.client(operator) as http:
            assert (await http.post(f"/api/v1/stations/{sid}/customer-information", json=body)).status_code == 403
            assert (await http.get(f"/api/v1/stations/{sid}/customer-information")).status_code == 403
        async with node.client() as http:
            both = body | {"customer_identifier": "C-1"}
            assert (await http.post(f"/api/v1/stations/{sid}/customer-information", json=both)).status_code == 422
            answer = await http.post(f"/api/v1/stations/{sid}/customer-information", json=body)
            assert answer.status_code == 200, answer.text
            assert answer.json()["status"] == "Accepted" and answer.json()["requested_by_name"] == "admin"
            assert "data" not in answer.json()  # the answer (and so the audit log) never carries customer data
            request_id = answer.json()["request_id"]

            async def assembled() -> dict[str, Any] | None:
                items = (await http.get(f"/api/v1/stations/{sid}/customer-information")).json()["items"]
                row: dict[str, Any] = next(i for i in items if i["request_id"] == request_id)
                return row if row["state"] == "complete" else None

            row = await eventually(assembled)
            assert row["data"] == text and row["parts"] == -(-len(text) // 512)
            assert row["parameters"]["id_token"] == "TAG-CUST-1" and row["parameters"]["clear"] is True
            assert "TAG-CUST-1" not in sim.state.device_model.customers  # cleared at the station
            only_clear = await http.post(
                f"/api/v1/stations/{sid}/customer-information",
                json={"customer_identifier": "C-9", "report": False, "clear": True},
            )
            assert only_clear.json()["state"] == "complete" and only_clear.json()["parts"] == 0
            log = (await http.get("/api/v1/customer-information", params={"id_token": "TAG-CUST-1"})).json()["items"]
            assert [(i["station_id"], i["request_id"]) for i in log] == [(sid, request_id)]
            assert len((await http.get("/api/v1/customer-information")).json()["items"]) >= 2


async def test_display_messages_set_reported_and_cleared(node: Node) -> None:
    async with sim_station(node, V201, items_per_part=1) as sim:
        sid = sim.station_id
        async with node.client() as http:
            first = await http.post(
                f"/api/v1/stations/{sid}/display-messages",
                json={"content": "Welcome", "priority": "InFront", "language": "en", "end_at": "2030-01-01T00:00:00Z"},
            )
            assert first.status_code == 200 and first.json()["status"] == "Accepted" and first.json()["id"] == 1
            second = await http.post(
                f"/api/v1/stations/{sid}/display-messages",
                json={
                    "content": "<b>Tariff</b>",
                    "format": "HTML",
                    "state": "Idle",
                    "display": {"name": "Display", "evse_id": 1},
                },
            )
            assert second.json()["id"] == 2
            unknown_tx = await http.post(
                f"/api/v1/stations/{sid}/display-messages", json={"content": "x", "transaction_id": "nope"}
            )
            assert unknown_tx.json()["status"] == "UnknownTransaction"
            listed = (await http.get(f"/api/v1/stations/{sid}/display-messages")).json()["items"]
            assert [(m["id"], m["content"], m["source"]) for m in listed] == [
                (1, "Welcome", "set"),
                (2, "<b>Tariff</b>", "set"),
            ]
            assert sim.state.device_model.display_messages[1]["message"]["language"] == "en"
            # a message added at the station shows up after an unfiltered report (two parts, no seqNo in 2.0.1)
            sim.state.device_model.display_messages[7] = {
                "id": 7,
                "priority": "NormalCycle",
                "message": {"format": "ASCII", "content": "Local"},
            }
            del sim.state.device_model.display_messages[2]
            report = await http.post(f"/api/v1/stations/{sid}/display-messages/reports", json={})
            assert report.status_code == 200, report.text
            done = await wait_report(
                node, f"/api/v1/stations/{sid}/display-messages/reports/{report.json()['request_id']}"
            )
            assert done["parts"] == 2
            listed = (await http.get(f"/api/v1/stations/{sid}/display-messages")).json()["items"]
            assert [(m["id"], m["source"]) for m in listed] == [(1, "report"), (7, "report")]
            assert listed[0]["end_at"] == "2030-01-01T00:00:00Z"
            filtered = await http.post(
                f"/api/v1/stations/{sid}/display-messages/reports", json={"priority": "AlwaysFront"}
            )
            assert filtered.json()["status"] == "Unknown" and filtered.json()["state"] == "empty"
            assert (
                len((await http.get(f"/api/v1/stations/{sid}/display-messages")).json()["items"]) == 2
            )  # a filter drops nothing
            cleared = await http.delete(f"/api/v1/stations/{sid}/display-messages/7")
            assert cleared.json()["status"] == "Accepted" and 7 not in sim.state.device_model.display_messages
            again = await http.delete(f"/api/v1/stations/{sid}/display-messages/7")
            assert again.json()["status"] == "Unknown"
            assert [m["id"] for m in (await http.get(f"/api/v1/stations/{sid}/display-messages")).json()["items"]] == [
                1
            ]
            sim.state.device_model.display_messages.clear()
            gone = await http.post(f"/api/v1/stations/{sid}/display-messages/reports", json={})
            assert gone.json()["status"] == "Unknown"
            assert (await http.get(f"/api/v1/stations/{sid}/display-messages")).json()["items"] == []


async def test_periodic_and_delta_monitor_events_are_stored_not_raised(sqlite_node: Node) -> None:
    """N08: periodic (and delta) events report values; only Alerting events become faults or alerts."""
    sid = random_id("N08")
    station = await RawStation.open(sqlite_node.ocpp_url, sid, "2.0.1")
    await station.call("BootNotification", BOOT201)

    def event(event_id: int, trigger: str) -> dict[str, Any]:
        return {
            "generatedAt": "2026-05-01T10:00:00Z",
            "seqNo": 0,
            "eventData": [
                {
                    "eventId": event_id,
                    "timestamp": "2026-05-01T10:00:00Z",
                    "trigger": trigger,
                    "actualValue": "7100",
                    "eventNotificationType": "CustomMonitor",
                    "component": {"name": "EVSE", "evse": {"id": 1}},
                    "variable": {"name": "Power"},
                    "variableMonitoringId": 3,
                }
            ],
        }

    for event_id, trigger in ((1, "Periodic"), (2, "Delta")):
        assert (await station.call("NotifyEvent", event(event_id, trigger)))[0] == 3
    async with sqlite_node.client() as http:
        events = (await http.get(f"/api/v1/stations/{sid}/events", params={"kind": "notify_event"})).json()["items"]
        assert sorted(e["data"]["trigger"] for e in events) == ["Delta", "Periodic"]
        assert (await http.get(f"/api/v1/stations/{sid}/faults")).json()["items"] == []
        assert (await http.get(f"/api/v1/stations/{sid}/events", params={"kind": "monitor_alert"})).json()[
            "items"
        ] == []
    await station.close()
