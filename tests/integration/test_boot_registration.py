"""Boot and registration rules (2.0.1 B01-B03, 1.6 §4.2) over real sockets: a registration change
applies to the next BootNotification on the open socket; a Pending station gets SecurityError
except for what the CSMS asked for (triggered messages, the parts of a report), and
TriggerMessage(BootNotification) finishes its boot; the intervals follow the configuration."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chargebridge.rpc import OcppVersion
from chargebridge.sim import SimClock, SimStation, StationConfig
from tests.conftest import Node, random_id, start_node
from tests.integration.helpers import BOOT16, BOOT201, RawStation
from tests.integration.test_device_model import eventually

STATUS201 = {"timestamp": "2026-05-01T10:00:00Z", "connectorStatus": "Available", "evseId": 1, "connectorId": 1}


@pytest.fixture
async def strict_node(tmp_path: Path) -> AsyncIterator[Node]:
    node = await start_node(tmp_path, auto_register=False, heartbeat_interval_s=45, boot_retry_interval_s=7)
    try:
        yield node
    finally:
        await node.app.stop()


async def register(node: Node, station_id: str, status: str) -> None:
    async with node.client() as http:
        answer = await http.post("/api/v1/stations", json={"id": station_id, "registration_status": status})
        assert answer.status_code == 201, answer.text


async def set_registration(node: Node, station_id: str, status: str) -> None:
    async with node.client() as http:
        answer = await http.patch(f"/api/v1/stations/{station_id}", json={"registration_status": status})
        assert answer.status_code == 200, answer.text


async def command(
    node: Node, station: RawStation, station_id: str, name: str, body: dict[str, Any], reply: dict[str, Any]
) -> list[Any]:
    """Send a REST command and answer its CALL from the raw station; the CALL."""
    async with node.client() as http:
        task = asyncio.create_task(http.post(f"/api/v1/stations/{station_id}/commands/{name}", json=body))
        call = await station.recv()
        await station.send_raw(json.dumps([3, call[1], reply]))
        answer = await task
        assert answer.status_code == 200, answer.text
        result: list[Any] = call
        return result


@pytest.mark.parametrize(("version", "boot"), [("1.6", BOOT16), ("2.0.1", BOOT201)])
async def test_a_registration_change_before_the_first_boot_applies_to_it(
    strict_node: Node, version: str, boot: dict[str, Any]
) -> None:
    """Regression: the status read at the handshake was used by the first boot even when changed since."""
    sid = random_id("REG")
    await register(strict_node, sid, "Accepted")
    station = await RawStation.open(strict_node.ocpp_url, sid, version)
    await set_registration(strict_node, sid, "Pending")
    answer = await station.call("BootNotification", boot)
    assert answer[2]["status"] == "Pending" and answer[2]["interval"] == 7
    await set_registration(strict_node, sid, "Rejected")
    assert (await station.call("BootNotification", boot))[2]["status"] == "Rejected"
    assert (await station.call("Heartbeat", {}))[2] == "SecurityError"
    await set_registration(strict_node, sid, "Accepted")
    accepted = await station.call("BootNotification", boot)
    assert accepted[2]["status"] == "Accepted" and accepted[2]["interval"] == 45
    assert (await station.call("Heartbeat", {}))[0] == 3
    await set_registration(strict_node, sid, "Pending")  # an accepted socket stays accepted until its next boot
    assert (await station.call("Heartbeat", {}))[0] == 3
    assert (await station.call("BootNotification", boot))[2]["status"] == "Pending"
    assert (await station.call("Heartbeat", {}))[2] == "SecurityError"
    await station.close()


async def test_pending_station_sends_only_what_was_asked_for_and_a_triggered_boot_finishes_it(
    strict_node: Node,
) -> None:
    sid = random_id("PEND")
    await register(strict_node, sid, "Pending")
    station = await RawStation.open(strict_node.ocpp_url, sid, "2.0.1")
    assert (await station.call("BootNotification", BOOT201))[2]["status"] == "Pending"
    # unsolicited: refused
    assert (await station.call("StatusNotification", STATUS201))[2] == "SecurityError"
    assert (await station.call("NotifyReport", {"requestId": 1, "generatedAt": "2026-05-01T10:00:00Z", "seqNo": 0}))[
        2
    ] == "SecurityError"
    # a report the CSMS asked for while Pending (B02.FR.01): its parts are taken
    async with strict_node.client() as http:
        task = asyncio.create_task(
            http.post(f"/api/v1/stations/{sid}/reports", json={"report_base": "SummaryInventory"})
        )
        call = await station.recv()
        await station.send_raw(json.dumps([3, call[1], {"status": "Accepted"}]))
        assert (await task).status_code == 200
    part = {"requestId": call[3]["requestId"], "generatedAt": "2026-05-01T10:00:00Z", "seqNo": 0, "tbc": False}
    assert (await station.call("NotifyReport", part))[0] == 3
    other = part | {"requestId": call[3]["requestId"] + 1}
    assert (await station.call("NotifyReport", other))[2] == "SecurityError"  # a report nobody asked for
    # a triggered message is taken; a trigger the station refused allows nothing
    trigger = await command(
        strict_node, station, sid, "trigger-message", {"message": "StatusNotification"}, {"status": "Accepted"}
    )
    assert trigger[2] == "TriggerMessage"
    assert (await station.call("StatusNotification", STATUS201))[0] == 3
    await command(strict_node, station, sid, "trigger-message", {"message": "Heartbeat"}, {"status": "Rejected"})
    assert (await station.call("Heartbeat", {}))[2] == "SecurityError"
    # the operator accepts the station and triggers its boot instead of waiting for the retry
    await set_registration(strict_node, sid, "Accepted")
    await command(strict_node, station, sid, "trigger-message", {"message": "BootNotification"}, {"status": "Accepted"})
    assert (await station.call("BootNotification", BOOT201 | {"reason": "Triggered"}))[2]["status"] == "Accepted"
    assert (await station.call("Heartbeat", {}))[0] == 3
    await station.close()


async def test_simulated_pending_station_reports_its_device_model_and_is_accepted_by_trigger(strict_node: Node) -> None:
    sid = random_id("SIMPEND")
    await register(strict_node, sid, "Pending")
    config = StationConfig(sid, strict_node.ocpp_url, OcppVersion.V201, call_timeout_real_s=5.0)
    sim = SimStation(config, SimClock(datetime.now(UTC), 1.0), rng=random.Random(2))
    task = asyncio.create_task(sim.run())
    try:

        async def pending() -> bool:
            return sim.registration == "Pending"

        await eventually(pending)
        assert not sim.booted
        async with strict_node.client() as http:
            report = await http.post(f"/api/v1/stations/{sid}/reports", json={"report_base": "ConfigurationInventory"})
            assert report.status_code == 200, report.text
            path = f"/api/v1/stations/{sid}/reports/{report.json()['request_id']}"

            async def complete() -> bool:
                return bool((await http.get(path)).json()["state"] == "complete")

            await eventually(complete)
            assert (await http.get(f"/api/v1/stations/{sid}/device-model", params={"mutability": "ReadWrite"})).json()[
                "total"
            ] > 5
            setting = [{"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval", "value": "100"}]
            assert (
                await http.post(f"/api/v1/stations/{sid}/variables/set", json={"variables": setting})
            ).status_code == 200
            await set_registration(strict_node, sid, "Accepted")
            trigger = await http.post(
                f"/api/v1/stations/{sid}/commands/trigger-message", json={"message": "BootNotification"}
            )
            assert trigger.status_code == 200 and trigger.json()["status"] == "Accepted"

        async def booted() -> bool:
            return sim.booted

        await eventually(booted)
        assert sim.registration == "Accepted" and sim.state.config.get("HeartbeatInterval") == "45"
    finally:
        sim.stop()
        async with asyncio.timeout(10):
            await task


async def test_a_reconnect_without_a_boot_is_served_unless_the_last_boot_was_not_accepted(strict_node: Node) -> None:
    """B04: an idle station that reconnects need not boot again; a pending one stays pending."""
    accepted, pending = random_id("B04A"), random_id("B04P")
    await register(strict_node, accepted, "Accepted")
    await register(strict_node, pending, "Pending")
    for sid in (accepted, pending):
        station = await RawStation.open(strict_node.ocpp_url, sid, "2.0.1")
        await station.call("BootNotification", BOOT201)
        await station.close()
    again = await RawStation.open(strict_node.ocpp_url, accepted, "2.0.1")
    assert (await again.call("StatusNotification", STATUS201))[0] == 3
    await again.close()
    still = await RawStation.open(strict_node.ocpp_url, pending, "2.0.1")
    assert (await still.call("Heartbeat", {}))[2] == "SecurityError"
    await still.close()
