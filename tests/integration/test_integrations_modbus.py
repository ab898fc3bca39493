"""Modbus meters against pymodbus's own server on loopback: both shipped maps, faults, RTU framing."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from pymodbus import FramerType
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from chargebridge.api.deps import ApiContext
from chargebridge.domain.events import EventKind
from chargebridge.integrations.modbus import (
    Block,
    ModbusConfig,
    ModbusExtension,
    ModbusMeter,
    ModbusMeterConfig,
    TelemetrySink,
    decode_words,
    load_register_map,
    plan_reads,
)
from tests.conftest import Node, random_id


@dataclass
class FakeMeter:
    """Register values the test sets; ``delay_s`` makes the device answer too late."""

    input: dict[int, int] = field(default_factory=dict)
    holding: dict[int, int] = field(default_factory=dict)
    delay_s: float = 0.0

    async def action(
        self,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        current_registers: list[int],
        set_values: Any,
    ) -> None:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        table = self.input if function_code == 4 else self.holding
        for i in range(len(current_registers)):
            current_registers[i] = table.get(start_address + i, 0)

    def float32(self, address: int, value: float) -> None:
        hi, lo = struct.unpack(">HH", struct.pack(">f", value))
        self.input[address], self.input[address + 1] = hi, lo

    def hold(self, address: int, value: int, words: int = 1) -> None:
        raw = (value & ((1 << (16 * words)) - 1)).to_bytes(2 * words, "big")
        for i in range(words):
            self.holding[address + i] = int.from_bytes(raw[2 * i : 2 * i + 2], "big")


async def serve(meter: FakeMeter, framer: FramerType = FramerType.SOCKET) -> tuple[ModbusTcpServer, int]:
    def block(start: int, count: int) -> list[SimData]:
        return [SimData(start, count=count, values=0, datatype=DataType.REGISTERS)]

    bits = [SimData(0, count=16, values=False, datatype=DataType.BITS)]
    device = SimDevice(id=1, simdata=(bits, bits, block(40000, 200), block(0, 400)), action=meter.action)
    server = ModbusTcpServer(device, address=("127.0.0.1", 0), framer=framer)
    await server.serve_forever(background=True)
    listener: Any = server.transport
    port: int = listener.sockets[0].getsockname()[1]
    return server, port


@pytest.fixture
async def station(sqlite_node: Node) -> AsyncIterator[tuple[Node, str]]:
    assert sqlite_node.app.store is not None
    station_id = random_id()
    await sqlite_node.app.store.add_station(station_id, now=sqlite_node.app.clock.now())
    yield sqlite_node, station_id


def sdm630(meter: FakeMeter) -> None:
    for address, value in {0: 230.5, 2: 231.0, 4: 229.5, 6: 16.0, 8: 15.5, 10: 16.25, 0x34: 11040.0}.items():
        meter.float32(address, value)
    meter.float32(0x3E, 0.98)
    meter.float32(0x46, 50.02)
    meter.float32(0x48, 1234.5)  # kWh
    meter.float32(0x4A, 0.0)


def meter_for(node: Node, station_id: str | None, cfg: ModbusMeterConfig) -> ModbusMeter:
    app = node.app
    sink = TelemetrySink(
        source="modbus",
        device=cfg.name,
        bus=app.bus,
        clock=app.clock,
        store=app.store,
        station_id=cfg.station_id,
        site_id=cfg.site_id,
        evse_id=cfg.evse_id,
    )
    return ModbusMeter(cfg, sink)


def values_of(sample: Any) -> dict[tuple[str, str | None], float]:
    return {(v.measurand, v.phase): v.value for v in sample.values}


def test_decode_words_orders() -> None:
    hi, lo = struct.unpack(">HH", struct.pack(">f", 1.5))
    assert decode_words([hi, lo], "float32") == 1.5
    assert decode_words([lo, hi], "float32", word_order="little") == 1.5
    swapped = [int.from_bytes(w.to_bytes(2, "big")[::-1], "big") for w in (hi, lo)]
    assert decode_words(swapped, "float32", byte_order="little") == 1.5
    assert decode_words([0xFFFE], "sunssf") == -2
    assert decode_words([0x0001, 0x0000], "uint32") == 65536
    assert plan_reads([("input", 0, 2), ("input", 4, 2), ("input", 300, 2), ("holding", 5, 1)], 8) == [
        Block("holding", 5, 1),
        Block("input", 0, 6),
        Block("input", 300, 2),
    ]


async def test_sdm630_station_meter(station: tuple[Node, str]) -> None:
    node, station_id = station
    fake = FakeMeter()
    sdm630(fake)
    server, port = await serve(fake)
    sub = node.app.bus.subscribe("test", {EventKind.METER_SAMPLED})
    cfg = ModbusMeterConfig(name="sdm", map="eastron-sdm630", port=port, station_id=station_id, evse_id=1)
    meter = meter_for(node, station_id, cfg)
    try:
        sample = await meter.poll_once()
    finally:
        await meter.stop()
        await server.shutdown()
    assert sample is not None
    got = values_of(sample)
    assert got[("Voltage", "L1-N")] == pytest.approx(230.5)
    assert got[("Current.Import", "L3")] == pytest.approx(16.25)
    assert got[("Power.Active.Import", None)] == pytest.approx(11040.0)
    assert got[("Frequency", None)] == pytest.approx(50.02, abs=1e-4)
    assert got[("Power.Factor", None)] == pytest.approx(98.0, abs=1e-3)
    assert got[("Energy.Active.Import.Register", None)] == pytest.approx(1234500.0)
    assert meter.sink.active_faults == {}
    event = await asyncio.wait_for(sub.get(), 2)
    assert event.station_id == station_id and event.data["source"] == "modbus" and event.data["evse_id"] == 1
    assert node.app.store is not None
    rows = await node.app.store.list_meter_values(station_id)
    stored = {(r["measurand"], r["phase"]): r["value"] for r in rows}
    assert stored[("Energy.Active.Import.Register", None)] == pytest.approx(1234500.0)
    assert {r["evse_id"] for r in rows} == {1}


async def test_sunspec_site_meter(station: tuple[Node, str]) -> None:
    node, _ = station
    fake = FakeMeter()
    fake.hold(40000, 0x5375, 1)
    fake.hold(40001, 0x6E53, 1)
    fake.hold(40069, 203)
    fake.hold(40070, 105)
    fake.hold(40071, 4830)  # A, A_SF -2 -> 48.30
    fake.hold(40072, 1610)
    fake.hold(40073, 1610)
    fake.hold(40074, 1610)
    fake.hold(40075, -2)
    fake.hold(40077, 2301)  # PhVphA, V_SF -1 -> 230.1
    fake.hold(40078, 2299)
    fake.hold(40079, 2310)
    for addr in (40081, 40082, 40083):
        fake.hold(addr, 0x8000)  # line-to-line voltages not implemented
    fake.hold(40084, -1)
    fake.hold(40085, 5001)  # Hz with Hz_SF -2
    fake.hold(40086, -2)
    fake.hold(40087, 1112)  # W with W_SF 1 -> 11120
    fake.hold(40091, 1)
    fake.hold(40097, 0x8000)  # VAR not implemented
    fake.hold(40106, 0x8000)  # PF_SF not implemented -> PF left out
    fake.hold(40107, 0, 2)  # TotWhExp
    fake.hold(40115, 987654, 2)  # TotWhImp, TotWh_SF 1 -> 9 876 540 Wh
    fake.hold(40123, 1)
    server, port = await serve(fake)
    sub = node.app.bus.subscribe("test", {EventKind.METER_SAMPLED})
    cfg = ModbusMeterConfig(name="grid", map="sunspec-meter-20x", port=port, site_id="depot-north")
    meter = meter_for(node, None, cfg)
    try:
        sample = await meter.poll_once()
        assert len(meter.blocks) == 1  # the whole model in one read
    finally:
        await meter.stop()
        await server.shutdown()
    assert sample is not None
    got = values_of(sample)
    assert got[("Current.Import", None)] == pytest.approx(48.3)
    assert got[("Voltage", "L1-N")] == pytest.approx(230.1)
    assert got[("Frequency", None)] == pytest.approx(50.01)
    assert got[("Power.Active.Import", None)] == pytest.approx(11120.0)
    assert got[("Energy.Active.Import.Register", None)] == pytest.approx(9876540.0)
    assert got[("Energy.Active.Export.Register", None)] == 0.0
    assert ("Voltage", "L1-L2") not in got and ("Power.Factor", None) not in got
    assert ("Power.Reactive.Import", None) not in got
    event = await asyncio.wait_for(sub.get(), 2)
    assert event.station_id == "site:depot-north" and event.data["site_id"] == "depot-north"


async def test_sunspec_wrong_model_is_a_fault(station: tuple[Node, str]) -> None:
    node, station_id = station
    fake = FakeMeter()
    fake.hold(40069, 101)  # an inverter model where the meter should be
    fake.hold(40070, 50)
    server, port = await serve(fake)
    cfg = ModbusMeterConfig(name="m", map="sunspec-meter-20x", port=port, station_id=station_id)
    meter = meter_for(node, station_id, cfg)
    try:
        assert await meter.poll_once() is None
    finally:
        await meter.stop()
        await server.shutdown()
    assert "MapMismatch" in meter.sink.active_faults
    assert "101 is not one of" in meter.sink.active_faults["MapMismatch"]


async def test_timeout_fault_and_recovery(station: tuple[Node, str]) -> None:
    node, station_id = station
    store = node.app.store
    assert store is not None
    fake = FakeMeter()
    sdm630(fake)
    server, port = await serve(fake)
    sub = node.app.bus.subscribe("faults", {EventKind.FAULT_RAISED, EventKind.FAULT_CLEARED})
    cfg = ModbusMeterConfig(name="sdm", map="eastron-sdm630", port=port, station_id=station_id, timeout_s=0.2)
    meter = meter_for(node, station_id, cfg)
    try:
        assert await meter.poll_once() is not None
        fake.delay_s = 0.6
        assert await meter.poll_once() is None
        assert await meter.poll_once() is None  # still down: raised once only
        active = (await store.faults_of([station_id]))[station_id]
        assert [(f["source"], f["code"]) for f in active] == [("modbus", "Timeout")]
        fake.delay_s = 0.0
        await asyncio.sleep(0.7)  # let the late answers drain on the server side
        assert await meter.poll_once() is not None
    finally:
        await meter.stop()
        await server.shutdown()
    assert (await store.faults_of([station_id]))[station_id] == []
    kinds = [(await asyncio.wait_for(sub.get(), 2)).kind for _ in range(2)]
    assert kinds == [EventKind.FAULT_RAISED, EventKind.FAULT_CLEARED]
    assert meter.failures == 2


async def test_refused_connection_and_bad_reading(station: tuple[Node, str]) -> None:
    node, station_id = station
    fake = FakeMeter()
    sdm630(fake)
    fake.float32(0x02, float("nan"))
    server, port = await serve(fake)
    await server.shutdown()  # nobody listens on the port any more
    cfg = ModbusMeterConfig(name="sdm", map="eastron-sdm630", port=port, station_id=station_id, timeout_s=0.5)
    meter = meter_for(node, station_id, cfg)
    assert await meter.poll_once() is None
    assert "CommunicationError" in meter.sink.active_faults
    server, port2 = await serve(fake)
    meter.config = cfg.model_copy(update={"port": port2})
    try:
        sample = await meter.poll_once()
    finally:
        await meter.stop()
        await server.shutdown()
    assert sample is not None and ("Voltage", "L2-N") not in values_of(sample)
    assert ("Voltage", "L1-N") in values_of(sample)
    assert set(meter.sink.active_faults) == {"BadReading"}
    assert "voltage_l2" in meter.sink.active_faults["BadReading"]


async def test_rtu_framing_over_a_socket_url(station: tuple[Node, str]) -> None:
    """RTU configuration path; pyserial's socket:// URL stands in for a serial line."""
    node, _ = station
    fake = FakeMeter()
    sdm630(fake)
    server, port = await serve(fake, FramerType.RTU)
    cfg = ModbusMeterConfig(
        name="rtu", map="eastron-sdm630", transport="rtu", serial_port=f"socket://127.0.0.1:{port}", site_id="s"
    )
    meter = meter_for(node, None, cfg)
    try:
        sample = await meter.poll_once()
    finally:
        await meter.stop()
        await server.shutdown()
    assert sample is not None, meter.sink.active_faults
    assert values_of(sample)[("Voltage", "L2-N")] == pytest.approx(231.0)


def test_config_errors_name_the_key() -> None:
    with pytest.raises(ValidationError, match="polling_interval"):
        ModbusConfig.model_validate(
            {"enabled": True, "meters": [{"name": "a", "map": "eastron-sdm630", "site_id": "x", "polling_interval": 3}]}
        )
    with pytest.raises(ValidationError, match="exactly one of station_id and site_id"):
        ModbusConfig.model_validate({"meters": [{"name": "a", "map": "eastron-sdm630"}]})
    with pytest.raises(ValidationError, match="no built-in register map 'nope'"):
        ModbusConfig.model_validate({"meters": [{"name": "a", "map": "nope", "site_id": "x"}]})
    assert load_register_map("sunspec-meter-20x").sunspec_sentinels


async def test_extension_polls_and_reports(station: tuple[Node, str]) -> None:
    node, station_id = station
    app = node.app
    assert app.store is not None and app.gateway is not None
    fake = FakeMeter()
    sdm630(fake)
    server, port = await serve(fake)
    config = ModbusConfig(
        enabled=True,
        meters=[
            ModbusMeterConfig(name="sdm", map="eastron-sdm630", port=port, station_id=station_id, poll_interval_s=0.1)
        ],
    )
    ext = ModbusExtension(config)
    context = ApiContext(
        store=app.store, gateway=app.gateway, bus=app.bus, clock=app.clock, settings=app.settings, requests=app.requests
    )
    await ext.start(context)
    try:
        for _ in range(50):
            if ext.meters[0].polls >= 2:
                break
            await asyncio.sleep(0.05)
        assert ext.stats()["polls_total"] >= 2
        from fastapi import FastAPI

        api = FastAPI()
        api.state.cb = context
        for router in ext.routers():
            api.include_router(router)
        transport = httpx.ASGITransport(app=api)
        viewer = await node.token("viewer")
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            resp = await client.get("/api/v1/integrations/modbus/meters", headers={"Authorization": f"Bearer {viewer}"})
            assert (await client.get("/api/v1/integrations/modbus/meters")).status_code == 401
    finally:
        await ext.stop()
        await server.shutdown()
    assert resp.status_code == 200
    body = resp.json()
    assert body[0]["name"] == "sdm" and body[0]["samples"] >= 2 and body[0]["active_faults"] == {}


def test_sections_in_the_integrations_file() -> None:
    from chargebridge.integrations.config import ConfigError, parse_config

    text = """
[modbus]
enabled = true
[[modbus.meters]]
name = "site-main"
map = "sunspec-meter-20x"
host = "127.0.0.1"
site_id = "depot"

[canbus]
enabled = false

[vendors]
enabled = true
"""
    config = parse_config(text)
    assert config.modbus.enabled and config.modbus.meters[0].map == "sunspec-meter-20x"
    assert config.vendors.enabled and not config.canbus.enabled
    with pytest.raises(ConfigError, match=r"modbus\.meters\[0\]\.pol_interval: unknown key"):
        parse_config(text.replace('site_id = "depot"', 'site_id = "depot"\npol_interval = 3'))
