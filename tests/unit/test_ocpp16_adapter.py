"""The OCPP 1.6J adapter: inbound decoding, response and command encoding, outcomes.

Every payload going in is first checked against the official 1.6 request schema (so the
fixtures are realistic), and every payload coming out must pass the official schema.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chargebridge.domain import commands as cmd
from chargebridge.domain import firmware as fw
from chargebridge.domain.adapter import VersionAdapter
from chargebridge.domain.model import (
    AuthorizationStatus,
    ConnectorStatus,
    IdToken,
    IdTokenInfo,
    ReadingContext,
    RegistrationStatus,
    SampledValue,
)
from chargebridge.domain.requests import (
    Ack,
    AuthorizeRequest,
    AuthorizeResponse,
    BootRequest,
    BootResponse,
    DataTransferRequest,
    DataTransferResponse,
    DataTransferStatus,
    Decoded,
    FirmwareStatusRequest,
    HeartbeatRequest,
    HeartbeatResponse,
    LogStatusRequest,
    MeterValuesRequest,
    SecurityEventRequest,
    SignCertificateResponse,
    StationResponse,
    StatusRequest,
    TransactionEventRequest,
    TransactionEventResponse,
    TransactionEventType,
)
from chargebridge.ocpp16.adapter import COMMAND_ENCODERS, Ocpp16Adapter
from chargebridge.rpc import CallReceived, ErrorCode, OcppError, OcppVersion, RpcEndpoint, schemas_for
from tests.unit.charging_cases import CHARGING_COMMANDS_16
from tests.unit.test_authorization import COMMANDS_16 as AUTHORIZATION_COMMANDS_16
from tests.unit.test_devicemodel_adapters import COMMANDS_16 as DEVICE_MODEL_COMMANDS_16

SCHEMAS = schemas_for(OcppVersion.V16)
T0 = "2024-05-01T12:00:00.000Z"
T0_DT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
T1 = "2024-05-01T12:15:00.000Z"
LEAP_SECOND = "2016-12-31T23:59:60Z"  # schema-valid date-time that no datetime can hold
PAST_MAX = "9999-12-31T23:59:59-05:00"  # schema-valid, but past the last datetime once in UTC


@pytest.fixture
def adapter() -> Ocpp16Adapter:
    return Ocpp16Adapter()


def decode(adapter: Ocpp16Adapter, action: str, payload: dict[str, Any]) -> Decoded:
    SCHEMAS.validate_request(action, payload)
    return adapter.decode(action, payload)


def rounded(values: tuple[SampledValue, ...]) -> tuple[SampledValue, ...]:
    """Values rounded to a micro-unit, so that unit conversions compare exactly."""
    return tuple(dataclasses.replace(value, value=round(value.value, 6)) for value in values)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_is_a_version_adapter() -> None:
    adapter: VersionAdapter = Ocpp16Adapter()
    assert adapter.version is OcppVersion.V16


INBOUND = {
    "BootNotification",
    "Heartbeat",
    "StatusNotification",
    "Authorize",
    "StartTransaction",
    "StopTransaction",
    "MeterValues",
    "DataTransfer",
    "DiagnosticsStatusNotification",
    "FirmwareStatusNotification",
    "SecurityEventNotification",
    "SignedFirmwareStatusNotification",
    "LogStatusNotification",
    "SignCertificate",
}


def test_accepts_exactly_the_charge_point_actions(adapter: Ocpp16Adapter) -> None:
    assert {action for action in SCHEMAS.actions if adapter.accepts(action)} == INBOUND
    assert not adapter.accepts("CertificateSigned")
    assert not adapter.accepts("RemoteStartTransaction")
    assert not adapter.accepts("TransactionEvent")


def test_decode_refuses_an_action_it_does_not_accept(adapter: Ocpp16Adapter) -> None:
    with pytest.raises(OcppError) as caught:
        adapter.decode("CertificateSigned", {"certificateChain": "x"})
    assert caught.value.code is ErrorCode.NOT_SUPPORTED


# -- inbound --------------------------------------------------------------------------------


def test_boot_notification(adapter: Ocpp16Adapter) -> None:
    decoded = decode(
        adapter,
        "BootNotification",
        {
            "chargePointVendor": "Alfen BV",
            "chargePointModel": "NG920-61001",
            "chargePointSerialNumber": "ACE0123456",
            "firmwareVersion": "5.8.1-4123",
            "iccid": "8931440400012345678",
            "imsi": "204080812345678",
            "meterType": "Eastron SDM630",
            "meterSerialNumber": "MTR-99",
        },
    )
    assert isinstance(decoded.request, BootRequest)
    identity = decoded.request.identity
    assert (identity.vendor, identity.model, identity.serial_number) == ("Alfen BV", "NG920-61001", "ACE0123456")
    assert identity.firmware_version == "5.8.1-4123"
    assert (identity.iccid, identity.imsi) == ("8931440400012345678", "204080812345678")
    assert (identity.meter_type, identity.meter_serial_number) == ("Eastron SDM630", "MTR-99")
    assert identity.extra == {}
    assert decoded.notes == ()


def test_boot_serial_falls_back_to_the_deprecated_charge_box_serial(adapter: Ocpp16Adapter) -> None:
    only_box = decode(
        adapter, "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M", "chargeBoxSerialNumber": "B1"}
    )
    assert isinstance(only_box.request, BootRequest)
    assert only_box.request.identity.serial_number == "B1"
    assert only_box.request.identity.firmware_version is None

    both = decode(
        adapter,
        "BootNotification",
        {
            "chargePointVendor": "V",
            "chargePointModel": "M",
            "chargePointSerialNumber": "P1",
            "chargeBoxSerialNumber": "B1",
        },
    )
    assert isinstance(both.request, BootRequest)
    assert both.request.identity.serial_number == "P1"
    assert both.request.identity.extra == {"chargeBoxSerialNumber": "B1"}


def test_heartbeat(adapter: Ocpp16Adapter) -> None:
    assert decode(adapter, "Heartbeat", {}) == Decoded(HeartbeatRequest())


def test_status_notification_without_error(adapter: Ocpp16Adapter) -> None:
    decoded = decode(
        adapter, "StatusNotification", {"connectorId": 2, "errorCode": "NoError", "status": "Charging", "timestamp": T0}
    )
    assert decoded.request == StatusRequest(
        evse_id=2, connector_id=2, status=ConnectorStatus.CHARGING, timestamp=at(T0), error_code=None
    )


def test_status_notification_with_fault(adapter: Ocpp16Adapter) -> None:
    decoded = decode(
        adapter,
        "StatusNotification",
        {
            "connectorId": 0,
            "errorCode": "GroundFailure",
            "status": "Faulted",
            "vendorId": "com.example",
            "vendorErrorCode": "E042",
            "info": "RCD tripped",
        },
    )
    assert decoded.request == StatusRequest(
        evse_id=0,
        connector_id=0,
        status=ConnectorStatus.FAULTED,
        timestamp=None,
        error_code="GroundFailure",
        vendor_error_code="E042",
        vendor_id="com.example",
        info="RCD tripped",
    )


@pytest.mark.parametrize("status", ["Available", "Preparing", "SuspendedEV", "SuspendedEVSE", "Finishing", "Reserved"])
def test_status_notification_keeps_every_16_state(adapter: Ocpp16Adapter, status: str) -> None:
    decoded = decode(adapter, "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": status})
    assert isinstance(decoded.request, StatusRequest)
    assert decoded.request.status.value == status


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        ("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": "X"}),
        ("StartTransaction", {"connectorId": 1, "idTag": "A", "meterStart": 0, "timestamp": "X"}),
        ("StopTransaction", {"transactionId": 1, "meterStop": 0, "timestamp": "X"}),
        ("SecurityEventNotification", {"type": "FirmwareUpdated", "timestamp": "X"}),
    ],
)
@pytest.mark.parametrize("timestamp", [LEAP_SECOND, PAST_MAX])
def test_unusable_timestamp_is_a_property_constraint_violation(
    adapter: Ocpp16Adapter, action: str, payload: dict[str, Any], timestamp: str
) -> None:
    payload = {**payload, "timestamp": timestamp}
    SCHEMAS.validate_request(action, payload)  # the schema lets it through ...
    with pytest.raises(OcppError) as caught:  # ... the adapter cannot use it
        adapter.decode(action, payload)
    assert caught.value.code is ErrorCode.PROPERTY_CONSTRAINT_VIOLATION


@pytest.mark.parametrize(
    ("action", "payload", "code"),
    [
        ("Authorize", {}, ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION),
        ("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Busy"}, None),
        ("StopTransaction", {"transactionId": 1, "meterStop": "many", "timestamp": T0}, None),
        (
            "StartTransaction",
            {"connectorId": 1, "idTag": "A", "meterStart": 0, "timestamp": 5},
            ErrorCode.TYPE_CONSTRAINT_VIOLATION,
        ),
    ],
)
def test_an_unvalidated_broken_payload_is_an_ocpp_error(
    adapter: Ocpp16Adapter, action: str, payload: dict[str, Any], code: ErrorCode | None
) -> None:
    with pytest.raises(OcppError) as caught:
        adapter.decode(action, payload)
    if code is not None:
        assert caught.value.code is code


def test_authorize(adapter: Ocpp16Adapter) -> None:
    assert decode(adapter, "Authorize", {"idTag": "04A2B3C4D5E6F7"}) == Decoded(
        AuthorizeRequest(IdToken("04A2B3C4D5E6F7"))
    )


START = {"connectorId": 1, "idTag": "RFID-0001", "meterStart": 123456, "timestamp": T0, "reservationId": 7}


def test_start_transaction(adapter: Ocpp16Adapter) -> None:
    decoded = decode(adapter, "StartTransaction", START)
    request = decoded.request
    assert isinstance(request, TransactionEventRequest)
    assert request.event_type is TransactionEventType.STARTED
    assert request.transaction_id is None
    assert request.timestamp == at(T0)
    assert (request.evse_id, request.connector_id) == (1, 1)
    assert request.id_token == IdToken("RFID-0001")
    assert request.meter_start_wh == 123456.0
    assert request.reservation_id == 7
    assert request.dedupe_key


def test_start_transaction_dedupe_key_is_stable_and_discriminating(adapter: Ocpp16Adapter) -> None:
    def key(payload: dict[str, Any]) -> str | None:
        request = decode(adapter, "StartTransaction", payload).request
        assert isinstance(request, TransactionEventRequest)
        return request.dedupe_key

    assert key(START) == key(dict(START))
    assert key(START) != key({**START, "meterStart": 123457})
    assert key(START) != key({**START, "connectorId": 2})
    assert key(START) != key({**START, "idTag": "RFID-0002"})
    assert key(START) != key({**START, "timestamp": T1})
    # A separator inside the idTag cannot make two different starts collide.
    assert key({**START, "idTag": "a:1"}) != key({**START, "idTag": "a", "connectorId": 1})


def test_stop_transaction_with_transaction_data(adapter: Ocpp16Adapter) -> None:
    decoded = decode(
        adapter,
        "StopTransaction",
        {
            "transactionId": 4711,
            "idTag": "RFID-0001",
            "meterStop": 135000,
            "timestamp": T1,
            "reason": "EVDisconnected",
            "transactionData": [
                {
                    "timestamp": T0,
                    "sampledValue": [{"value": "123.456", "unit": "kWh", "context": "Transaction.Begin"}],
                },
                {
                    "timestamp": T1,
                    "sampledValue": [
                        {"value": "135000", "context": "Transaction.End"},
                        {"value": "broken", "measurand": "SoC", "unit": "Percent", "context": "Transaction.End"},
                    ],
                },
            ],
        },
    )
    request = decoded.request
    assert isinstance(request, TransactionEventRequest)
    assert request.event_type is TransactionEventType.ENDED
    assert request.transaction_id == "4711"
    assert request.timestamp == at(T1)
    assert request.id_token == IdToken("RFID-0001")
    assert request.meter_stop_wh == 135000.0
    assert request.stop_reason == "EVDisconnected"
    begin, end = request.meter_values
    assert begin.timestamp == at(T0)
    assert rounded(begin.values) == (
        SampledValue("Energy.Active.Import.Register", 123456.0, "Wh", ReadingContext.TRANSACTION_BEGIN),
    )
    assert end.energy_register_wh() == 135000.0
    assert len(end.values) == 1
    assert len(decoded.notes) == 1
    assert "transactionData[1].sampledValue[1]" in decoded.notes[0]


def test_stop_transaction_defaults_reason_to_local_and_has_no_token(adapter: Ocpp16Adapter) -> None:
    decoded = decode(adapter, "StopTransaction", {"transactionId": 12, "meterStop": 900, "timestamp": T0})
    assert decoded.request == TransactionEventRequest(
        event_type=TransactionEventType.ENDED,
        transaction_id="12",
        timestamp=at(T0),
        id_token=None,
        meter_stop_wh=900.0,
        stop_reason="Local",
    )


def test_meter_values_three_phase_in_kilo_units(adapter: Ocpp16Adapter) -> None:
    decoded = decode(
        adapter,
        "MeterValues",
        {
            "connectorId": 1,
            "transactionId": 4711,
            "meterValue": [
                {
                    "timestamp": T0,
                    "sampledValue": [
                        {"value": "12.345", "measurand": "Energy.Active.Import.Register", "unit": "kWh"},
                        {"value": "7.4", "measurand": "Power.Active.Import", "unit": "kW", "context": "Sample.Clock"},
                        {"value": "16.1", "measurand": "Current.Import", "unit": "A", "phase": "L1"},
                        {"value": "15.9", "measurand": "Current.Import", "unit": "A", "phase": "L2"},
                        {"value": "16.0", "measurand": "Current.Import", "unit": "A", "phase": "L3"},
                        {"value": "231.2", "measurand": "Voltage", "unit": "V", "phase": "L1-N"},
                        {"value": "1.5", "measurand": "Energy.Reactive.Import.Register", "unit": "kvarh"},
                        {"value": "48", "measurand": "SoC", "unit": "Percent", "location": "EV", "context": "Trigger"},
                        {"value": "31.5", "measurand": "Temperature", "unit": "Celcius", "location": "Body"},
                        {"value": "50.02", "measurand": "Frequency", "unit": "Hertz"},
                    ],
                }
            ],
        },
    )
    request = decoded.request
    assert isinstance(request, MeterValuesRequest)
    assert (request.evse_id, request.connector_id, request.transaction_id) == (1, 1, "4711")
    (sample,) = request.samples
    assert sample.timestamp == at(T0)
    periodic = ReadingContext.SAMPLE_PERIODIC
    assert rounded(sample.values) == (
        SampledValue("Energy.Active.Import.Register", 12345.0, "Wh", periodic),
        SampledValue("Power.Active.Import", 7400.0, "W", ReadingContext.SAMPLE_CLOCK),
        SampledValue("Current.Import", 16.1, "A", periodic, phase="L1"),
        SampledValue("Current.Import", 15.9, "A", periodic, phase="L2"),
        SampledValue("Current.Import", 16.0, "A", periodic, phase="L3"),
        SampledValue("Voltage", 231.2, "V", periodic, phase="L1-N"),
        SampledValue("Energy.Reactive.Import.Register", 1500.0, "varh", periodic),
        SampledValue("SoC", 48.0, "Percent", ReadingContext.TRIGGER, location="EV"),
        SampledValue("Temperature", 31.5, "Celsius", periodic, location="Body"),
        SampledValue("Frequency", 50.02, "Hz", periodic),
    )
    assert sample.energy_register_wh() == pytest.approx(12345.0)
    assert decoded.notes == ()


def test_meter_values_defaults_and_temperature_units(adapter: Ocpp16Adapter) -> None:
    decoded = decode(
        adapter,
        "MeterValues",
        {
            "connectorId": 0,
            "meterValue": [
                {
                    "timestamp": T0,
                    "sampledValue": [
                        {"value": "1000"},  # Energy.Active.Import.Register in Wh, Sample.Periodic
                        {"value": "300", "measurand": "Temperature", "unit": "K"},
                        {"value": "212", "measurand": "Temperature", "unit": "Fahrenheit"},
                    ],
                }
            ],
        },
    )
    request = decoded.request
    assert isinstance(request, MeterValuesRequest)
    assert request.transaction_id is None
    energy, kelvin, fahrenheit = request.samples[0].values
    assert energy == SampledValue("Energy.Active.Import.Register", 1000.0, "Wh", ReadingContext.SAMPLE_PERIODIC)
    assert kelvin.unit == fahrenheit.unit == "Celsius"
    assert kelvin.value == pytest.approx(26.85)
    assert fahrenheit.value == pytest.approx(100.0)


def test_meter_values_group_by_timestamp(adapter: Ocpp16Adapter) -> None:
    decoded = decode(
        adapter,
        "MeterValues",
        {
            "connectorId": 1,
            "meterValue": [
                {"timestamp": T0, "sampledValue": [{"value": "1"}]},
                {"timestamp": T1, "sampledValue": [{"value": "3"}]},
                # Same instant, other spelling: merged into the first sample.
                {"timestamp": "2024-05-01T14:00:00+02:00", "sampledValue": [{"value": "2", "measurand": "Voltage"}]},
            ],
        },
    )
    request = decoded.request
    assert isinstance(request, MeterValuesRequest)
    assert [sample.timestamp for sample in request.samples] == [at(T0), at(T1)]
    assert [value.value for value in request.samples[0].values] == [1.0, 2.0]
    assert [value.value for value in request.samples[1].values] == [3.0]


@pytest.mark.parametrize(
    "bad", ["abc", "", " ", "NaN", "inf", "-Infinity", "1_000", "1,5", "0x10", "1e999", "12 kWh", "\u0661\u0662"]
)
def test_non_numeric_values_are_skipped_with_a_note(adapter: Ocpp16Adapter, bad: str) -> None:
    decoded = decode(
        adapter,
        "MeterValues",
        {
            "connectorId": 1,
            "meterValue": [{"timestamp": T0, "sampledValue": [{"value": bad}, {"value": "42", "measurand": "SoC"}]}],
        },
    )
    request = decoded.request
    assert isinstance(request, MeterValuesRequest)
    assert [value.measurand for sample in request.samples for value in sample.values] == ["SoC"]
    assert len(decoded.notes) == 1
    assert decoded.notes[0].startswith("meterValue[0].sampledValue[0] skipped")


@pytest.mark.parametrize("timestamp", [LEAP_SECOND, PAST_MAX])
def test_a_meter_value_with_an_unusable_timestamp_is_skipped_with_a_note(
    adapter: Ocpp16Adapter, timestamp: str
) -> None:
    decoded = decode(
        adapter,
        "StopTransaction",
        {
            "transactionId": 5,
            "meterStop": 2000,
            "timestamp": T1,
            "transactionData": [
                {"timestamp": timestamp, "sampledValue": [{"value": "1000"}]},
                {"timestamp": T1, "sampledValue": [{"value": "2000"}]},
            ],
        },
    )
    request = decoded.request
    assert isinstance(request, TransactionEventRequest)
    assert [sample.timestamp for sample in request.meter_values] == [at(T1)]
    assert decoded.notes == ("transactionData[0] skipped: timestamp is not a valid date-time",)


def test_signed_data_is_kept_as_a_signed_reading(adapter: Ocpp16Adapter) -> None:
    decoded = decode(
        adapter,
        "MeterValues",
        {
            "connectorId": 1,
            "meterValue": [
                {
                    "timestamp": T0,
                    "sampledValue": [
                        {"value": "1234", "format": "Raw"},
                        {
                            "value": "12345",
                            "format": "SignedData",
                            "context": "Transaction.End",
                        },  # digits, still signed
                    ],
                }
            ],
        },
    )
    request = decoded.request
    assert isinstance(request, MeterValuesRequest)
    assert [value.value for value in request.samples[0].values] == [1234.0]
    assert decoded.notes == ()
    [signed] = request.samples[0].signed
    assert (signed.data, signed.encoding_method, signed.context.value) == ("12345", "Unknown", "Transaction.End")


def test_a_sample_with_no_usable_value_disappears(adapter: Ocpp16Adapter) -> None:
    decoded = decode(
        adapter,
        "MeterValues",
        {"connectorId": 1, "meterValue": [{"timestamp": T0, "sampledValue": [{"value": "n/a"}]}]},
    )
    request = decoded.request
    assert isinstance(request, MeterValuesRequest)
    assert request.samples == ()
    assert len(decoded.notes) == 1


def test_whitespace_and_signs_around_numbers_are_tolerated(adapter: Ocpp16Adapter) -> None:
    decoded = decode(
        adapter,
        "MeterValues",
        {
            "connectorId": 1,
            "meterValue": [
                {
                    "timestamp": T0,
                    "sampledValue": [{"value": " 12.5 "}, {"value": "+3"}, {"value": "-.5"}, {"value": "1E3"}],
                }
            ],
        },
    )
    request = decoded.request
    assert isinstance(request, MeterValuesRequest)
    assert [value.value for value in request.samples[0].values] == [12.5, 3.0, -0.5, 1000.0]


def test_data_transfer(adapter: Ocpp16Adapter) -> None:
    payload = {"vendorId": "com.example", "messageId": "Tariff", "data": '{"price": 0.3}'}
    assert decode(adapter, "DataTransfer", payload) == Decoded(
        DataTransferRequest("com.example", "Tariff", '{"price": 0.3}')
    )
    assert decode(adapter, "DataTransfer", {"vendorId": "v"}) == Decoded(DataTransferRequest("v"))


def test_status_notifications_of_diagnostics_logs_and_firmware(adapter: Ocpp16Adapter) -> None:
    assert decode(adapter, "DiagnosticsStatusNotification", {"status": "Uploaded"}) == Decoded(
        LogStatusRequest("Uploaded", kind="diagnostics")
    )
    assert decode(adapter, "LogStatusNotification", {"status": "Uploading", "requestId": 9}) == Decoded(
        LogStatusRequest("Uploading", kind="log", request_id=9)
    )
    assert decode(adapter, "FirmwareStatusNotification", {"status": "Installing"}) == Decoded(
        FirmwareStatusRequest("Installing")
    )
    assert decode(adapter, "SignedFirmwareStatusNotification", {"status": "InvalidSignature", "requestId": 3}) == (
        Decoded(FirmwareStatusRequest("InvalidSignature", request_id=3))
    )


def test_security_event_notification(adapter: Ocpp16Adapter) -> None:
    decoded = decode(
        adapter,
        "SecurityEventNotification",
        {"type": "InvalidCentralSystemCertificate", "timestamp": T0, "techInfo": "expired"},
    )
    assert decoded.request == SecurityEventRequest("InvalidCentralSystemCertificate", at(T0), "expired")
    bare = decode(adapter, "SecurityEventNotification", {"type": "StartupOfTheDevice", "timestamp": T1})
    assert bare.request == SecurityEventRequest("StartupOfTheDevice", at(T1), None)


# -- responses ------------------------------------------------------------------------------

NOW = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
ACCEPTED = IdTokenInfo(AuthorizationStatus.ACCEPTED)

RESPONSES: list[tuple[str, StationResponse, dict[str, Any]]] = [
    (
        "BootNotification",
        BootResponse(RegistrationStatus.ACCEPTED, NOW, 300),
        {"status": "Accepted", "currentTime": "2024-05-01T12:00:00.123Z", "interval": 300},
    ),
    (
        "BootNotification",
        BootResponse(RegistrationStatus.PENDING, NOW, 60),
        {"status": "Pending", "currentTime": "2024-05-01T12:00:00.123Z", "interval": 60},
    ),
    ("Heartbeat", HeartbeatResponse(NOW), {"currentTime": "2024-05-01T12:00:00.123Z"}),
    ("StatusNotification", Ack(), {}),
    ("MeterValues", Ack(), {}),
    ("DiagnosticsStatusNotification", Ack(), {}),
    ("FirmwareStatusNotification", Ack(), {}),
    ("SecurityEventNotification", Ack(), {}),
    ("SignedFirmwareStatusNotification", Ack(), {}),
    ("LogStatusNotification", Ack(), {}),
    ("Authorize", AuthorizeResponse(ACCEPTED), {"idTagInfo": {"status": "Accepted"}}),
    (
        "Authorize",
        AuthorizeResponse(IdTokenInfo(AuthorizationStatus.ACCEPTED, expires_at=NOW, group_id="FLEET-1")),
        {"idTagInfo": {"status": "Accepted", "expiryDate": "2024-05-01T12:00:00.123Z", "parentIdTag": "FLEET-1"}},
    ),
    ("Authorize", AuthorizeResponse(IdTokenInfo(AuthorizationStatus.UNKNOWN)), {"idTagInfo": {"status": "Invalid"}}),
    ("Authorize", AuthorizeResponse(IdTokenInfo(AuthorizationStatus.BLOCKED)), {"idTagInfo": {"status": "Blocked"}}),
    (
        "Authorize",
        AuthorizeResponse(IdTokenInfo(AuthorizationStatus.ACCEPTED, group_id="x" * 36)),  # too long for 1.6
        {"idTagInfo": {"status": "Accepted"}},
    ),
    (
        "StartTransaction",
        TransactionEventResponse("4711", ACCEPTED),
        {"transactionId": 4711, "idTagInfo": {"status": "Accepted"}},
    ),
    (
        "StartTransaction",
        TransactionEventResponse("12", IdTokenInfo(AuthorizationStatus.CONCURRENT_TX)),
        {"transactionId": 12, "idTagInfo": {"status": "ConcurrentTx"}},
    ),
    ("StopTransaction", TransactionEventResponse(), {}),
    ("StopTransaction", TransactionEventResponse(id_token_info=ACCEPTED), {"idTagInfo": {"status": "Accepted"}}),
    ("DataTransfer", DataTransferResponse(DataTransferStatus.ACCEPTED), {"status": "Accepted"}),
    (
        "DataTransfer",
        DataTransferResponse(DataTransferStatus.ACCEPTED, "plain text"),
        {"status": "Accepted", "data": "plain text"},
    ),
    (
        "DataTransfer",
        DataTransferResponse(DataTransferStatus.UNKNOWN_VENDOR_ID, {"a": [1, 2]}),
        {"status": "UnknownVendorId", "data": '{"a":[1,2]}'},
    ),
    ("SignCertificate", SignCertificateResponse(True), {"status": "Accepted"}),
    ("SignCertificate", SignCertificateResponse(False, "InvalidCSR", "weak key"), {"status": "Rejected"}),
]


@pytest.mark.parametrize(("action", "response", "expected"), RESPONSES)
def test_encode_response(adapter: Ocpp16Adapter, action: str, response: StationResponse, expected: Any) -> None:
    payload = adapter.encode_response(action, response)
    assert payload == expected
    SCHEMAS.validate_response(action, payload)


def test_every_inbound_action_has_a_response_encoding(adapter: Ocpp16Adapter) -> None:
    assert {action for action, _, _ in RESPONSES} == INBOUND


def test_a_response_of_the_wrong_type_is_a_bug(adapter: Ocpp16Adapter) -> None:
    with pytest.raises(TypeError):
        adapter.encode_response("BootNotification", Ack())
    with pytest.raises(TypeError):
        adapter.encode_response("StatusNotification", HeartbeatResponse(NOW))


@pytest.mark.parametrize(
    "response",
    [
        TransactionEventResponse("tx-abc", ACCEPTED),
        TransactionEventResponse(None, ACCEPTED),
        TransactionEventResponse("7"),
    ],
)
def test_start_transaction_answer_needs_an_integer_id_and_token_info(
    adapter: Ocpp16Adapter, response: TransactionEventResponse
) -> None:
    with pytest.raises(ValueError):
        adapter.encode_response("StartTransaction", response)


# -- commands -------------------------------------------------------------------------------

PROFILE = {
    "chargingProfileId": 1,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxProfile",
    "chargingProfileKind": "Relative",
    "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}]},
}

HASH = cmd.CertificateHashData("SHA256", "ab" * 32, "cd" * 32, "1f2e")

COMMANDS: list[tuple[cmd.Command, str, dict[str, Any]]] = [
    (cmd.RemoteStart(IdToken("RFID-0001")), "RemoteStartTransaction", {"idTag": "RFID-0001"}),
    (cmd.RemoteStart(IdToken("A"), evse_id=2), "RemoteStartTransaction", {"idTag": "A", "connectorId": 2}),
    (cmd.RemoteStart(IdToken("A"), connector_id=3), "RemoteStartTransaction", {"idTag": "A", "connectorId": 3}),
    (
        cmd.RemoteStart(IdToken("A"), evse_id=1, charging_profile=PROFILE),
        "RemoteStartTransaction",
        {"idTag": "A", "connectorId": 1, "chargingProfile": PROFILE},
    ),
    (cmd.RemoteStop("4711"), "RemoteStopTransaction", {"transactionId": 4711}),
    (cmd.Reset(), "Reset", {"type": "Soft"}),
    (cmd.Reset(cmd.ResetType.HARD), "Reset", {"type": "Hard"}),
    (cmd.Unlock(evse_id=2), "UnlockConnector", {"connectorId": 2}),
    (cmd.Unlock(evse_id=3, connector_id=1), "UnlockConnector", {"connectorId": 3}),
    (cmd.ChangeAvailability(False), "ChangeAvailability", {"connectorId": 0, "type": "Inoperative"}),
    (cmd.ChangeAvailability(True, evse_id=2), "ChangeAvailability", {"connectorId": 2, "type": "Operative"}),
    (cmd.ChangeAvailability(True, connector_id=1), "ChangeAvailability", {"connectorId": 1, "type": "Operative"}),
    (cmd.GetConfiguration(), "GetConfiguration", {}),
    (
        cmd.GetConfiguration(keys=("HeartbeatInterval", "MeterValueSampleInterval")),
        "GetConfiguration",
        {"key": ["HeartbeatInterval", "MeterValueSampleInterval"]},
    ),
    (
        cmd.SetConfiguration("60", key="HeartbeatInterval"),
        "ChangeConfiguration",
        {"key": "HeartbeatInterval", "value": "60"},
    ),
    (cmd.TriggerMessage("Heartbeat"), "TriggerMessage", {"requestedMessage": "Heartbeat"}),
    (cmd.TriggerMessage("BootNotification"), "TriggerMessage", {"requestedMessage": "BootNotification"}),
    (
        cmd.TriggerMessage("StatusNotification", evse_id=2),
        "TriggerMessage",
        {"requestedMessage": "StatusNotification", "connectorId": 2},
    ),
    (
        cmd.TriggerMessage("MeterValues", connector_id=1),
        "TriggerMessage",
        {"requestedMessage": "MeterValues", "connectorId": 1},
    ),
    (
        cmd.TriggerMessage("FirmwareStatusNotification"),
        "TriggerMessage",
        {"requestedMessage": "FirmwareStatusNotification"},
    ),
    (
        cmd.TriggerMessage("DiagnosticsStatusNotification"),
        "TriggerMessage",
        {"requestedMessage": "DiagnosticsStatusNotification"},
    ),
    (
        cmd.TriggerMessage("LogStatusNotification"),
        "TriggerMessage",
        {"requestedMessage": "DiagnosticsStatusNotification"},
    ),
    (
        cmd.TriggerMessage("SignChargingStationCertificate"),
        "ExtendedTriggerMessage",
        {"requestedMessage": "SignChargePointCertificate"},
    ),
    (cmd.ClearCache(), "ClearCache", {}),
    (cmd.DataTransfer("com.example"), "DataTransfer", {"vendorId": "com.example"}),
    (
        cmd.DataTransfer("com.example", "SetTariff", "0.30 EUR/kWh"),
        "DataTransfer",
        {"vendorId": "com.example", "messageId": "SetTariff", "data": "0.30 EUR/kWh"},
    ),
    (
        cmd.DataTransfer("com.example", "SetTariff", {"price": 0.3, "currency": "EUR"}),
        "DataTransfer",
        {"vendorId": "com.example", "messageId": "SetTariff", "data": '{"price":0.3,"currency":"EUR"}'},
    ),
    (cmd.CertificateSigned("PEM"), "CertificateSigned", {"certificateChain": "PEM"}),
    (
        cmd.InstallCertificate("CSMSRootCertificate", "PEM"),
        "InstallCertificate",
        {"certificateType": "CentralSystemRootCertificate", "certificate": "PEM"},
    ),
    (cmd.DeleteCertificate(HASH), "DeleteCertificate", {"certificateHashData": HASH.to_json()}),
    (
        cmd.GetInstalledCertificateIds(("ManufacturerRootCertificate",)),
        "GetInstalledCertificateIds",
        {"certificateType": "ManufacturerRootCertificate"},
    ),
    *AUTHORIZATION_COMMANDS_16,  # ReserveNow, CancelReservation, SendLocalList, GetLocalListVersion
    *DEVICE_MODEL_COMMANDS_16,  # device model: reports and variables as configuration keys
    (
        fw.UpdateFirmware("https://fw.example/a.bin", T0_DT, 4, T0_DT, retries=2, retry_interval_s=30),
        "UpdateFirmware",  # no signature: the core profile's message (no request id, no install time)
        {"location": "https://fw.example/a.bin", "retrieveDate": T0, "retries": 2, "retryInterval": 30},
    ),
    (
        fw.UpdateFirmware("https://fw.example/a.bin", T0_DT, 4, T0_DT, "PEM", "c2ln"),
        "SignedUpdateFirmware",
        {
            "requestId": 4,
            "firmware": {
                "location": "https://fw.example/a.bin",
                "retrieveDateTime": T0,
                "installDateTime": T0,
                "signingCertificate": "PEM",
                "signature": "c2ln",
            },
        },
    ),
    (
        fw.GetLog("ftp://logs.example/", oldest=T0_DT, retries=1),
        "GetDiagnostics",
        {"location": "ftp://logs.example/", "startTime": T0, "retries": 1},
    ),
    (
        fw.GetLog("ftp://logs.example/", fw.LogType.SECURITY, 5, latest=T0_DT),
        "GetLog",
        {
            "logType": "SecurityLog",
            "requestId": 5,
            "log": {"remoteLocation": "ftp://logs.example/", "latestTimestamp": T0},
        },
    ),
]
COMMANDS += CHARGING_COMMANDS_16  # smart charging (tests/unit/charging_cases.py)


@pytest.mark.parametrize(("command", "action", "expected"), COMMANDS)
def test_encode_command(adapter: Ocpp16Adapter, command: cmd.Command, action: str, expected: dict[str, Any]) -> None:
    assert adapter.encode_command(command) == (action, expected)
    SCHEMAS.validate_request(action, expected)


def test_every_command_type_is_covered() -> None:
    assert {type(command) for command, _, _ in COMMANDS} == set(
        COMMAND_ENCODERS
    )  # every encoder in the table has a case


def test_data_transfer_data_round_trips_as_json() -> None:
    _, payload = Ocpp16Adapter().encode_command(cmd.DataTransfer("v", data=[1, {"b": None}]))
    assert json.loads(payload["data"]) == [1, {"b": None}]


@pytest.mark.parametrize(
    "command",
    [
        cmd.RemoteStop("tx-abc"),
        cmd.RemoteStop(""),
        cmd.RemoteStop("1_000"),
        cmd.RemoteStart(IdToken("x" * 21)),
        cmd.RemoteStart(IdToken("A"), evse_id=0),
        cmd.Reset(evse_id=1),
        cmd.GetConfiguration(variables=(cmd.VariableRef("OCPPCommCtrlr", "HeartbeatInterval"),)),
        cmd.SetConfiguration("60"),
        cmd.SetConfiguration("60", variable=cmd.VariableRef("OCPPCommCtrlr", "HeartbeatInterval")),
        cmd.TriggerMessage("TransactionEvent"),
        cmd.TriggerMessage("SignV2GCertificate"),
        cmd.CertificateSigned("PEM", "V2GCertificate"),
        cmd.InstallCertificate("V2GRootCertificate", "PEM"),
        cmd.GetInstalledCertificateIds(),
        cmd.GetInstalledCertificateIds(("CSMSRootCertificate", "ManufacturerRootCertificate")),
    ],
)
def test_commands_1_6_cannot_express(adapter: Ocpp16Adapter, command: cmd.Command) -> None:
    with pytest.raises(cmd.CommandNotSupported):
        adapter.encode_command(command)


@pytest.mark.parametrize(
    ("action", "payload", "status"),
    [
        ("RemoteStartTransaction", {"status": "Accepted"}, "Accepted"),
        ("RemoteStopTransaction", {"status": "Rejected"}, "Rejected"),
        ("UnlockConnector", {"status": "UnlockFailed"}, "UnlockFailed"),
        ("ChangeAvailability", {"status": "Scheduled"}, "Scheduled"),
        ("ChangeConfiguration", {"status": "RebootRequired"}, "RebootRequired"),
        ("TriggerMessage", {"status": "NotImplemented"}, "NotImplemented"),
        ("ExtendedTriggerMessage", {"status": "Accepted"}, "Accepted"),
        ("DataTransfer", {"status": "UnknownMessageId", "data": "x"}, "UnknownMessageId"),
        (
            "GetConfiguration",
            {
                "configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}],
                "unknownKey": ["X"],
            },
            "Accepted",
        ),
        ("GetConfiguration", {}, "Accepted"),
    ],
)
def test_decode_outcome(adapter: Ocpp16Adapter, action: str, payload: dict[str, Any], status: str) -> None:
    SCHEMAS.validate_response(action, payload)
    outcome = adapter.decode_outcome(action, payload)
    assert outcome.status == status
    assert outcome.response == payload


def test_adapter_drives_an_rpc_endpoint() -> None:
    adapter = Ocpp16Adapter()
    endpoint = RpcEndpoint(SCHEMAS, accepts=adapter.accepts)
    frame = json.dumps([2, "m1", "StartTransaction", START])
    (event,) = endpoint.receive(frame)
    assert isinstance(event, CallReceived)
    request = adapter.decode(event.action, event.payload).request
    assert isinstance(request, TransactionEventRequest)
    endpoint.send_result(
        event.message_id, event.action, adapter.encode_response(event.action, TransactionEventResponse("1", ACCEPTED))
    )
    assert json.loads(endpoint.data_to_send()[0]) == [
        3,
        "m1",
        {"transactionId": 1, "idTagInfo": {"status": "Accepted"}},
    ]


# -- property: MeterValues never fail and keep every numeric value ---------------------------


def _sampled_value_enums() -> dict[str, list[str]]:
    """The enums of the official 1.6 MeterValues SampledValue (measurand, unit, phase, ...)."""
    text = (resources.files("ocpp") / "v16" / "schemas" / "MeterValues.json").read_text(encoding="utf-8")
    item = json.loads(text)["properties"]["meterValue"]["items"]["properties"]["sampledValue"]["items"]
    return {name: spec["enum"] for name, spec in item["properties"].items() if "enum" in spec}


ENUMS = _sampled_value_enums()
KILO_UNITS = {"kWh": "Wh", "kvarh": "varh", "kW": "W", "kvar": "var", "kVA": "VA"}
PLAIN_UNITS = {"Wh", "varh", "W", "var", "VA", "A", "V", "Celsius", "Percent"}

numeric_text = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False).map(repr),
    st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False).map(lambda x: f"{x:.3e}"),
    st.decimals(-(10**9), 10**9, allow_nan=False, allow_infinity=False, places=3).map(str),
)
non_numeric_text = st.sampled_from(["", "abc", "NaN", "inf", "1,5", "1_000", "0x1F", "--1", "1e999", "12kWh", "\u0661"])
optional_fields = {name: st.sampled_from(ENUMS[name]) for name in ("measurand", "unit", "phase", "context", "location")}


def sampled_value(value: st.SearchStrategy[str], **fixed: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"value": value, **{k: st.just(v) for k, v in fixed.items()}}, optional=optional_fields
    )


# (raw SampledValue, whether the adapter must keep it as a number; SignedData is kept as a signed reading)
tagged_value = st.one_of(
    sampled_value(numeric_text).map(lambda raw: (raw, True)),
    sampled_value(numeric_text, format="Raw").map(lambda raw: (raw, True)),
    sampled_value(non_numeric_text).map(lambda raw: (raw, False)),
    sampled_value(numeric_text, format="SignedData").map(lambda raw: (raw, False)),
)
meter_value = st.tuples(
    st.sampled_from([T0, T1, "2024-05-01T12:30:00Z"]), st.lists(tagged_value, min_size=1, max_size=6)
)


@settings(max_examples=150, deadline=None)
@given(connector_id=st.integers(0, 8), entries=st.lists(meter_value, min_size=1, max_size=4))
def test_meter_values_property(connector_id: int, entries: list[tuple[str, list[tuple[dict[str, Any], bool]]]]) -> None:
    payload = {
        "connectorId": connector_id,
        "meterValue": [{"timestamp": ts, "sampledValue": [raw for raw, _ in values]} for ts, values in entries],
    }
    decoded = decode(Ocpp16Adapter(), "MeterValues", payload)  # must never raise

    request = decoded.request
    assert isinstance(request, MeterValuesRequest)
    # Expected survivors, grouped by timestamp in order of first appearance, as the adapter groups them.
    by_timestamp: dict[str, list[dict[str, Any]]] = {}
    for ts, values in entries:
        by_timestamp.setdefault(ts, []).extend(raw for raw, keep in values if keep)
    expected = [raw for raws in by_timestamp.values() for raw in raws]
    got = [value for sample in request.samples for value in sample.values]
    assert len(got) == len(expected)
    signed = [raw for _, values in entries for raw, _ in values if raw.get("format") == "SignedData"]
    assert len(decoded.notes) == sum(not keep for _, values in entries for _, keep in values) - len(signed)
    assert sorted(s.data for sample in request.samples for s in sample.signed) == sorted(r["value"] for r in signed)

    for raw, value in zip(expected, got, strict=True):
        assert value.measurand == raw.get("measurand", "Energy.Active.Import.Register")
        assert value.context == ReadingContext(raw.get("context", "Sample.Periodic"))
        assert (value.phase, value.location) == (raw.get("phase"), raw.get("location"))
        unit = raw.get("unit")
        if unit in KILO_UNITS:
            assert value.unit == KILO_UNITS[unit]
            assert value.value == pytest.approx(1000.0 * float(raw["value"]))
        elif unit in PLAIN_UNITS:
            assert value.unit == unit
            assert value.value == float(raw["value"])


@given(text=numeric_text)
def test_kwh_is_a_thousand_wh(text: str) -> None:
    def energy(unit: str) -> SampledValue:
        payload = {"connectorId": 1, "meterValue": [{"timestamp": T0, "sampledValue": [{"value": text, "unit": unit}]}]}
        request = decode(Ocpp16Adapter(), "MeterValues", payload).request
        assert isinstance(request, MeterValuesRequest)
        (value,) = request.samples[0].values
        return value

    kwh, wh = energy("kWh"), energy("Wh")
    assert kwh.unit == wh.unit == "Wh"
    assert kwh.value == pytest.approx(1000.0 * wh.value, rel=1e-12, abs=1e-9)


# -- ids out of the specification's range (issue 11 item 10) --------------------------------

SAMPLE16 = [{"timestamp": T0, "sampledValue": [{"value": "1"}]}]


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        ("StatusNotification", {"connectorId": -5, "errorCode": "NoError", "status": "Available"}),
        ("StatusNotification", {"connectorId": -1, "errorCode": "NoError", "status": "Faulted"}),
        ("MeterValues", {"connectorId": -2, "meterValue": SAMPLE16}),
        ("StartTransaction", {"connectorId": 0, "idTag": "T", "meterStart": 0, "timestamp": T0}),
        ("StartTransaction", {"connectorId": -3, "idTag": "T", "meterStart": 0, "timestamp": T0}),
    ],
)
def test_connector_ids_out_of_range_are_property_violations(
    adapter: Ocpp16Adapter, action: str, payload: dict[str, Any]
) -> None:
    with pytest.raises(OcppError) as caught:
        decode(adapter, action, payload)  # schema-valid: the schema only says "integer"
    assert caught.value.code is ErrorCode.PROPERTY_CONSTRAINT_VIOLATION
    assert "connectorId" in str(caught.value)


def test_connector_zero_is_the_whole_charge_point(adapter: Ocpp16Adapter) -> None:
    status = decode(adapter, "StatusNotification", {"connectorId": 0, "errorCode": "NoError", "status": "Available"})
    assert status.request.evse_id == 0
    assert decode(adapter, "MeterValues", {"connectorId": 0, "meterValue": SAMPLE16}).request.evse_id == 0
