"""The benchmark's lean reference: an OCPP 1.6 CSMS as cheap as Python gets, storing nothing.

uvloop, orjson, and the official OCPP JSON schemas (from the ``ocpp`` package) compiled once by
fastjsonschema, validating every request and every answer, on the ``websockets`` asyncio server
without keepalive pings or compression. Nothing is stored and no event is published: the gap
between this server and chargebridge is the price of persistence (and of everything else a CSMS
does per message), the gap to the baseline what the ``ocpp`` library's per-message machinery
costs. Issue 18 asked for it so that the benchmark shows all three side by side.

    python -m bench.lean_csms --port 9200

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


async def main(host: str, port: int) -> None:
    SCHEMAS.warm()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
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
    args = parser.parse_args(argv)
    try:
        import uvloop

        uvloop.run(main(args.host, args.port))
    except ImportError:
        asyncio.run(main(args.host, args.port))


if __name__ == "__main__":
    cli()
    sys.exit(0)
