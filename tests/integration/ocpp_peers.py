"""Third-party OCPP peers for the gateway tests, written on the public ``ocpp`` package the way its
README shows (a ``ChargePoint`` subclass with ``@on`` handlers on ``websockets``), with its schema
validation on: CSMSs of both versions that record every CALL they receive, and charge points of
both versions that answer the commands the tests send."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Cp16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import ChargePoint as Cp201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201
from websockets.asyncio.server import Server, ServerConnection


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def wait_for(condition: Callable[[], bool], timeout: float = 15.0, what: str = "condition") -> None:
    """Poll ``condition`` until it holds (bounded): the gateway works in the background."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


class Recording:
    """Records every CALL a peer receives as (action, payload) in arrival order."""

    received: list[tuple[str, dict[str, Any]]]

    def record(self, raw: str | bytes) -> None:
        with contextlib.suppress(ValueError, TypeError, IndexError):
            frame = json.loads(raw)
            if frame[0] == 2:
                self.received.append((frame[2], frame[3]))

    def calls(self, action: str) -> list[dict[str, Any]]:
        return [payload for name, payload in self.received if name == action]


# -- CSMSs ------------------------------------------------------------------------------------


class Csms201Station(Cp201, Recording):
    """A 2.0.1 CSMS's view of one station."""

    owner: Csms201

    async def route_message(self, raw_msg: str) -> None:
        self.record(raw_msg)
        if raw_msg.lstrip("[ ").startswith("2"):
            self.owner.received.append((self.id, *self.received[-1]))
            if await self.owner.refuse(self._connection, raw_msg):
                return
        await super().route_message(raw_msg)

    @on(Action201.boot_notification)
    def on_boot(self, charging_station: dict[str, Any], reason: str, **kwargs: Any) -> Any:
        return result201.BootNotification(current_time=now_text(), interval=self.owner.interval, status="Accepted")

    @on(Action201.heartbeat)
    def on_heartbeat(self, **kwargs: Any) -> Any:
        return result201.Heartbeat(current_time=now_text())

    @on(Action201.status_notification)
    def on_status(self, **kwargs: Any) -> Any:
        return result201.StatusNotification()

    @on(Action201.notify_event)
    def on_notify_event(self, **kwargs: Any) -> Any:
        return result201.NotifyEvent()

    @on(Action201.authorize)
    def on_authorize(self, id_token: dict[str, Any], **kwargs: Any) -> Any:
        return result201.Authorize(id_token_info={"status": self.owner.token_status(id_token["id_token"])})

    @on(Action201.transaction_event)
    async def on_transaction_event(self, event_type: str, id_token: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        if self.owner.delay_s:
            await asyncio.sleep(self.owner.delay_s)  # a slow CSMS
        if id_token is None:
            return result201.TransactionEvent()
        return result201.TransactionEvent(id_token_info={"status": self.owner.token_status(id_token["id_token"])})

    @on(Action201.meter_values)
    def on_meter_values(self, **kwargs: Any) -> Any:
        return result201.MeterValues()

    @on(Action201.data_transfer)
    def on_data_transfer(self, vendor_id: str, **kwargs: Any) -> Any:
        return result201.DataTransfer(status="Accepted", data={"echo": kwargs.get("data")})

    @on(Action201.firmware_status_notification)
    def on_firmware(self, **kwargs: Any) -> Any:
        return result201.FirmwareStatusNotification()

    @on(Action201.log_status_notification)
    def on_log(self, **kwargs: Any) -> Any:
        return result201.LogStatusNotification()

    @on(Action201.security_event_notification)
    def on_security(self, **kwargs: Any) -> Any:
        return result201.SecurityEventNotification()


class Csms16Station(Cp16, Recording):
    """A 1.6 Central System's view of one charge point."""

    owner: Csms16

    async def route_message(self, raw_msg: str) -> None:
        self.record(raw_msg)
        if raw_msg.lstrip("[ ").startswith("2"):
            self.owner.received.append((self.id, *self.received[-1]))
            if await self.owner.refuse(self._connection, raw_msg):
                return
        await super().route_message(raw_msg)

    @on(Action16.boot_notification)
    def on_boot(self, charge_point_vendor: str, charge_point_model: str, **kwargs: Any) -> Any:
        return result16.BootNotification(current_time=now_text(), interval=self.owner.interval, status="Accepted")

    @on(Action16.heartbeat)
    def on_heartbeat(self, **kwargs: Any) -> Any:
        return result16.Heartbeat(current_time=now_text())

    @on(Action16.status_notification)
    def on_status(self, **kwargs: Any) -> Any:
        return result16.StatusNotification()

    @on(Action16.authorize)
    def on_authorize(self, id_tag: str, **kwargs: Any) -> Any:
        return result16.Authorize(id_tag_info={"status": self.owner.token_status(id_tag)})

    @on(Action16.start_transaction)
    def on_start(self, connector_id: int, id_tag: str, meter_start: int, timestamp: str, **kwargs: Any) -> Any:
        transaction_id = next(self.owner.transaction_ids)
        return result16.StartTransaction(
            transaction_id=transaction_id, id_tag_info={"status": self.owner.token_status(id_tag)}
        )

    @on(Action16.stop_transaction)
    def on_stop(self, meter_stop: int, timestamp: str, transaction_id: int, **kwargs: Any) -> Any:
        return result16.StopTransaction()

    @on(Action16.meter_values)
    def on_meter_values(self, **kwargs: Any) -> Any:
        return result16.MeterValues()

    @on(Action16.data_transfer)
    def on_data_transfer(self, vendor_id: str, **kwargs: Any) -> Any:
        return result16.DataTransfer(status="Accepted", data="ok")

    @on(Action16.firmware_status_notification)
    def on_firmware(self, **kwargs: Any) -> Any:
        return result16.FirmwareStatusNotification()

    @on(Action16.diagnostics_status_notification)
    def on_diagnostics(self, **kwargs: Any) -> Any:
        return result16.DiagnosticsStatusNotification()


class _Csms:
    """A CSMS server on a fixed loopback port that can go away and come back (an outage)."""

    station_class: type[Any]

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.stations: dict[str, Any] = {}
        self.received: list[tuple[str, str, dict[str, Any]]] = []  # (station, action, payload)
        self.tokens: dict[str, str] = {}
        self.interval = 300
        self.delay_s = 0.0
        self.connects = 0
        self.require_password: str | None = None
        self.refusing: dict[str, str] = {}  # action -> description: answered with CALLERROR GenericError
        self._server: Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp"

    def token_status(self, token: str) -> str:
        return self.tokens.get(token, "Accepted")

    def calls(self, action: str, station_id: str | None = None) -> list[dict[str, Any]]:
        return [p for s, a, p in self.received if a == action and (station_id is None or s == station_id)]

    async def refuse(self, ws: Any, raw: str) -> bool:
        """A CALL of an action in ``refusing`` gets a CALLERROR (as a CSMS that refuses a message would)."""
        frame = json.loads(raw)
        description = self.refusing.get(frame[2])
        if description is None:
            return False
        await ws.send(json.dumps([4, frame[1], "GenericError", description, {}]))
        return True

    async def start(self) -> None:
        self._server = await websockets.serve(
            self._handle,
            "127.0.0.1",
            self.port,
            subprotocols=[self.subprotocol],  # type: ignore[list-item]
            process_request=self._check,
        )

    def _check(self, connection: ServerConnection, request: Any) -> Any:
        if self.require_password is None:
            return None
        import base64

        header = request.headers.get("Authorization", "")
        station_id = request.path.rsplit("/", 1)[-1]
        expected = "Basic " + base64.b64encode(f"{station_id}:{self.require_password}".encode()).decode()
        if header != expected:
            return connection.respond(401, "authentication required\n")
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        station_id = (ws.request.path if ws.request else "").rsplit("/", 1)[-1]
        cp = self.station_class(station_id, ws)
        cp.owner = self
        cp.received = []
        self.stations[station_id] = cp
        self.connects += 1
        with contextlib.suppress(Exception):
            await cp.start()

    async def stop(self) -> None:
        """The CSMS goes away: no listener, every connection dropped."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None


class Csms201(_Csms):
    station_class = Csms201Station
    subprotocol = "ocpp2.0.1"


class Csms16(_Csms):
    station_class = Csms16Station
    subprotocol = "ocpp1.6"

    def __init__(self, port: int | None = None):
        super().__init__(port)
        self.transaction_ids = itertools.count(1001)


# -- charge points ------------------------------------------------------------------------------


class Station16(Cp16, Recording):
    """A 1.6 charge point on the ``ocpp`` package; commands are answered from ``config``."""

    config: dict[str, str]
    on_remote_start: Callable[[dict[str, Any]], Awaitable[None]] | None

    @on(Action16.remote_start_transaction)
    def remote_start(self, id_tag: str, **kwargs: Any) -> Any:
        return result16.RemoteStartTransaction(status="Accepted")

    @on(Action16.remote_stop_transaction)
    def remote_stop(self, transaction_id: int) -> Any:
        return result16.RemoteStopTransaction(status="Accepted")

    @on(Action16.reset)
    def reset(self, type: str) -> Any:
        return result16.Reset(status="Accepted")

    @on(Action16.get_configuration)
    def get_configuration(self, key: list[str] | None = None) -> Any:
        asked = key or list(self.config)
        known = [{"key": k, "readonly": False, "value": self.config[k]} for k in asked if k in self.config]
        unknown = [k for k in asked if k not in self.config]
        return result16.GetConfiguration(configuration_key=known or None, unknown_key=unknown or None)

    @on(Action16.change_configuration)
    def change_configuration(self, key: str, value: str) -> Any:
        if key not in self.config:
            return result16.ChangeConfiguration(status="NotSupported")
        self.config[key] = value
        return result16.ChangeConfiguration(status="Accepted")

    @on(Action16.unlock_connector)
    def unlock(self, connector_id: int) -> Any:
        return result16.UnlockConnector(status="Unlocked")

    @on(Action16.change_availability)
    def change_availability(self, connector_id: int, type: str) -> Any:
        return result16.ChangeAvailability(status="Accepted")

    @on(Action16.trigger_message)
    def trigger(self, requested_message: str, **kwargs: Any) -> Any:
        return result16.TriggerMessage(status="Accepted")

    async def route_message(self, raw_msg: str) -> None:
        self.record(raw_msg)
        await super().route_message(raw_msg)


class Station201(Cp201, Recording):
    """A 2.0.1 charging station on the ``ocpp`` package."""

    variables: dict[tuple[str, str], str]

    @on(Action201.request_start_transaction)
    def request_start(self, id_token: dict[str, Any], remote_start_id: int, **kwargs: Any) -> Any:
        return result201.RequestStartTransaction(status="Accepted")

    @on(Action201.request_stop_transaction)
    def request_stop(self, transaction_id: str) -> Any:
        return result201.RequestStopTransaction(status="Accepted")

    @on(Action201.reset)
    def reset(self, type: str, **kwargs: Any) -> Any:
        return result201.Reset(status="Accepted")

    @on(Action201.get_variables)
    def get_variables(self, get_variable_data: list[dict[str, Any]]) -> Any:
        results = []
        for item in get_variable_data:
            key = (item["component"]["name"], item["variable"]["name"])
            result: dict[str, Any] = {"component": item["component"], "variable": item["variable"]}
            if key in self.variables:
                result.update(attribute_status="Accepted", attribute_value=self.variables[key])
            else:
                result["attribute_status"] = "UnknownVariable"
            results.append(result)
        return result201.GetVariables(get_variable_result=results)

    @on(Action201.set_variables)
    def set_variables(self, set_variable_data: list[dict[str, Any]]) -> Any:
        results = []
        for item in set_variable_data:
            key = (item["component"]["name"], item["variable"]["name"])
            status = "Accepted" if key in self.variables else "UnknownVariable"
            if key in self.variables:
                self.variables[key] = item["attribute_value"]
            results.append({"attribute_status": status, "component": item["component"], "variable": item["variable"]})
        return result201.SetVariables(set_variable_result=results)

    async def route_message(self, raw_msg: str) -> None:
        self.record(raw_msg)
        await super().route_message(raw_msg)


@contextlib.asynccontextmanager
async def running(cp: Any) -> Any:
    cp.received = getattr(cp, "received", [])
    task = asyncio.create_task(cp.start())
    try:
        yield cp
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
