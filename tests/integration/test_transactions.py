"""Exactly-once transactions: replays, duplicate stops, seqNo dedupe, late offline events, orphans."""

from __future__ import annotations

from typing import Any

from tests.conftest import Node, random_id
from tests.integration.helpers import BOOT16, BOOT201, RawStation


async def transactions(node: Node, station_id: str) -> list[dict[str, Any]]:
    async with node.client() as http:
        items: list[dict[str, Any]] = (
            await http.get("/api/v1/transactions", params={"station_id": station_id})
        ).json()["items"]
        return items


async def test_v16_replayed_start_and_duplicate_stop_are_not_double_counted(node: Node) -> None:
    station_id = random_id("R16")
    station = await RawStation.open(node.ocpp_url, station_id, "1.6")
    await station.call("BootNotification", BOOT16)
    start = {"connectorId": 1, "idTag": "NOBODY", "meterStart": 500, "timestamp": "2026-11-23T10:00:00Z"}
    first = await station.call("StartTransaction", start)
    replay = await station.call("StartTransaction", start)  # the answer was "lost": same id comes back
    assert first[0] == replay[0] == 3
    assert first[2]["transactionId"] == replay[2]["transactionId"]
    assert first[2]["idTagInfo"]["status"] == "Invalid"  # unknown token: refused in idTagInfo, not CALLERROR
    tx_id = first[2]["transactionId"]
    stop = {"transactionId": tx_id, "meterStop": 2500, "timestamp": "2026-11-23T11:00:00Z", "reason": "Local"}
    assert (await station.call("StopTransaction", stop))[0] == 3
    assert (await station.call("StopTransaction", stop))[0] == 3
    late_other = dict(stop, meterStop=9999)
    assert (await station.call("StopTransaction", late_other))[0] == 3
    txs = await transactions(node, station_id)
    assert len(txs) == 1
    assert txs[0]["energy_wh"] == 2000 and txs[0]["meter_stop_wh"] == 2500
    await station.close()


async def test_v16_stop_for_unknown_transaction_is_kept_as_orphan(node: Node) -> None:
    station_id = random_id("ORPH")
    station = await RawStation.open(node.ocpp_url, station_id, "1.6")
    await station.call("BootNotification", BOOT16)
    stop = {"transactionId": -1, "meterStop": 4100, "timestamp": "2026-11-23T11:00:00Z", "idTag": "NOBODY"}
    answer = await station.call("StopTransaction", stop)
    assert answer[0] == 3 and answer[2]["idTagInfo"]["status"] == "Invalid"
    assert (await station.call("StopTransaction", stop))[0] == 3  # replay of the orphan: not stored twice
    txs = await transactions(node, station_id)
    assert len(txs) == 1 and txs[0]["orphan"] is True and txs[0]["id"] == "-1"
    await station.close()


def tx_event(event_type: str, seq: int, wh: float, context: str, offline: bool = False, **info: Any) -> dict[str, Any]:
    return {
        "eventType": event_type,
        "timestamp": f"2026-11-23T10:{seq:02d}:00Z",
        "triggerReason": "MeterValuePeriodic",
        "seqNo": seq,
        "offline": offline,
        "transactionInfo": {"transactionId": "TX-OFF-1", **info},
        "evse": {"id": 1, "connectorId": 1},
        "meterValue": [
            {
                "timestamp": f"2026-11-23T10:{seq:02d}:00Z",
                "sampledValue": [{"value": wh, "measurand": "Energy.Active.Import.Register", "context": context}],
            }
        ],
    }


async def test_v201_seqno_dedupe_and_late_offline_events(node: Node) -> None:
    station_id = random_id("R201")
    station = await RawStation.open(node.ocpp_url, station_id, "2.0.1")
    await station.call("BootNotification", BOOT201)
    started = tx_event("Started", 0, 1000, "Transaction.Begin")
    started["idToken"] = {"idToken": "NOBODY", "type": "ISO14443"}
    answer = await station.call("TransactionEvent", started)
    assert answer[0] == 3 and answer[2]["idTokenInfo"]["status"] == "Invalid"
    ended = tx_event("Ended", 3, 4000, "Transaction.End", offline=True, stoppedReason="Local")
    assert (await station.call("TransactionEvent", ended))[0] == 3
    # offline-queued Updated events arrive after the Ended one, one of them twice
    for event in (
        tx_event("Updated", 2, 3000, "Sample.Periodic", True),
        tx_event("Updated", 1, 2000, "Sample.Periodic", True),
    ):
        assert (await station.call("TransactionEvent", event))[0] == 3
    assert (await station.call("TransactionEvent", tx_event("Updated", 1, 2000, "Sample.Periodic", True)))[0] == 3
    assert (await station.call("TransactionEvent", started))[0] == 3  # replayed Started
    txs = await transactions(node, station_id)
    assert len(txs) == 1
    tx = txs[0]
    assert tx["active"] is False and tx["energy_wh"] == 3000 and tx["offline"] is True
    assert tx["meter_start_wh"] == 1000 and tx["meter_stop_wh"] == 4000 and not tx["energy_mismatch"]
    async with node.client() as http:
        samples = (
            await http.get(f"/api/v1/stations/{station_id}/meter-values", params={"transaction_id": "TX-OFF-1"})
        ).json()["items"]
    assert sorted(s["value"] for s in samples) == [1000, 2000, 3000, 4000]  # the duplicate was not stored
    await station.close()


async def test_sampled_energy_mismatch_is_flagged(node: Node) -> None:
    station_id = random_id("MIS")
    station = await RawStation.open(node.ocpp_url, station_id, "1.6")
    await station.call("BootNotification", BOOT16)
    start = await station.call(
        "StartTransaction", {"connectorId": 1, "idTag": "X", "meterStart": 10_000, "timestamp": "2026-11-23T10:00:00Z"}
    )
    tx_id = start[2]["transactionId"]
    # a quirky meter labels kWh as Wh: 12.5 "Wh" while the register is really at 12 500 Wh
    await station.call(
        "MeterValues",
        {
            "connectorId": 1,
            "transactionId": tx_id,
            "meterValue": [{"timestamp": "2026-11-23T10:30:00Z", "sampledValue": [{"value": "12.5", "unit": "Wh"}]}],
        },
    )
    await station.call(
        "StopTransaction", {"transactionId": tx_id, "meterStop": 15_000, "timestamp": "2026-11-23T11:00:00Z"}
    )
    tx = (await transactions(node, station_id))[0]
    assert tx["energy_wh"] == 5000 and tx["energy_mismatch"] is True and "below meter start" in tx["energy_note"]
    await station.close()


async def test_status_error_codes_become_faults_and_clear(node: Node) -> None:
    station_id = random_id("FLT")
    station = await RawStation.open(node.ocpp_url, station_id, "1.6")
    await station.call("BootNotification", BOOT16)
    await station.call(
        "StatusNotification",
        {"connectorId": 1, "errorCode": "GroundFailure", "status": "Faulted", "vendorErrorCode": "E-42"},
    )
    async with node.client() as http:
        faults = (await http.get(f"/api/v1/stations/{station_id}")).json()["faults"]
        assert [(f["code"], f["vendor_code"]) for f in faults] == [("GroundFailure", "E-42")]
        await station.call("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available"})
        assert (await http.get(f"/api/v1/stations/{station_id}")).json()["faults"] == []
    await station.close()


async def test_late_samples_after_stop_recheck_the_energy(node: Node) -> None:
    station_id = random_id("LATE")
    station = await RawStation.open(node.ocpp_url, station_id, "1.6")
    await station.call("BootNotification", BOOT16)
    start = await station.call(
        "StartTransaction", {"connectorId": 1, "idTag": "X", "meterStart": 1000, "timestamp": "2026-11-23T10:00:00Z"}
    )
    tx_id = start[2]["transactionId"]

    def meter(wh: int) -> dict[str, Any]:
        return {
            "connectorId": 1,
            "transactionId": tx_id,
            "meterValue": [{"timestamp": "2026-11-23T10:30:00Z", "sampledValue": [{"value": str(wh)}]}],
        }

    await station.call("MeterValues", meter(2000))
    live = (await transactions(node, station_id))[0]
    assert live["active"] is True and live["energy_wh"] == 1000  # live energy from the latest sample
    await station.call(
        "StopTransaction", {"transactionId": tx_id, "meterStop": 3000, "timestamp": "2026-11-23T11:00:00Z"}
    )
    assert (await transactions(node, station_id))[0]["energy_mismatch"] is False
    await station.call("MeterValues", meter(9000))  # a late replay that contradicts the stop reading
    tx = (await transactions(node, station_id))[0]
    assert tx["energy_wh"] == 2000 and tx["energy_mismatch"] is True and "exceeds meter stop" in tx["energy_note"]
    await station.close()
