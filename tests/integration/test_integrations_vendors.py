"""Vendor formats: the Voltara DataTransfer decoder end to end, the Kelvo serial-number quirk on the RPC path."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from chargebridge.app import Chargebridge
from chargebridge.config import Settings
from chargebridge.domain.events import EventKind
from chargebridge.domain.requests import DataTransferRequest, DataTransferStatus
from chargebridge.integrations.vendors import (
    Identity,
    QuirkEngine,
    VendorsConfig,
    VendorsExtension,
    builtin_profiles,
    decode_data_transfer,
    load_profile,
    relax_violation,
    violation_of,
)
from chargebridge.rpc import OcppVersion, schemas_for
from chargebridge.rpc.endpoint import CallReceived, ProtocolViolation, RpcEndpoint
from chargebridge.rpc.errors import OcppError
from chargebridge.security.secrets import hash_api_token, new_api_token
from chargebridge.sim.profiles import load_profile as load_sim_profile
from tests.conftest import random_id
from tests.integration.helpers import RawStation

KELVO_SERIAL = "KELVO-WALLBOX-S-EU-2023-CP-0001"  # the simulator profile's pattern, 31 characters


def boot16(vendor: str, model: str, serial: str, firmware: str) -> dict[str, Any]:
    return {
        "chargePointVendor": vendor,
        "chargePointModel": model,
        "chargePointSerialNumber": serial,
        "firmwareVersion": firmware,
    }


def frame(action: str, payload: dict[str, Any], message_id: str = "1") -> str:
    return json.dumps([2, message_id, action, payload])


# -- worked example 2: a quirk profile (Kelvo Wallbox-S 1.8 over-long serial numbers) -----------


def test_simulator_profile_really_breaks_the_schema() -> None:
    sim = next(p for p in Path(__file__).parents[2].glob("src/chargebridge/sim/profiles/kelvo-*.toml"))
    profile = load_sim_profile(sim)
    assert len(profile.serial_for("CP-0001")) > 25
    assert profile.serial_for("CP-0001") == KELVO_SERIAL


def test_quirk_relaxes_only_the_named_model_and_firmware() -> None:
    engine = QuirkEngine(builtin_profiles())
    strict = RpcEndpoint(schemas_for(OcppVersion.V16))
    [event] = strict.receive(frame("BootNotification", boot16("Kelvo", "Wallbox-S", KELVO_SERIAL, "1.8.0")))
    assert isinstance(event, ProtocolViolation)  # strict by default

    relaxed = RpcEndpoint(schemas_for(OcppVersion.V16), relax=engine.relaxer("CP-0001"))
    [event] = relaxed.receive(frame("BootNotification", boot16("Kelvo", "Wallbox-S", KELVO_SERIAL, "1.8.0")))
    assert isinstance(event, CallReceived)
    assert event.payload["chargePointSerialNumber"] == KELVO_SERIAL[:25]
    assert relaxed.data_to_send() == []  # answered by the services, no CALLERROR

    other_model = RpcEndpoint(schemas_for(OcppVersion.V16), relax=engine.relaxer("CP-0002"))
    [event] = other_model.receive(frame("BootNotification", boot16("Kelvo", "Wallbox-X", KELVO_SERIAL, "1.8.0")))
    assert isinstance(event, ProtocolViolation)
    newer = RpcEndpoint(schemas_for(OcppVersion.V16), relax=engine.relaxer("CP-0003"))
    [event] = newer.receive(frame("BootNotification", boot16("Kelvo", "Wallbox-S", KELVO_SERIAL, "1.9.0")))
    assert isinstance(event, ProtocolViolation)

    v201 = RpcEndpoint(schemas_for(OcppVersion.V201), relax=engine.relaxer("CP-0004"))
    payload = {
        "reason": "PowerUp",
        "chargingStation": {
            "vendorName": "Kelvo",
            "model": "Wallbox-S",
            "serialNumber": KELVO_SERIAL,
            "firmwareVersion": "1.8.0",
        },
    }
    [event] = v201.receive(frame("BootNotification", payload))
    assert isinstance(event, CallReceived)
    assert event.payload["chargingStation"]["serialNumber"] == KELVO_SERIAL[:25]

    rows = {(r["model"], r["firmware"], r["field"], r["outcome"]): r["count"] for r in engine.violations.rows()}
    assert rows == {
        ("Wallbox-S", "1.8.0", "chargePointSerialNumber", "relaxed"): 1,
        ("Wallbox-X", "1.8.0", "chargePointSerialNumber", "rejected"): 1,
        ("Wallbox-S", "1.9.0", "chargePointSerialNumber", "rejected"): 1,
        ("Wallbox-S", "1.8.0", "chargingStation.serialNumber", "relaxed"): 1,
    }
    assert engine.identities["CP-0001"] == Identity("Kelvo", "Wallbox-S", "1.8.0")


def test_non_standard_error_code_becomes_other_error() -> None:
    engine = QuirkEngine(builtin_profiles())
    engine.learn("CP-9", Identity("Kelvo", "Wallbox-S", "1.8.0"))
    endpoint = RpcEndpoint(schemas_for(OcppVersion.V16), relax=engine.relaxer("CP-9"))
    status = {"connectorId": 1, "errorCode": "E-0x3F21 ground fault", "status": "Faulted"}
    [event] = endpoint.receive(frame("StatusNotification", status))
    assert isinstance(event, CallReceived)
    assert event.payload["errorCode"] == "OtherError"
    assert event.payload["vendorErrorCode"] == "E-0x3F21 ground fault"
    assert status["errorCode"] == "E-0x3F21 ground fault"  # the original payload is not changed
    # A station of another vendor sending the same stays rejected.
    engine.learn("CP-10", Identity("Ampora", "AC22-Home", "2.1.7"))
    [event] = RpcEndpoint(schemas_for(OcppVersion.V16), relax=engine.relaxer("CP-10")).receive(
        frame("StatusNotification", status)
    )
    assert isinstance(event, ProtocolViolation)


def test_relax_decision_is_pure() -> None:
    schemas = schemas_for(OcppVersion.V16)
    payload = boot16("Kelvo", "Wallbox-S", KELVO_SERIAL, "1.8.2")
    with pytest.raises(OcppError) as info:
        schemas.validate_request("BootNotification", payload)
    violation = violation_of("BootNotification", info.value)
    assert (violation.field, violation.rule, violation.limit) == ("chargePointSerialNumber", "maxLength", 25)
    relaxation = relax_violation(builtin_profiles(), Identity("Kelvo", "Wallbox-S", "1.8.2"), violation, payload)
    assert relaxation is not None and relaxation.quirk == "long-serial-16"
    assert payload["chargePointSerialNumber"] == KELVO_SERIAL
    assert relax_violation(builtin_profiles(), None, violation, payload) is None


# -- worked example 1: a DataTransfer decoder (Voltara cabinet telemetry) ------------------------


def test_decoder_statuses() -> None:
    profiles = builtin_profiles()
    voltara = Identity("Voltara", "HPC-150", "4.0.3-rc2")
    ok = decode_data_transfer(
        profiles,
        voltara,
        DataTransferRequest("com.voltara", "CabinetTelemetry", '{"coolant_c": 31.5, "fan_rpm": 2400}'),
    )
    assert ok.status is DataTransferStatus.ACCEPTED
    assert [(v.measurand, v.value, v.unit) for v in ok.values] == [("Temperature", 31.5, "Celsius")]
    assert ok.event == {"fan_rpm": 2400}
    as_object = decode_data_transfer(
        profiles,
        voltara,
        DataTransferRequest("com.voltara", "CabinetTelemetry", {"coolant_c": 20, "coolant_low": True}),
    )
    assert as_object.faults == (("CoolantLow", True),)
    assert decode_data_transfer(profiles, voltara, DataTransferRequest("com.voltara", "Other", "{}")).status is (
        DataTransferStatus.UNKNOWN_MESSAGE_ID
    )
    assert decode_data_transfer(profiles, voltara, DataTransferRequest("com.acme", "X", "{}")).status is (
        DataTransferStatus.UNKNOWN_VENDOR_ID
    )
    bad = decode_data_transfer(profiles, voltara, DataTransferRequest("com.voltara", "CabinetTelemetry", "{not json"))
    assert bad.status is DataTransferStatus.REJECTED
    old_fw = Identity("Voltara", "HPC-150", "3.2.0")  # profile covers firmware 4.* only
    assert decode_data_transfer(
        profiles, old_fw, DataTransferRequest("com.voltara", "CabinetTelemetry", "{}")
    ).status is (DataTransferStatus.UNKNOWN_VENDOR_ID)


def test_profile_errors_name_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "acme.toml"
    bad.write_text('vendor = "Acme"\n[[data_transfer]]\nmessage_id = "X"\n[[data_transfer.fields]]\npath = "a"\n')
    with pytest.raises(ValueError, match="set exactly one of measurand, event_key, fault_code"):
        load_profile(bad)
    bad.write_text('vendor = "Acme"\nvendor_idz = ["x"]\n')
    with pytest.raises(ValueError, match="vendor_idz"):
        VendorsConfig(profiles=[str(bad)])


async def test_data_transfer_end_to_end(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", ocpp_port=0, http_port=0, auto_register=True, log_level="warning")
    ext = VendorsExtension(VendorsConfig(enabled=True))
    app = Chargebridge(settings, extensions=[ext])
    running = await app.start()
    try:
        assert app.store is not None
        assert "data_transfer" in ext.hooks
        events = app.bus.subscribe("t", {EventKind.METER_SAMPLED, EventKind.STATION_EVENT, EventKind.FAULT_RAISED})
        station_id = random_id()
        station = await RawStation.open(f"ws://127.0.0.1:{running.ocpp_port}/ocpp", station_id)
        try:
            answer = await station.call("BootNotification", boot16("Voltara", "HPC-150", "VT1", "4.0.3-rc2"))
            assert answer[2]["status"] == "Accepted"
            data = json.dumps({"coolant_c": 31.5, "fan_rpm": 2400, "coolant_low": True})
            answer = await station.call(
                "DataTransfer", {"vendorId": "com.voltara", "messageId": "CabinetTelemetry", "data": data}
            )
            assert answer[2] == {"status": "Accepted"}
            answer = await station.call("DataTransfer", {"vendorId": "com.voltara", "messageId": "Nope"})
            assert answer[2] == {"status": "UnknownMessageId"}
            answer = await station.call("DataTransfer", {"vendorId": "com.unknown", "messageId": "X"})
            assert answer[2] == {"status": "UnknownVendorId"}
        finally:
            await station.close()
        seen: dict[EventKind, list[dict[str, Any]]] = {}
        while not events.queue.empty():
            event = await events.get()
            seen.setdefault(event.kind, []).append(event.data)
        assert seen[EventKind.METER_SAMPLED][0]["values"][0]["value"] == 31.5
        assert {"source": "vendor", "decoded": {"fan_rpm": 2400}}.items() <= next(
            e for e in seen[EventKind.STATION_EVENT] if "decoded" in e
        ).items()
        assert seen[EventKind.FAULT_RAISED][0]["code"] == "CoolantLow"
        rows = await app.store.list_meter_values(station_id)
        assert [(r["measurand"], r["value"], r["location"]) for r in rows] == [("Temperature", 31.5, "Body")]
        faults = (await app.store.faults_of([station_id]))[station_id]
        assert [(f["source"], f["code"]) for f in faults] == [("vendor", "CoolantLow")]

        # The violation counts are served to viewers.
        ext.engine.relax(
            station_id,
            "BootNotification",
            boot16("Kelvo", "Wallbox-S", KELVO_SERIAL, "1.8.0"),
            _schema_error("BootNotification", boot16("Kelvo", "Wallbox-S", KELVO_SERIAL, "1.8.0")),
        )
        token_id, token = new_api_token()
        await app.store.add_api_token(
            token_id=token_id,
            name="v",
            token_hash=hash_api_token(token),
            role="viewer",
            now=app.clock.now(),
            expires_at=None,
        )
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{running.http_port}") as client:
            resp = await client.get(
                "/api/v1/integrations/vendors/violations", headers={"Authorization": f"Bearer {token}"}
            )
            assert (await client.get("/api/v1/integrations/vendors/violations")).status_code == 401
        assert resp.status_code == 200
        assert resp.json() == [
            {
                "vendor": "Kelvo",
                "model": "Wallbox-S",
                "firmware": "1.8.0",
                "action": "BootNotification",
                "field": "chargePointSerialNumber",
                "rule": "maxLength",
                "outcome": "relaxed",
                "count": 1,
            }
        ]
    finally:
        await app.stop()
        await asyncio.sleep(0)


def _schema_error(action: str, payload: dict[str, Any]) -> OcppError:
    try:
        schemas_for(OcppVersion.V16).validate_request(action, payload)
    except OcppError as exc:
        return exc
    raise AssertionError("payload is valid")
