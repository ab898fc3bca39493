"""Answers to the commands a CSMS sends, for both versions (pure: payload in, answer out).

Each handler reads and may change the :class:`StationState` (configuration, availability,
charging limits) and returns the CALLRESULT payload plus the *intents* the station carries
out after the answer went out (start a session, reboot, send a triggered message...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chargebridge.rpc import OcppVersion
from chargebridge.security.rotation import (
    AUTHORIZATION_KEY,
    BASIC_AUTH_PASSWORD,
    check_rotation_password,
    password_from_authorization_key,
)
from chargebridge.security.secrets import WeakPassword
from chargebridge.sim import authorization, certificates, charging, pnc, security
from chargebridge.sim.state import Connector, StationState

V16, V201 = OcppVersion.V16, OcppVersion.V201
SECURITY_PROFILE = "SecurityProfile"

# -- intents ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartSession:
    connector_id: int
    id_token: str
    id_token_type: str = "ISO14443"
    remote_start_id: int | None = None
    remote: bool = False
    duration_s: float | None = None


@dataclass(frozen=True, slots=True)
class StopSession:
    connector_id: int
    reason: str  # the 1.6 Reason vocabulary (mapped for 2.0.1)


@dataclass(frozen=True, slots=True)
class Reboot:
    reason: str  # HardReset / SoftReset / Reboot / PowerLoss


@dataclass(frozen=True, slots=True)
class Trigger:
    message: str
    connector_id: int | None = None


@dataclass(frozen=True, slots=True)
class SendStatus:
    connector_id: int


@dataclass(frozen=True, slots=True)
class ConfigChanged:
    name: str


@dataclass(frozen=True, slots=True)
class ChangePassword:
    """The CSMS sent a new HTTP Basic password (1.6 AuthorizationKey, 2.0.1 BasicAuthPassword):
    the station keeps it and reconnects with it."""

    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Reconnect:
    """Close the connection and open a new one (1.6: with the security profile just set)."""


@dataclass(frozen=True, slots=True)
class InstallFirmware:
    """Download, check and install an image (UpdateFirmware / SignedUpdateFirmware)."""

    location: str
    request_id: int | None = None  # None: 1.6 UpdateFirmware (plain FirmwareStatusNotification)
    signature: str | None = None
    signing_certificate: str | None = None
    status_action: str = "FirmwareStatusNotification"


@dataclass(frozen=True, slots=True)
class UploadLog:
    """Upload a diagnostics file / log (GetDiagnostics / GetLog)."""

    location: str
    filename: str
    request_id: int | None = None
    status_action: str = "DiagnosticsStatusNotification"


@dataclass(frozen=True, slots=True)
class SendMessages:
    """CALLs the station sends in this order after its answer went out (a report in parts,
    ReportChargingProfiles after GetChargingProfiles), also while its boot is Pending: the CSMS
    asked for them."""

    messages: tuple[tuple[str, dict[str, Any]], ...]


Intent = (
    StartSession
    | StopSession
    | Reboot
    | Trigger
    | SendStatus
    | ConfigChanged
    | ChangePassword
    | Reconnect
    | InstallFirmware
    | UploadLog
    | SendMessages
    | pnc.PublishImage
)


@dataclass(frozen=True, slots=True)
class Answer:
    payload: dict[str, Any]
    intents: tuple[Intent, ...] = ()


ACCEPTS_16 = frozenset(
    {
        "RemoteStartTransaction",
        "RemoteStopTransaction",
        "Reset",
        "UnlockConnector",
        "ChangeAvailability",
        "GetConfiguration",
        "ChangeConfiguration",
        "TriggerMessage",
        "ClearCache",
        "DataTransfer",
        "SetChargingProfile",
        "ClearChargingProfile",
        "GetCompositeSchedule",
        "UpdateFirmware",
        "SignedUpdateFirmware",
        "GetDiagnostics",
        "GetLog",
        "ExtendedTriggerMessage",
        "CertificateSigned",
        "InstallCertificate",
        "DeleteCertificate",
        "GetInstalledCertificateIds",
        *authorization.ACTIONS,
    }
)
# ISO 15118, local-controller publishing and transaction status (sim/pnc.py).
PNC_ACTIONS_201 = ("PublishFirmware", "UnpublishFirmware", "GetTransactionStatus")
ACCEPTS_201 = frozenset(
    {
        "CostUpdated",
        "RequestStartTransaction",
        "RequestStopTransaction",
        "Reset",
        "UnlockConnector",
        "ChangeAvailability",
        "GetVariables",
        "SetVariables",
        "TriggerMessage",
        "ClearCache",
        "DataTransfer",
        "SetChargingProfile",
        "ClearChargingProfile",
        "GetChargingProfiles",
        "GetCompositeSchedule",
        "UpdateFirmware",
        "GetLog",
        "CertificateSigned",
        "InstallCertificate",
        "DeleteCertificate",
        "GetInstalledCertificateIds",
        *authorization.ACTIONS,
        *PNC_ACTIONS_201,
    }
)

TRIGGERS_16 = frozenset(
    {
        "BootNotification",
        "Heartbeat",
        "MeterValues",
        "StatusNotification",
        "FirmwareStatusNotification",
        "DiagnosticsStatusNotification",
    }
)
TRIGGERS_201 = frozenset(
    {
        "BootNotification",
        "Heartbeat",
        "MeterValues",
        "StatusNotification",
        "TransactionEvent",
        "FirmwareStatusNotification",
        "SignChargingStationCertificate",
        "SignV2GCertificate",
    }
)
# 1.6 security whitepaper ExtendedTriggerMessage: the messages this station sends when asked.
EXTENDED_TRIGGERS_16 = frozenset(
    {"BootNotification", "Heartbeat", "MeterValues", "StatusNotification", "SignChargePointCertificate"}
)


def accepted_actions(version: OcppVersion) -> frozenset[str]:
    return ACCEPTS_16 if version is OcppVersion.V16 else ACCEPTS_201


# -- rejection (the configured failure rate) ----------------------------------------------------

_REJECTED: dict[str, dict[str, Any]] = {
    "CostUpdated": {},  # no status to refuse with: the answer is empty either way
    "RemoteStartTransaction": {"status": "Rejected"},
    "RemoteStopTransaction": {"status": "Rejected"},
    "RequestStartTransaction": {"status": "Rejected"},
    "RequestStopTransaction": {"status": "Rejected"},
    "Reset": {"status": "Rejected"},
    "UnlockConnector": {"status": "UnlockFailed"},
    "ChangeAvailability": {"status": "Rejected"},
    "ChangeConfiguration": {"status": "Rejected"},
    "TriggerMessage": {"status": "Rejected"},
    "ClearCache": {"status": "Rejected"},
    "DataTransfer": {"status": "Rejected"},
    "SetChargingProfile": {"status": "Rejected"},
    "ClearChargingProfile": {"status": "Unknown"},
    "GetChargingProfiles": {"status": "NoProfiles"},
    "GetCompositeSchedule": {"status": "Rejected"},
    "SignedUpdateFirmware": {"status": "Rejected"},
    "GetLog": {"status": "Rejected"},
    "GetDiagnostics": {},  # no fileName: nothing will be uploaded
    "ExtendedTriggerMessage": {"status": "Rejected"},
    "CertificateSigned": {"status": "Rejected"},
    "InstallCertificate": {"status": "Rejected"},
    "DeleteCertificate": {"status": "Failed"},
    "GetInstalledCertificateIds": {"status": "NotFound"},
    "ReserveNow": {"status": "Rejected"},
    "CancelReservation": {"status": "Rejected"},
    "SendLocalList": {"status": "Failed"},
    "PublishFirmware": {"status": "Rejected"},
    "UnpublishFirmware": {"status": "NoFirmware"},
    "GetTransactionStatus": {"messagesInQueue": False},
}


def rejection(version: OcppVersion, action: str, payload: dict[str, Any]) -> Answer:
    """The negative answer a flaky charger gives to ``action`` (same shape, nothing done)."""
    if action in device_commands.REJECTIONS:
        return Answer(device_commands.REJECTIONS[action](payload))
    if action == "GetConfiguration":
        return Answer({"configurationKey": [], "unknownKey": list(payload.get("key", []))})
    if action == "UpdateFirmware":
        return Answer({} if version is OcppVersion.V16 else {"status": "Rejected"})
    if action == "GetLocalListVersion":  # nothing to refuse: a flaky charger reports no list
        return Answer({"listVersion" if version is OcppVersion.V16 else "versionNumber": 0})
    if action in ("GetVariables", "SetVariables"):
        plural = "getVariable" if action == "GetVariables" else "setVariable"
        results = [
            {"attributeStatus": "Rejected", "component": item["component"], "variable": item["variable"]}
            for item in payload[f"{plural}Data"]
        ]
        return Answer({f"{plural}Result": results})
    return Answer(dict(_REJECTED[action]))


# -- dispatch -----------------------------------------------------------------------------------


def answer(version: OcppVersion, action: str, payload: dict[str, Any], state: StationState) -> Answer:
    """The station's answer to a schema-valid command."""
    table = _HANDLERS_16 if version is OcppVersion.V16 else _HANDLERS_201
    return table[action](payload, state)


# -- shared pieces ------------------------------------------------------------------------------


def _targets(state: StationState, connector_id: int | None) -> list[Connector] | None:
    if connector_id is None or connector_id == 0:
        return list(state.connectors.values())
    connector = state.connectors.get(connector_id)
    return None if connector is None else [connector]


def _change_availability(state: StationState, connector_id: int | None, operative: bool) -> Answer:
    targets = _targets(state, connector_id)
    if targets is None:
        return Answer({"status": "Rejected"})
    status = "Accepted"
    intents: list[Intent] = []
    for connector in targets:
        if not operative and connector.session is not None:
            connector.pending_inoperative = True
            status = "Scheduled"
            continue
        connector.pending_inoperative = False
        if connector.operative != operative:
            connector.operative = operative
            intents.append(SendStatus(connector.connector_id))
    return Answer({"status": status}, tuple(intents))


def _with_calls(result: charging.Result) -> Answer:
    payload, calls = result
    return Answer(payload, (SendMessages(calls),) if calls else ())


def _charging(
    version: OcppVersion, handler: Callable[[OcppVersion, dict[str, Any], StationState], charging.Result]
) -> Handler:
    """A smart charging handler of sim/charging.py as a command handler of ``version``."""
    return lambda payload, state: _with_calls(handler(version, payload, state))


def _data_transfer(payload: dict[str, Any], state: StationState) -> Answer:
    if payload["vendorId"] != state.data_transfer_vendor:
        return Answer({"status": "UnknownVendorId"})
    return Answer({"status": "Accepted", "data": payload.get("data", "")})


def _clear_cache(payload: dict[str, Any], state: StationState) -> Answer:
    return Answer({"status": "Accepted"})


def _reset_intent(kind: str) -> Reboot:
    return Reboot("HardReset" if kind in ("Hard", "Immediate") else "SoftReset")


# -- OCPP 1.6 -----------------------------------------------------------------------------------


def _remote_start_16(payload: dict[str, Any], state: StationState) -> Answer:
    connector = state.free_connector(payload.get("connectorId"))
    if connector is None:
        return Answer({"status": "Rejected"})
    profile = payload.get("chargingProfile")
    if profile is not None and not charging.remote_start_profile(V16, profile, state, connector.connector_id):
        return Answer({"status": "Rejected"})
    start = StartSession(connector.connector_id, payload["idTag"], remote=True)
    return Answer({"status": "Accepted"}, (start,))


def _remote_stop_16(payload: dict[str, Any], state: StationState) -> Answer:
    session = state.session_by_transaction(str(payload["transactionId"]))
    if session is None:
        return Answer({"status": "Rejected"})
    return Answer({"status": "Accepted"}, (StopSession(session.connector_id, "Remote"),))


def _reset_16(payload: dict[str, Any], state: StationState) -> Answer:
    return Answer({"status": "Accepted"}, (_reset_intent(payload["type"]),))


def _unlock_16(payload: dict[str, Any], state: StationState) -> Answer:
    connector = state.connectors.get(payload["connectorId"])
    if connector is None:
        return Answer({"status": "NotSupported"})
    if connector.session is not None:
        # 1.6: unlocking a connector with a transaction stops the transaction first.
        return Answer({"status": "Unlocked"}, (StopSession(connector.connector_id, "UnlockCommand"),))
    return Answer({"status": "Unlocked"})


def _change_availability_16(payload: dict[str, Any], state: StationState) -> Answer:
    return _change_availability(state, payload["connectorId"], payload["type"] == "Operative")


def _get_configuration_16(payload: dict[str, Any], state: StationState) -> Answer:
    wanted = payload.get("key") or [key.name for key, _ in state.config.items()]
    known, unknown = [], []
    for name in wanted:
        key = state.config.key(name)
        if key is None:
            unknown.append(name)
        else:
            known.append({"key": name, "readonly": key.readonly, "value": state.config.get(name)})
    result: dict[str, Any] = {"configurationKey": known}
    if unknown:
        result["unknownKey"] = unknown
    return Answer(result)


def _change_configuration_16(payload: dict[str, Any], state: StationState) -> Answer:
    if payload["key"] == AUTHORIZATION_KEY:
        # Write-only; the value is the password's bytes in hex (1.6 security whitepaper).
        password = password_from_authorization_key(payload["value"])
        if password is None:
            return Answer({"status": "Rejected"})
        return Answer({"status": "Accepted"}, (ChangePassword(password),))
    if payload["key"] == SECURITY_PROFILE:  # 1.6 security whitepaper: raises the profile, then reconnect
        before = state.security.profile
        status = security.change_profile_16(state, payload["value"])
        changed = status == "Accepted" and state.security.profile != before
        return Answer({"status": status}, (Reconnect(),) if changed else ())
    status = state.config.set(payload["key"], payload["value"])
    intents: tuple[Intent, ...] = (ConfigChanged(payload["key"]),) if status == "Accepted" else ()
    return Answer({"status": status}, intents)


def _trigger_16(payload: dict[str, Any], state: StationState) -> Answer:
    connector_id = payload.get("connectorId")
    if connector_id not in (None, 0) and connector_id not in state.connectors:
        return Answer({"status": "Rejected"})
    message = payload["requestedMessage"]
    if message not in TRIGGERS_16:
        return Answer({"status": "NotImplemented"})
    return Answer({"status": "Accepted"}, (Trigger(message, connector_id or None),))


def _extended_trigger_16(payload: dict[str, Any], state: StationState) -> Answer:
    connector_id = payload.get("connectorId")
    if connector_id not in (None, 0) and connector_id not in state.connectors:
        return Answer({"status": "Rejected"})
    message = payload["requestedMessage"]
    if message not in EXTENDED_TRIGGERS_16:
        return Answer({"status": "NotImplemented"})
    return Answer({"status": "Accepted"}, (Trigger(message, connector_id or None),))


def _certificate_signed(payload: dict[str, Any], state: StationState) -> Answer:
    return Answer(certificates.certificate_signed(payload, state))


def _install_certificate(payload: dict[str, Any], state: StationState) -> Answer:
    return Answer(certificates.install_certificate(payload, state))


def _delete_certificate(payload: dict[str, Any], state: StationState) -> Answer:
    return Answer(certificates.delete_certificate(payload, state))


def _installed_ids_16(payload: dict[str, Any], state: StationState) -> Answer:
    return Answer(certificates.installed_certificate_ids(OcppVersion.V16, payload, state))


def _installed_ids_201(payload: dict[str, Any], state: StationState) -> Answer:
    return Answer(certificates.installed_certificate_ids(OcppVersion.V201, payload, state))


def _update_firmware_16(payload: dict[str, Any], state: StationState) -> Answer:
    return Answer({}, (InstallFirmware(payload["location"]),))


def _install(payload: dict[str, Any], status_action: str) -> Answer:
    """1.6 SignedUpdateFirmware and 2.0.1 UpdateFirmware carry the same FirmwareType."""
    firmware = payload["firmware"]
    install = InstallFirmware(
        firmware["location"],
        request_id=payload["requestId"],
        signature=firmware.get("signature"),
        signing_certificate=firmware.get("signingCertificate"),
        status_action=status_action,
    )
    return Answer({"status": "Accepted"}, (install,))


def _signed_update_firmware_16(payload: dict[str, Any], state: StationState) -> Answer:
    return _install(payload, "SignedFirmwareStatusNotification")


def _update_firmware_201(payload: dict[str, Any], state: StationState) -> Answer:
    return _install(payload, "FirmwareStatusNotification")


def _get_diagnostics_16(payload: dict[str, Any], state: StationState) -> Answer:
    filename = f"{state.station_id or 'station'}-diagnostics.log"
    return Answer({"fileName": filename}, (UploadLog(payload["location"], filename),))


def _get_log(payload: dict[str, Any], state: StationState) -> Answer:
    filename = f"{state.station_id or 'station'}-{payload['logType'].lower()}.log"
    upload = UploadLog(
        payload["log"]["remoteLocation"],
        filename,
        request_id=payload["requestId"],
        status_action="LogStatusNotification",
    )
    return Answer({"status": "Accepted", "filename": filename}, (upload,))


Handler = Callable[[dict[str, Any], StationState], Answer]


def _with_status(handler: Callable[[dict[str, Any], StationState], tuple[dict[str, Any], list[int]]]) -> Handler:
    """A sim.authorization handler whose changed connectors report their status afterwards."""

    def run(payload: dict[str, Any], state: StationState) -> Answer:
        result, touched = handler(payload, state)
        return Answer(result, tuple(SendStatus(n) for n in touched))

    return run


_AUTHORIZATION_16: dict[str, Handler] = {
    "ReserveNow": _with_status(authorization.reserve_now_16),
    "CancelReservation": _with_status(authorization.cancel_reservation),
    "SendLocalList": lambda p, s: Answer({"status": authorization.send_local_list(s, True, p)}),
    "GetLocalListVersion": lambda p, s: Answer({"listVersion": authorization.list_version(s)}),
}
_AUTHORIZATION_201: dict[str, Handler] = {
    "ReserveNow": _with_status(authorization.reserve_now_201),
    "CancelReservation": _with_status(authorization.cancel_reservation),
    "SendLocalList": lambda p, s: Answer({"status": authorization.send_local_list(s, False, p)}),
    "GetLocalListVersion": lambda p, s: Answer({"versionNumber": authorization.list_version(s)}),
}

_HANDLERS_16: dict[str, Handler] = {
    "RemoteStartTransaction": _remote_start_16,
    "RemoteStopTransaction": _remote_stop_16,
    "Reset": _reset_16,
    "UnlockConnector": _unlock_16,
    "ChangeAvailability": _change_availability_16,
    "GetConfiguration": _get_configuration_16,
    "ChangeConfiguration": _change_configuration_16,
    "TriggerMessage": _trigger_16,
    "ClearCache": _clear_cache,
    "DataTransfer": _data_transfer,
    "SetChargingProfile": _charging(V16, charging.set_profile),
    "ClearChargingProfile": _charging(V16, charging.clear_profile),
    "GetCompositeSchedule": _charging(V16, charging.get_composite),
    "UpdateFirmware": _update_firmware_16,
    "SignedUpdateFirmware": _signed_update_firmware_16,
    "GetDiagnostics": _get_diagnostics_16,
    "GetLog": _get_log,
    "ExtendedTriggerMessage": _extended_trigger_16,
    "CertificateSigned": _certificate_signed,
    "InstallCertificate": _install_certificate,
    "DeleteCertificate": _delete_certificate,
    "GetInstalledCertificateIds": _installed_ids_16,
    **_AUTHORIZATION_16,
}


# -- OCPP 2.0.1 ---------------------------------------------------------------------------------


def _request_start_201(payload: dict[str, Any], state: StationState) -> Answer:
    connector = state.free_connector(payload.get("evseId"))
    if connector is None:
        return Answer({"status": "Rejected"})
    profile = payload.get("chargingProfile")
    if profile is not None and not charging.remote_start_profile(V201, profile, state, connector.connector_id):
        return Answer({"status": "Rejected"})
    token = payload["idToken"]
    start = StartSession(
        connector.connector_id, token["idToken"], token["type"], remote_start_id=payload["remoteStartId"], remote=True
    )
    return Answer({"status": "Accepted"}, (start,))


def _request_stop_201(payload: dict[str, Any], state: StationState) -> Answer:
    session = state.session_by_transaction(payload["transactionId"])
    if session is None:
        return Answer({"status": "Rejected"})
    return Answer({"status": "Accepted"}, (StopSession(session.connector_id, "Remote"),))


def _reset_201(payload: dict[str, Any], state: StationState) -> Answer:
    evse_id = payload.get("evseId")
    if evse_id is not None:
        connector = state.connectors.get(evse_id)
        if connector is None:
            return Answer({"status": "Rejected"})
        stops: tuple[Intent, ...] = ()
        if connector.session is not None:
            stops = (StopSession(evse_id, "HardReset"),)
        return Answer({"status": "Accepted"}, (*stops, SendStatus(evse_id)))
    busy = any(connector.session is not None for connector in state.connectors.values())
    if payload["type"] == "OnIdle" and busy:
        state.reboot_when_idle = True
        return Answer({"status": "Scheduled"})
    return Answer({"status": "Accepted"}, (_reset_intent(payload["type"]),))


def _unlock_201(payload: dict[str, Any], state: StationState) -> Answer:
    connector = state.connectors.get(payload["evseId"])
    if connector is None or payload["connectorId"] != 1:
        return Answer({"status": "UnknownConnector"})
    if connector.session is not None:
        return Answer({"status": "OngoingAuthorizedTransaction"})
    return Answer({"status": "Unlocked"})


def _change_availability_201(payload: dict[str, Any], state: StationState) -> Answer:
    evse = payload.get("evse")
    return _change_availability(state, evse["id"] if evse else None, payload["operationalStatus"] == "Operative")


def _variable_key(item: dict[str, Any]) -> tuple[str, str, str | None]:
    return item["component"]["name"], item["variable"]["name"], item["variable"].get("instance")


def _get_variables_201(payload: dict[str, Any], state: StationState) -> Answer:
    results = []
    for item in payload["getVariableData"]:
        result: dict[str, Any] = {"component": item["component"], "variable": item["variable"]}
        key = state.config.variable(*_variable_key(item))
        if item.get("attributeType", "Actual") != "Actual":
            result["attributeStatus"] = "NotSupportedAttributeType"
        elif key is None:
            known = state.config.knows_component(item["component"]["name"])
            result["attributeStatus"] = "UnknownVariable" if known else "UnknownComponent"
        else:
            result["attributeStatus"] = "Accepted"
            result["attributeValue"] = state.config.get(key.name)
        results.append(result)
    return Answer({"getVariableResult": results})


def _set_variables_201(payload: dict[str, Any], state: StationState) -> Answer:
    results = []
    intents: list[Intent] = []
    for item in payload["setVariableData"]:
        result: dict[str, Any] = {"component": item["component"], "variable": item["variable"]}
        key = state.config.variable(*_variable_key(item))
        if item.get("attributeType", "Actual") != "Actual":
            result["attributeStatus"] = "NotSupportedAttributeType"
        elif _variable_key(item) == (BASIC_AUTH_PASSWORD.component, BASIC_AUTH_PASSWORD.variable, None):
            password = _valid_password_201(item["attributeValue"])
            result["attributeStatus"] = "Accepted" if password is not None else "Rejected"
            if password is not None:
                intents.append(ChangePassword(password))
        elif key is None:
            known = state.config.knows_component(item["component"]["name"])
            result["attributeStatus"] = "UnknownVariable" if known else "UnknownComponent"
        else:
            status = state.config.set(key.name, item["attributeValue"])
            result["attributeStatus"] = "Accepted" if status == "Accepted" else "Rejected"
            if status == "Accepted":
                intents.append(ConfigChanged(key.name))
        results.append(result)
    return Answer({"setVariableResult": results}, tuple(intents))


def _valid_password_201(value: str) -> str | None:
    """A BasicAuthPassword the station takes: a passwordString of 16-40 characters."""
    try:
        check_rotation_password(OcppVersion.V201, value)
    except WeakPassword:
        return None
    return value


def _trigger_201(payload: dict[str, Any], state: StationState) -> Answer:
    evse = payload.get("evse")
    evse_id = evse["id"] if evse else None
    if evse_id not in (None, 0) and evse_id not in state.connectors:
        return Answer({"status": "Rejected"})
    message = payload["requestedMessage"]
    if message not in TRIGGERS_201:
        return Answer({"status": "NotImplemented"})
    return Answer({"status": "Accepted"}, (Trigger(message, evse_id or None),))


def _certificate_signed_201(payload: dict[str, Any], state: StationState) -> Answer:
    if payload.get("certificateType") == pnc.V2G_CERTIFICATE:
        return Answer(pnc.v2g_certificate_signed(state.pnc, payload))
    return _certificate_signed(payload, state)


def _publish_firmware(payload: dict[str, Any], state: StationState) -> Answer:
    result, intents = pnc.publish_firmware(state.pnc, payload)
    return Answer(result, intents)


_PNC_201: dict[str, Handler] = {
    "CertificateSigned": _certificate_signed_201,
    "PublishFirmware": _publish_firmware,
    "UnpublishFirmware": lambda p, s: Answer(pnc.unpublish_firmware(s.pnc, p)),
    "GetTransactionStatus": lambda p, s: Answer(pnc.get_transaction_status(s.pnc, p)),
}


def _cost_updated_201(payload: dict[str, Any], state: StationState) -> Answer:
    """The running cost of a transaction, shown to the driver: kept as the last cost per transaction."""
    state.running_costs[payload["transactionId"]] = float(payload["totalCost"])
    return Answer({})


_HANDLERS_201: dict[str, Handler] = {
    "RequestStartTransaction": _request_start_201,
    "RequestStopTransaction": _request_stop_201,
    "Reset": _reset_201,
    "UnlockConnector": _unlock_201,
    "ChangeAvailability": _change_availability_201,
    "GetVariables": _get_variables_201,
    "SetVariables": _set_variables_201,
    "TriggerMessage": _trigger_201,
    "ClearCache": _clear_cache,
    "DataTransfer": _data_transfer,
    "SetChargingProfile": _charging(V201, charging.set_profile),
    "ClearChargingProfile": _charging(V201, charging.clear_profile),
    "GetChargingProfiles": _charging(V201, charging.get_profiles),
    "GetCompositeSchedule": _charging(V201, charging.get_composite),
    "UpdateFirmware": _update_firmware_201,
    "GetLog": _get_log,
    "CertificateSigned": _certificate_signed,
    "InstallCertificate": _install_certificate,
    "DeleteCertificate": _delete_certificate,
    "GetInstalledCertificateIds": _installed_ids_201,
    **_AUTHORIZATION_201,
    **_PNC_201,
    "CostUpdated": _cost_updated_201,
}

# Device model, monitoring, customer information and display messages: sim/device_commands.py
# adds its handlers to the tables above when it is loaded (here, or first by another module).
from chargebridge.sim import device_commands  # noqa: E402  (it builds on the types above)
