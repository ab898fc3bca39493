"""What each message becomes, per direction, as data: docs/gateway.md renders these rows, and a test
runs every row's example through the translation and checks the row says what the code does.

``delivery``: how a station message travels (``queued``: committed to the durable queue before the
station is answered, replayed after an outage; ``live``: needs the upstream, answered from the
gateway only where noted; ``latest``: the latest value is kept and sent again after every
reconnect; ``gateway``: answered by the gateway itself; ``refused``: CALLERROR NotSupported with a
description). For a command the same words say who answers it (``forwarded`` to the station).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

V16_TO_V201 = "1.6 station -> 2.0.1 CSMS"
V201_TO_V16 = "2.0.1 station -> 1.6 CSMS"

TS = "2026-01-01T10:00:00.000Z"


@dataclass(frozen=True, slots=True)
class Rule:
    direction: str
    source: str  # the message as its sender names it
    target: str  # what the other side gets ("" when nothing is sent)
    delivery: str
    notes: str
    example: dict[str, Any] = field(default_factory=dict, compare=False)
    command: bool = False  # an upstream command (else a station message)


def _meter16(transaction: int | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "connectorId": 1,
        "meterValue": [
            {"timestamp": TS, "sampledValue": [{"value": "1200", "measurand": "Energy.Active.Import.Register"}]}
        ],
    }
    if transaction is not None:
        payload["transactionId"] = transaction
    return payload


def _event(event_type: str, seq_no: int, **extra: Any) -> dict[str, Any]:
    return {
        "eventType": event_type,
        "timestamp": TS,
        "triggerReason": "Authorized",
        "seqNo": seq_no,
        "transactionInfo": {"transactionId": "tx-1"},
        **extra,
    }


_TOKEN = {"idToken": "TAG-1", "type": "ISO14443"}
_REGISTER = [{"timestamp": TS, "sampledValue": [{"value": 1200, "measurand": "Energy.Active.Import.Register"}]}]
_VARIABLE = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}

STATION_16: tuple[Rule, ...] = (
    Rule(
        V16_TO_V201,
        "BootNotification",
        "BootNotification",
        "latest",
        "chargePointVendor/Model/SerialNumber, firmwareVersion, iccid, imsi -> chargingStation{...}; reason PowerUp, "
        "or RemoteReset / Triggered / FirmwareUpdate after a Reset, a TriggerMessage or an installed update "
        "the gateway "
        "forwarded; meterType and meterSerialNumber have no place. Upstream away: Accepted (with the last interval) "
        "when the station was accepted before, else Pending",
        {"chargePointVendor": "Acme", "chargePointModel": "AC22"},
    ),
    Rule(V16_TO_V201, "Heartbeat", "Heartbeat", "live", "upstream away: answered with the gateway's clock", {}),
    Rule(
        V16_TO_V201,
        "StatusNotification (connector N)",
        "StatusNotification (evseId N, connectorId 1)",
        "latest",
        "Preparing/Charging/SuspendedEV/SuspendedEVSE/Finishing -> Occupied; an errorCode other than NoError (or "
        "Faulted) -> NotifyEvent Connector.Problem=true with techCode, cleared by the next NoError (queued); "
        "Charging/SuspendedEV/SuspendedEVSE during a transaction -> TransactionEvent Updated, ChargingStateChanged "
        "(queued)",
        {"connectorId": 1, "errorCode": "NoError", "status": "Available"},
    ),
    Rule(
        V16_TO_V201,
        "StatusNotification (connector 0)",
        "NotifyEvent",
        "latest",
        "the charge point as a whole: ChargingStation.AvailabilityState",
        {"connectorId": 0, "errorCode": "NoError", "status": "Unavailable"},
    ),
    Rule(
        V16_TO_V201,
        "Authorize",
        "Authorize",
        "live",
        "idTag -> idToken of the configured type (ISO14443); idTokenInfo -> idTagInfo (NoCredit, NotAllowedTypeEVSE, "
        "NotAtThisLocation, NotAtThisTime, Unknown -> Invalid). Upstream away: answered Accepted only for a token the "
        "upstream accepted within auth_cache_ttl_s, else CALLERROR",
        {"idTag": "TAG-1"},
    ),
    Rule(
        V16_TO_V201,
        "StartTransaction",
        "TransactionEvent",
        "queued",
        "Started, a new UUID-like transactionId, the station's seqNo, triggerReason Authorized (RemoteStart with the "
        "remoteStartId of an accepted RequestStartTransaction), idToken, evse, meterStart as an "
        "Energy.Active.Import.Register value in context Transaction.Begin, reservationId. The station gets its integer "
        "transactionId at once and the upstream's idTokenInfo as idTagInfo (Accepted while the upstream is away); a "
        "StartTransaction sent again gets the same id and is not forwarded",
        {"connectorId": 1, "idTag": "TAG-1", "meterStart": 1000, "timestamp": TS},
    ),
    Rule(
        V16_TO_V201,
        "MeterValues (with a transactionId)",
        "TransactionEvent",
        "queued",
        "Updated; triggerReason MeterValuePeriodic (MeterValueClock for Sample.Clock, Trigger for Trigger values); "
        "values normalised to base units; RPM and Temperature have no 2.0.1 measurand and are left out",
        _meter16(transaction=1),
    ),
    Rule(V16_TO_V201, "MeterValues (no transaction)", "MeterValues", "queued", "evseId = connectorId", _meter16()),
    Rule(
        V16_TO_V201,
        "StopTransaction",
        "TransactionEvent",
        "queued",
        "Ended; meterStop as a Transaction.End register value, transactionData as meterValue, reason -> stoppedReason "
        "and triggerReason (tables below), idTag -> idToken. A stop of a transaction the gateway never saw start is "
        "sent as the Ended event of a UUID derived from the station and the 1.6 id; a stop sent again is not forwarded",
        {"transactionId": 1, "meterStop": 2000, "timestamp": TS},
    ),
    Rule(V16_TO_V201, "DataTransfer", "DataTransfer", "live", "data as the string it is", {"vendorId": "acme"}),
    Rule(
        V16_TO_V201,
        "FirmwareStatusNotification",
        "FirmwareStatusNotification",
        "queued",
        "with the requestId of the UpdateFirmware the gateway forwarded",
        {"status": "Downloading"},
    ),
    Rule(
        V16_TO_V201,
        "SignedFirmwareStatusNotification",
        "FirmwareStatusNotification",
        "queued",
        "",
        {"status": "SignatureVerified", "requestId": 4},
    ),
    Rule(
        V16_TO_V201,
        "DiagnosticsStatusNotification",
        "LogStatusNotification",
        "queued",
        "UploadFailed -> UploadFailure; with the requestId of the GetLog the gateway forwarded",
        {"status": "Uploading"},
    ),
    Rule(V16_TO_V201, "LogStatusNotification", "LogStatusNotification", "queued", "", {"status": "Idle"}),
    Rule(
        V16_TO_V201,
        "SecurityEventNotification",
        "SecurityEventNotification",
        "queued",
        "",
        {"type": "FirmwareUpdated", "timestamp": TS},
    ),
    Rule(
        V16_TO_V201,
        "SignCertificate",
        "SignCertificate",
        "live",
        "certificateType ChargingStationCertificate",
        {"csr": "-----BEGIN CERTIFICATE REQUEST-----"},
    ),
)

COMMANDS_201: tuple[Rule, ...] = (
    Rule(
        V16_TO_V201,
        "RequestStartTransaction",
        "RemoteStartTransaction",
        "forwarded",
        "evseId -> connectorId, idToken -> idTag (over 20 characters: NotSupported), chargingProfile translated; the "
        "remoteStartId comes back in the TransactionEvent that the StartTransaction becomes",
        {"idToken": _TOKEN, "remoteStartId": 7, "evseId": 1},
        True,
    ),
    Rule(
        V16_TO_V201,
        "RequestStopTransaction",
        "RemoteStopTransaction",
        "forwarded",
        "the UUID -> the station's integer id; an unknown or ended transaction: Rejected (TxNotFound) by the gateway",
        {"transactionId": "00000000-0000-4000-8000-000000000001"},
        True,
    ),
    Rule(
        V16_TO_V201,
        "Reset",
        "Reset",
        "forwarded",
        "Immediate -> Hard, OnIdle -> Soft; with an evseId: Rejected by the gateway "
        "(1.6 resets the whole charge point)",
        {"type": "Immediate"},
        True,
    ),
    Rule(
        V16_TO_V201,
        "ChangeAvailability",
        "ChangeAvailability",
        "forwarded",
        "evse.id -> connectorId (none: 0)",
        {"operationalStatus": "Inoperative"},
        True,
    ),
    Rule(
        V16_TO_V201,
        "UnlockConnector",
        "UnlockConnector",
        "forwarded",
        "evseId -> connectorId",
        {"evseId": 1, "connectorId": 1},
        True,
    ),
    Rule(
        V16_TO_V201,
        "TriggerMessage",
        "TriggerMessage",
        "forwarded",
        "LogStatusNotification -> DiagnosticsStatusNotification, TransactionEvent -> MeterValues, "
        "SignChargingStationCertificate -> ExtendedTriggerMessage SignChargePointCertificate; SignV2GCertificate, "
        "SignCombinedCertificate, PublishFirmwareStatusNotification: NotImplemented by the gateway",
        {"requestedMessage": "StatusNotification", "evse": {"id": 1}},
        True,
    ),
    Rule(
        V16_TO_V201,
        "GetVariables",
        "GetConfiguration",
        "forwarded",
        "through the configuration key table; a variable without a key is UnknownComponent / UnknownVariable "
        "without asking the station",
        {"getVariableData": [_VARIABLE]},
        True,
    ),
    Rule(
        V16_TO_V201,
        "SetVariables",
        "ChangeConfiguration",
        "forwarded",
        "one ChangeConfiguration per variable, in order; read-only keys Rejected, unknown ones Unknown* "
        "by the gateway; "
        "SecurityCtrlr.BasicAuthPassword is the gateway's own upstream password (kept, then it reconnects)",
        {"setVariableData": [{"attributeValue": "60", **_VARIABLE}]},
        True,
    ),
    Rule(V16_TO_V201, "ClearCache", "ClearCache", "forwarded", "", {}, True),
    Rule(
        V16_TO_V201,
        "SetChargingProfile",
        "SetChargingProfile",
        "forwarded",
        "ChargingStationMaxProfile -> ChargePointMaxProfile; one schedule (2.0.1 allows three); the transaction's "
        "UUID -> the station's id; phaseToUse and salesTariff are left out (noted in the log); limits to the 0.1 "
        "1.6 allows; ChargingStationExternalConstraints: NotSupported",
        {
            "evseId": 1,
            "chargingProfile": {
                "id": 1,
                "stackLevel": 0,
                "chargingProfilePurpose": "TxDefaultProfile",
                "chargingProfileKind": "Absolute",
                "chargingSchedule": [
                    {"id": 1, "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}]}
                ],
            },
        },
        True,
    ),
    Rule(V16_TO_V201, "ClearChargingProfile", "ClearChargingProfile", "forwarded", "", {"chargingProfileId": 1}, True),
    Rule(
        V16_TO_V201,
        "GetCompositeSchedule",
        "GetCompositeSchedule",
        "forwarded",
        "an answer without duration or start has no 2.0.1 schedule",
        {"duration": 3600, "evseId": 1},
        True,
    ),
    Rule(
        V16_TO_V201,
        "UpdateFirmware",
        "UpdateFirmware",
        "forwarded",
        "SignedUpdateFirmware (security whitepaper) when a signature is given; the requestId is kept for the status "
        "notifications",
        {"requestId": 3, "firmware": {"location": "https://fw.example/x.bin", "retrieveDateTime": TS}},
        True,
    ),
    Rule(
        V16_TO_V201,
        "GetLog",
        "GetDiagnostics",
        "forwarded",
        "DiagnosticsLog -> GetDiagnostics (fileName -> filename; no file: Rejected); SecurityLog -> GetLog (security "
        "whitepaper)",
        {"logType": "DiagnosticsLog", "requestId": 2, "log": {"remoteLocation": "ftp://logs.example/"}},
        True,
    ),
    Rule(
        V16_TO_V201,
        "SendLocalList",
        "SendLocalList",
        "forwarded",
        "idToken -> idTag (over 20 characters: NotSupported); a Full list entry without idTokenInfo: NotSupported",
        {"versionNumber": 3, "updateType": "Full"},
        True,
    ),
    Rule(V16_TO_V201, "GetLocalListVersion", "GetLocalListVersion", "forwarded", "", {}, True),
    Rule(
        V16_TO_V201,
        "ReserveNow",
        "ReserveNow",
        "forwarded",
        "evseId -> connectorId (none: 0); connectorType: NotSupported",
        {"id": 5, "expiryDateTime": TS, "idToken": _TOKEN, "evseId": 1},
        True,
    ),
    Rule(V16_TO_V201, "CancelReservation", "CancelReservation", "forwarded", "", {"reservationId": 5}, True),
    Rule(V16_TO_V201, "DataTransfer", "DataTransfer", "forwarded", "", {"vendorId": "acme"}, True),
    Rule(
        V16_TO_V201,
        "GetTransactionStatus",
        "",
        "gateway",
        "from the gateway's own queue and transactions",
        {"transactionId": "00000000-0000-4000-8000-000000000001"},
        True,
    ),
    Rule(
        V16_TO_V201,
        "GetBaseReport",
        "",
        "refused",
        "no 1.6 equivalent; so are GetReport, the monitoring, display message, customer information, network "
        "profile, charging profile report and firmware publishing commands, CostUpdated",
        {"requestId": 1, "reportBase": "FullInventory"},
        True,
    ),
)

STATION_201: tuple[Rule, ...] = (
    Rule(
        V201_TO_V16,
        "BootNotification",
        "BootNotification",
        "latest",
        "chargingStation{...} -> chargePointVendor (cut to 20 characters, noted), Model, SerialNumber, "
        "firmwareVersion, "
        "iccid, imsi; the reason has no place",
        {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"},
    ),
    Rule(V201_TO_V16, "Heartbeat", "Heartbeat", "live", "upstream away: answered with the gateway's clock", {}),
    Rule(
        V201_TO_V16,
        "StatusNotification",
        "StatusNotification",
        "latest",
        "connectorId = evseId (1.6 has one connector per EVSE); Occupied -> Preparing before a transaction, its "
        "charging state during one (Charging, SuspendedEV, SuspendedEVSE), Finishing after; Faulted with errorCode "
        "OtherError",
        {"timestamp": TS, "connectorStatus": "Occupied", "evseId": 1, "connectorId": 1},
    ),
    Rule(
        V201_TO_V16,
        "Authorize",
        "Authorize",
        "live",
        "an idToken over 20 characters cannot be a 1.6 idTag: Invalid, by the gateway",
        {"idToken": _TOKEN},
    ),
    Rule(
        V201_TO_V16,
        "TransactionEvent (Started, with idToken)",
        "StartTransaction",
        "queued",
        "meterStart from the Transaction.Begin register (else the first register value); the upstream's integer id "
        "is remembered and used for the transaction's later messages. Without an idToken the StartTransaction waits "
        "for the event that brings one (or for Ended, with anonymous_id_tag); meter values meanwhile wait with it",
        _event("Started", 0, idToken=_TOKEN, evse={"id": 1, "connectorId": 1}, meterValue=_REGISTER),
    ),
    Rule(
        V201_TO_V16,
        "TransactionEvent (Updated)",
        "MeterValues",
        "queued",
        "with the upstream's transactionId; an event without meter values or news has nothing to say in 1.6 and is "
        "answered by the gateway; a chargingState change is a StatusNotification",
        _event("Updated", 1, meterValue=_REGISTER),
    ),
    Rule(
        V201_TO_V16,
        "TransactionEvent (Ended)",
        "StopTransaction",
        "queued",
        "meterStop from the Transaction.End register (else the last one seen); stoppedReason -> reason (tables "
        "below); a re-sent seqNo is answered again and not forwarded",
        _event("Ended", 2, meterValue=_REGISTER),
    ),
    Rule(
        V201_TO_V16,
        "MeterValues",
        "MeterValues",
        "queued",
        "connectorId = evseId",
        {"evseId": 1, "meterValue": _REGISTER},
    ),
    Rule(
        V201_TO_V16,
        "NotifyEvent",
        "StatusNotification",
        "latest",
        "AvailabilityState and Problem events only (a Problem is Faulted, errorCode OtherError, vendorErrorCode = "
        "techCode); other events have no 1.6 equivalent (left out, or NotSupported when none is left)",
        {
            "generatedAt": TS,
            "seqNo": 0,
            "eventData": [
                {
                    "eventId": 1,
                    "timestamp": TS,
                    "trigger": "Delta",
                    "actualValue": "Unavailable",
                    "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 1}},
                    "variable": {"name": "AvailabilityState"},
                    "eventNotificationType": "HardWiredNotification",
                }
            ],
        },
    ),
    Rule(
        V201_TO_V16,
        "FirmwareStatusNotification",
        "FirmwareStatusNotification",
        "queued",
        "SignedFirmwareStatusNotification when the update came as SignedUpdateFirmware; statuses 1.6 lacks mapped "
        "(tables below)",
        {"status": "Installing"},
    ),
    Rule(
        V201_TO_V16,
        "LogStatusNotification",
        "DiagnosticsStatusNotification",
        "queued",
        "LogStatusNotification when the upload came as GetLog (security whitepaper)",
        {"status": "Uploading"},
    ),
    Rule(
        V201_TO_V16,
        "SecurityEventNotification",
        "SecurityEventNotification",
        "queued",
        "",
        {"type": "FirmwareUpdated", "timestamp": TS},
    ),
    Rule(
        V201_TO_V16,
        "SignCertificate",
        "SignCertificate",
        "live",
        "V2GCertificate: NotSupported",
        {"csr": "-----BEGIN CERTIFICATE REQUEST-----"},
    ),
    Rule(
        V201_TO_V16,
        "DataTransfer",
        "DataTransfer",
        "live",
        "data other than a string is sent as JSON text",
        {"vendorId": "a"},
    ),
    Rule(
        V201_TO_V16,
        "NotifyReport",
        "",
        "refused",
        "no 1.6 equivalent; so are the other Notify*, ReportChargingProfiles, ReservationStatusUpdate, "
        "ClearedChargingLimit, Get15118EVCertificate, GetCertificateStatus, PublishFirmwareStatusNotification",
        {"requestId": 1, "generatedAt": TS, "seqNo": 0},
    ),
)

COMMANDS_16: tuple[Rule, ...] = (
    Rule(
        V201_TO_V16,
        "RemoteStartTransaction",
        "RequestStartTransaction",
        "forwarded",
        "idTag -> idToken of the configured type, a remoteStartId made up by the gateway, connectorId -> evseId, "
        "chargingProfile translated",
        {"idTag": "TAG-1", "connectorId": 1},
        True,
    ),
    Rule(
        V201_TO_V16,
        "RemoteStopTransaction",
        "RequestStopTransaction",
        "forwarded",
        "the upstream's integer id -> the station's transactionId; unknown: Rejected by the gateway",
        {"transactionId": 4242},
        True,
    ),
    Rule(
        V201_TO_V16,
        "Reset",
        "Reset",
        "forwarded",
        "Hard -> Immediate, Soft -> OnIdle; Scheduled -> Accepted",
        {"type": "Hard"},
        True,
    ),
    Rule(
        V201_TO_V16,
        "ChangeAvailability",
        "ChangeAvailability",
        "forwarded",
        "connectorId -> evse.id (0: the station)",
        {"connectorId": 1, "type": "Inoperative"},
        True,
    ),
    Rule(
        V201_TO_V16,
        "UnlockConnector",
        "UnlockConnector",
        "forwarded",
        "connectorId N -> evseId N, connectorId 1",
        {"connectorId": 1},
        True,
    ),
    Rule(
        V201_TO_V16,
        "GetConfiguration",
        "GetVariables",
        "forwarded",
        "through the configuration key table, get_variables_batch variables per GetVariables; no key asked: every key "
        "of the table, those the station knows are returned",
        {"key": ["HeartbeatInterval"]},
        True,
    ),
    Rule(
        V201_TO_V16,
        "ChangeConfiguration",
        "SetVariables",
        "forwarded",
        "unknown key: NotSupported, read-only: Rejected, by the gateway; AuthorizationKey is the gateway's own "
        "upstream password",
        {"key": "HeartbeatInterval", "value": "60"},
        True,
    ),
    Rule(
        V201_TO_V16,
        "TriggerMessage",
        "TriggerMessage",
        "forwarded",
        "DiagnosticsStatusNotification -> LogStatusNotification",
        {"requestedMessage": "DiagnosticsStatusNotification"},
        True,
    ),
    Rule(
        V201_TO_V16,
        "ExtendedTriggerMessage",
        "TriggerMessage",
        "forwarded",
        "SignChargePointCertificate -> SignChargingStationCertificate",
        {"requestedMessage": "SignChargePointCertificate"},
        True,
    ),
    Rule(
        V201_TO_V16,
        "UpdateFirmware",
        "UpdateFirmware",
        "forwarded",
        "a requestId made up by the gateway; 1.6 cannot say that the station refused it (logged)",
        {"location": "https://fw.example/x.bin", "retrieveDate": TS},
        True,
    ),
    Rule(
        V201_TO_V16,
        "GetDiagnostics",
        "GetLog",
        "forwarded",
        "DiagnosticsLog with a requestId made up by the gateway; filename -> fileName",
        {"location": "ftp://logs.example/"},
        True,
    ),
    Rule(
        V201_TO_V16,
        "SetChargingProfile",
        "SetChargingProfile",
        "forwarded",
        "ChargePointMaxProfile -> ChargingStationMaxProfile; the schedule gets the profile's id",
        {
            "connectorId": 1,
            "csChargingProfiles": {
                "chargingProfileId": 1,
                "stackLevel": 0,
                "chargingProfilePurpose": "TxDefaultProfile",
                "chargingProfileKind": "Absolute",
                "chargingSchedule": {
                    "chargingRateUnit": "A",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}],
                },
            },
        },
        True,
    ),
    Rule(
        V201_TO_V16,
        "SendLocalList",
        "SendLocalList",
        "forwarded",
        "idTag -> idToken of the configured type; listVersion 0 or less (2.0.1 numbers lists from 1) and a Full "
        "list entry without idTagInfo: NotSupported",
        {"listVersion": 2, "updateType": "Full"},
        True,
    ),
    Rule(
        V201_TO_V16,
        "ReserveNow",
        "ReserveNow",
        "forwarded",
        "connectorId 0 -> no evseId",
        {"connectorId": 0, "expiryDate": TS, "idTag": "TAG-1", "reservationId": 5},
        True,
    ),
)

ALL: tuple[Rule, ...] = (*STATION_16, *COMMANDS_201, *STATION_201, *COMMANDS_16)
