"""The station-side codecs of both adapters round-trip with the CSMS side, through the official schemas.

For every neutral value a version can express: the station encodes it, the payload passes that
version's schema, and the CSMS side decodes it back to the same value (and the same for the
CSMS's answers, its commands and the station's results).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chargebridge.domain import authorization as auth
from chargebridge.domain import charging as ch
from chargebridge.domain import commands as cmd
from chargebridge.domain import devicemodel as dm
from chargebridge.domain import firmware as fw
from chargebridge.domain import translation as tr
from chargebridge.domain.commands import CommandNotSupported
from chargebridge.domain.model import (
    AuthorizationStatus,
    ConnectorStatus,
    IdToken,
    IdTokenInfo,
    MeterSample,
    ReadingContext,
    RegistrationStatus,
    SampledValue,
    StationIdentity,
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
    FirmwareStatusRequest,
    HeartbeatRequest,
    HeartbeatResponse,
    LogStatusRequest,
    MeterValuesRequest,
    NotifiedEvent,
    NotifyEventRequest,
    SecurityEventRequest,
    SignCertificateRequest,
    SignCertificateResponse,
    StationRequest,
    StationResponse,
    StatusRequest,
    TransactionEventRequest,
    TransactionEventResponse,
    TransactionEventType,
)
from chargebridge.ocpp16 import adapter as v16
from chargebridge.ocpp16 import csms_side as csms16
from chargebridge.ocpp16 import station_side as station16
from chargebridge.ocpp16.adapter import Ocpp16Adapter
from chargebridge.ocpp201 import csms_side as csms201
from chargebridge.ocpp201 import outbound
from chargebridge.ocpp201 import station_side as station201
from chargebridge.ocpp201.adapter import Ocpp201Adapter
from chargebridge.rpc import OcppVersion, schemas_for

T0 = datetime(2026, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)
SCHEMAS16 = schemas_for(OcppVersion.V16)
SCHEMAS201 = schemas_for(OcppVersion.V201)
ADAPTER16 = Ocpp16Adapter()
ADAPTER201 = Ocpp201Adapter()


def samples(*values: tuple[str, float, str, ReadingContext]) -> tuple[MeterSample, ...]:
    return (MeterSample(T0, tuple(SampledValue(m, v, u, c) for m, v, u, c in values)),)


PERIODIC = ReadingContext.SAMPLE_PERIODIC
ENERGY = "Energy.Active.Import.Register"

REQUESTS_16: list[StationRequest] = [
    BootRequest(StationIdentity("Vendor", "Model", "SN-1", "1.2.3", "8988", "2620", "MeterX", "M-9")),
    HeartbeatRequest(),
    StatusRequest(1, 1, ConnectorStatus.CHARGING, T0),
    StatusRequest(0, 0, ConnectorStatus.FAULTED, None, "GroundFailure", "E42", "acme", "leak"),
    AuthorizeRequest(IdToken("TAG-1")),
    TransactionEventRequest(
        TransactionEventType.ENDED,
        "17",
        T0,
        id_token=IdToken("TAG-1"),
        meter_stop_wh=2500.0,
        meter_values=samples((ENERGY, 2400.0, "Wh", PERIODIC), ("Power.Active.Import", 7200.0, "W", PERIODIC)),
        stop_reason="EVDisconnected",
    ),
    MeterValuesRequest(
        1,
        1,
        samples(
            (ENERGY, 1234.5, "Wh", PERIODIC),
            ("Frequency", 50.0, "Hz", PERIODIC),
            ("Temperature", 41.0, "Celsius", PERIODIC),
            ("Power.Factor", 0.97, "", PERIODIC),
        ),
        "17",
    ),
    MeterValuesRequest(0, 0, samples(("Voltage", 230.1, "V", ReadingContext.SAMPLE_CLOCK))),
    DataTransferRequest("acme", "msg", "payload text"),
    FirmwareStatusRequest("Installing"),
    FirmwareStatusRequest("SignatureVerified", request_id=7),
    LogStatusRequest("Uploading", kind="diagnostics"),
    LogStatusRequest("UploadFailure", kind="log", request_id=3),
    SecurityEventRequest("TamperDetectionActivated", T0, "lid opened"),
    SignCertificateRequest("-----BEGIN CERTIFICATE REQUEST-----\nMII\n-----END CERTIFICATE REQUEST-----"),
]


@pytest.mark.parametrize("request_", REQUESTS_16, ids=lambda r: type(r).__name__)
def test_16_requests_round_trip(request_: StationRequest) -> None:
    notes: list[str] = []
    action, payload = station16.encode_request(request_, notes)
    SCHEMAS16.validate_request(action, payload)
    assert ADAPTER16.decode(action, payload).request == request_
    assert notes == []


def test_16_start_transaction_round_trips_except_its_dedupe_key() -> None:
    started = TransactionEventRequest(
        TransactionEventType.STARTED,
        None,
        T0,
        evse_id=2,
        connector_id=2,
        id_token=IdToken("TAG-1"),
        meter_start_wh=1000.0,
        reservation_id=5,
    )
    action, payload = station16.encode_request(started, [])
    SCHEMAS16.validate_request(action, payload)
    decoded = ADAPTER16.decode(action, payload).request
    assert isinstance(decoded, TransactionEventRequest)
    assert decoded == TransactionEventRequest(**{**_fields(started), "dedupe_key": decoded.dedupe_key})


def _fields(value: Any) -> dict[str, Any]:
    return {name: getattr(value, name) for name in value.__slots__}


def test_16_updated_event_is_meter_values_of_the_transaction() -> None:
    updated = TransactionEventRequest(
        TransactionEventType.UPDATED, "42", T0, evse_id=1, meter_values=samples((ENERGY, 3000.0, "Wh", PERIODIC))
    )
    action, payload = station16.encode_request(updated, [])
    assert action == "MeterValues" and payload["transactionId"] == 42
    SCHEMAS16.validate_request(action, payload)


@pytest.mark.parametrize(
    "request_",
    [
        StatusRequest(1, 1, ConnectorStatus.OCCUPIED, T0),
        AuthorizeRequest(IdToken("X" * 21)),
        TransactionEventRequest(TransactionEventType.ENDED, "uuid-like-id", T0, meter_stop_wh=1.0),
        TransactionEventRequest(TransactionEventType.STARTED, None, T0, evse_id=1, meter_start_wh=1.0),
        NotifyEventRequest(T0, 0, ()),
        SignCertificateRequest("csr", "V2GCertificate"),
    ],
    ids=["occupied", "long-token", "text-id", "no-id-tag", "notify-event", "v2g"],
)
def test_16_untranslatable_requests_say_why(request_: StationRequest) -> None:
    with pytest.raises(tr.Untranslatable):
        station16.encode_request(request_, [])


def test_16_values_without_a_16_measurand_are_left_out_with_a_note() -> None:
    request_ = MeterValuesRequest(
        1, 1, samples((ENERGY, 10.0, "Wh", PERIODIC), ("Energy.Active.Net", 5.0, "Wh", PERIODIC)), None
    )
    notes: list[str] = []
    _, payload = station16.encode_request(request_, notes)
    assert [v["measurand"] for v in payload["meterValue"][0]["sampledValue"]] == [ENERGY]
    assert notes == ["Energy.Active.Net has no 1.6 measurand and was left out"]


REQUESTS_201: list[StationRequest] = [
    BootRequest(StationIdentity("A long vendor name over twenty", "Model", "SN-1", "1.2.3", "8988", "2620"), "PowerUp"),
    HeartbeatRequest(),
    StatusRequest(2, 1, ConnectorStatus.OCCUPIED, T0),
    AuthorizeRequest(IdToken("A" * 36, "eMAID")),
    TransactionEventRequest(
        TransactionEventType.STARTED,
        "6b1d1c3e-7d0b-4f7e-9f55-0b2c8d4e1a11",
        T0,
        evse_id=1,
        connector_id=1,
        id_token=IdToken("TAG-1", "ISO14443"),
        meter_start_wh=1000.0,
        meter_values=samples((ENERGY, 1000.0, "Wh", ReadingContext.TRANSACTION_BEGIN)),
        seq_no=0,
        trigger_reason="RemoteStart",
        charging_state="Charging",
        remote_start_id=99,
        reservation_id=4,
    ),
    TransactionEventRequest(
        TransactionEventType.ENDED,
        "6b1d1c3e",
        T0,
        meter_stop_wh=2000.0,
        meter_values=samples((ENERGY, 2000.0, "Wh", ReadingContext.TRANSACTION_END)),
        seq_no=4,
        offline=True,
        trigger_reason="StopAuthorized",
        stop_reason="Local",
    ),
    MeterValuesRequest(1, None, samples((ENERGY, 12.5, "Wh", PERIODIC), ("SoC", 55.0, "Percent", PERIODIC))),
    DataTransferRequest("acme", None, {"nested": [1, 2]}),
    FirmwareStatusRequest("Installed", request_id=1),
    LogStatusRequest("Uploaded", kind="log", request_id=8),
    NotifyEventRequest(
        T0,
        3,
        (
            NotifiedEvent(
                7,
                T0,
                "Delta",
                "true",
                "Connector",
                "Problem",
                evse_id=1,
                connector_id=1,
                tech_code="GroundFailure",
                tech_info="leak",
                cleared=False,
                event_notification_type="HardWiredNotification",
            ),
        ),
    ),
    SecurityEventRequest("FirmwareUpdated", T0),
    SignCertificateRequest("csr", "V2GCertificate"),
]


@pytest.mark.parametrize("request_", REQUESTS_201, ids=lambda r: type(r).__name__)
def test_201_requests_round_trip(request_: StationRequest) -> None:
    notes: list[str] = []
    action, payload = station201.encode_request(request_, notes)
    SCHEMAS201.validate_request(action, payload)
    assert ADAPTER201.decode(action, payload).request == request_


def test_201_meter_start_of_a_16_start_becomes_a_transaction_begin_register() -> None:
    started = TransactionEventRequest(
        TransactionEventType.STARTED,
        "tx-1",
        T0,
        evse_id=1,
        connector_id=1,
        id_token=IdToken("TAG", "ISO14443"),
        meter_start_wh=1500.0,
        seq_no=0,
        trigger_reason="Authorized",
    )
    action, payload = station201.encode_request(started, [])
    SCHEMAS201.validate_request(action, payload)
    value = payload["meterValue"][0]["sampledValue"][0]
    assert value == {
        "value": 1500,
        "context": "Transaction.Begin",
        "measurand": ENERGY,
        "unitOfMeasure": {"unit": "Wh"},
    }
    decoded = ADAPTER201.decode(action, payload).request
    assert isinstance(decoded, TransactionEventRequest) and decoded.meter_start_wh == 1500.0


@pytest.mark.parametrize(
    "request_",
    [
        StatusRequest(1, 1, ConnectorStatus.UNKNOWN, T0),
        StatusRequest(1, 1, ConnectorStatus.AVAILABLE, None),
        TransactionEventRequest(TransactionEventType.UPDATED, "tx", T0),
        AuthorizeRequest(IdToken("X" * 37)),
    ],
    ids=["unknown-status", "no-timestamp", "no-seq-no", "long-token"],
)
def test_201_untranslatable_requests_say_why(request_: StationRequest) -> None:
    with pytest.raises(tr.Untranslatable):
        station201.encode_request(request_, [])


INFO = IdTokenInfo(AuthorizationStatus.BLOCKED, T0 + timedelta(days=1), "GROUP-1")

RESPONSES: list[tuple[str, str, StationResponse]] = [
    ("BootNotification", "BootNotification", BootResponse(RegistrationStatus.PENDING, T0, 30)),
    ("Heartbeat", "Heartbeat", HeartbeatResponse(T0)),
    ("Authorize", "Authorize", AuthorizeResponse(INFO)),
    ("StartTransaction", "TransactionEvent", TransactionEventResponse("5", INFO)),
    ("StopTransaction", "TransactionEvent", TransactionEventResponse(None, INFO)),
    ("StatusNotification", "StatusNotification", Ack()),
    ("DataTransfer", "DataTransfer", DataTransferResponse(DataTransferStatus.UNKNOWN_VENDOR_ID, "x")),
    ("SignCertificate", "SignCertificate", SignCertificateResponse(True)),
]


@pytest.mark.parametrize(("action16", "action201", "response"), RESPONSES, ids=lambda v: str(v)[:20])
def test_responses_round_trip(action16: str, action201: str, response: StationResponse) -> None:
    payload16 = ADAPTER16.encode_response(action16, response)
    SCHEMAS16.validate_response(action16, payload16)
    assert station16.decode_response(action16, payload16) == response
    if isinstance(response, TransactionEventResponse) and response.transaction_id is not None:
        response = TransactionEventResponse(None, response.id_token_info)  # 2.0.1 stations name their own
    payload201 = ADAPTER201.encode_response(action201, response)
    SCHEMAS201.validate_response(action201, payload201)
    assert station201.decode_response(action201, payload201) == response


def test_201_statuses_the_neutral_model_lacks_deny() -> None:
    response = station201.decode_response("Authorize", {"idTokenInfo": {"status": "NotAtThisTime"}})
    assert response == AuthorizeResponse(IdTokenInfo(AuthorizationStatus.INVALID))


PROFILE = ch.ChargingProfile(
    id=12,
    stack_level=1,
    purpose=ch.ProfilePurpose.TX_DEFAULT,
    kind=ch.ProfileKind.RECURRING,
    schedules=(
        ch.ChargingSchedule(
            ch.RateUnit.AMPERES,
            (ch.SchedulePeriod(0, 16.0, 3), ch.SchedulePeriod(3600, 8.5)),
            duration_s=86400,
            start=T0,
            min_rate=6.0,
        ),
    ),
    recurrency=ch.Recurrency.DAILY,
    valid_from=T0,
    valid_to=T0 + timedelta(days=30),
)
COMMANDS_BOTH: list[cmd.Command] = [
    cmd.RemoteStop("17"),
    cmd.Reset(cmd.ResetType.HARD),
    cmd.Reset(cmd.ResetType.SOFT),
    cmd.ChangeAvailability(False, evse_id=2),
    cmd.ChangeAvailability(True),
    cmd.ClearCache(),
    cmd.DataTransfer("acme", "m1", "text"),
    cmd.TriggerMessage("StatusNotification", evse_id=1),
    ch.ClearChargingProfile(3, 1, ch.ProfilePurpose.TX, 2),
    ch.ClearChargingProfile(),
    ch.GetCompositeSchedule(1, 3600, ch.RateUnit.WATTS),
    auth.GetLocalListVersion(),
    auth.CancelReservation(9),
    fw.GetLog("ftp://logs.example/up", fw.LogType.SECURITY, 5, T0, T0 + timedelta(hours=1), 3, 60),
    fw.UpdateFirmware(
        "https://fw.example/img.bin", T0, 11, T0 + timedelta(hours=2), "-----BEGIN CERT-----", "c2ln", 2, 30
    ),
    cmd.CertificateSigned("-----BEGIN CERTIFICATE-----"),
    cmd.InstallCertificate("CSMSRootCertificate", "-----BEGIN CERTIFICATE-----"),
    cmd.DeleteCertificate(cmd.CertificateHashData("SHA256", "ab", "cd", "1f")),
    cmd.GetInstalledCertificateIds(("ManufacturerRootCertificate",)),
]


def local_list(token_type: str | None) -> auth.SendLocalList:
    accepted = IdTokenInfo(AuthorizationStatus.ACCEPTED, T0)
    entries = (
        auth.AuthorizationEntry(IdToken("TAG-1", token_type), accepted),
        auth.AuthorizationEntry(IdToken("OLD", token_type), None),
    )
    return auth.SendLocalList(4, auth.UpdateType.DIFFERENTIAL, entries)


COMMANDS_16: list[cmd.Command] = [
    *COMMANDS_BOTH,
    local_list(None),
    cmd.RemoteStart(IdToken("TAG-1"), evse_id=1),
    cmd.Unlock(2),
    cmd.GetConfiguration(keys=("HeartbeatInterval", "MeterValueSampleInterval")),
    cmd.GetConfiguration(),
    cmd.SetConfiguration("300", key="HeartbeatInterval"),
    ch.SetChargingProfile(1, PROFILE),
    ch.SetChargingProfile(0, ch.ChargingProfile(**{**_fields(PROFILE), "transaction_id": "17"})),
    fw.GetLog("ftp://logs.example/up", oldest=T0, latest=T0 + timedelta(hours=1), retries=2, retry_interval_s=5),
    fw.UpdateFirmware("https://fw.example/img.bin", T0, retries=2, retry_interval_s=30),
    auth.ReserveNow(9, IdToken("TAG-1"), T0, evse_id=1, group_id_token="GROUP"),
]
VARIABLE = cmd.VariableRef("OCPPCommCtrlr", "HeartbeatInterval")
COMMANDS_201: list[cmd.Command] = [
    *COMMANDS_BOTH,
    local_list("ISO14443"),
    cmd.RemoteStart(IdToken("TAG-1", "ISO14443"), evse_id=1, remote_start_id=77),
    cmd.Unlock(2, 1),
    cmd.Reset(cmd.ResetType.SOFT, evse_id=2),
    cmd.GetConfiguration(variables=(VARIABLE, cmd.VariableRef("Connector", "Available", evse_id=1, connector_id=1))),
    dm.SetVariables((dm.VariableValue(VARIABLE, "300"),)),
    ch.SetChargingProfile(
        1,
        ch.ChargingProfile(
            **{
                **_fields(PROFILE),
                "purpose": ch.ProfilePurpose.TX,
                "transaction_id": "6b1d1c3e",
                "schedules": (ch.ChargingSchedule(**{**_fields(PROFILE.schedules[0]), "id": 12}),),
            }
        ),
    ),
    fw.GetLog("ftp://logs.example/up", fw.LogType.DIAGNOSTICS, 6),
    fw.UpdateFirmware("https://fw.example/img.bin", T0, 12),
    auth.ReserveNow(9, IdToken("TAG-1", "ISO14443"), T0, evse_id=1, connector_type="cType2", group_id_token="GROUP"),
    cmd.CertificateSigned("-----BEGIN CERTIFICATE-----", "V2GCertificate"),
    cmd.GetInstalledCertificateIds(("V2GRootCertificate", "CSMSRootCertificate")),
]


@pytest.mark.parametrize("command", COMMANDS_16, ids=lambda c: type(c).__name__)
def test_16_commands_round_trip(command: cmd.Command) -> None:
    action, payload = v16.encode_command(command)
    SCHEMAS16.validate_request(action, payload)
    assert station16.decode_command(action, payload) == command


@pytest.mark.parametrize("command", COMMANDS_201, ids=lambda c: type(c).__name__)
def test_201_commands_round_trip(command: cmd.Command) -> None:
    action, payload = outbound.encode_command(command)
    SCHEMAS201.validate_request(action, payload)
    assert station201.decode_command(action, payload) == command


@pytest.mark.parametrize(
    "command",
    [
        cmd.RemoteStart(IdToken("T" * 21)),
        cmd.Reset(cmd.ResetType.HARD, evse_id=1),
        ch.SetChargingProfile(1, ch.ChargingProfile(**{**_fields(PROFILE), "purpose": ch.ProfilePurpose.EXTERNAL})),
        ch.SetChargingProfile(1, ch.ChargingProfile(**{**_fields(PROFILE), "schedules": PROFILE.schedules * 2})),
        auth.ReserveNow(1, IdToken("TAG"), T0, connector_type="cType2"),
        dm.SetVariables(()),
        fw.GetLog("ftp://logs.example/up", fw.LogType.SECURITY),
        fw.UpdateFirmware("https://fw.example/img.bin", T0, signature="c2ln"),
    ],
    ids=[
        "long-tag",
        "evse-reset",
        "external-purpose",
        "two-schedules",
        "connector-type",
        "no-items",
        "security-log-without-id",
        "signed-without-certificate",
    ],
)
def test_16_commands_without_a_16_form_are_refused(command: cmd.Command) -> None:
    with pytest.raises(CommandNotSupported):
        v16.encode_command(command)


RESULTS_STATUS: list[tuple[str, str, tr.CommandResult]] = [
    ("RemoteStartTransaction", "RequestStartTransaction", tr.StatusResult("Accepted")),
    ("Reset", "Reset", tr.StatusResult("Rejected")),
    ("UnlockConnector", "UnlockConnector", tr.StatusResult("Unlocked")),
    ("ChangeAvailability", "ChangeAvailability", tr.StatusResult("Scheduled")),
    ("ClearChargingProfile", "ClearChargingProfile", tr.StatusResult("Unknown")),
    ("ReserveNow", "ReserveNow", tr.StatusResult("Occupied")),
    ("DataTransfer", "DataTransfer", tr.DataTransferResult("Accepted", "reply")),
    ("GetLog", "GetLog", tr.LogResult("Accepted", "log-1.tgz")),
    ("GetLocalListVersion", "GetLocalListVersion", tr.LocalListVersionResult(7)),
    (
        "GetCompositeSchedule",
        "GetCompositeSchedule",
        tr.CompositeScheduleResult(
            "Accepted", ch.CompositeSchedule(1, T0, 3600, ch.RateUnit.WATTS, (ch.CompositePeriod(0, 7400.0, 3),))
        ),
    ),
]


@pytest.mark.parametrize(("action16", "action201", "result"), RESULTS_STATUS, ids=lambda v: str(v)[:24])
def test_results_round_trip(action16: str, action201: str, result: tr.CommandResult) -> None:
    payload16 = station16.encode_result(action16, cmd.ClearCache(), result)
    SCHEMAS16.validate_response(action16, payload16)
    assert csms16.decode_result(action16, payload16) == result
    payload201 = station201.encode_result(action201, cmd.ClearCache(), result)
    SCHEMAS201.validate_response(action201, payload201)
    assert csms201.decode_result(action201, payload201) == result


def test_status_words_one_version_lacks_are_mapped_and_explained() -> None:
    payload = station201.encode_result("UnlockConnector", cmd.Unlock(1), tr.StatusResult("NotSupported"))
    assert payload == {
        "status": "UnlockFailed",
        "statusInfo": {"reasonCode": "UnsupportedRequest", "additionalInfo": "the station answered NotSupported"},
    }
    SCHEMAS201.validate_response("UnlockConnector", payload)
    assert station16.encode_result("Reset", cmd.Reset(), tr.StatusResult("Scheduled")) == {"status": "Accepted"}


def test_configuration_results_in_both_versions() -> None:
    values16 = (
        tr.ConfigValue("Accepted", key="HeartbeatInterval", value="300", readonly=False),
        tr.ConfigValue("UnknownVariable", key="Nope"),
    )
    payload16 = station16.encode_result("GetConfiguration", cmd.GetConfiguration(), tr.ConfigurationResult(values16))
    SCHEMAS16.validate_response("GetConfiguration", payload16)
    assert payload16 == {
        "configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}],
        "unknownKey": ["Nope"],
    }
    assert csms16.decode_result("GetConfiguration", payload16) == tr.ConfigurationResult(values16)

    values201 = (
        tr.ConfigValue("Accepted", variable=VARIABLE, value="300"),
        tr.ConfigValue("UnknownComponent", variable=cmd.VariableRef("Nope", "Nope")),
    )
    payload201 = station201.encode_result("GetVariables", cmd.GetConfiguration(), tr.ConfigurationResult(values201))
    SCHEMAS201.validate_response("GetVariables", payload201)
    assert csms201.decode_result("GetVariables", payload201) == tr.ConfigurationResult(values201)

    set201 = station201.encode_result(
        "SetVariables",
        dm.SetVariables(()),
        tr.ConfigurationResult((tr.ConfigValue("NotSupported", variable=VARIABLE),)),
    )
    SCHEMAS201.validate_response("SetVariables", set201)
    assert set201["setVariableResult"][0]["attributeStatus"] == "UnknownVariable"
    change16 = station16.encode_result(
        "ChangeConfiguration", cmd.SetConfiguration("1"), tr.ConfigurationResult((tr.ConfigValue("UnknownVariable"),))
    )
    assert change16 == {"status": "NotSupported"}


def test_16_update_firmware_and_diagnostics_answers() -> None:
    assert station16.encode_result("UpdateFirmware", cmd.ClearCache(), tr.StatusResult("Accepted")) == {}
    assert csms16.decode_result("UpdateFirmware", {}) == tr.StatusResult("Accepted")
    diagnostics = station16.encode_result("GetDiagnostics", cmd.ClearCache(), tr.LogResult("Accepted", "d.zip"))
    assert diagnostics == {"fileName": "d.zip"}
    assert csms16.decode_result("GetDiagnostics", diagnostics) == tr.LogResult("Accepted", "d.zip")
    assert csms16.decode_result("GetDiagnostics", {}) == tr.LogResult("Rejected")


def test_installed_certificates_take_the_asked_type_in_201() -> None:
    certificate = cmd.InstalledCertificate(cmd.CertificateHashData("SHA256", "ab", "cd", "1f"))
    result = tr.CertificateIdsResult("Accepted", (certificate,))
    payload = station201.encode_result(
        "GetInstalledCertificateIds", cmd.GetInstalledCertificateIds(("CSMSRootCertificate",)), result
    )
    SCHEMAS201.validate_response("GetInstalledCertificateIds", payload)
    assert payload["certificateHashDataChain"][0]["certificateType"] == "CSMSRootCertificate"
    decoded = csms201.decode_result("GetInstalledCertificateIds", payload)
    assert isinstance(decoded, tr.CertificateIdsResult) and decoded.certificates[0].certificate_type == (
        "CSMSRootCertificate"
    )
