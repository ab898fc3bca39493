"""A minimal OCPP 2.0.1 CSMS for the gateway benchmark: answers every CALL at once with a canned,
schema-valid CALLRESULT and stores nothing, so the latency a gateway in front of it adds stands out.

    python -m bench.echo_csms --port 9300

prints ``listening on ws://HOST:PORT/ocpp/{station_id}`` once bound. Frames are read only as far as
needed (the message type, id and action), like the load generator does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from datetime import UTC, datetime

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

ACCEPTED_TOKEN = '{"idTokenInfo":{"status":"Accepted"}}'


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def answer(action: str, frame: str) -> str:
    if action == "BootNotification":
        return f'{{"currentTime":"{_now()}","interval":300,"status":"Accepted"}}'
    if action == "Heartbeat":
        return f'{{"currentTime":"{_now()}"}}'
    if action == "Authorize":
        return ACCEPTED_TOKEN
    if action == "TransactionEvent":
        return ACCEPTED_TOKEN if '"idToken"' in frame else "{}"
    if action == "DataTransfer":
        return '{"status":"Accepted"}'
    if action == "SignCertificate":
        return '{"status":"Rejected"}'
    return "{}"  # StatusNotification, MeterValues, NotifyEvent, *StatusNotification, SecurityEventNotification


async def handle(ws: ServerConnection) -> None:
    try:
        async for message in ws:
            text = message if isinstance(message, str) else message.decode()
            if text[1:2] != "2":
                continue
            end = text.index('"', 4)
            message_id = text[4:end]
            action_start = text.index('"', end + 1) + 1
            action = text[action_start : text.index('"', action_start)]
            await ws.send(f'[3,"{message_id}",{answer(action, text)}]')
    except ConnectionClosed:
        pass


async def main(host: str, port: int) -> None:
    async with serve(
        handle,
        host,
        port,
        subprotocols=[Subprotocol("ocpp2.0.1")],
        compression=None,
        ping_interval=None,
        max_queue=4,
    ):
        print(f"listening on ws://{host}:{port}/ocpp/{{station_id}}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9300)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(main(args.host, args.port))
    except ImportError:
        asyncio.run(main(args.host, args.port))
    sys.exit(0)
