"""CAN bus telemetry with python-can's virtual bus and the shipped DC power module DBC."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

import can
import pytest
from pydantic import ValidationError

from chargebridge.api.deps import ApiContext
from chargebridge.domain.events import EventKind
from chargebridge.integrations.canbus import (
    CanBusReader,
    CanConfig,
    CanExtension,
    example_power_module_config,
    load_dbc,
)
from chargebridge.integrations.modbus import TelemetrySink
from tests.conftest import Node, random_id

DB = load_dbc("dc-power-module")
NO_FAULTS = {
    "PM_FaultOverVoltage": 0,
    "PM_FaultOverCurrent": 0,
    "PM_FaultOverTemp": 0,
    "PM_FaultInputUnderVoltage": 0,
    "PM_FaultFan": 0,
    "PM_FaultShortCircuit": 0,
}


def output_frame(volts: float, amps: float, watts: float) -> can.Message:
    msg = DB.get_message_by_name("PM_Output")
    data = msg.encode({"PM_OutputVoltage": volts, "PM_OutputCurrent": amps, "PM_OutputPower": watts, "PM_Counter": 0})
    return can.Message(arbitration_id=msg.frame_id, data=data, is_extended_id=False)


def status_frame(temp: float, vendor_code: int = 0, **faults: int) -> can.Message:
    msg = DB.get_message_by_name("PM_Status")
    values = {"PM_HeatsinkTemp": temp, "PM_AmbientTemp": 25, "PM_State": 3, "PM_VendorErrorCode": vendor_code}
    values.update(NO_FAULTS)
    values.update(faults)
    return can.Message(arbitration_id=msg.frame_id, data=msg.encode(values), is_extended_id=False)


@pytest.fixture
async def station(sqlite_node: Node) -> AsyncIterator[tuple[Node, str]]:
    assert sqlite_node.app.store is not None
    station_id = random_id()
    await sqlite_node.app.store.add_station(station_id, now=sqlite_node.app.clock.now())
    yield sqlite_node, station_id


async def wait_for(predicate: Callable[[], bool], timeout_s: float = 3.0) -> None:
    for _ in range(int(timeout_s / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


def values_of(data: dict[str, Any]) -> dict[str, float]:
    return {v["measurand"]: v["value"] for v in data["values"]}


async def test_virtual_bus_telemetry_and_fault_bits(station: tuple[Node, str]) -> None:
    node, station_id = station
    app = node.app
    assert app.store is not None and app.gateway is not None
    channel = f"cb-test-{secrets.token_hex(4)}"
    cfg = example_power_module_config(
        interface="virtual", channel=channel, station_id=station_id, evse_id=1, sample_interval_s=0.1
    )
    ext = CanExtension(CanConfig(enabled=True, buses=[cfg]))
    samples = app.bus.subscribe("samples", {EventKind.METER_SAMPLED})
    faults = app.bus.subscribe("faults", {EventKind.FAULT_RAISED, EventKind.FAULT_CLEARED})
    context = ApiContext(
        store=app.store, gateway=app.gateway, bus=app.bus, clock=app.clock, settings=app.settings, requests=app.requests
    )
    await ext.start(context)
    sender = can.Bus(interface="virtual", channel=channel)
    try:
        reader = ext.readers[0]
        await asyncio.sleep(0.05)  # the reader's bus is open
        sender.send(output_frame(400.0, 125.5, 50200))
        sender.send(status_frame(47))
        sender.send(can.Message(arbitration_id=0x7FF, data=b"\x00", is_extended_id=False))  # not in the DBC
        event = await asyncio.wait_for(samples.get(), 3)
        assert event.station_id == station_id and event.data["source"] == "canbus"
        got = values_of(event.data)
        assert got == {
            "Voltage": pytest.approx(400.0),
            "Current.Import": pytest.approx(125.5),
            "Power.Active.Import": 50200,
            "Temperature": 47,
        }
        await wait_for(lambda: reader.unknown_frames == 1)

        sender.send(output_frame(380.0, -20.0, -7600))  # V2G: energy flows back from the vehicle
        event = await asyncio.wait_for(samples.get(), 3)
        got = values_of(event.data)
        assert got["Current.Export"] == pytest.approx(20.0) and "Current.Import" not in got
        assert got["Power.Active.Export"] == 7600 and "Temperature" not in got  # only fresh signals

        sender.send(status_frame(96, vendor_code=0x3F21, PM_FaultOverTemp=1))
        raised = await asyncio.wait_for(faults.get(), 3)
        assert raised.kind is EventKind.FAULT_RAISED and raised.data["code"] == "HighTemperature"
        assert raised.data["vendor_code"] == "0x3f21"
        active = (await app.store.faults_of([station_id]))[station_id]
        assert [(f["source"], f["code"], f["vendor_code"], f["evse_id"]) for f in active] == [
            ("canbus", "HighTemperature", "0x3f21", 1)
        ]
        sender.send(status_frame(60, PM_FaultOverTemp=1))  # still active: not raised twice
        sender.send(status_frame(55))
        cleared = await asyncio.wait_for(faults.get(), 3)
        assert cleared.kind is EventKind.FAULT_CLEARED and cleared.data["code"] == "HighTemperature"
        assert (await app.store.faults_of([station_id]))[station_id] == []

        rows = await app.store.list_meter_values(station_id)
        assert {"Voltage", "Current.Import", "Current.Export", "Temperature"} <= {r["measurand"] for r in rows}
        assert ext.stats()["frames_total"] >= 5
    finally:
        sender.shutdown()
        await ext.stop()


async def test_silence_and_unopenable_interface_are_faults(station: tuple[Node, str]) -> None:
    node, _ = station
    app = node.app
    channel = f"cb-test-{secrets.token_hex(4)}"

    def sink() -> TelemetrySink:
        return TelemetrySink(
            source="canbus", device="pm", bus=app.bus, clock=app.clock, store=None, station_id=None, site_id="yard"
        )

    quiet = CanBusReader(
        example_power_module_config(
            interface="virtual", channel=channel, site_id="yard", sample_interval_s=0.05, stale_after_s=0.2
        ),
        sink(),
    )
    broken = CanBusReader(
        example_power_module_config(interface="no-such-interface", channel="x", site_id="yard"), sink()
    )
    quiet.start()
    broken.start()
    sender = can.Bus(interface="virtual", channel=channel)
    try:
        await wait_for(lambda: "NoFrames" in quiet.sink.active_faults)
        await wait_for(lambda: "BusError" in broken.sink.active_faults)
        sender.send(status_frame(30))
        await wait_for(lambda: "NoFrames" not in quiet.sink.active_faults)
    finally:
        sender.shutdown()
        await quiet.stop()
        await broken.stop()


def test_config_checks_signals_against_the_dbc() -> None:
    with pytest.raises(ValidationError, match=r"PM_OutputVoltag'\] are not in DBC"):
        example_power_module_config(
            site_id="s", signals=[{"signal": "PM_OutputVoltag", "measurand": "Voltage", "unit": "V"}]
        )
    with pytest.raises(ValidationError, match="no built-in DBC"):
        example_power_module_config(site_id="s", dbc="nope")
    with pytest.raises(ValidationError, match="sample_intervall"):
        CanConfig.model_validate({"buses": [{"name": "a", "site_id": "s", "sample_intervall": 1}]})
