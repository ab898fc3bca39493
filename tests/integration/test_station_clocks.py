"""Station clocks over real sockets (issue #19, item 1): a station whose clock runs ahead (the
demo's used to) is recorded as a ``clock_skew`` station event, shown in the station's view, and
its transactions are flagged ``start_in_future`` / ``end_before_start`` instead of being stored
as if plausible; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Node, random_id
from tests.integration.helpers import BOOT16, BOOT201, RawStation


def stamp(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


async def eventually(check: Callable[[], Awaitable[Any]], what: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def get(node: Node, path: str, **params: Any) -> Any:
    async with node.client() as http:
        answer = await http.get(f"/api/v1{path}", params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()


async def skew_events(node: Node, station_id: str) -> list[dict[str, Any]]:
    return list((await get(node, f"/stations/{station_id}/events", kind="clock_skew"))["items"])


async def test_a_station_clock_ahead_is_recorded_once_and_its_transaction_flagged(node: Node) -> None:
    station_id = random_id("SKEW")
    station = await RawStation.open(node.ocpp_url, station_id, "1.6")
    await station.call("BootNotification", BOOT16)
    start = {"connectorId": 1, "idTag": "TAG", "meterStart": 0, "timestamp": stamp(1200)}
    answer = await station.call("StartTransaction", start)
    assert answer[0] == 3
    tx_id = answer[2]["transactionId"]
    events = await eventually(lambda: skew_events(node, station_id), "a clock_skew event")
    (event,) = events
    assert 1150 < event["data"]["skew_s"] < 1250 and event["data"]["message"] == "TransactionEvent"
    assert event["data"]["limit_s"] == 300
    view = await get(node, f"/stations/{station_id}")
    assert view["clock_skew"] is not None and 1150 < view["clock_skew"]["skew_s"] < 1250
    (tx,) = (await get(node, "/transactions", station_id=station_id))["items"]
    assert tx["start_in_future"] is True and tx["end_before_start"] is False
    assert tx["time_note"].startswith("start 1") and "ahead of the server's clock" in tx["time_note"]
    # The same clock again within the hour: no second event.
    sample = {"value": "10", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
    values = {
        "connectorId": 1,
        "transactionId": tx_id,
        "meterValue": [{"timestamp": stamp(1260), "sampledValue": [sample]}],
    }
    assert (await station.call("MeterValues", values))[0] == 3
    # The station corrects its clock (BootNotification's currentTime) and stops: the end is now
    # before the flagged start, and the station's clock is in time again.
    stop = {"transactionId": tx_id, "meterStop": 500, "timestamp": stamp(0), "idTag": "TAG"}
    assert (await station.call("StopTransaction", stop))[0] == 3

    async def cleared() -> bool:
        return (await get(node, f"/stations/{station_id}"))["clock_skew"] is None

    await eventually(cleared, "the skew cleared")
    assert len(await skew_events(node, station_id)) == 1
    (tx,) = (await get(node, "/transactions", station_id=station_id))["items"]
    assert tx["start_in_future"] is True and tx["end_before_start"] is True
    assert "the end is" in tx["time_note"] and "before the start" in tx["time_note"]
    # The fleet session list shows the same flags.
    (session,) = (await get(node, "/fleet/sessions", station_id=station_id))["items"]
    assert session["start_in_future"] is True and session["end_before_start"] is True
    await station.close()


async def test_a_clock_behind_counts_only_for_messages_that_were_not_queued(node: Node) -> None:
    queued_id, live_id = random_id("OFFL"), random_id("LIVE")
    for station_id, offline in ((queued_id, True), (live_id, False)):
        station = await RawStation.open(node.ocpp_url, station_id, "2.0.1")
        await station.call("BootNotification", BOOT201)
        started = {
            "eventType": "Started",
            "timestamp": stamp(-7200),
            "triggerReason": "Authorized",
            "seqNo": 0,
            "offline": offline,
            "transactionInfo": {"transactionId": f"{station_id}-T"},
            "evse": {"id": 1, "connectorId": 1},
            "idToken": {"idToken": "TAG", "type": "ISO14443"},
        }
        assert (await station.call("TransactionEvent", started))[0] == 3
        await station.close()
    events = await eventually(lambda: skew_events(node, live_id), "a clock_skew event of the live station")
    assert len(events) == 1 and -7300 < events[0]["data"]["skew_s"] < -7100
    assert await skew_events(node, queued_id) == []  # an offline replay is old, not wrong
    (tx,) = (await get(node, "/transactions", station_id=live_id))["items"]
    assert tx["start_in_future"] is False  # behind is no start in the future


async def test_the_report_interval_and_the_limit_are_settings(node: Node) -> None:
    requests = node.app.requests
    assert requests is not None
    requests.settings = replace(requests.settings, clock_skew_report_every_s=0.0, clock_skew_limit_s=30.0)
    station_id = random_id("EVERY")
    station = await RawStation.open(node.ocpp_url, station_id, "1.6")
    await station.call("BootNotification", BOOT16)
    for _ in range(2):
        status = {"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": stamp(60)}
        assert (await station.call("StatusNotification", status))[0] == 3

    async def two() -> bool:
        return len(await skew_events(node, station_id)) == 2

    await eventually(two, "a clock_skew event per message")
    await station.close()
