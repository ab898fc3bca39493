"""A raw OCPP-J station for tests: sends exact frames and reads exact answers."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect


class RawStation:
    def __init__(self, ws: ClientConnection):
        self.ws = ws
        self._ids = itertools.count(1)

    @classmethod
    async def open(cls, url: str, station_id: str, version: str = "1.6", **kwargs: Any) -> RawStation:
        ws = await connect(f"{url}/{station_id}", subprotocols=[f"ocpp{version}"], **kwargs)  # type: ignore[list-item]
        return cls(ws)

    async def send_raw(self, text: str) -> None:
        await self.ws.send(text)

    async def recv(self, timeout: float = 5.0) -> list[Any]:
        message = await asyncio.wait_for(self.ws.recv(), timeout)
        return json.loads(message)  # type: ignore[no-any-return]

    async def call(self, action: str, payload: dict[str, Any], timeout: float = 5.0) -> list[Any]:
        message_id = f"m{next(self._ids)}"
        await self.ws.send(json.dumps([2, message_id, action, payload]))
        while True:
            frame = await self.recv(timeout)
            if frame[0] in (3, 4) and frame[1] == message_id:
                return frame

    async def close(self) -> None:
        await self.ws.close()


BOOT16 = {"chargePointVendor": "TestVendor", "chargePointModel": "T1"}
BOOT201 = {"chargingStation": {"vendorName": "TestVendor", "model": "T2"}, "reason": "PowerUp"}
