"""``chargebridge gateway`` as a real process: a 1.6 charge point's session reaches a 2.0.1 CSMS on the
``ocpp`` package; the process is killed (SIGKILL) while messages wait for an upstream that is away,
started again on the same data directory, and the upstream gets every message once, in order."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from ocpp.v16 import call as call16

from tests.integration.ocpp_peers import Csms201, Station16, free_port, running, wait_for

ENERGY = "Energy.Active.Import.Register"
CONFIG = """
[gateway]
reconnect_min_s = 0.05
reconnect_max_s = 0.3
answer_wait_s = 3

[metrics]
path = "/metrics"
"""


def ts(minute: int) -> str:
    return f"2026-06-03T08:{minute:02d}:00.000Z"


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class GatewayProcess:
    def __init__(self, tmp_path: Path, upstream: str, ocpp_port: int, http_port: int):
        config = tmp_path / "gateway.toml"
        config.write_text(CONFIG)
        self.args = [
            sys.executable,
            "-m",
            "chargebridge",
            "gateway",
            "--upstream",
            upstream,
            "--upstream-version",
            "2.0.1",
            "--host",
            "127.0.0.1",
            "--ocpp-port",
            str(ocpp_port),
            "--data-dir",
            str(tmp_path / "data"),
            "--config",
            str(config),
            "--auto-register",
            "--http-port",
            str(http_port),
            "--log-level",
            "warning",
        ]
        self.ocpp_port = ocpp_port
        self.log = tmp_path / "gateway.log"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(*self.args, stdout=log, stderr=log)
        await wait_for(lambda: port_open(self.ocpp_port), timeout=60, what="the gateway to listen")

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def terminate(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), 30)


@pytest.fixture
async def csms() -> AsyncIterator[Csms201]:
    server = Csms201()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def connect(port: int, station_id: str) -> Any:
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/ocpp/{station_id}", subprotocols=["ocpp1.6"])  # type: ignore[list-item]
    cp = Station16(station_id, ws, response_timeout=15)
    cp.config = {}
    cp.received = []
    return cp


@pytest.mark.timeout(180)
async def test_gateway_process_killed_while_queueing_loses_nothing(tmp_path: Path, csms: Csms201) -> None:
    ocpp_port, http_port = free_port(), free_port()
    process = GatewayProcess(tmp_path, csms.url, ocpp_port, http_port)
    await process.start()
    try:
        cp = await connect(ocpp_port, "CLI-1")
        async with running(cp):
            assert (
                await cp.call(call16.BootNotification(charge_point_vendor="V", charge_point_model="M"))
            ).status == "Accepted"
            start = await cp.call(
                call16.StartTransaction(connector_id=1, id_tag="TAG", meter_start=100, timestamp=ts(0))
            )
            await csms.stop()
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{http_port}") as http:

                async def upstream_down() -> bool:
                    stations = (await http.get("/api/v1/gateway/stations")).json()
                    return bool(stations) and stations[0]["upstream_state"] != "online"

                for _ in range(200):
                    if await upstream_down():
                        break
                    await asyncio.sleep(0.05)
            for minute, wh in ((1, 200), (2, 300)):
                sample = [{"timestamp": ts(minute), "sampledValue": [{"value": str(wh), "measurand": ENERGY}]}]
                await cp.call(
                    call16.MeterValues(connector_id=1, transaction_id=start.transaction_id, meter_value=sample)
                )
            await cp.call(call16.StopTransaction(transaction_id=start.transaction_id, meter_stop=400, timestamp=ts(3)))
        await process.kill()
        with contextlib.suppress(Exception):
            await cp._connection.close()

        await csms.start()
        await process.start()
        await wait_for(lambda: len(csms.calls("TransactionEvent", "CLI-1")) == 4, timeout=60, what="the replay")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{http_port}") as http:
            metrics = (await http.get("/metrics")).text
        assert "chargebridge_gateway_replayed_total 3.0" in metrics
    finally:
        code = await process.terminate()
    assert code == 0, process.log.read_text()
    tx = csms.calls("TransactionEvent", "CLI-1")
    assert [(e["eventType"], e["seqNo"], bool(e.get("offline"))) for e in tx] == [
        ("Started", 0, False),
        ("Updated", 1, True),
        ("Updated", 2, True),
        ("Ended", 3, True),
    ]
    assert len({e["transactionInfo"]["transactionId"] for e in tx}) == 1
    assert os.path.exists(tmp_path / "data" / "chargebridge.db")
