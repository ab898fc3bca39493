"""Issue 18: keepalive from one timer wheel. A station that answers pings stays connected and
has no keepalive task of its own; a half-open one is dropped (test_handshake.py covers that)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from websockets.asyncio.client import connect

from tests.conftest import start_node


async def test_answering_stations_stay_and_are_pinged_by_the_wheel(tmp_path: Path) -> None:
    node = await start_node(tmp_path, auto_register=True, ping_interval_s=0.3)
    gateway = node.app.gateway
    assert gateway is not None
    try:
        clients = [
            await connect(f"{node.ocpp_url}/WHEEL-{i}", subprotocols=["ocpp1.6"], ping_interval=None) for i in range(3)
        ]
        for _ in range(50):
            if len(gateway.connections) == 3:
                break
            await asyncio.sleep(0.02)
        assert len(gateway.connections) == 3
        for conn in gateway.connections.values():
            assert conn.ws.keepalive_task is None  # no task per socket
        await asyncio.sleep(1.5)  # five intervals: pings answered by the clients' protocol
        assert len(gateway.connections) == 3
        assert gateway.keepalive.pings >= 9
        assert gateway.keepalive.timeouts == 0
        for client in clients:
            await client.close()
        for _ in range(100):
            if not gateway.connections:
                break
            await asyncio.sleep(0.02)
        assert not gateway.connections
    finally:
        await node.app.stop()
