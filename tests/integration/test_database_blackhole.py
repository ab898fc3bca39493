"""A hung PostgreSQL (issue 11, item 5): connections stay open, nothing answers.

Before the time limits, nothing timed out: stations got neither CALLRESULT nor CALLERROR, REST
reads hung and nothing was logged. Now: the station gets InternalError once the retry window is
over, reads answer 503 at once, the outage is logged once when it starts and once when it ends
(with its duration), /readyz and the metrics show it, and nothing acknowledged is lost or doubled.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import PG_HOST, PG_PORT, Node, need_service, start_node
from tests.integration.helpers import BOOT16, RawStation
from tests.integration.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres

WINDOW_S = 3.0


@dataclass
class Outage:
    node: Node
    proxy: TcpProxy
    admin: asyncpg.Connection
    schema: str


@pytest.fixture
async def outage(tmp_path: Path) -> AsyncIterator[Outage]:
    need_service("PostgreSQL", PG_HOST, PG_PORT)
    schema = f"cb_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    proxy = TcpProxy(PG_HOST, PG_PORT)
    port = await proxy.start()
    node = await start_node(
        tmp_path,
        f"postgresql+asyncpg://postgres@127.0.0.1:{port}/test?schema={schema}",
        auto_register=True,
        store_retry_window_s=WINDOW_S,
        db_connect_timeout_s=1.0,
        db_statement_timeout_s=2.0,
        db_pool_timeout_s=1.0,
    )
    try:
        yield Outage(node, proxy, admin, schema)
    finally:
        proxy.restore()
        await node.app.stop(timeout_s=10)
        await proxy.cut()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


async def _eventually(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        result = condition() if callable(condition) else condition
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


def _metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in the metrics")


async def test_a_hung_database_gets_answers_errors_and_a_single_log_of_the_outage(
    outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    node, proxy = outage.node, outage.proxy
    caplog.set_level(logging.INFO, logger="chargebridge.store.health")
    station = await RawStation.open(node.ocpp_url, "HUNG-1", "1.6")
    await station.call("BootNotification", BOOT16)
    start = await station.call(
        "StartTransaction", {"connectorId": 1, "idTag": "X", "meterStart": 0, "timestamp": "2026-11-23T10:00:00Z"}
    )
    tx_id = start[2]["transactionId"]
    meter = {
        "connectorId": 1,
        "transactionId": tx_id,
        "meterValue": [{"timestamp": "2026-11-23T10:30:00Z", "sampledValue": [{"value": "3500"}]}],
    }
    stop = {"transactionId": tx_id, "meterStop": 7000, "timestamp": "2026-11-23T11:00:00Z"}

    proxy.blackhole()
    blackholed_at = time.monotonic()

    # The station gets the spec's CALLERROR once the retry window is over: never silence.
    started = time.monotonic()
    refused = await station.call("MeterValues", meter, timeout=WINDOW_S + 10)
    took = time.monotonic() - started
    assert refused[0] == 4 and refused[2] == "InternalError", refused
    assert WINDOW_S - 0.5 <= took <= WINDOW_S + 2.0, took

    async with node.client() as api:
        # REST reads answer 503 within a bound instead of hanging
        started = time.monotonic()
        response = await api.get("/api/v1/transactions", timeout=15)
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"]
        assert time.monotonic() - started < 5.0
        # a route that reads the engine itself (webhooks) is bounded by the time limits: 503 too
        started = time.monotonic()
        response = await api.get("/api/v1/webhooks", timeout=15)
        assert response.status_code == 503, response.text
        assert time.monotonic() - started < 8.0
        # readiness says why; liveness stays up
        ready = await api.get("/readyz", timeout=15)
        assert ready.status_code == 503
        body = ready.json()
        assert body["checks"]["database"]["ok"] is False
        assert "database" in body["reason"]
        live = await api.get("/healthz", timeout=15)
        assert live.status_code == 200 and live.json()["database"] == "unreachable"
        metrics = (await api.get("/metrics", timeout=15)).text
        assert _metric(metrics, "chargebridge_db_up") == 0
        assert _metric(metrics, "chargebridge_db_outages_total") == 1
        assert _metric(metrics, "chargebridge_db_outage_seconds") > 0
    assert (await station.call("Heartbeat", {}))[0] == 3  # what needs no database is still answered

    # A second message during the same outage: again InternalError within the window.
    refused = await station.call("StopTransaction", stop, timeout=WINDOW_S + 10)
    assert refused[0] == 4 and refused[2] == "InternalError", refused
    outage_s = time.monotonic() - blackholed_at

    proxy.restore()
    async with node.client() as api:

        async def ready() -> bool:
            return (await api.get("/readyz", timeout=15)).status_code == 200

        await _eventually(ready, timeout=15)
        metrics = (await api.get("/metrics", timeout=15)).text
        assert _metric(metrics, "chargebridge_db_up") == 1
        assert _metric(metrics, "chargebridge_db_outage_duration_seconds_total") >= outage_s - 1.5

    # The station's retries go through; a duplicate is not applied twice.
    assert (await station.call("MeterValues", meter, timeout=15))[0] == 3
    assert (await station.call("StopTransaction", stop, timeout=15))[0] == 3
    assert (await station.call("StopTransaction", stop, timeout=15))[0] == 3
    await station.close()

    rows = await outage.admin.fetch(f'SELECT transaction_id, energy_wh, active FROM "{outage.schema}".transactions')
    assert [(r["transaction_id"], r["energy_wh"], r["active"]) for r in rows] == [(str(tx_id), 7000.0, False)]
    samples = await outage.admin.fetchval(
        f"SELECT count(*) FROM \"{outage.schema}\".meter_samples WHERE transaction_id = '{tx_id}'"
    )
    assert samples == 1

    # Logged once when it started and once when it ended, with the duration.
    started_lines = [r for r in caplog.records if "database unreachable since" in r.getMessage()]
    ended_lines = [r for r in caplog.records if "database reachable again" in r.getMessage()]
    assert len(started_lines) == 1 and started_lines[0].levelno == logging.ERROR
    assert len(ended_lines) == 1
    logged = float(ended_lines[0].getMessage().split("outage of ")[1].split(" s")[0])
    assert outage_s - 1.5 <= logged <= outage_s + 5.0


async def test_a_hung_database_does_not_hold_up_an_idle_read_for_long(outage: Outage) -> None:
    """No traffic when it hangs: the first read after it still ends within the read bound, and
    the periodic probe declares the outage without any request."""
    node, proxy = outage.node, outage.proxy
    async with node.client() as api:
        assert (await api.get("/api/v1/stations", timeout=15)).status_code == 200
        proxy.blackhole()
        started = time.monotonic()
        try:
            response = await api.get("/api/v1/stations", timeout=15)
        except httpx.TimeoutException:
            pytest.fail("a read hung on the blackholed database")
        assert response.status_code == 503
        # connect 1 s + statement 2 s: the read bound, plus scheduling slack
        assert time.monotonic() - started < 6.0
    health = node.app.store.health if node.app.store is not None else None
    assert health is not None
    await _eventually(lambda: health.down, timeout=10)
