"""The OCPP 2.0.1 adapter: inbound decoding, response / command encoding, command outcomes.

Every payload going out is checked against the official 2.0.1 schema, and every inbound
fixture is checked against it too, so the fixtures stay realistic.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chargebridge.billing.commands import CostUpdated
from chargebridge.domain import commands as cmd
from chargebridge.domain import firmware as fw
from chargebridge.domain.adapter import VersionAdapter
from chargebridge.domain.iso15118 import (
    AuthorizeCertificateStatus,
    ContractAuthorizeResponse,
    Get15118EVCertificateResponse,
    GetCertificateStatusResponse,
)
from chargebridge.domain.model import (
    AuthorizationStatus,
    ConnectorStatus,
    IdToken,
    IdTokenInfo,
    ReadingContext,
    RegistrationStatus,
    StationIdentity,
)
from chargebridge.domain.publishing import PublishFirmware, UnpublishFirmware
from chargebridge.domain.requests import (
    Ack,
    AuthorizeRequest,
    AuthorizeResponse,
    BootRequest,
    BootResponse,
    DataTransferRequest,
    DataTransferResponse,
    DataTransferStatus,
    FirmwareStatusRequest,
    HeartbeatRequest,
    HeartbeatResponse,
    LogStatusRequest,
    MeterValuesRequest,
    NotifyEventRequest,
    SecurityEventRequest,
    SignCertificateResponse,
    StationResponse,
    StatusRequest,
    TransactionEventRequest,
    TransactionEventResponse,
    TransactionEventType,
)
from chargebridge.domain.transaction_status import GetTransactionStatus
from chargebridge.ocpp201.adapter import Ocpp201Adapter
from chargebridge.ocpp201.outbound import COMMAND_ENCODERS
from chargebridge.rpc import CallReceived, ErrorCode, OcppError, OcppVersion, RpcEndpoint, schemas_for
from tests.unit.charging_cases import CHARGING_COMMANDS_201, CHARGING_RESPONSES_201, INBOUND_201
from tests.unit.test_authorization import COMMANDS_201 as AUTHORIZATION_COMMANDS_201
from tests.unit.test_devicemodel_adapters import COMMANDS_201 as DEVICE_MODEL_COMMANDS_201
from tests.unit.test_devicemodel_adapters import INBOUND_201 as DEVICE_MODEL_INBOUND_201
from tests.unit.test_devicemodel_adapters import RESPONSES_201 as DEVICE_MODEL_RESPONSES_201

SCHEMAS = schemas_for(OcppVersion.V201)
T0 = "2024-05-01T10:00:00.000Z"
T0_DT = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)

INBOUND = {
    "BootNotification",
    "Heartbeat",
    "StatusNotification",
    "Authorize",
    "TransactionEvent",
    "MeterValues",
    "NotifyEvent",
    "SecurityEventNotification",
    "FirmwareStatusNotification",
    "LogStatusNotification",
    "DataTransfer",
    "SignCertificate",
    *INBOUND_201,  # block K (tests/unit/charging_cases.py)
    "ReservationStatusUpdate",
    *DEVICE_MODEL_INBOUND_201,  # device model, monitoring, customer information, display messages
    "Get15118EVCertificate",  # ISO 15118 (blocks M, C07/C08)
    "GetCertificateStatus",
    "PublishFirmwareStatusNotification",  # local controller (L03/L04)
}


@pytest.fixture
def adapter() -> Ocpp201Adapter:
    return Ocpp201Adapter()


def decode(adapter: Ocpp201Adapter, action: str, payload: dict[str, Any]) -> Any:
    """Decode a fixture after checking it is what a real station could send."""
    SCHEMAS.validate_request(action, payload)
    return adapter.decode(action, payload)


def test_is_a_version_adapter_for_201(adapter: Ocpp201Adapter) -> None:
    as_protocol: VersionAdapter = adapter
    assert as_protocol.version is OcppVersion.V201


# -- accepts -------------------------------------------------------------------------------


def test_accepts_exactly_the_inbound_actions(adapter: Ocpp201Adapter) -> None:
    assert {action for action in SCHEMAS.actions if adapter.accepts(action)} == INBOUND


@pytest.mark.parametrize("action", ["CertificateSigned", "GetBaseReport", "RequestStartTransaction", "Reset", "Nope"])
def test_refuses_other_actions(adapter: Ocpp201Adapter, action: str) -> None:
    assert not adapter.accepts(action)
    with pytest.raises(OcppError) as info:
        adapter.decode(action, {})
    assert info.value.code is ErrorCode.NOT_SUPPORTED


# -- inbound: simple actions ---------------------------------------------------------------


def test_boot_notification(adapter: Ocpp201Adapter) -> None:
    decoded = decode(
        adapter,
        "BootNotification",
        {
            "reason": "PowerUp",
            "chargingStation": {
                "vendorName": "Acme",
                "model": "Wallbox 22",
                "serialNumber": "SN-0042",
                "firmwareVersion": "3.1.4",
                "modem": {"iccid": "8931000000000000001", "imsi": "262011234567890"},
            },
        },
    )
    assert decoded.request == BootRequest(
        StationIdentity(
            vendor="Acme",
            model="Wallbox 22",
            serial_number="SN-0042",
            firmware_version="3.1.4",
            iccid="8931000000000000001",
            imsi="262011234567890",
        ),
        reason="PowerUp",
    )
    assert decoded.notes == ()


def test_boot_notification_minimal(adapter: Ocpp201Adapter) -> None:
    decoded = decode(
        adapter, "BootNotification", {"reason": "Unknown", "chargingStation": {"vendorName": "V", "model": "M"}}
    )
    assert decoded.request == BootRequest(StationIdentity(vendor="V", model="M"), reason="Unknown")


def test_heartbeat(adapter: Ocpp201Adapter) -> None:
    assert decode(adapter, "Heartbeat", {}).request == HeartbeatRequest()


def test_status_notification(adapter: Ocpp201Adapter) -> None:
    decoded = decode(
        adapter,
        "StatusNotification",
        {"timestamp": "2024-05-01T12:00:00+02:00", "connectorStatus": "Occupied", "evseId": 2, "connectorId": 1},
    )
    assert decoded.request == StatusRequest(evse_id=2, connector_id=1, status=ConnectorStatus.OCCUPIED, timestamp=T0_DT)


def test_authorize(adapter: Ocpp201Adapter) -> None:
    decoded = decode(adapter, "Authorize", {"idToken": {"idToken": "04A2B3C4D5E6F7", "type": "ISO14443"}})
    assert decoded.request == AuthorizeRequest(IdToken("04A2B3C4D5E6F7", "ISO14443"))


def test_meter_values(adapter: Ocpp201Adapter) -> None:
    decoded = decode(
        adapter,
        "MeterValues",
        {
            "evseId": 0,
            "meterValue": [
                {
                    "timestamp": T0,
                    "sampledValue": [
                        {"value": 1234.5, "unitOfMeasure": {"unit": "kWh"}},
                        {"value": 230.1, "measurand": "Voltage", "phase": "L1-N", "unitOfMeasure": {"unit": "V"}},
                        {
                            "value": 7,
                            "measurand": "Power.Active.Import",
                            "unitOfMeasure": {"unit": "W", "multiplier": 3},
                        },
                        {"value": 41, "measurand": "SoC", "context": "Sample.Clock", "location": "EV"},
                    ],
                }
            ],
        },
    )
    request = decoded.request
    assert isinstance(request, MeterValuesRequest)
    assert (request.evse_id, request.connector_id, request.transaction_id) == (0, None, None)
    (sample,) = request.samples
    assert sample.timestamp == T0_DT
    energy, voltage, power, soc = sample.values
    assert (energy.measurand, energy.value, energy.unit) == ("Energy.Active.Import.Register", 1234500.0, "Wh")
    assert energy.context is ReadingContext.SAMPLE_PERIODIC
    assert (voltage.value, voltage.unit, voltage.phase) == (230.1, "V", "L1-N")
    assert (power.value, power.unit) == (7000.0, "W")
    assert (soc.value, soc.unit, soc.context, soc.location) == (41.0, "Percent", ReadingContext.SAMPLE_CLOCK, "EV")
    assert sample.energy_register_wh() == 1234500.0


def test_notify_event(adapter: Ocpp201Adapter) -> None:
    decoded = decode(
        adapter,
        "NotifyEvent",
        {
            "generatedAt": T0,
            "seqNo": 3,
            "tbc": True,
            "eventData": [
                {
                    "eventId": 17,
                    "timestamp": "2024-05-01T09:59:58Z",
                    "trigger": "Alerting",
                    "cause": 16,
                    "actualValue": "Faulted",
                    "techCode": "E-GF01",
                    "techInfo": "ground fault on L2",
                    "cleared": False,
                    "transactionId": "tx-1",
                    "eventNotificationType": "HardWiredNotification",
                    "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 2}},
                    "variable": {"name": "AvailabilityState"},
                },
                {
                    "eventId": 18,
                    "timestamp": T0,
                    "trigger": "Delta",
                    "actualValue": "41.5",
                    "eventNotificationType": "PreconfiguredMonitor",
                    "component": {"name": "ChargingStation"},
                    "variable": {"name": "Temperature"},
                },
            ],
        },
    )
    request = decoded.request
    assert isinstance(request, NotifyEventRequest)
    assert (request.generated_at, request.seq_no, request.tbc) == (T0_DT, 3, True)
    fault, delta = request.events
    assert (fault.event_id, fault.trigger, fault.actual_value) == (17, "Alerting", "Faulted")
    assert (fault.component, fault.variable, fault.evse_id, fault.connector_id) == (
        "Connector",
        "AvailabilityState",
        1,
        2,
    )
    assert (fault.tech_code, fault.tech_info, fault.event_code) == ("E-GF01", "ground fault on L2", None)
    assert (fault.cleared, fault.cause, fault.transaction_id) == (False, 16, "tx-1")
    assert fault.event_notification_type == "HardWiredNotification"
    assert fault.timestamp == datetime(2024, 5, 1, 9, 59, 58, tzinfo=UTC)
    assert (delta.evse_id, delta.connector_id, delta.cleared, delta.tech_code) == (None, None, None, None)
    assert delta.component == "ChargingStation"


def test_notify_event_tbc_defaults_false(adapter: Ocpp201Adapter) -> None:
    event = {
        "eventId": 1,
        "timestamp": T0,
        "trigger": "Periodic",
        "actualValue": "x",
        "eventNotificationType": "CustomMonitor",
        "component": {"name": "C"},
        "variable": {"name": "V"},
    }
    request = decode(adapter, "NotifyEvent", {"generatedAt": T0, "seqNo": 0, "eventData": [event]}).request
    assert isinstance(request, NotifyEventRequest)
    assert request.tbc is False


def test_security_event(adapter: Ocpp201Adapter) -> None:
    decoded = decode(
        adapter,
        "SecurityEventNotification",
        {"type": "TamperDetectionActivated", "timestamp": T0, "techInfo": "lid opened"},
    )
    assert decoded.request == SecurityEventRequest("TamperDetectionActivated", T0_DT, "lid opened")


def test_firmware_and_log_status(adapter: Ocpp201Adapter) -> None:
    firmware = decode(adapter, "FirmwareStatusNotification", {"status": "Installing", "requestId": 9}).request
    assert firmware == FirmwareStatusRequest("Installing", request_id=9)
    log = decode(adapter, "LogStatusNotification", {"status": "Uploaded", "requestId": 4}).request
    assert log == LogStatusRequest("Uploaded", kind="log", request_id=4)
    idle = decode(adapter, "LogStatusNotification", {"status": "Idle"}).request
    assert idle == LogStatusRequest("Idle", kind="log", request_id=None)


def test_data_transfer(adapter: Ocpp201Adapter) -> None:
    decoded = decode(adapter, "DataTransfer", {"vendorId": "com.acme", "messageId": "cfg", "data": {"a": [1, 2]}})
    assert decoded.request == DataTransferRequest("com.acme", "cfg", {"a": [1, 2]})
    bare = decode(adapter, "DataTransfer", {"vendorId": "com.acme"})
    assert bare.request == DataTransferRequest("com.acme", None, None)


# -- inbound: TransactionEvent -------------------------------------------------------------


def register(value: float, context: str, *, multiplier: int = 3, phase: str | None = None) -> dict[str, Any]:
    """An energy register reading the way many stations send it: kWh as Wh with multiplier 3."""
    sampled: dict[str, Any] = {
        "value": value,
        "context": context,
        "measurand": "Energy.Active.Import.Register",
        "unitOfMeasure": {"unit": "Wh", "multiplier": multiplier},
    }
    if phase is not None:
        sampled["phase"] = phase
    return sampled


def tx_event(event_type: str, seq_no: int, trigger: str, **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "eventType": event_type,
        "timestamp": T0,
        "triggerReason": trigger,
        "seqNo": seq_no,
        "transactionInfo": {"transactionId": "f3c1-77aa"},
    }
    payload.update(extra)
    return payload


def test_transaction_started(adapter: Ocpp201Adapter) -> None:
    payload = tx_event(
        "Started",
        0,
        "Authorized",
        transactionInfo={"transactionId": "f3c1-77aa", "chargingState": "EVConnected", "remoteStartId": 12},
        evse={"id": 1, "connectorId": 1},
        idToken={"idToken": "04A2B3C4", "type": "ISO14443"},
        reservationId=5,
        meterValue=[
            {
                "timestamp": T0,
                "sampledValue": [
                    register(12.3456, "Transaction.Begin"),
                    register(4.1, "Transaction.Begin", phase="L1"),
                ],
            }
        ],
    )
    decoded = decode(adapter, "TransactionEvent", payload)
    request = decoded.request
    assert isinstance(request, TransactionEventRequest)
    assert request.event_type is TransactionEventType.STARTED
    assert (request.transaction_id, request.timestamp, request.seq_no, request.offline) == (
        "f3c1-77aa",
        T0_DT,
        0,
        False,
    )
    assert (request.evse_id, request.connector_id) == (1, 1)
    assert request.id_token == IdToken("04A2B3C4", "ISO14443")
    assert (request.trigger_reason, request.charging_state, request.remote_start_id) == (
        "Authorized",
        "EVConnected",
        12,
    )
    assert request.reservation_id == 5
    assert request.meter_start_wh == pytest.approx(12345.6)
    assert request.meter_stop_wh is None
    assert request.stop_reason is None
    assert request.dedupe_key is None
    (sample,) = request.meter_values
    assert [value.phase for value in sample.values] == [None, "L1"]
    assert sample.values[1].value == pytest.approx(4100.0)
    assert all(value.context is ReadingContext.TRANSACTION_BEGIN for value in sample.values)
    assert decoded.notes == ()


def test_transaction_updated_offline(adapter: Ocpp201Adapter) -> None:
    payload = tx_event(
        "Updated",
        1,
        "MeterValuePeriodic",
        offline=True,
        transactionInfo={"transactionId": "f3c1-77aa", "chargingState": "Charging"},
        meterValue=[
            {
                "timestamp": "2024-05-01T10:15:00Z",
                "sampledValue": [
                    register(15.0, "Sample.Periodic"),
                    {"value": 11.04, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "kW"}},
                    {"value": 16, "measurand": "Current.Import", "phase": "L1", "unitOfMeasure": {"unit": "A"}},
                ],
            },
            {"timestamp": "2024-05-01T10:30:00Z", "sampledValue": [register(17.75, "Sample.Periodic")]},
        ],
    )
    request = decode(adapter, "TransactionEvent", payload).request
    assert isinstance(request, TransactionEventRequest)
    assert request.event_type is TransactionEventType.UPDATED
    assert (request.seq_no, request.offline, request.charging_state) == (1, True, "Charging")
    # An Updated event opens nor closes the meter: periodic readings are no start or stop.
    assert (request.meter_start_wh, request.meter_stop_wh) == (None, None)
    first, second = request.meter_values
    assert [v.value for v in first.values] == [pytest.approx(15000.0), pytest.approx(11040.0), 16.0]
    assert [v.unit for v in first.values] == ["Wh", "W", "A"]
    assert second.energy_register_wh() == pytest.approx(17750.0)
    assert (request.evse_id, request.id_token, request.stop_reason) == (None, None, None)


def test_transaction_ended_with_end_register(adapter: Ocpp201Adapter) -> None:
    payload = tx_event(
        "Ended",
        2,
        "EVDeparted",
        transactionInfo={"transactionId": "f3c1-77aa", "stoppedReason": "EVDisconnected", "chargingState": "Idle"},
        meterValue=[
            {"timestamp": "2024-05-01T10:59:00Z", "sampledValue": [register(20.1, "Sample.Periodic")]},
            {
                "timestamp": "2024-05-01T11:00:00Z",
                "sampledValue": [register(20.5, "Transaction.End"), register(7.0, "Transaction.End", phase="L2")],
            },
        ],
    )
    request = decode(adapter, "TransactionEvent", payload).request
    assert isinstance(request, TransactionEventRequest)
    assert request.event_type is TransactionEventType.ENDED
    assert request.meter_stop_wh == pytest.approx(20500.0)
    assert request.meter_start_wh is None
    assert (request.stop_reason, request.seq_no) == ("EVDisconnected", 2)


def test_transaction_ended_without_reason_or_end_context(adapter: Ocpp201Adapter) -> None:
    payload = tx_event(
        "Ended",
        7,
        "StopAuthorized",
        meterValue=[
            {"timestamp": "2024-05-01T10:59:00Z", "sampledValue": [register(19.0, "Sample.Periodic")]},
            {"timestamp": "2024-05-01T11:00:00Z", "sampledValue": [register(19.25, "Sample.Clock")]},
        ],
    )
    request = decode(adapter, "TransactionEvent", payload).request
    assert isinstance(request, TransactionEventRequest)
    assert request.stop_reason == "Local"  # the 2.0.1 default
    assert request.meter_stop_wh == pytest.approx(19250.0)  # the last register reading


def test_transaction_started_without_begin_context_takes_first_register(adapter: Ocpp201Adapter) -> None:
    payload = tx_event(
        "Started",
        0,
        "CablePluggedIn",
        meterValue=[
            {
                "timestamp": T0,
                "sampledValue": [register(3.0, "Sample.Periodic", phase="L1"), register(9.5, "Sample.Periodic")],
            },
            {"timestamp": T0, "sampledValue": [register(9.75, "Sample.Periodic")]},
        ],
    )
    request = decode(adapter, "TransactionEvent", payload).request
    assert isinstance(request, TransactionEventRequest)
    assert request.meter_start_wh == pytest.approx(9500.0)
    assert request.meter_stop_wh is None


def test_transaction_without_meter_values(adapter: Ocpp201Adapter) -> None:
    request = decode(adapter, "TransactionEvent", tx_event("Started", 0, "EVDetected")).request
    assert isinstance(request, TransactionEventRequest)
    assert (request.meter_values, request.meter_start_wh, request.meter_stop_wh) == ((), None, None)


# -- inbound: bad data ---------------------------------------------------------------------


@pytest.mark.parametrize("timestamp", ["2016-12-31T23:59:60Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00"])
def test_unusable_timestamp_is_a_property_violation(adapter: Ocpp201Adapter, timestamp: str) -> None:
    payload = {"timestamp": timestamp, "connectorStatus": "Available", "evseId": 1, "connectorId": 1}
    with pytest.raises(OcppError) as info:
        decode(adapter, "StatusNotification", payload)  # schema-valid, but no datetime can hold it
    assert info.value.code is ErrorCode.PROPERTY_CONSTRAINT_VIOLATION


def test_unusable_transaction_timestamp_fails_the_event(adapter: Ocpp201Adapter) -> None:
    with pytest.raises(OcppError) as info:
        decode(adapter, "TransactionEvent", tx_event("Updated", 1, "Trigger", timestamp="0000-01-01T00:00:00Z"))
    assert info.value.code is ErrorCode.PROPERTY_CONSTRAINT_VIOLATION


def test_bad_samples_are_skipped_with_notes(adapter: Ocpp201Adapter) -> None:
    payload = {
        "evseId": 1,
        "meterValue": [
            {
                "timestamp": T0,
                "sampledValue": [
                    {"value": math.nan},
                    {"value": math.inf, "measurand": "Power.Active.Import"},
                    {"value": 1e307, "unitOfMeasure": {"multiplier": 3}},  # overflows once scaled
                    {"value": 1.0, "unitOfMeasure": {"multiplier": 400}},
                    {"value": 5.0, "unitOfMeasure": {"unit": "kWh"}},
                ],
            },
            {"timestamp": "0000-01-01T00:00:00Z", "sampledValue": [{"value": 1.0}]},
        ],
    }
    decoded = adapter.decode("MeterValues", payload)  # NaN/inf never pass the JSON parser: fed directly
    request = decoded.request
    assert isinstance(request, MeterValuesRequest)
    (sample,) = request.samples
    assert [(v.value, v.unit) for v in sample.values] == [(5000.0, "Wh")]
    assert len(decoded.notes) == 5
    assert "sampledValue[0]" in decoded.notes[0]
    assert "meterValue[1]" in decoded.notes[4]


def test_bad_sample_in_transaction_event_keeps_the_event(adapter: Ocpp201Adapter) -> None:
    payload = tx_event(
        "Ended",
        4,
        "EVDeparted",
        meterValue=[{"timestamp": T0, "sampledValue": [register(math.inf, "Transaction.End"), register(8.0, "Other")]}],
    )
    decoded = adapter.decode("TransactionEvent", payload)
    request = decoded.request
    assert isinstance(request, TransactionEventRequest)
    assert request.meter_stop_wh == pytest.approx(8000.0)
    assert len(decoded.notes) == 1


def test_payload_missing_a_field_is_an_occurrence_violation(adapter: Ocpp201Adapter) -> None:
    with pytest.raises(OcppError) as info:
        adapter.decode("StatusNotification", {"timestamp": T0, "evseId": 1, "connectorId": 1})
    assert info.value.code is ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION


def test_through_the_rpc_endpoint(adapter: Ocpp201Adapter) -> None:
    endpoint = RpcEndpoint(SCHEMAS, accepts=adapter.accepts)
    (event,) = endpoint.receive('[2,"m1","Heartbeat",{}]')
    assert isinstance(event, CallReceived)
    assert adapter.decode(event.action, event.payload).request == HeartbeatRequest()
    endpoint.send_result(
        event.message_id, event.action, adapter.encode_response(event.action, HeartbeatResponse(T0_DT))
    )
    assert endpoint.data_to_send() == ['[3,"m1",{"currentTime":"2024-05-01T10:00:00.000Z"}]']
    endpoint.receive('[2,"m2","ClearCache",{}]')  # a CSMS-to-station action sent by a station
    assert '"NotSupported"' in endpoint.data_to_send()[0]


# -- property: meter values ----------------------------------------------------------------


def schema_enum(name: str) -> list[str]:
    """An enum of the official 2.0.1 MeterValuesRequest schema (read, never hand-written)."""
    schema = json.loads((resources.files("ocpp") / "v201" / "schemas" / "MeterValuesRequest.json").read_text("utf-8"))
    return list(schema["definitions"][name]["enum"])


MEASURANDS = schema_enum("MeasurandEnumType")
PHASES = schema_enum("PhaseEnumType")
LOCATIONS = schema_enum("LocationEnumType")
CONTEXTS = [context.value for context in ReadingContext]
# unit -> (base unit, factor), written out independently of domain.units.
UNITS: dict[str, tuple[str, float]] = {
    "Wh": ("Wh", 1.0),
    "kWh": ("Wh", 1000.0),
    "varh": ("varh", 1.0),
    "kvarh": ("varh", 1000.0),
    "W": ("W", 1.0),
    "kW": ("W", 1000.0),
    "var": ("var", 1.0),
    "kvar": ("var", 1000.0),
    "VA": ("VA", 1.0),
    "kVA": ("VA", 1000.0),
    "A": ("A", 1.0),
    "V": ("V", 1.0),
    "Celsius": ("Celsius", 1.0),
    "Percent": ("Percent", 1.0),
    "Hz": ("Hz", 1.0),
}


def optional(key: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(st.just({}), values.map(lambda value: {key: value}))


unit_of_measure = st.fixed_dictionaries(
    {},
    optional={"unit": st.sampled_from(sorted(UNITS)), "multiplier": st.integers(min_value=-3, max_value=3)},
)
sampled_value = st.fixed_dictionaries(
    {"value": st.one_of(st.integers(-(10**9), 10**9), st.floats(-1e9, 1e9, allow_nan=False))},
    optional={
        "measurand": st.sampled_from(MEASURANDS),
        "context": st.sampled_from(CONTEXTS),
        "phase": st.sampled_from(PHASES),
        "location": st.sampled_from(LOCATIONS),
        "unitOfMeasure": unit_of_measure,
    },
)
timestamps = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)).map(
    lambda moment: moment.isoformat().replace("+00:00", "Z")
)
meter_value = st.fixed_dictionaries(
    {"timestamp": timestamps, "sampledValue": st.lists(sampled_value, min_size=1, max_size=6)}
)
meter_values = st.lists(meter_value, min_size=1, max_size=4)


def expected(raw: dict[str, Any]) -> tuple[float, str | None]:
    unit_of_measure = raw.get("unitOfMeasure", {})
    scaled = raw["value"] * 10.0 ** unit_of_measure.get("multiplier", 0)
    unit = unit_of_measure.get("unit")
    if unit is None:
        measurand = raw.get("measurand", "Energy.Active.Import.Register")
        return scaled, "Wh" if measurand.startswith("Energy.Active") else None
    base, factor = UNITS[unit]
    return scaled * factor, base


@settings(max_examples=150, deadline=None)
@given(meter_values)
def test_meter_values_property(items: list[dict[str, Any]]) -> None:
    adapter = Ocpp201Adapter()
    decoded = decode(adapter, "MeterValues", {"evseId": 1, "meterValue": items})
    request = decoded.request
    assert isinstance(request, MeterValuesRequest)
    assert decoded.notes == ()
    assert len(request.samples) == len(items)
    for sample, item in zip(request.samples, items, strict=True):
        assert len(sample.values) == len(item["sampledValue"])
        for value, raw in zip(sample.values, item["sampledValue"], strict=True):
            want_value, want_unit = expected(raw)
            assert math.isclose(value.value, want_value, rel_tol=1e-9, abs_tol=1e-9)
            if want_unit is not None:
                assert value.unit == want_unit
            assert value.measurand == raw.get("measurand", "Energy.Active.Import.Register")
            assert value.context == raw.get("context", "Sample.Periodic")
            assert (value.phase, value.location) == (raw.get("phase"), raw.get("location"))


@settings(max_examples=75, deadline=None)
@given(meter_values, st.sampled_from(["Started", "Updated", "Ended"]))
def test_transaction_event_meter_property(items: list[dict[str, Any]], event_type: str) -> None:
    adapter = Ocpp201Adapter()
    request = decode(adapter, "TransactionEvent", tx_event(event_type, 1, "Trigger", meterValue=items)).request
    assert isinstance(request, TransactionEventRequest)
    registers = [
        value.value
        for sample in request.meter_values
        for value in sample.values
        if value.measurand == "Energy.Active.Import.Register" and value.phase is None and value.unit == "Wh"
    ]
    for reading in (request.meter_start_wh, request.meter_stop_wh):
        assert reading is None or reading in registers
    assert (request.meter_stop_wh is not None) == (event_type == "Ended" and bool(registers))


# -- responses -----------------------------------------------------------------------------

INFO = IdTokenInfo(AuthorizationStatus.ACCEPTED, expires_at=datetime(2024, 6, 1, tzinfo=UTC), group_id="FLEET-7")

RESPONSES: list[tuple[str, StationResponse, dict[str, Any]]] = [
    (
        "BootNotification",
        BootResponse(RegistrationStatus.ACCEPTED, T0_DT, 300),
        {"currentTime": T0, "interval": 300, "status": "Accepted"},
    ),
    (
        "BootNotification",
        BootResponse(RegistrationStatus.PENDING, T0_DT, 60),
        {"currentTime": T0, "interval": 60, "status": "Pending"},
    ),
    ("Heartbeat", HeartbeatResponse(T0_DT), {"currentTime": T0}),
    *[
        (action, Ack(), {})
        for action in sorted(
            INBOUND
            - {"BootNotification", "Heartbeat", "Authorize", "TransactionEvent", "DataTransfer", "SignCertificate"}
            - {"NotifyEVChargingNeeds", "NotifyEVChargingSchedule"}  # answered with a status (CHARGING_RESPONSES_201)
            - {"Get15118EVCertificate", "GetCertificateStatus"}
        )
    ],
    (
        "Get15118EVCertificate",
        Get15118EVCertificateResponse(True, "QUJD"),
        {"status": "Accepted", "exiResponse": "QUJD"},
    ),
    (
        "Get15118EVCertificate",
        Get15118EVCertificateResponse(False, "ignored", "NoProvider", "no provider"),
        {
            "status": "Failed",
            "exiResponse": "",
            "statusInfo": {"reasonCode": "NoProvider", "additionalInfo": "no provider"},
        },
    ),
    ("GetCertificateStatus", GetCertificateStatusResponse(True, "MAo="), {"status": "Accepted", "ocspResult": "MAo="}),
    (
        "GetCertificateStatus",
        GetCertificateStatusResponse(False, None, "Timeout", "late"),
        {"status": "Failed", "statusInfo": {"reasonCode": "Timeout", "additionalInfo": "late"}},
    ),
    (
        "Authorize",
        ContractAuthorizeResponse(
            IdTokenInfo(AuthorizationStatus.INVALID), AuthorizeCertificateStatus.CERTIFICATE_REVOKED
        ),
        {"idTokenInfo": {"status": "Invalid"}, "certificateStatus": "CertificateRevoked"},
    ),
    (
        "Authorize",
        AuthorizeResponse(INFO),
        {
            "idTokenInfo": {
                "status": "Accepted",
                "cacheExpiryDateTime": "2024-06-01T00:00:00.000Z",
                "groupIdToken": {"idToken": "FLEET-7", "type": "Central"},
            }
        },
    ),
    *[
        ("Authorize", AuthorizeResponse(IdTokenInfo(status)), {"idTokenInfo": {"status": status.value}})
        for status in AuthorizationStatus
    ],
    ("TransactionEvent", TransactionEventResponse(), {}),
    ("TransactionEvent", TransactionEventResponse(transaction_id="ignored-in-201"), {}),
    (
        "TransactionEvent",
        TransactionEventResponse(id_token_info=IdTokenInfo(AuthorizationStatus.BLOCKED)),
        {"idTokenInfo": {"status": "Blocked"}},
    ),
    ("DataTransfer", DataTransferResponse(DataTransferStatus.UNKNOWN_VENDOR_ID), {"status": "UnknownVendorId"}),
    (
        "DataTransfer",
        DataTransferResponse(DataTransferStatus.ACCEPTED, {"k": 1}),
        {"status": "Accepted", "data": {"k": 1}},
    ),
    ("SignCertificate", SignCertificateResponse(True), {"status": "Accepted"}),
    (
        "SignCertificate",
        SignCertificateResponse(False, "InvalidCSR", "weak key"),
        {"status": "Rejected", "statusInfo": {"reasonCode": "InvalidCSR", "additionalInfo": "weak key"}},
    ),
    *DEVICE_MODEL_RESPONSES_201,
]


RESPONSES += CHARGING_RESPONSES_201


@pytest.mark.parametrize(("action", "response", "payload"), RESPONSES)
def test_encode_response(
    adapter: Ocpp201Adapter, action: str, response: StationResponse, payload: dict[str, Any]
) -> None:
    encoded = adapter.encode_response(action, response)
    assert encoded == payload
    SCHEMAS.validate_response(action, encoded)


def test_every_inbound_action_has_a_response_case() -> None:
    assert {action for action, _, _ in RESPONSES} == INBOUND


def test_response_for_the_wrong_action_is_a_bug(adapter: Ocpp201Adapter) -> None:
    with pytest.raises(TypeError):
        adapter.encode_response("BootNotification", Ack())
    with pytest.raises(TypeError):
        adapter.encode_response("Heartbeat", BootResponse(RegistrationStatus.ACCEPTED, T0_DT, 1))


# -- commands ------------------------------------------------------------------------------

PROFILE = {
    "id": 1,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxProfile",
    "chargingProfileKind": "Relative",
    "chargingSchedule": [
        {"id": 1, "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}]}
    ],
}

HASH = cmd.CertificateHashData("SHA256", "ab" * 32, "cd" * 32, "1f2e")

COMMANDS: list[tuple[cmd.Command, str, dict[str, Any]]] = [
    (CostUpdated("TX-1", Decimal("12.34")), "CostUpdated", {"totalCost": 12.34, "transactionId": "TX-1"}),
    (
        cmd.RemoteStart(IdToken("04A2B3C4"), remote_start_id=7),
        "RequestStartTransaction",
        {"idToken": {"idToken": "04A2B3C4", "type": "Central"}, "remoteStartId": 7},
    ),
    (
        cmd.RemoteStart(IdToken("EMA123", "eMAID"), evse_id=2, remote_start_id=8, charging_profile=PROFILE),
        "RequestStartTransaction",
        {
            "idToken": {"idToken": "EMA123", "type": "eMAID"},
            "remoteStartId": 8,
            "evseId": 2,
            "chargingProfile": PROFILE,
        },
    ),
    (cmd.RemoteStop("f3c1-77aa"), "RequestStopTransaction", {"transactionId": "f3c1-77aa"}),
    (cmd.Reset(), "Reset", {"type": "OnIdle"}),
    (cmd.Reset(cmd.ResetType.HARD, evse_id=1), "Reset", {"type": "Immediate", "evseId": 1}),
    (cmd.Unlock(2, 1), "UnlockConnector", {"evseId": 2, "connectorId": 1}),
    (cmd.ChangeAvailability(False), "ChangeAvailability", {"operationalStatus": "Inoperative"}),
    (cmd.ChangeAvailability(True, evse_id=0), "ChangeAvailability", {"operationalStatus": "Operative"}),
    (
        cmd.ChangeAvailability(False, evse_id=2, connector_id=1),
        "ChangeAvailability",
        {"operationalStatus": "Inoperative", "evse": {"id": 2, "connectorId": 1}},
    ),
    (
        cmd.ChangeAvailability(True, evse_id=3),
        "ChangeAvailability",
        {"operationalStatus": "Operative", "evse": {"id": 3}},
    ),
    (
        cmd.GetConfiguration(
            variables=(
                cmd.VariableRef("OCPPCommCtrlr", "HeartbeatInterval"),
                cmd.VariableRef(
                    "EVSE",
                    "Power",
                    instance="Max",
                    component_instance="main",
                    evse_id=1,
                    connector_id=2,
                    attribute="MaxSet",
                ),
            )
        ),
        "GetVariables",
        {
            "getVariableData": [
                {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
                {
                    "component": {"name": "EVSE", "instance": "main", "evse": {"id": 1, "connectorId": 2}},
                    "variable": {"name": "Power", "instance": "Max"},
                    "attributeType": "MaxSet",
                },
            ]
        },
    ),
    (
        cmd.GetConfiguration(keys=("OCPPCommCtrlr.HeartbeatInterval", "AuthCtrlr/Enabled")),
        "GetVariables",
        {
            "getVariableData": [
                {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
                {"component": {"name": "AuthCtrlr"}, "variable": {"name": "Enabled"}},
            ]
        },
    ),
    (
        cmd.SetConfiguration("60", variable=cmd.VariableRef("OCPPCommCtrlr", "HeartbeatInterval", attribute="Actual")),
        "SetVariables",
        {
            "setVariableData": [
                {
                    "attributeValue": "60",
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                    "attributeType": "Actual",
                }
            ]
        },
    ),
    (
        cmd.SetConfiguration("false", key="AuthCtrlr.LocalPreAuthorize"),
        "SetVariables",
        {
            "setVariableData": [
                {
                    "attributeValue": "false",
                    "component": {"name": "AuthCtrlr"},
                    "variable": {"name": "LocalPreAuthorize"},
                }
            ]
        },
    ),
    (cmd.TriggerMessage("Heartbeat"), "TriggerMessage", {"requestedMessage": "Heartbeat"}),
    (
        cmd.TriggerMessage("DiagnosticsStatusNotification"),
        "TriggerMessage",
        {"requestedMessage": "LogStatusNotification"},
    ),
    (
        cmd.TriggerMessage("StatusNotification", evse_id=1, connector_id=2),
        "TriggerMessage",
        {"requestedMessage": "StatusNotification", "evse": {"id": 1, "connectorId": 2}},
    ),
    (
        cmd.TriggerMessage("MeterValues", evse_id=2),
        "TriggerMessage",
        {"requestedMessage": "MeterValues", "evse": {"id": 2}},
    ),
    (cmd.ClearCache(), "ClearCache", {}),
    (cmd.DataTransfer("com.acme"), "DataTransfer", {"vendorId": "com.acme"}),
    (
        cmd.DataTransfer("com.acme", "setTariff", {"price": 0.42}),
        "DataTransfer",
        {"vendorId": "com.acme", "messageId": "setTariff", "data": {"price": 0.42}},
    ),
    (
        cmd.CertificateSigned("PEM"),
        "CertificateSigned",
        {"certificateChain": "PEM", "certificateType": "ChargingStationCertificate"},
    ),
    (
        cmd.InstallCertificate("CentralSystemRootCertificate", "PEM"),
        "InstallCertificate",
        {"certificateType": "CSMSRootCertificate", "certificate": "PEM"},
    ),
    (cmd.DeleteCertificate(HASH), "DeleteCertificate", {"certificateHashData": HASH.to_json()}),
    (cmd.GetInstalledCertificateIds(), "GetInstalledCertificateIds", {}),
    (
        cmd.GetInstalledCertificateIds(("V2GRootCertificate", "V2GCertificateChain")),
        "GetInstalledCertificateIds",
        {"certificateType": ["V2GRootCertificate", "V2GCertificateChain"]},
    ),
    *AUTHORIZATION_COMMANDS_201,  # ReserveNow, CancelReservation, SendLocalList, GetLocalListVersion
    *DEVICE_MODEL_COMMANDS_201,
    (
        PublishFirmware("https://cb.example/fw/a.bin", "0123456789abcdef0123456789abcdef", 9, 3, 60),
        "PublishFirmware",
        {
            "location": "https://cb.example/fw/a.bin",
            "checksum": "0123456789abcdef0123456789abcdef",
            "requestId": 9,
            "retries": 3,
            "retryInterval": 60,
        },
    ),
    (
        UnpublishFirmware("0123456789abcdef0123456789abcdef"),
        "UnpublishFirmware",
        {"checksum": "0123456789abcdef0123456789abcdef"},
    ),
    (
        fw.UpdateFirmware("https://fw.example/a.bin", T0_DT, 3, retries=2, retry_interval_s=30),
        "UpdateFirmware",
        {
            "requestId": 3,
            "firmware": {"location": "https://fw.example/a.bin", "retrieveDateTime": T0},
            "retries": 2,
            "retryInterval": 30,
        },
    ),
    (
        fw.GetLog("ftp://logs.example/", fw.LogType.DIAGNOSTICS, 6, T0_DT),
        "GetLog",
        {
            "logType": "DiagnosticsLog",
            "requestId": 6,
            "log": {"remoteLocation": "ftp://logs.example/", "oldestTimestamp": T0},
        },
    ),
    (GetTransactionStatus("tx-1"), "GetTransactionStatus", {"transactionId": "tx-1"}),
    (GetTransactionStatus(), "GetTransactionStatus", {}),
]
COMMANDS += CHARGING_COMMANDS_201  # smart charging (tests/unit/charging_cases.py)

TRIGGERABLE = [
    "BootNotification",
    "LogStatusNotification",
    "FirmwareStatusNotification",
    "Heartbeat",
    "MeterValues",
    "SignChargingStationCertificate",
    "SignV2GCertificate",
    "StatusNotification",
    "TransactionEvent",
    "SignCombinedCertificate",
    "PublishFirmwareStatusNotification",
    "DiagnosticsStatusNotification",
    "SignChargePointCertificate",
]


@pytest.mark.parametrize(("command", "action", "payload"), COMMANDS)
def test_encode_command(adapter: Ocpp201Adapter, command: cmd.Command, action: str, payload: dict[str, Any]) -> None:
    assert adapter.encode_command(command) == (action, payload)
    SCHEMAS.validate_request(action, payload)


def test_every_command_type_has_a_case() -> None:
    assert {type(command) for command, _, _ in COMMANDS} == set(
        COMMAND_ENCODERS
    )  # every encoder in the table has a case


@pytest.mark.parametrize("message", TRIGGERABLE)
def test_every_trigger_name_validates(adapter: Ocpp201Adapter, message: str) -> None:
    action, payload = adapter.encode_command(cmd.TriggerMessage(message, evse_id=1))
    SCHEMAS.validate_request(action, payload)


@pytest.mark.parametrize(
    "command",
    [
        cmd.GetConfiguration(),
        cmd.GetConfiguration(keys=("HeartbeatInterval",)),
        cmd.GetConfiguration(keys=("Component.",)),
        cmd.SetConfiguration("60"),
        cmd.SetConfiguration("60", key="HeartbeatInterval"),
        cmd.TriggerMessage("DiagnosticsStatusNotificationX"),
        cmd.TriggerMessage("SignCertificate"),
        cmd.CertificateSigned("PEM", "ChargePointCertificate"),
        cmd.InstallCertificate("ChargingStationCertificate", "PEM"),
        cmd.GetInstalledCertificateIds(("ChargingStationCertificate",)),
        fw.UpdateFirmware("https://fw.example/a.bin", T0_DT),  # 2.0.1 needs a request id
        fw.GetLog("ftp://logs.example/"),
    ],
)
def test_commands_201_cannot_express(adapter: Ocpp201Adapter, command: cmd.Command) -> None:
    with pytest.raises(cmd.CommandNotSupported):
        adapter.encode_command(command)


def test_get_configuration_message(adapter: Ocpp201Adapter) -> None:
    with pytest.raises(cmd.CommandNotSupported, match="at least one component/variable"):
        adapter.encode_command(cmd.GetConfiguration())


# -- outcomes ------------------------------------------------------------------------------


def var_result(status: str) -> dict[str, Any]:
    return {"attributeStatus": status, "component": {"name": "C"}, "variable": {"name": "V"}}


OUTCOMES: list[tuple[str, dict[str, Any], str]] = [
    ("RequestStartTransaction", {"status": "Accepted", "transactionId": "abc"}, "Accepted"),
    ("RequestStopTransaction", {"status": "Rejected"}, "Rejected"),
    ("Reset", {"status": "Scheduled"}, "Scheduled"),
    ("UnlockConnector", {"status": "Unlocked"}, "Unlocked"),
    ("ChangeAvailability", {"status": "Scheduled"}, "Scheduled"),
    ("TriggerMessage", {"status": "NotImplemented"}, "NotImplemented"),
    ("ClearCache", {"status": "Accepted"}, "Accepted"),
    ("DataTransfer", {"status": "UnknownMessageId"}, "UnknownMessageId"),
    (
        "GetVariables",
        {"getVariableResult": [{**var_result("Accepted"), "attributeValue": "300"}, var_result("Accepted")]},
        "Accepted",
    ),
    (
        "GetVariables",
        {"getVariableResult": [var_result("Accepted"), var_result("UnknownVariable"), var_result("Rejected")]},
        "UnknownVariable",
    ),
    ("SetVariables", {"setVariableResult": [var_result("Accepted")]}, "Accepted"),
    ("SetVariables", {"setVariableResult": [var_result("Accepted"), var_result("RebootRequired")]}, "RebootRequired"),
    ("SetVariables", {"setVariableResult": [var_result("Rejected"), var_result("RebootRequired")]}, "Rejected"),
    ("GetTransactionStatus", {"messagesInQueue": True, "ongoingIndicator": False}, "Accepted"),
    ("PublishFirmware", {"status": "Rejected"}, "Rejected"),
    ("UnpublishFirmware", {"status": "DownloadOngoing"}, "DownloadOngoing"),
]


@pytest.mark.parametrize(("action", "payload", "status"), OUTCOMES)
def test_decode_outcome(adapter: Ocpp201Adapter, action: str, payload: dict[str, Any], status: str) -> None:
    SCHEMAS.validate_response(action, payload)
    outcome = adapter.decode_outcome(action, payload)
    assert outcome == cmd.CommandOutcome(status=status, response=payload)


# -- ids out of the specification's range (issue 11 item 10) --------------------------------

SAMPLE201 = [{"timestamp": T0, "sampledValue": [{"value": 1.0}]}]
TX_BASE: dict[str, Any] = {
    "eventType": "Started",
    "timestamp": T0,
    "triggerReason": "Authorized",
    "seqNo": 0,
    "transactionInfo": {"transactionId": "TX-1"},
}
EVENT_BASE: dict[str, Any] = {
    "eventId": 1,
    "timestamp": T0,
    "trigger": "Alerting",
    "actualValue": "true",
    "eventNotificationType": "HardWiredNotification",
    "variable": {"name": "Problem"},
}


@pytest.mark.parametrize(
    ("action", "payload", "field"),
    [
        (
            "StatusNotification",
            {"timestamp": T0, "connectorStatus": "Available", "evseId": -1, "connectorId": 1},
            "evseId",
        ),
        (
            "StatusNotification",
            {"timestamp": T0, "connectorStatus": "Available", "evseId": 1, "connectorId": -5},
            "connectorId",
        ),
        ("MeterValues", {"evseId": -1, "meterValue": SAMPLE201}, "evseId"),
        ("TransactionEvent", {**TX_BASE, "evse": {"id": 0}}, "evse.id"),
        ("TransactionEvent", {**TX_BASE, "evse": {"id": -2}}, "evse.id"),
        ("TransactionEvent", {**TX_BASE, "evse": {"id": 1, "connectorId": -1}}, "evse.connectorId"),
        (
            "NotifyEvent",
            {
                "generatedAt": T0,
                "seqNo": 0,
                "eventData": [{**EVENT_BASE, "component": {"name": "EVSE", "evse": {"id": -4}}}],
            },
            "eventData[0].component.evse.id",
        ),
    ],
)
def test_evse_and_connector_ids_out_of_range_are_property_violations(
    adapter: Ocpp201Adapter, action: str, payload: dict[str, Any], field: str
) -> None:
    with pytest.raises(OcppError) as info:
        decode(adapter, action, payload)  # schema-valid: the schema only says "integer"
    assert info.value.code is ErrorCode.PROPERTY_CONSTRAINT_VIOLATION
    assert field in str(info.value)


def test_evse_zero_is_the_station_where_the_specification_allows_it(adapter: Ocpp201Adapter) -> None:
    meter = decode(adapter, "MeterValues", {"evseId": 0, "meterValue": SAMPLE201})
    assert meter.request.evse_id == 0
    tx = decode(adapter, "TransactionEvent", {**TX_BASE, "evse": {"id": 2, "connectorId": 1}})
    assert (tx.request.evse_id, tx.request.connector_id) == (2, 1)
