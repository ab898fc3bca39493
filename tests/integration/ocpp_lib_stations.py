"""OCPP 1.6 stations written on the public ``ocpp`` package, for the validation bench's tests.

- :class:`MinimalStation`: boot, heartbeats at the interval the CSMS gives, connector statuses and
  local sessions (Authorize, StartTransaction, MeterValues, StopTransaction); every command of the
  CSMS is answered NotImplemented (the package does that for actions without a handler).
- :class:`YesStation`: the same, plus a handler for every command that answers "Accepted" (or its
  equivalent) and does nothing at all.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class MinimalStation(ChargePoint):
    """Only what the Basic level needs."""

    vendor = "LibVendor"
    model = "Minimal-1"
    power_w = 7200.0
    sample_s = 1.0

    def setup(self) -> None:
        self.register_wh = 1_250_000.0
        self.transaction_id: int | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.interval = 60.0

    def spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def boot(self) -> None:
        answer = await self.call(
            call16.BootNotification(
                charge_point_vendor=self.vendor,
                charge_point_model=self.model,
                charge_point_serial_number="LIB-0001",
                firmware_version="2.0.0",
            )
        )
        self.interval = float(answer.interval)
        await self.status("Available")
        self.spawn(self.heartbeats())

    async def heartbeats(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.call(call16.Heartbeat())

    async def status(self, status: str) -> None:
        await self.call(call16.StatusNotification(connector_id=1, error_code="NoError", status=status, timestamp=now()))

    async def start_session(self, token: str) -> None:
        answer = await self.call(call16.Authorize(id_tag=token))
        if answer.id_tag_info["status"] != "Accepted":
            return
        await self.status("Preparing")
        start = await self.call(
            call16.StartTransaction(connector_id=1, id_tag=token, meter_start=int(self.register_wh), timestamp=now())
        )
        self.transaction_id = start.transaction_id
        await self.status("Charging")
        self.spawn(self.meter_values(start.transaction_id))

    async def meter_values(self, transaction_id: int) -> None:
        while self.transaction_id == transaction_id:
            await asyncio.sleep(self.sample_s)
            if self.transaction_id != transaction_id:
                return
            self.register_wh += self.power_w * self.sample_s / 3600.0
            await self.call(
                call16.MeterValues(
                    connector_id=1,
                    transaction_id=transaction_id,
                    meter_value=[
                        {
                            "timestamp": now(),
                            "sampledValue": [
                                {
                                    "value": str(int(self.register_wh)),
                                    "measurand": "Energy.Active.Import.Register",
                                    "unit": "Wh",
                                },
                                {"value": str(self.power_w), "measurand": "Power.Active.Import", "unit": "W"},
                            ],
                        }
                    ],
                )
            )

    async def stop_session(self) -> None:
        transaction_id = self.transaction_id
        if transaction_id is None:
            return
        self.transaction_id = None
        await self.status("Finishing")
        await self.call(
            call16.StopTransaction(
                transaction_id=transaction_id, meter_stop=int(self.register_wh), timestamp=now(), reason="Local"
            )
        )
        await self.status("Available")


class YesStation(MinimalStation):
    """Answers every command as if it did it, and does nothing."""

    model = "Yes-1"

    @on(Action.remote_start_transaction)
    async def on_remote_start(self, **_: Any) -> result16.RemoteStartTransaction:
        return result16.RemoteStartTransaction(status="Accepted")

    @on(Action.remote_stop_transaction)
    async def on_remote_stop(self, **_: Any) -> result16.RemoteStopTransaction:
        return result16.RemoteStopTransaction(status="Accepted")

    @on(Action.reset)
    async def on_reset(self, **_: Any) -> result16.Reset:
        return result16.Reset(status="Accepted")

    @on(Action.change_configuration)
    async def on_change_configuration(self, **_: Any) -> result16.ChangeConfiguration:
        return result16.ChangeConfiguration(status="Accepted")

    @on(Action.get_configuration)
    async def on_get_configuration(self, key: list[str] | None = None, **_: Any) -> result16.GetConfiguration:
        return result16.GetConfiguration(configuration_key=[], unknown_key=list(key or []))

    @on(Action.trigger_message)
    async def on_trigger(self, **_: Any) -> result16.TriggerMessage:
        return result16.TriggerMessage(status="Accepted")

    @on(Action.change_availability)
    async def on_availability(self, **_: Any) -> result16.ChangeAvailability:
        return result16.ChangeAvailability(status="Accepted")

    @on(Action.unlock_connector)
    async def on_unlock(self, **_: Any) -> result16.UnlockConnector:
        return result16.UnlockConnector(status="Unlocked")

    @on(Action.clear_cache)
    async def on_clear_cache(self, **_: Any) -> result16.ClearCache:
        return result16.ClearCache(status="Accepted")

    @on(Action.get_diagnostics)
    async def on_diagnostics(self, **_: Any) -> result16.GetDiagnostics:
        return result16.GetDiagnostics(file_name="diagnostics.log")

    @on(Action.update_firmware)
    async def on_update_firmware(self, **_: Any) -> result16.UpdateFirmware:
        return result16.UpdateFirmware()

    @on(Action.set_charging_profile)
    async def on_set_profile(self, **_: Any) -> result16.SetChargingProfile:
        return result16.SetChargingProfile(status="Accepted")

    @on(Action.clear_charging_profile)
    async def on_clear_profile(self, **_: Any) -> result16.ClearChargingProfile:
        return result16.ClearChargingProfile(status="Accepted")

    @on(Action.reserve_now)
    async def on_reserve(self, **_: Any) -> result16.ReserveNow:
        return result16.ReserveNow(status="Accepted")

    @on(Action.cancel_reservation)
    async def on_cancel(self, **_: Any) -> result16.CancelReservation:
        return result16.CancelReservation(status="Accepted")

    @on(Action.send_local_list)
    async def on_local_list(self, **_: Any) -> result16.SendLocalList:
        return result16.SendLocalList(status="Accepted")

    @on(Action.get_local_list_version)
    async def on_list_version(self, **_: Any) -> result16.GetLocalListVersion:
        return result16.GetLocalListVersion(list_version=0)


@contextlib.asynccontextmanager
async def connected(url: str, station_id: str, kind: type[MinimalStation]) -> AsyncIterator[MinimalStation]:
    async with websockets.connect(f"{url}/{station_id}", subprotocols=["ocpp1.6"]) as ws:
        station = kind(station_id, ws)
        station.setup()
        task = asyncio.create_task(station.start())
        try:
            await station.boot()
            yield station
        finally:
            for background in [task, *station.tasks]:
                background.cancel()
            for background in [task, *station.tasks]:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await background


def person(station: MinimalStation) -> Any:
    """Acts on the bench's prompts like a person at the station."""

    def act(text: str) -> None:
        if text.startswith("Present card"):
            station.spawn(station.start_session(text.split()[2]))
        elif text.startswith("Stop the session"):
            station.spawn(station.stop_session())

    return act
