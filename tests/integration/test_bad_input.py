"""Bad input gets the spec's CALLERROR, and the socket keeps working afterwards."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import Node, random_id
from tests.integration.helpers import BOOT16, BOOT201, RawStation

CASES_16 = [
    ("not json at all", "-1", "ProtocolError"),
    ("[2, 17]", "-1", "ProtocolError"),
    ('{"an": "object"}', "-1", "ProtocolError"),
    (
        '[2, "a1", "BootNotification", {"chargePointVendor": 5, "chargePointModel": "x"}]',
        "a1",
        "TypeConstraintViolation",
    ),
    ('[2, "a2", "BootNotification", {"chargePointModel": "x"}]', "a2", "OccurenceConstraintViolation"),
    (
        '[2, "a3", "BootNotification", {"chargePointVendor": "v", "chargePointModel": "x", "bogus": 1}]',
        "a3",
        "FormationViolation",
    ),
    (
        '[2, "a4", "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Dancing"}]',
        "a4",
        "PropertyConstraintViolation",
    ),
    ('[2, "a5", "FlyToTheMoon", {}]', "a5", "NotImplemented"),
    ('[2, "a6", "Reset", {"type": "Hard"}]', "a6", "NotSupported"),
    ('[2, "a7", "Heartbeat", []]', "a7", "FormationViolation"),
    ('[7, "a8", "Heartbeat", {}]', "a8", "ProtocolError"),
    ('[2, "a9", "Heartbeat", {"x": ' + "[" * 5000 + "]" * 5000 + "}]", "-1", "ProtocolError"),
    (
        '[2, "a10", "BootNotification", {"chargePointVendor": "v", "chargePointModel": "x", "n": 1e999}]',
        "-1",
        "ProtocolError",
    ),
    ('[2, "a11", "Heartbeat", {"n": ' + "9" * 5000 + "}]", "-1", "ProtocolError"),
]

CASES_201 = [
    ("not json at all", "-1", "RpcFrameworkError"),
    (
        '[2, "b1", "BootNotification", {"chargingStation": {"vendorName": 1, "model": "x"}, "reason": "PowerUp"}]',
        "b1",
        "TypeConstraintViolation",
    ),
    ('[2, "b2", "BootNotification", {"reason": "PowerUp"}]', "b2", "OccurrenceConstraintViolation"),
    ('[2, "b3", "Heartbeat", {"surprise": true}]', "b3", "FormatViolation"),
    ('[2, "b4", "FlyToTheMoon", {}]', "b4", "NotImplemented"),
    ('[9, "b5"]', "b5", "MessageTypeNotSupported"),
]


@pytest.mark.parametrize(("version", "cases", "boot"), [("1.6", CASES_16, BOOT16), ("2.0.1", CASES_201, BOOT201)])
async def test_bad_frames_get_callerrors_and_socket_survives(
    sqlite_node: Node, version: str, cases: list[tuple[str, str, str]], boot: dict[str, object]
) -> None:
    station = await RawStation.open(sqlite_node.ocpp_url, random_id("BAD"), version)
    assert (await station.call("BootNotification", boot))[0] == 3
    for text, message_id, code in cases:
        await station.send_raw(text)
        answer = await station.recv()
        assert answer[0] == 4, (text[:60], answer)
        assert answer[1] == message_id, (text[:60], answer)
        assert answer[2] == code, (text[:60], answer)
        # the next valid message is answered normally
        assert (await station.call("Heartbeat", {}))[0] == 3
    await station.close()


async def test_replies_without_a_call_are_dropped_not_answered(sqlite_node: Node) -> None:
    station = await RawStation.open(sqlite_node.ocpp_url, random_id("BAD"), "1.6")
    await station.send_raw('[3, "never-sent", {}]')
    await station.send_raw('[4, "never-sent", "GenericError", "", {}]')
    await station.send_raw("[3, 12]")
    answer = await station.call("Heartbeat", {})
    assert answer[0] == 3  # nothing was queued in front of the heartbeat answer
    assert sqlite_node.app.gateway is not None and sqlite_node.app.gateway.stats.unmatched_replies >= 2
    await station.close()


async def test_oversized_frame_closes_with_1009_and_others_unaffected(tmp_path: object) -> None:
    from pathlib import Path

    from tests.conftest import start_node

    node = await start_node(Path(str(tmp_path)), auto_register=True, max_frame_bytes=4096)
    try:
        bystander = await RawStation.open(node.ocpp_url, random_id("OK"), "1.6")
        big = await RawStation.open(node.ocpp_url, random_id("BIG"), "1.6", max_size=None)
        await big.send_raw(json.dumps([2, "x", "DataTransfer", {"vendorId": "v", "data": "A" * 10_000}]))
        with pytest.raises(ConnectionClosed) as closed:
            await big.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
        assert (await bystander.call("Heartbeat", {}))[0] == 3
        await bystander.close()
    finally:
        await node.app.stop()


async def test_flood_of_malformed_frames_keeps_server_responsive(sqlite_node: Node) -> None:
    flooder = await RawStation.open(sqlite_node.ocpp_url, random_id("FLOOD"), "2.0.1")
    other = await RawStation.open(sqlite_node.ocpp_url, random_id("CALM"), "2.0.1")
    for _ in range(500):
        await flooder.send_raw("{{{{ not json")
    answers = [await flooder.recv() for _ in range(500)]
    assert all(a[:3] == [4, "-1", "RpcFrameworkError"] for a in answers)
    assert (await asyncio.wait_for(other.call("Heartbeat", {}), 5))[0] == 3
    await flooder.close()
    await other.close()


async def test_pipelined_calls_are_bounded_and_all_answered(sqlite_node: Node) -> None:
    station = await RawStation.open(sqlite_node.ocpp_url, random_id("PIPE"), "1.6")
    for i in range(200):
        await station.send_raw(json.dumps([2, f"p{i}", "Heartbeat", {}]))
    answers = {}
    for _ in range(200):
        frame = await station.recv()
        answers[frame[1]] = frame
    assert set(answers) == {f"p{i}" for i in range(200)}  # every CALL got exactly one answer
    refused = [a for a in answers.values() if a[0] == 4]
    assert refused and all(a[2] == "GenericError" for a in refused)
    assert (await station.call("Heartbeat", {}))[0] == 3
    await station.close()


async def test_negative_ids_are_refused_and_nothing_is_stored(sqlite_node: Node) -> None:
    """Issue 11 item 10: a 1.6 StatusNotification for connector -5 (schema-valid: the schema only
    says integer) gets PropertyConstraintViolation and creates no connector; the same for 2.0.1."""
    node = sqlite_node
    station_16 = random_id("NEG")
    station = await RawStation.open(node.ocpp_url, station_16, "1.6")
    assert (await station.call("BootNotification", BOOT16))[0] == 3
    answer = await station.call(
        "StatusNotification", {"connectorId": -5, "errorCode": "NoError", "status": "Available"}
    )
    assert answer[0] == 4 and answer[2] == "PropertyConstraintViolation", answer
    assert "connectorId" in answer[3]
    answer = await station.call(
        "StartTransaction", {"connectorId": 0, "idTag": "T", "meterStart": 0, "timestamp": "2024-05-01T10:00:00Z"}
    )
    assert answer[0] == 4 and answer[2] == "PropertyConstraintViolation", answer
    status = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}
    assert (await station.call("StatusNotification", status))[0] == 3
    await station.close()
    station_201 = random_id("NEG")
    station = await RawStation.open(node.ocpp_url, station_201, "2.0.1")
    assert (await station.call("BootNotification", BOOT201))[0] == 3
    payload = {"timestamp": "2024-05-01T10:00:00Z", "connectorStatus": "Available", "evseId": -1, "connectorId": 1}
    answer = await station.call("StatusNotification", payload)
    assert answer[0] == 4 and answer[2] == "PropertyConstraintViolation", answer
    await station.close()
    async with node.client() as http:
        view = (await http.get(f"/api/v1/stations/{station_16}")).json()
        assert [evse["evse_id"] for evse in view["evses"]] == [1]  # connector 1 only, no -5
        assert (await http.get(f"/api/v1/stations/{station_201}")).json()["evses"] == []
