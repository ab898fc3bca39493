"""The database going away: no acknowledgement without a commit, nothing lost, nothing doubled, server up."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import asyncpg

from tests.conftest import PG_HOST, PG_PORT, need_service, start_node
from tests.integration.helpers import BOOT16, RawStation
from tests.integration.tcp_proxy import TcpProxy


async def test_transaction_messages_survive_a_database_outage(tmp_path: Path) -> None:
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
        store_retry_window_s=2.0,
    )
    try:
        station = await RawStation.open(node.ocpp_url, "OUTAGE-1", "1.6")
        await station.call("BootNotification", BOOT16)
        start = await station.call(
            "StartTransaction", {"connectorId": 1, "idTag": "X", "meterStart": 0, "timestamp": "2026-11-23T10:00:00Z"}
        )
        tx_id = start[2]["transactionId"]
        stop = {"transactionId": tx_id, "meterStop": 7000, "timestamp": "2026-11-23T11:00:00Z"}

        # 1) a short outage inside the retry window: the answer waits for the commit, then comes
        await proxy.cut()
        pending = asyncio.create_task(
            station.call(
                "MeterValues",
                {
                    "connectorId": 1,
                    "transactionId": tx_id,
                    "meterValue": [{"timestamp": "2026-11-23T10:30:00Z", "sampledValue": [{"value": "3500"}]}],
                },
                timeout=15,
            )
        )
        await asyncio.sleep(0.7)
        assert not pending.done()  # not acknowledged while nothing is durable
        await proxy.start()
        assert (await pending)[0] == 3

        # 2) a long outage: the station gets InternalError (it will retry), the server stays up
        await proxy.cut()
        refused = await station.call("StopTransaction", stop, timeout=15)
        assert refused[0] == 4 and refused[2] == "InternalError"
        assert (await station.call("Heartbeat", {}))[0] == 3  # answered without the database
        await proxy.start()
        accepted = await station.call("StopTransaction", stop, timeout=15)  # the station's retry
        assert accepted[0] == 3
        assert (await station.call("StopTransaction", stop, timeout=15))[0] == 3  # and a duplicate retry

        rows = await admin.fetch(f'SELECT transaction_id, energy_wh, active FROM "{schema}".transactions')
        assert [(r["transaction_id"], r["energy_wh"], r["active"]) for r in rows] == [(str(tx_id), 7000.0, False)]
        samples = await admin.fetchval(
            f"SELECT count(*) FROM \"{schema}\".meter_samples WHERE transaction_id = '{tx_id}'"
        )
        assert samples == 1
        await station.close()
    finally:
        await proxy.start() if proxy._server is None else None
        await node.app.stop()
        await proxy.cut()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()
