"""A raw OCPP-J station for tests: sends exact frames and reads exact answers."""

from __future__ import annotations

import asyncio
import itertools
import json
import select
import socket
from collections.abc import Iterable
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


def http_exchange(http_url: str, head: bytes, body: Iterable[bytes | memoryview] = (), timeout: float = 30.0) -> bytes:
    """One raw HTTP/1.1 exchange on a blocking socket (run it in a thread): send the head, then the
    body piece by piece, stopping as soon as an answer is there, and return the raw answer.

    A server that refuses a body answers before reading it and closes the connection; a client that
    only reads once it has sent everything (httpx) then gets a reset instead of the answer. Data that
    arrived before a reset can still be read, which is what this does.
    """
    host, port = http_url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head)
        wait = 0.2  # an answer to the head alone comes at once
        for piece in body:
            if select.select([sock], [], [], wait)[0]:
                break
            wait = 0.0
            try:
                sock.sendall(piece)
            except OSError:
                break  # the server answered and closed while we were still sending
        answer = b""
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                return answer
            if not data:
                return answer
            answer += data
            head_end = answer.find(b"\r\n\r\n")
            if head_end >= 0:
                headers = answer[:head_end].decode("latin-1").lower()
                length = headers.split("content-length:")[1].split("\r\n")[0] if "content-length:" in headers else "0"
                if len(answer) >= head_end + 4 + int(length):
                    return answer


def http_status(answer: bytes) -> str:
    """The status code of a raw answer ("" if there was none)."""
    return answer[9:12].decode() if answer.startswith(b"HTTP/1.1 ") else ""


def http_json(answer: bytes) -> Any:
    return json.loads(answer.split(b"\r\n\r\n", 1)[1])
