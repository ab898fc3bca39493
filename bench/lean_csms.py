"""The benchmark's lean reference: an OCPP 1.6 CSMS as cheap as Python gets, storing nothing.

uvloop, orjson, and the official OCPP JSON schemas (from the ``ocpp`` package) compiled once by
fastjsonschema, validating every request and every answer, on the ``websockets`` asyncio server
without keepalive pings or compression. Nothing is stored and no event is published: the gap
between this server and chargebridge is the price of persistence (and of everything else a CSMS
does per message), the gap to the baseline what the ``ocpp`` library's per-message machinery
costs. Issue 18 asked for it so that the benchmark shows all three side by side.

    python -m bench.lean_csms --port 9200 [--transport websockets|picows]

``--transport picows`` runs the same on picows (a Cython WebSocket server on the loop's
transports: frames handled in the protocol's callback, no task per connection) instead of
``websockets``: the difference between the two is what the WebSocket layer costs per message,
per connect and per idle connection (issue 18, lever 2). picows comes with the ``bench`` extra.

prints ``listening on ws://HOST:PORT/ocpp/{station_id}`` once bound.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import signal
import sys
from datetime import UTC, datetime
from typing import Any

import orjson
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from chargebridge.rpc.errors import ErrorCode, OcppError
from chargebridge.rpc.schemas import schemas_for
from chargebridge.rpc.version import OcppVersion

SCHEMAS = schemas_for(OcppVersion.V16)
_transaction_ids = itertools.count(1)
ACCEPTED = {"status": "Accepted"}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def answer(action: str, payload: dict[str, Any]) -> dict[str, Any]:
    if action == "MeterValues" or action == "StatusNotification" or action == "StopTransaction":
        return {}
    if action == "Heartbeat":
        return {"currentTime": _now()}
    if action == "BootNotification":
        return {"currentTime": _now(), "interval": 300, "status": "Accepted"}
    if action == "Authorize":
        return {"idTagInfo": ACCEPTED}
    if action == "StartTransaction":
        return {"transactionId": next(_transaction_ids), "idTagInfo": ACCEPTED}
    if action == "DataTransfer":
        return {"status": "UnknownVendorId"}
    raise OcppError(ErrorCode.NOT_IMPLEMENTED, f"{action} is not answered by this reference")


def handle_frame(text: str | bytes) -> bytes | None:
    try:
        frame = orjson.loads(text)
    except orjson.JSONDecodeError:
        return orjson.dumps([4, "-1", "RpcFrameworkError", "frame is not valid JSON", {}])
    if not isinstance(frame, list) or len(frame) != 4 or frame[0] != 2:
        return None  # replies to our (no) CALLs and broken frames: nothing to answer in this reference
    _, message_id, action, payload = frame
    try:
        SCHEMAS.validate_request(action, payload)
        result = answer(action, payload)
        SCHEMAS.validate_response(action, result)
    except OcppError as exc:
        return orjson.dumps([4, message_id, exc.code.value, exc.description[:255], {}])
    return orjson.dumps([3, message_id, result])


async def handle(ws: ServerConnection) -> None:
    if ws.subprotocol is None:
        await ws.close()
        return
    with contextlib.suppress(ConnectionClosed):
        async for message in ws:
            out = handle_frame(message)
            if out is not None:
                await ws.send(out, text=True)


async def serve_picows(host: str, port: int, stop: asyncio.Event) -> None:
    """The same reference on picows: subprotocol ocpp1.6 required, each text frame answered in the
    frame callback, CLOSE answered and the socket closed, fragmented messages reassembled."""
    from picows import (
        WSListener,
        WSMsgType,
        WSUpgradeRequest,
        WSUpgradeResponse,
        WSUpgradeResponseWithListener,
        ws_create_server,
    )

    class Station(WSListener):  # type: ignore[misc]
        __slots__ = ("parts",)

        def __init__(self) -> None:
            self.parts: list[bytes] | None = None

        def on_ws_frame(self, transport: Any, frame: Any) -> None:
            kind = frame.msg_type
            if kind is WSMsgType.TEXT or kind is WSMsgType.CONTINUATION:
                if kind is WSMsgType.TEXT and frame.fin:
                    out = handle_frame(frame.get_payload_as_bytes())
                else:
                    self.parts = (self.parts or []) + [frame.get_payload_as_bytes()]
                    if not frame.fin:
                        return
                    out, self.parts = handle_frame(b"".join(self.parts)), None
                if out is not None:
                    transport.send(WSMsgType.TEXT, out)
            elif kind is WSMsgType.CLOSE:
                transport.send_close(frame.get_close_code())
                transport.disconnect()

    offered = "Sec-WebSocket-Protocol"

    def accept(request: WSUpgradeRequest) -> WSUpgradeResponseWithListener:
        protocols = [p.strip() for p in (request.headers.get(offered) or "").split(",")]
        if "ocpp1.6" not in protocols:
            refused = WSUpgradeResponse.create_error_response(400, b"subprotocol ocpp1.6 required")
            return WSUpgradeResponseWithListener(refused, None)
        response = WSUpgradeResponse.create_101_response(extra_headers={offered: "ocpp1.6"})
        return WSUpgradeResponseWithListener(response, Station())

    server = await ws_create_server(accept, host, port, websocket_handshake_timeout=10)
    bound = server.sockets[0].getsockname()[1]
    print(f"listening on ws://{host}:{bound}/ocpp/{{station_id}} (picows)", flush=True)
    await stop.wait()
    server.close()


async def main(host: str, port: int, transport: str = "websockets") -> None:
    SCHEMAS.warm()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    if transport == "picows":
        await serve_picows(host, port, stop)
        return
    async with serve(
        handle, host, port, subprotocols=[Subprotocol("ocpp1.6")], compression=None, ping_interval=None
    ) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        print(f"listening on ws://{host}:{bound}/ocpp/{{station_id}}", flush=True)
        await stop.wait()


def cli(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Lean OCPP 1.6 reference CSMS (uvloop, orjson, compiled schemas).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9200, help="0 picks a free port (printed)")
    parser.add_argument("--transport", choices=("websockets", "picows"), default="websockets")
    args = parser.parse_args(argv)
    try:
        import uvloop

        uvloop.run(main(args.host, args.port, args.transport))
    except ImportError:
        asyncio.run(main(args.host, args.port, args.transport))


if __name__ == "__main__":
    cli()
    sys.exit(0)
