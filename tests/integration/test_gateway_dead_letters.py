"""Dead letters of the translating gateway and what an operator does with them over its HTTP API: a
queued message the upstream refused ``max_attempts`` times is sent again once the cause is fixed
upstream (``POST .../retry``), or deleted on purpose (``DELETE``). Real sockets: a 1.6 station on
the wire, the gateway, a 2.0.1 CSMS on the ``ocpp`` package that refuses TransactionEvent with a
CALLERROR until told otherwise, the HTTP API over httpx."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from chargebridge.rpc import OcppVersion
from chargebridge.translate.service import TranslatingGateway
from tests.conftest import PG_HOST, PG_PORT, need_service
from tests.integration.gateway_helpers import start_gateway, station_url
from tests.integration.helpers import BOOT16, BOOT201, RawStation
from tests.integration.ocpp_peers import Csms16, Csms201, wait_for

TOKEN = "operator-token-123"
REFUSED = "idToken TAG-NEW is not registered"
START = {"connectorId": 1, "idTag": "TAG-NEW", "meterStart": 10, "timestamp": "2026-06-01T10:00:00Z"}
CONFIG = """
[gateway]
reconnect_min_s = 0.05
reconnect_max_s = 0.3
call_timeout_s = 5
answer_wait_s = 3
max_attempts = 1
"""
WITH_TOKEN = CONFIG + f'\n[metrics]\nbearer_token = "{TOKEN}"\n'
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest) -> AsyncIterator[str | None]:
    if request.param == "sqlite":
        yield None
        return
    need_service("PostgreSQL", PG_HOST, PG_PORT)
    import asyncpg

    schema = f"cb_gwdl_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/test?schema={schema}"
    finally:
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()


@pytest.fixture
async def csms() -> AsyncIterator[Csms201]:
    server = Csms201()
    server.refusing = {"TransactionEvent": REFUSED}
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def open_gateway(
    tmp_path: Path, csms: Csms201, config: str = WITH_TOKEN, database_url: str | None = None
) -> tuple[TranslatingGateway, httpx.AsyncClient]:
    gateway = await start_gateway(
        tmp_path, csms.url, OcppVersion.V201, config=config, database_url=database_url, http_port=0
    )
    return gateway, httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.http_port}")


async def until(condition: Callable[[], Awaitable[bool]], what: str, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def dead_letter(gateway: TranslatingGateway, station_id: str) -> tuple[RawStation, dict[str, Any]]:
    """The station starts a transaction the upstream refuses: the station is answered by the gateway,
    the TransactionEvent is set aside at once (max_attempts 1)."""
    station = await RawStation.open(station_url(gateway), station_id)
    assert (await station.call("BootNotification", BOOT16))[2]["status"] == "Accepted"
    before = gateway.stats.dead_letters
    start = await station.call("StartTransaction", START)
    assert start[0] == 3 and start[2]["idTagInfo"]["status"] == "Accepted"
    await wait_for(lambda: gateway.stats.dead_letters == before + 1, what="the dead letter")

    async def recorded() -> bool:  # counted first, then its row marked failed
        return len(await gateway.translator_store.failed(station_id)) == 1

    await until(recorded, "the dead letter's row")
    rows = await gateway.translator_store.failed(station_id)
    assert len(rows) == 1 and rows[0]["action"] == "TransactionEvent"
    assert rows[0]["error"] == f"GenericError: {REFUSED}"
    return station, rows[0]


def events(csms: Csms201, station_id: str) -> list[dict[str, Any]]:
    return csms.calls("TransactionEvent", station_id)


async def test_a_dead_letter_is_retried_once_the_upstream_accepts(
    tmp_path: Path, csms: Csms201, database_url: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    gateway, http = await open_gateway(tmp_path, csms, database_url=database_url)
    try:
        station, row = await dead_letter(gateway, "CP-RETRY")
        item = row["item_no"]
        listed = (await http.get("/api/v1/gateway/dead-letters", headers=AUTH)).json()
        assert [(r["station_id"], r["item_no"], r["status"], r["attempts"]) for r in listed] == [
            ("CP-RETRY", item, "failed", 1)
        ]
        refused = events(csms, "CP-RETRY")
        assert len(refused) == 1 and not refused[0].get("offline")

        csms.refusing.clear()  # the token is registered upstream now
        with caplog.at_level(logging.WARNING, logger="chargebridge.translate"):
            answer = await http.post(
                f"/api/v1/gateway/dead-letters/CP-RETRY/{item}/retry", headers=AUTH, json={"by": "alice"}
            )
        assert answer.status_code == 200, answer.text
        requeued = answer.json()
        assert (requeued["station_id"], requeued["item_no"], requeued["action"]) == (
            "CP-RETRY",
            item,
            "TransactionEvent",
        )
        assert (requeued["status"], requeued["attempts"], requeued["error"]) == ("queued", 0, None)
        assert requeued["payload"] == row["payload"]
        assert any(
            "CP-RETRY" in r.getMessage() and f"dead letter {item}" in r.getMessage() and "'alice'" in r.getMessage()
            for r in caplog.records
        )

        await wait_for(lambda: len(events(csms, "CP-RETRY")) == 2, what="the retried TransactionEvent")
        replay = events(csms, "CP-RETRY")[1]
        # The message as it was queued, sent as a replay: its own seqNo and transaction, offline true.
        assert replay["seqNo"] == row["payload"]["seqNo"] == refused[0]["seqNo"]
        assert replay["transactionInfo"]["transactionId"] == row["payload"]["transactionInfo"]["transactionId"]
        assert replay["eventType"] == "Started" and replay["offline"] is True
        # Delivered: the row leaves the queue, nothing is failed or queued any more.
        await until(lambda: _empty(gateway), "the delivered row to leave the queue")
        assert gateway.bridges["CP-RETRY"].queued == 0
        assert (await http.get("/api/v1/gateway/dead-letters", headers=AUTH)).json() == []

        # Not a dead letter any more: a second retry finds nothing, nothing more goes out.
        again = await http.post(f"/api/v1/gateway/dead-letters/CP-RETRY/{item}/retry", headers=AUTH)
        assert again.status_code == 404
        metrics = (await http.get("/metrics", headers=AUTH)).text
        assert "chargebridge_gateway_dead_letters_retried_total 1.0" in metrics
        assert "chargebridge_gateway_dead_letters_total 1.0" in metrics

        # The transaction goes on as usual behind it.
        stop = {"transactionId": 1, "meterStop": 500, "timestamp": "2026-06-01T11:00:00Z", "reason": "Local"}
        assert (await station.call("StopTransaction", stop))[0] == 3
        await wait_for(lambda: len(events(csms, "CP-RETRY")) == 3, what="the stop")
        assert events(csms, "CP-RETRY")[2]["eventType"] == "Ended"
        assert len(events(csms, "CP-RETRY")) == 3
        await station.close()
    finally:
        await http.aclose()
        await gateway.stop()


async def _empty(gateway: TranslatingGateway) -> bool:
    return await gateway.translator_store.counts() == {}


async def test_concurrent_retries_of_one_dead_letter_deliver_it_once(
    tmp_path: Path, csms: Csms201, database_url: str | None
) -> None:
    gateway, http = await open_gateway(tmp_path, csms, database_url=database_url)
    try:
        station, row = await dead_letter(gateway, "CP-TWICE")
        csms.refusing.clear()
        url = f"/api/v1/gateway/dead-letters/CP-TWICE/{row['item_no']}/retry"
        answers = await asyncio.gather(*(http.post(url, headers=AUTH) for _ in range(4)))
        assert sorted(a.status_code for a in answers) == [200, 404, 404, 404]
        await until(lambda: _empty(gateway), "the delivered row to leave the queue")
        await asyncio.sleep(0.3)  # a second copy would have gone out by now
        assert [e["seqNo"] for e in events(csms, "CP-TWICE")] == [row["payload"]["seqNo"]] * 2  # refused, retried
        assert gateway.stats.dead_letters_retried == 1
        await station.close()
    finally:
        await http.aclose()
        await gateway.stop()


async def test_a_retry_while_the_station_is_away_is_delivered(tmp_path: Path, csms: Csms201) -> None:
    gateway, http = await open_gateway(tmp_path, csms)
    try:
        station, row = await dead_letter(gateway, "CP-AWAY")
        await station.close()
        # Nothing queued and no station: the bridge closes its upstream leg and is forgotten.
        await wait_for(lambda: "CP-AWAY" not in gateway.bridges, what="the bridge to retire")
        csms.refusing.clear()
        answer = await http.post(f"/api/v1/gateway/dead-letters/CP-AWAY/{row['item_no']}/retry", headers=AUTH)
        assert answer.status_code == 200 and answer.json()["status"] == "queued"
        await wait_for(lambda: len(events(csms, "CP-AWAY")) == 2, what="the retried TransactionEvent")
        replay = events(csms, "CP-AWAY")[1]
        assert replay["seqNo"] == row["payload"]["seqNo"] and replay["offline"] is True
        await until(lambda: _empty(gateway), "the delivered row to leave the queue")
        # Drained: the bridge made for the delivery goes again.
        await wait_for(lambda: "CP-AWAY" not in gateway.bridges, what="the drained bridge to retire")
        assert len(events(csms, "CP-AWAY")) == 2
    finally:
        await http.aclose()
        await gateway.stop()


async def test_a_retried_dead_letter_goes_after_what_is_queued(tmp_path: Path, csms: Csms201) -> None:
    gateway, http = await open_gateway(tmp_path, csms)
    try:
        station, row = await dead_letter(gateway, "CP-ORDER")
        await csms.stop()  # the upstream goes away; the station's next message is queued
        csms.refusing.clear()
        await wait_for(lambda: not gateway.bridges["CP-ORDER"].upstream_online, what="the upstream to be away")
        values = {
            "connectorId": 1,
            "transactionId": 1,
            "meterValue": [{"timestamp": "2026-06-01T10:05:00Z", "sampledValue": [{"value": "200", "unit": "Wh"}]}],
        }
        assert (await station.call("MeterValues", values))[0] == 3
        queued = await gateway.translator_store.counts()
        assert queued == {"failed": 1, "queued": 1}
        # A queued message is not a dead letter: nothing to retry.
        pending = row["item_no"] + 1
        assert (
            await http.post(f"/api/v1/gateway/dead-letters/CP-ORDER/{pending}/retry", headers=AUTH)
        ).status_code == 404
        assert (
            await http.post(f"/api/v1/gateway/dead-letters/CP-ORDER/{row['item_no']}/retry", headers=AUTH)
        ).status_code == 200
        assert gateway.bridges["CP-ORDER"].queued == 2
        await csms.start()
        await wait_for(lambda: len(events(csms, "CP-ORDER")) == 3, what="the replay")
        replayed = events(csms, "CP-ORDER")[1:]
        assert [(e["eventType"], e["seqNo"], e["offline"]) for e in replayed] == [
            ("Updated", row["payload"]["seqNo"] + 1, True),
            ("Started", row["payload"]["seqNo"], True),
        ]
        await until(lambda: _empty(gateway), "the queue to drain")
        await station.close()
    finally:
        await http.aclose()
        await gateway.stop()


async def test_a_dead_letter_discarded_on_purpose(
    tmp_path: Path, csms: Csms201, caplog: pytest.LogCaptureFixture
) -> None:
    gateway, http = await open_gateway(tmp_path, csms)
    try:
        station_a, row_a = await dead_letter(gateway, "CP-DROP-A")
        station_b, row_b = await dead_letter(gateway, "CP-DROP-B")
        listed = await http.get("/api/v1/gateway/dead-letters", params={"station_id": "CP-DROP-B"}, headers=AUTH)
        assert [(r["station_id"], r["item_no"]) for r in listed.json()] == [("CP-DROP-B", row_b["item_no"])]
        assert len((await http.get("/api/v1/gateway/dead-letters", headers=AUTH)).json()) == 2

        url = f"/api/v1/gateway/dead-letters/CP-DROP-A/{row_a['item_no']}"
        with caplog.at_level(logging.WARNING, logger="chargebridge.translate"):
            gone = await http.request(
                "DELETE", url, headers=AUTH, json={"reason": "test transaction\nnot billable", "by": "bob"}
            )
        assert gone.status_code == 204 and gone.content == b""
        lines = [r.getMessage() for r in caplog.records if "discarded" in r.getMessage()]
        assert len(lines) == 1
        line = lines[0]
        assert f"CP-DROP-A: dead letter {row_a['item_no']} (TransactionEvent) discarded by 'bob'" in line
        assert "'test transaction\\nnot billable'" in line and "\n" not in line  # one line, whatever was sent
        assert await gateway.translator_store.failed("CP-DROP-A") == []
        assert await gateway.translator_store.counts() == {"failed": 1}  # CP-DROP-B's is still there
        metrics = (await http.get("/metrics", headers=AUTH)).text
        assert "chargebridge_gateway_dead_letters_discarded_total 1.0" in metrics

        assert (await http.delete(url, headers=AUTH)).status_code == 404  # gone already
        assert (await http.post(f"{url}/retry", headers=AUTH)).status_code == 404
        # the reason as a query parameter
        url_b = f"/api/v1/gateway/dead-letters/CP-DROP-B/{row_b['item_no']}"
        assert (await http.delete(url_b, params={"reason": "duplicate"}, headers=AUTH)).status_code == 204
        assert any("CP-DROP-B" in r.getMessage() and "'duplicate'" in r.getMessage() for r in caplog.records)
        assert gateway.stats.dead_letters_discarded == 2
        assert await gateway.translator_store.counts() == {}
        assert len(events(csms, "CP-DROP-A")) == 1  # the refused attempt only: nothing was sent again
        await station_a.close()
        await station_b.close()
    finally:
        await http.aclose()
        await gateway.stop()


async def test_unknown_dead_letters(tmp_path: Path, csms: Csms201) -> None:
    gateway, http = await open_gateway(tmp_path, csms)
    try:
        station, row = await dead_letter(gateway, "CP-KNOWN")
        for station_id, item in (("CP-NOBODY", row["item_no"]), ("CP-KNOWN", row["item_no"] + 100)):
            url = f"/api/v1/gateway/dead-letters/{station_id}/{item}"
            retry = await http.post(f"{url}/retry", headers=AUTH)
            assert retry.status_code == 404 and "no dead letter" in retry.json()["detail"]
            assert (await http.delete(url, headers=AUTH)).status_code == 404
        assert (await http.post("/api/v1/gateway/dead-letters/CP-KNOWN/-1/retry", headers=AUTH)).status_code == 422
        assert (
            await http.post(f"/api/v1/gateway/dead-letters/CP-KNOWN/{2**70}/retry", headers=AUTH)
        ).status_code == 422
        assert await gateway.translator_store.counts() == {"failed": 1}
        await station.close()
    finally:
        await http.aclose()
        await gateway.stop()


async def test_the_write_routes_need_a_configured_token(tmp_path: Path, csms: Csms201) -> None:
    gateway, http = await open_gateway(tmp_path, csms, config=CONFIG)  # no [metrics] token
    try:
        station, row = await dead_letter(gateway, "CP-OPEN")
        url = f"/api/v1/gateway/dead-letters/CP-OPEN/{row['item_no']}"
        for answer in (
            await http.post(f"{url}/retry"),
            await http.delete(url),
            await http.post(f"{url}/retry", headers={"Authorization": "Bearer anything"}),
            await http.delete(url, headers={"Authorization": "Bearer anything"}),
        ):
            assert answer.status_code == 403
            assert "bearer token" in answer.json()["detail"] and "config file" in answer.json()["detail"]
        assert (await http.get("/api/v1/gateway/dead-letters")).status_code == 200  # reading stays open
        assert (await gateway.translator_store.failed("CP-OPEN"))[0]["status"] == "failed"
        await station.close()
    finally:
        await http.aclose()
        await gateway.stop()


async def test_the_write_routes_check_the_token(tmp_path: Path, csms: Csms201) -> None:
    gateway, http = await open_gateway(tmp_path, csms)
    try:
        station, row = await dead_letter(gateway, "CP-GUARD")
        url = f"/api/v1/gateway/dead-letters/CP-GUARD/{row['item_no']}"
        for headers in (
            {},
            {"Authorization": "Bearer wrong-token"},
            {"Authorization": TOKEN},
            {"Authorization": "Basic " + TOKEN},
        ):
            assert (await http.post(f"{url}/retry", headers=headers)).status_code == 401
            assert (await http.delete(url, headers=headers)).status_code == 401
            assert (await http.get("/api/v1/gateway/dead-letters", headers=headers)).status_code == 401
        assert (await gateway.translator_store.failed("CP-GUARD"))[0]["status"] == "failed"
        assert gateway.stats.dead_letters_retried == gateway.stats.dead_letters_discarded == 0
        assert (await http.delete(url, headers=AUTH)).status_code == 204
        await station.close()
    finally:
        await http.aclose()
        await gateway.stop()


def event201(event_type: str, seq_no: int, tx: str, **extra: Any) -> dict[str, Any]:
    return {
        "eventType": event_type,
        "timestamp": "2026-06-01T12:00:00Z",
        "triggerReason": "Authorized" if event_type == "Started" else "StopAuthorized",
        "seqNo": seq_no,
        "transactionInfo": {"transactionId": tx, **extra.pop("info", {})},
        **extra,
    }


async def test_a_retried_stop_finds_its_transaction_for_a_16_upstream(tmp_path: Path) -> None:
    """2.0.1 station, 1.6 upstream: the StopTransaction needs the upstream's transactionId at send
    time. Many transactions later the session is no longer in the bridge's memory; the retry reads it back."""
    csms = Csms16()
    csms.refusing = {"StopTransaction": "not now"}
    await csms.start()
    config = WITH_TOKEN
    gateway = await start_gateway(tmp_path, csms.url, OcppVersion.V16, config=config, http_port=0)
    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.http_port}")
    try:
        station = await RawStation.open(station_url(gateway), "CP-201", version="2.0.1")
        assert (await station.call("BootNotification", BOOT201))[2]["status"] == "Accepted"
        token = {"idToken": "TAG", "type": "ISO14443"}
        seq = iter(range(1000))

        async def transaction(tx: str) -> None:
            started = event201("Started", next(seq), tx, idToken=token, evse={"id": 1, "connectorId": 1})
            assert (await station.call("TransactionEvent", started))[0] == 3
            ended = event201("Ended", next(seq), tx, info={"stoppedReason": "Local"})
            assert (await station.call("TransactionEvent", ended))[0] == 3

        await transaction("tx-first")
        await until(lambda: _failed(gateway, "CP-201"), "the dead letter")
        row = (await gateway.translator_store.failed("CP-201"))[0]
        assert row["action"] == "StopTransaction"
        first_id = csms.calls("StartTransaction")  # answered with the upstream's id 1001
        assert (
            len(first_id) == 1 and gateway.bridges["CP-201"].state.sessions[row["session_key"]].upstream_tx_id == "1001"
        )
        csms.refusing.clear()
        for n in range(34):
            await transaction(f"tx-{n}")
        await wait_for(lambda: len(csms.calls("StopTransaction")) == 35, what="the later stops")
        assert row["session_key"] not in gateway.bridges["CP-201"].state.sessions  # pruned from memory

        answer = await http.post(f"/api/v1/gateway/dead-letters/CP-201/{row['item_no']}/retry", headers=AUTH)
        assert answer.status_code == 200
        await wait_for(lambda: len(csms.calls("StopTransaction")) == 36, what="the retried stop")
        assert csms.calls("StopTransaction")[-1]["transactionId"] == 1001
        await until(lambda: _empty(gateway), "the queue to drain")
        await station.close()
    finally:
        await http.aclose()
        await gateway.stop()
        await csms.stop()


async def _failed(gateway: TranslatingGateway, station_id: str) -> bool:
    return bool(await gateway.translator_store.failed(station_id))
