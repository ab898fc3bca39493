"""Version-neutral answers and commands -> 2.0.1 payloads, and the station's answers back.

Everything produced here must pass the official 2.0.1 schema; a neutral value that cannot
be expressed in 2.0.1 raises :class:`CommandNotSupported` (commands) or ``TypeError`` (a
response paired with the wrong action, which is a bug of ours).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from chargebridge.billing.commands import CostUpdated, encode_cost_updated_201
from chargebridge.domain import commands as cmd
from chargebridge.domain.commands import CommandNotSupported
from chargebridge.domain.model import IdTokenInfo
from chargebridge.domain.requests import (
    Ack,
    AuthorizeResponse,
    BootResponse,
    DataTransferResponse,
    HeartbeatResponse,
    SignCertificateResponse,
    StationResponse,
    TransactionEventResponse,
)
from chargebridge.domain.timeutil import format_datetime
from chargebridge.ocpp201 import authorization as _authorization
from chargebridge.ocpp201 import charging, devicemodel, firmware, iso15118, publishing, transaction_status

ACK_ACTIONS = frozenset(
    {
        "StatusNotification",
        "MeterValues",
        "NotifyEvent",
        "SecurityEventNotification",
        "FirmwareStatusNotification",
        "LogStatusNotification",
        *charging.ACK_ACTIONS,  # ReportChargingProfiles, NotifyChargingLimit, ClearedChargingLimit
        *_authorization.ACK_ACTIONS,  # ReservationStatusUpdate
        *devicemodel.ACK_ACTIONS,  # NotifyReport, NotifyMonitoringReport, NotifyCustomerInformation, ...
        *publishing.ACK_ACTIONS,  # PublishFirmwareStatusNotification
    }
)

# Which neutral response answers which action (Ack answers every action in ACK_ACTIONS).
_RESPONSE_ACTIONS: Mapping[type, str] = MappingProxyType(
    {
        BootResponse: "BootNotification",
        HeartbeatResponse: "Heartbeat",
        AuthorizeResponse: "Authorize",
        TransactionEventResponse: "TransactionEvent",
        DataTransferResponse: "DataTransfer",
        SignCertificateResponse: "SignCertificate",
    }
)

# MessageTriggerEnumType of 2.0.1, and the 1.6 (incl. security extension) names that map onto it.
TRIGGER_MESSAGES = frozenset(
    {
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
    }
)
_TRIGGER_FROM_V16: Mapping[str, str] = MappingProxyType(
    {
        "DiagnosticsStatusNotification": "LogStatusNotification",
        "SignChargePointCertificate": "SignChargingStationCertificate",
    }
)

# InstallCertificateUseEnumType / GetCertificateIdUseEnumType; the 1.6 name of the CSMS root is accepted too.
INSTALL_CERTIFICATE_TYPES = frozenset(
    {"V2GRootCertificate", "MORootCertificate", "CSMSRootCertificate", "ManufacturerRootCertificate"}
)
INSTALLED_CERTIFICATE_TYPES = INSTALL_CERTIFICATE_TYPES | {"V2GCertificateChain"}
SIGNED_CERTIFICATE_TYPES = frozenset({cmd.STATION_CERTIFICATE, cmd.V2G_CERTIFICATE})
_CERTIFICATE_TYPE_FROM_V16: Mapping[str, str] = MappingProxyType(
    {"CentralSystemRootCertificate": "CSMSRootCertificate"}
)

# ResetEnumType: a soft reset waits for transactions to end, a hard one does not.
_RESET_TYPES: Mapping[cmd.ResetType, str] = MappingProxyType(
    {cmd.ResetType.SOFT: "OnIdle", cmd.ResetType.HARD: "Immediate"}
)

# -- responses -----------------------------------------------------------------------------

# Neutral response type -> its encoder, for the answers of capability packages (checks the action itself).
RESPONSE_ENCODERS: Mapping[type, Callable[[str, StationResponse], dict[str, Any]]] = MappingProxyType(
    {
        **charging.RESPONSE_ENCODERS,
        **iso15118.RESPONSE_ENCODERS,  # Get15118EVCertificate, GetCertificateStatus, Authorize with a contract
    }
)


def encode_id_token_info(info: IdTokenInfo) -> dict[str, Any]:
    """IdTokenInfoType. The neutral statuses are all 2.0.1 AuthorizationStatusEnumType names."""
    out: dict[str, Any] = {"status": info.status.value}
    if info.expires_at is not None:
        out["cacheExpiryDateTime"] = format_datetime(info.expires_at)
    if info.group_id is not None and len(info.group_id) <= 36:  # IdTokenType.idToken is at most 36 characters
        out["groupIdToken"] = {"idToken": info.group_id, "type": "Central"}
    return out


def encode_response(action: str, response: StationResponse) -> dict[str, Any]:
    encoder = RESPONSE_ENCODERS.get(type(response))
    if encoder is not None:
        return encoder(action, response)
    expected = _RESPONSE_ACTIONS.get(type(response))
    fits = action in ACK_ACTIONS if isinstance(response, Ack) else action == expected
    if not fits:
        raise TypeError(f"{type(response).__name__} does not answer a 2.0.1 {action}")
    if isinstance(response, BootResponse):
        return {
            "currentTime": format_datetime(response.current_time),
            "interval": response.interval_s,
            "status": response.status.value,
        }
    if isinstance(response, HeartbeatResponse):
        return {"currentTime": format_datetime(response.current_time)}
    if isinstance(response, AuthorizeResponse):
        return {"idTokenInfo": encode_id_token_info(response.id_token_info)}
    if isinstance(response, TransactionEventResponse):
        # transaction_id is a 1.6 notion: in 2.0.1 the station names its own transactions.
        event_answer: dict[str, Any] = {}
        if response.id_token_info is not None:
            event_answer["idTokenInfo"] = encode_id_token_info(response.id_token_info)
        if response.total_cost is not None:
            event_answer["totalCost"] = float(response.total_cost)  # exact to the cent as a JSON number
        return event_answer
    if isinstance(response, DataTransferResponse):
        out: dict[str, Any] = {"status": response.status.value}
        if response.data is not None:
            out["data"] = response.data
        return out
    if isinstance(response, SignCertificateResponse):
        answer: dict[str, Any] = {"status": "Accepted" if response.accepted else "Rejected"}
        if response.reason_code is not None:
            info: dict[str, Any] = {"reasonCode": response.reason_code[:20]}
            if response.reason:
                info["additionalInfo"] = response.reason[:512]
            answer["statusInfo"] = info
        return answer
    return {}


# -- commands ------------------------------------------------------------------------------


def _evse(evse_id: int, connector_id: int | None) -> dict[str, Any]:
    evse: dict[str, Any] = {"id": evse_id}
    if connector_id is not None:
        evse["connectorId"] = connector_id
    return evse


def split_key(key: str) -> cmd.VariableRef:
    """A "Component.Variable" or "Component/Variable" text -> a variable address."""
    separator = "/" if "/" in key else "."
    component, _, variable = key.partition(separator)
    if not component or not variable:
        raise CommandNotSupported(f"2.0.1 needs a component and a variable, got key {key[:60]!r}")
    return cmd.VariableRef(component=component, variable=variable)


def _variable_address(ref: cmd.VariableRef) -> dict[str, Any]:
    """The component/variable/attributeType triple shared by GetVariableData and SetVariableData."""
    component: dict[str, Any] = {"name": ref.component}
    if ref.component_instance is not None:
        component["instance"] = ref.component_instance
    if ref.evse_id is not None:
        component["evse"] = _evse(ref.evse_id, ref.connector_id)
    variable: dict[str, Any] = {"name": ref.variable}
    if ref.instance is not None:
        variable["instance"] = ref.instance
    out: dict[str, Any] = {"component": component, "variable": variable}
    if ref.attribute is not None:
        out["attributeType"] = ref.attribute
    return out


def _remote_start(command: cmd.RemoteStart) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {
        "idToken": {"idToken": command.id_token.value, "type": command.id_token.type or "Central"},
        "remoteStartId": command.remote_start_id,
    }
    if command.evse_id is not None:
        payload["evseId"] = command.evse_id
    if isinstance(command.charging_profile, dict):
        payload["chargingProfile"] = command.charging_profile
    elif command.charging_profile is not None:
        payload["chargingProfile"] = charging.remote_start_profile(command.charging_profile)
    return "RequestStartTransaction", payload


def _reset(command: cmd.Reset) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"type": _RESET_TYPES[command.type]}
    if command.evse_id:  # None or 0: the whole station
        payload["evseId"] = command.evse_id
    return "Reset", payload


def _change_availability(command: cmd.ChangeAvailability) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"operationalStatus": "Operative" if command.operational else "Inoperative"}
    if command.evse_id:  # None or 0: the whole station
        payload["evse"] = _evse(command.evse_id, command.connector_id)
    return "ChangeAvailability", payload


def _get_variables(command: cmd.GetConfiguration) -> tuple[str, dict[str, Any]]:
    refs = [*command.variables, *(split_key(key) for key in command.keys)]
    if not refs:
        raise CommandNotSupported("2.0.1 needs at least one component/variable")
    return "GetVariables", {"getVariableData": [_variable_address(ref) for ref in refs]}


def _set_variables(command: cmd.SetConfiguration) -> tuple[str, dict[str, Any]]:
    if command.variable is not None:
        ref = command.variable
    elif command.key is not None:
        ref = split_key(command.key)
    else:
        raise CommandNotSupported("2.0.1 needs a component/variable to set")
    return "SetVariables", {"setVariableData": [{"attributeValue": command.value, **_variable_address(ref)}]}


def _trigger_message(command: cmd.TriggerMessage) -> tuple[str, dict[str, Any]]:
    message = _TRIGGER_FROM_V16.get(command.message, command.message)
    if message not in TRIGGER_MESSAGES:
        raise CommandNotSupported(f"2.0.1 cannot trigger {command.message[:60]!r}")
    payload: dict[str, Any] = {"requestedMessage": message}
    if command.evse_id is not None:
        payload["evse"] = _evse(command.evse_id, command.connector_id)
    return "TriggerMessage", payload


def _data_transfer(command: cmd.DataTransfer) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"vendorId": command.vendor_id}
    if command.message_id is not None:
        payload["messageId"] = command.message_id
    if command.data is not None:
        payload["data"] = command.data
    return "DataTransfer", payload


def _certificate_type(name: str, allowed: frozenset[str]) -> str:
    name = _CERTIFICATE_TYPE_FROM_V16.get(name, name)
    if name not in allowed:
        raise CommandNotSupported(f"2.0.1 has no certificate type {name[:60]!r} here; use one of {sorted(allowed)}")
    return name


def _certificate_signed(command: cmd.CertificateSigned) -> tuple[str, dict[str, Any]]:
    certificate_type = _certificate_type(command.certificate_type, SIGNED_CERTIFICATE_TYPES)
    return "CertificateSigned", {"certificateChain": command.certificate_chain, "certificateType": certificate_type}


def _install_certificate(command: cmd.InstallCertificate) -> tuple[str, dict[str, Any]]:
    certificate_type = _certificate_type(command.certificate_type, INSTALL_CERTIFICATE_TYPES)
    return "InstallCertificate", {"certificateType": certificate_type, "certificate": command.certificate}


def _get_installed_certificate_ids(command: cmd.GetInstalledCertificateIds) -> tuple[str, dict[str, Any]]:
    types = [_certificate_type(name, INSTALLED_CERTIFICATE_TYPES) for name in command.certificate_types]
    return "GetInstalledCertificateIds", {"certificateType": types} if types else {}


CommandEncoder = Callable[[Any], tuple[str, dict[str, Any]]]

# Neutral command type -> its 2.0.1 encoder. A capability adds its commands here (one entry each);
# a command type without an entry has no 2.0.1 form.
COMMAND_ENCODERS: Mapping[type, CommandEncoder] = MappingProxyType(
    {
        cmd.RemoteStart: _remote_start,
        cmd.RemoteStop: lambda c: ("RequestStopTransaction", {"transactionId": c.transaction_id}),
        cmd.Reset: _reset,
        cmd.Unlock: lambda c: ("UnlockConnector", {"evseId": c.evse_id, "connectorId": c.connector_id}),
        cmd.ChangeAvailability: _change_availability,
        cmd.GetConfiguration: _get_variables,
        cmd.SetConfiguration: _set_variables,
        cmd.TriggerMessage: _trigger_message,
        cmd.ClearCache: lambda c: ("ClearCache", {}),
        cmd.DataTransfer: _data_transfer,
        cmd.CertificateSigned: _certificate_signed,
        cmd.InstallCertificate: _install_certificate,
        cmd.DeleteCertificate: lambda c: ("DeleteCertificate", {"certificateHashData": c.hash_data.to_json()}),
        cmd.GetInstalledCertificateIds: _get_installed_certificate_ids,
        **charging.COMMAND_ENCODERS,  # Set/ClearChargingProfile, GetChargingProfiles, GetCompositeSchedule
        **_authorization.COMMAND_ENCODERS,  # ReserveNow, CancelReservation, SendLocalList, GetLocalListVersion
        **devicemodel.COMMAND_ENCODERS,  # device model, monitoring, customer information, display messages
        **firmware.COMMAND_ENCODERS,  # UpdateFirmware, GetLog
        **publishing.COMMAND_ENCODERS,  # PublishFirmware, UnpublishFirmware
        **transaction_status.COMMAND_ENCODERS,  # GetTransactionStatus
        CostUpdated: encode_cost_updated_201,
    }
)


def encode_command(command: cmd.Command) -> tuple[str, dict[str, Any]]:
    encoder = COMMAND_ENCODERS.get(type(command))
    if encoder is None:
        raise CommandNotSupported(f"{type(command).__name__} has no OCPP 2.0.1 form")
    return encoder(command)


# -- outcomes ------------------------------------------------------------------------------


def _first_rejection(results: Any) -> str:
    """``Accepted`` when every attribute was accepted, else the first other attributeStatus."""
    for result in results or ():
        status = result.get("attributeStatus", "Accepted")
        if status != "Accepted":
            return str(status)
    return "Accepted"


def _status(payload: dict[str, Any]) -> str:
    # A CALLRESULT without a status (none of our commands) still means the station took it.
    return str(payload["status"]) if "status" in payload else "Accepted"


def _installed_certificates(payload: dict[str, Any]) -> cmd.CommandOutcome:
    certificates = tuple(
        cmd.InstalledCertificate(cmd.CertificateHashData.from_json(raw["certificateHashData"]), raw["certificateType"])
        for raw in payload.get("certificateHashDataChain", ())
    )
    return cmd.CommandOutcome(_status(payload), payload, certificates)


OutcomeDecoder = Callable[[dict[str, Any]], cmd.CommandOutcome]

# 2.0.1 action -> how its CALLRESULT becomes an outcome; actions without an entry: the payload's status.
OUTCOME_DECODERS: Mapping[str, OutcomeDecoder] = MappingProxyType(
    {
        "GetVariables": lambda p: cmd.CommandOutcome(_first_rejection(p.get("getVariableResult")), p),
        "SetVariables": lambda p: cmd.CommandOutcome(_first_rejection(p.get("setVariableResult")), p),
        "GetInstalledCertificateIds": _installed_certificates,
        **charging.OUTCOME_DECODERS,
        **devicemodel.OUTCOME_DECODERS,  # SetVariableMonitoring, ClearVariableMonitoring
        **transaction_status.OUTCOME_DECODERS,  # GetTransactionStatus (its answer has no status)
    }
)


def decode_outcome(action: str, payload: dict[str, Any]) -> cmd.CommandOutcome:
    decoder = OUTCOME_DECODERS.get(action)
    return decoder(payload) if decoder is not None else cmd.CommandOutcome(_status(payload), payload)
