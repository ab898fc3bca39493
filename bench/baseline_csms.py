"""The benchmark's baseline: an OCPP 1.6 CSMS written the way the ``ocpp`` package's README shows.

A ``ChargePoint`` subclass with one ``@on`` handler per action, one instance per WebSocket on
the ``websockets`` server, nothing stored. The ``ocpp`` package validates every message against
the JSON schemas (``jsonschema``) and converts payloads to and from dataclasses, as any
application following its README does. Deliberately plain: this is the yardstick, not a rival.

Run as its own process::

    python -m bench.baseline_csms --port 9100

It prints ``listening on ws://HOST:PORT/ocpp/{station_id}`` once the socket is bound. Per-frame
INFO logging of the README example is left off (the level is WARNING), which only flatters the
baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import signal
import sys
from datetime import UTC, datetime
from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint as BaseChargePoint
from ocpp.v16 import call_result
from ocpp.v16.enums import Action, AuthorizationStatus, RegistrationStatus
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

_transaction_ids = itertools.count(1)


def _now() -> str:
    return datetime.now(UTC).isoformat()


class ChargePoint(BaseChargePoint):  # type: ignore[misc]
    @on(Action.boot_notification)  # type: ignore[untyped-decorator]
    def on_boot_notification(self, charge_point_vendor: str, charge_point_model: str, **kwargs: Any) -> Any:
        return call_result.BootNotification(current_time=_now(), interval=300, status=RegistrationStatus.accepted)

    @on(Action.heartbeat)  # type: ignore[untyped-decorator]
    def on_heartbeat(self, **kwargs: Any) -> Any:
        return call_result.Heartbeat(current_time=_now())

    @on(Action.status_notification)  # type: ignore[untyped-decorator]
    def on_status_notification(self, connector_id: int, error_code: str, status: str, **kwargs: Any) -> Any:
        return call_result.StatusNotification()

    @on(Action.authorize)  # type: ignore[untyped-decorator]
    def on_authorize(self, id_tag: str, **kwargs: Any) -> Any:
        return call_result.Authorize(id_tag_info={"status": AuthorizationStatus.accepted})

    @on(Action.start_transaction)  # type: ignore[untyped-decorator]
    def on_start_transaction(
        self, connector_id: int, id_tag: str, meter_start: int, timestamp: str, **kwargs: Any
    ) -> Any:
        return call_result.StartTransaction(
            transaction_id=next(_transaction_ids), id_tag_info={"status": AuthorizationStatus.accepted}
        )

    @on(Action.stop_transaction)  # type: ignore[untyped-decorator]
    def on_stop_transaction(self, meter_stop: int, timestamp: str, transaction_id: int, **kwargs: Any) -> Any:
        return call_result.StopTransaction()

    @on(Action.meter_values)  # type: ignore[untyped-decorator]
    def on_meter_values(self, connector_id: int, meter_value: list[dict[str, Any]], **kwargs: Any) -> Any:
        return call_result.MeterValues()


async def on_connect(websocket: ServerConnection) -> None:
    if websocket.subprotocol is None:  # the README closes connections that negotiated no protocol
        await websocket.close()
        return
    path = websocket.request.path if websocket.request is not None else "/"
    charge_point_id = path.rstrip("/").rsplit("/", 1)[-1]
    charge_point = ChargePoint(charge_point_id, websocket)
    with contextlib.suppress(ConnectionClosed):
        await charge_point.start()


async def main(host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with serve(on_connect, host, port, subprotocols=[Subprotocol("ocpp1.6")]) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        print(f"listening on ws://{host}:{bound}/ocpp/{{station_id}}", flush=True)
        await stop.wait()


def cli(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Baseline OCPP 1.6 CSMS (ocpp package README style).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100, help="0 picks a free port (printed)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(main(args.host, args.port))


if __name__ == "__main__":
    cli()
