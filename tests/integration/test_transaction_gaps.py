"""Transactions with a seqNo gap (2.0.1 E14) over real sockets, with the public ``ocpp`` package's
2.0.1 charge point: the CSMS asks GetTransactionStatus and waits for the missing events before the
transaction is final; the finalise hook runs once, in the finalising commit; transaction.finalised
follows; the wait is bounded; the REST route sends GetTransactionStatus."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import websockets
from ocpp.routing import on
from ocpp.v201 import ChargePoint as Cp201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.domain.events import EventKind
from chargebridge.domain.transactions import TransactionState
from chargebridge.store.schema import station_events
from tests.conftest import PG_HOST, PG_PORT, Node, need_service, random_id, start_node
from tests.integration.helpers import BOOT16, RawStation


def ts(offset_s: float = 0) -> str:
    return (datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(seconds=offset_s)).isoformat().replace("+00:00", "Z")


class GapStation(Cp201):
    """Answers GetTransactionStatus with what the test says is still queued."""

    queued: bool = True
    asked: list[dict[str, Any]]

    @on(Action201.get_transaction_status)
    async def on_status(self, **kwargs: Any) -> result201.GetTransactionStatus:
        self.asked.append(kwargs)
        return result201.GetTransactionStatus(messages_in_queue=self.queued, ongoing_indicator=False)


@contextlib.asynccontextmanager
async def station(node: Node, queued: bool = True) -> AsyncIterator[GapStation]:
    station_id = random_id("GAP")
    async with websockets.connect(f"{node.ocpp_url}/{station_id}", subprotocols=["ocpp2.0.1"]) as ws:
        cp = GapStation(station_id, ws)
        cp.asked, cp.queued = [], queued
        task = asyncio.create_task(cp.start())
        try:
            boot = await cp.call(
                call201.BootNotification(charging_station={"model": "G1", "vendor_name": "Gap"}, reason="PowerUp")
            )
            assert boot.status == "Accepted"
            yield cp
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def event(kind: str, seq: int, tx: str, wh: float, *, offline: bool = False, **extra: Any) -> call201.TransactionEvent:
    context = {"Started": "Transaction.Begin", "Ended": "Transaction.End"}.get(kind, "Sample.Periodic")
    return call201.TransactionEvent(
        event_type=kind,
        timestamp=ts(seq * 60),
        trigger_reason={"Started": "Authorized", "Ended": "StopAuthorized"}.get(kind, "MeterValuePeriodic"),
        seq_no=seq,
        transaction_info={"transaction_id": tx, **({"stopped_reason": "Local"} if kind == "Ended" else {})},
        evse={"id": 1, "connector_id": 1},
        offline=offline,
        meter_value=[
            {
                "timestamp": ts(seq * 60),
                "sampled_value": [
                    {
                        "value": wh,
                        "measurand": "Energy.Active.Import.Register",
                        "context": context,
                        "unit_of_measure": {"unit": "Wh"},
                    }
                ],
            }
        ],
        **extra,
    )


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 10.0) -> Any:
    async with asyncio.timeout(timeout):
        while True:
            result = await check()
            if result:
                return result
            await asyncio.sleep(0.05)


async def transaction(node: Node, station_id: str, tx: str) -> dict[str, Any]:
    async with node.client() as http:
        answer = await http.get(f"/api/v1/stations/{station_id}/transactions/{tx}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def gap_node(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Node]:
    """A node with a short wait for missing events (SQLite and PostgreSQL)."""
    url = None
    schema = None
    if request.param == "postgresql":
        need_service("PostgreSQL", PG_HOST, PG_PORT)
        import asyncpg

        schema = f"cb_test_gap_{random_id('x')[2:].replace('-', '')}"
        conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        await conn.close()
        url = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/test?schema={schema}"
    node = await start_node(tmp_path, url, auto_register=True, transaction_gap_wait_s=30.0, transaction_gap_grace_s=0.5)
    try:
        yield node
    finally:
        await node.app.stop()
        if schema is not None:
            import asyncpg

            conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
            await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await conn.close()


def finalise_recorder(node: Node) -> list[TransactionState]:
    """A finalise hook like billing's: writes in the finalising commit, counts its calls."""
    calls: list[TransactionState] = []
    assert node.app.store is not None

    async def hook(conn: AsyncConnection, state: TransactionState, pk: int, now: datetime) -> None:
        calls.append(state)
        await conn.execute(
            insert(station_events).values(
                station_id=state.station_id,
                at=now,
                kind="test_finalised",
                data={"transaction_id": state.transaction_id, "completeness": state.completeness},
            )
        )

    node.app.store.finalise_hooks.append(hook)
    return calls


async def test_gap_waits_for_the_missing_event_then_finalises_once(gap_node: Node) -> None:
    calls = finalise_recorder(gap_node)
    events = gap_node.app.bus.subscribe("test", {EventKind.TRANSACTION_ENDED, EventKind.TRANSACTION_FINALISED})
    async with station(gap_node, queued=True) as cp:
        await cp.call(event("Started", 0, "TX-GAP-1", 1000, id_token={"id_token": "A", "type": "ISO14443"}))
        await cp.call(event("Updated", 1, "TX-GAP-1", 1500))
        # seqNo 2 is lost on the way (offline queue); the Ended event arrives with seqNo 3.
        await cp.call(event("Ended", 3, "TX-GAP-1", 3000, offline=True))
        row = await transaction(gap_node, cp.id, "TX-GAP-1")
        assert row["active"] is False
        assert row["completeness"] == "awaiting_events" and row["missing_seq_nos"] == [2]
        assert row["finalised_at"] is None and calls == []
        async with gap_node.client() as http:  # billing writes its CDR at finalisation, not at the Ended event
            assert (await http.get("/api/v1/cdrs", params={"station_id": cp.id})).json()["total"] == 0
        ended = await asyncio.wait_for(events.get(), 5)
        assert ended.kind is EventKind.TRANSACTION_ENDED and ended.data["completeness"] == "awaiting_events"
        # The CSMS asks the station whether more is coming.
        await eventually(lambda: asyncio.sleep(0, cp.asked))
        assert cp.asked == [{"transaction_id": "TX-GAP-1"}]
        assert calls == []
        # The missing event arrives late: the transaction is complete and final, exactly once.
        await cp.call(event("Updated", 2, "TX-GAP-1", 2200, offline=True))
        row = await transaction(gap_node, cp.id, "TX-GAP-1")
        assert row["completeness"] == "complete" and row["finalised_at"] is not None
        assert row["missing_seq_nos"] is None and row["energy_wh"] == 2000
        finalised = await asyncio.wait_for(events.get(), 5)
        assert finalised.kind is EventKind.TRANSACTION_FINALISED
        assert finalised.data["completeness"] == "complete" and finalised.data["transaction_id"] == "TX-GAP-1"
        # A repeat of any event changes nothing and finalises nothing again.
        await cp.call(event("Updated", 2, "TX-GAP-1", 2200, offline=True))
        await cp.call(event("Ended", 3, "TX-GAP-1", 3000, offline=True))
    assert [state.transaction_id for state in calls] == ["TX-GAP-1"] and calls[0].completeness == "complete"
    assert gap_node.app.store is not None
    written = await gap_node.app.store.list_station_events(cp.id, kind="test_finalised")
    assert [item["data"]["transaction_id"] for item in written] == ["TX-GAP-1"]
    async with gap_node.client() as http:
        cdrs = (await http.get("/api/v1/cdrs", params={"station_id": cp.id})).json()
    assert cdrs["total"] == 1 and cdrs["items"][0]["total_energy"] == 2.0  # kWh, the late event included
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(events.get(), 0.3)  # no second transaction.finalised


async def test_complete_transaction_is_final_at_its_ended_event(gap_node: Node) -> None:
    calls = finalise_recorder(gap_node)
    async with station(gap_node) as cp:
        # A station that numbers across transactions: this one starts at 7.
        await cp.call(event("Started", 7, "TX-FULL", 100))
        await cp.call(event("Updated", 8, "TX-FULL", 150))
        await cp.call(event("Ended", 9, "TX-FULL", 400))
        row = await transaction(gap_node, cp.id, "TX-FULL")
        assert row["completeness"] == "complete" and row["finalised_at"] is not None
        assert cp.asked == []  # nothing missing: no GetTransactionStatus
    assert [state.transaction_id for state in calls] == ["TX-FULL"]


async def test_nothing_queued_finalises_incomplete_after_the_grace(gap_node: Node) -> None:
    calls = finalise_recorder(gap_node)
    async with station(gap_node, queued=False) as cp:
        await cp.call(event("Started", 0, "TX-LOST", 100))
        await cp.call(event("Ended", 2, "TX-LOST", 900, offline=True))
        await eventually(lambda: asyncio.sleep(0, cp.asked))

        async def final() -> dict[str, Any] | None:
            row = await transaction(gap_node, cp.id, "TX-LOST")
            return row if row["completeness"] == "incomplete" else None

        row = await eventually(final, timeout=10)
        assert row["missing_seq_nos"] == [1] and "1" in row["finalise_note"]
        assert row["energy_wh"] == 800  # the Ended event's register still counts
    assert [(state.transaction_id, state.completeness) for state in calls] == [("TX-LOST", "incomplete")]
    assert gap_node.app.store is not None
    asked = await gap_node.app.store.list_station_events(cp.id, kind="transaction_status")
    assert asked[0]["data"] == {"transaction_id": "TX-LOST", "messages_in_queue": False, "ongoing_indicator": False}


async def test_the_wait_is_bounded(tmp_path: Path) -> None:
    node = await start_node(tmp_path, None, auto_register=True, transaction_gap_wait_s=1.0, transaction_gap_grace_s=0.5)
    try:
        calls = finalise_recorder(node)
        async with station(node, queued=True) as cp:  # says more is coming, never sends it
            await cp.call(event("Started", 0, "TX-NEVER", 100))
            await cp.call(event("Ended", 3, "TX-NEVER", 900, offline=True))

            async def final() -> dict[str, Any] | None:
                row = await transaction(node, cp.id, "TX-NEVER")
                return row if row["completeness"] == "incomplete" else None

            row = await eventually(final, timeout=10)
            assert row["missing_seq_nos"] == [1, 2]
            # An event arriving after finalisation is stored but finalises nothing again.
            await cp.call(event("Updated", 1, "TX-NEVER", 300, offline=True))
            assert (await transaction(node, cp.id, "TX-NEVER"))["completeness"] == "incomplete"
        assert len(calls) == 1
    finally:
        await node.app.stop()


async def test_rest_route_sends_get_transaction_status(gap_node: Node) -> None:
    async with station(gap_node, queued=True) as cp:
        await cp.call(event("Started", 0, "TX-REST", 100))
        async with gap_node.client() as http:
            answer = await http.get(f"/api/v1/stations/{cp.id}/transactions/TX-REST/status")
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert body["action"] == "GetTransactionStatus"
            assert body["messages_in_queue"] is True and body["ongoing_indicator"] is False
            assert body["transaction"]["active"] is True and body["transaction"]["completeness"] is None
            assert cp.asked[-1] == {"transaction_id": "TX-REST"}
            whole = await http.get(f"/api/v1/stations/{cp.id}/transaction-status")
            assert whole.status_code == 200 and cp.asked[-1] == {}
            viewer = await gap_node.token("viewer")
            refused = await http.get(
                f"/api/v1/stations/{cp.id}/transactions/TX-REST/status", headers={"Authorization": f"Bearer {viewer}"}
            )
            assert refused.status_code == 403
            missing = await http.get("/api/v1/stations/NOPE-1/transactions/TX/status")
            assert missing.status_code == 404


async def test_16_stop_is_final_at_once(gap_node: Node) -> None:
    calls = finalise_recorder(gap_node)
    station_id = random_id("G16")
    raw = await RawStation.open(gap_node.ocpp_url, station_id, "1.6")
    try:
        assert (await raw.call("BootNotification", BOOT16))[2]["status"] == "Accepted"
        started = await raw.call(
            "StartTransaction", {"connectorId": 1, "idTag": "T16", "meterStart": 10, "timestamp": ts()}
        )
        tx = started[2]["transactionId"]
        await raw.call("StopTransaction", {"transactionId": tx, "meterStop": 510, "timestamp": ts(60)})
        row = await transaction(gap_node, station_id, str(tx))
        assert row["completeness"] == "complete" and row["finalised_at"] is not None
        async with gap_node.client() as http:
            refused = await http.get(f"/api/v1/stations/{station_id}/transactions/{tx}/status")
            assert refused.status_code == 422  # GetTransactionStatus has no 1.6 form
    finally:
        await raw.close()
    assert [state.transaction_id for state in calls] == [str(tx)]
