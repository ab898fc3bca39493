"""Request bodies of the version-neutral command endpoint and their translation to commands."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chargebridge.domain import commands as c
from chargebridge.domain.model import IdToken
from chargebridge.security.csr import hash_data_of_pem, load_chain
from chargebridge.smartcharging.bodies import COMMAND_BODIES as SMART_CHARGING_BODIES
from chargebridge.smartcharging.bodies import parse_profile


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RemoteStartBody(_Body):
    id_token: str = Field(min_length=1, max_length=36)
    id_token_type: str | None = None
    evse_id: int | None = Field(default=None, ge=1)
    connector_id: int | None = Field(default=None, ge=1)
    remote_start_id: int | None = None
    # A TxProfile, neutral or in either version's OCPP form; sent in the station's version.
    charging_profile: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _profile(self) -> RemoteStartBody:
        if self.charging_profile is not None:
            parse_profile(self.charging_profile)  # ValueError: not a charging profile -> 422
        return self


class RemoteStopBody(_Body):
    transaction_id: str | int


class ResetBody(_Body):
    type: Literal["soft", "hard"] = "soft"
    evse_id: int | None = Field(default=None, ge=0)


class UnlockBody(_Body):
    evse_id: int | None = Field(default=None, ge=1)
    connector_id: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_given(self) -> UnlockBody:
        if self.evse_id is None and self.connector_id is None:
            raise ValueError("give evse_id (and connector_id) or connector_id")
        return self


class ChangeAvailabilityBody(_Body):
    operational: bool | None = None
    type: Literal["Operative", "Inoperative"] | None = None
    evse_id: int | None = Field(default=None, ge=0)
    connector_id: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_given(self) -> ChangeAvailabilityBody:
        if self.operational is None and self.type is None:
            raise ValueError("give operational (true/false) or type (Operative/Inoperative)")
        return self


class VariableBody(_Body):
    component: str
    variable: str
    instance: str | None = None
    component_instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None
    attribute: str | None = None

    def ref(self) -> c.VariableRef:
        return c.VariableRef(**self.model_dump())


class GetConfigurationBody(_Body):
    keys: list[str] = Field(default_factory=list)
    variables: list[VariableBody] = Field(default_factory=list)


class SetConfigurationBody(_Body):
    value: str
    key: str | None = None
    component: str | None = None
    variable: str | None = None
    instance: str | None = None
    evse_id: int | None = None

    @model_validator(mode="after")
    def _addressed(self) -> SetConfigurationBody:
        if self.key is None and (self.component is None or self.variable is None):
            raise ValueError("give key (1.6) or component and variable (2.0.1)")
        return self


class TriggerMessageBody(_Body):
    message: str
    evse_id: int | None = None
    connector_id: int | None = None


class EmptyBody(_Body):
    pass


class DataTransferBody(_Body):
    vendor_id: str = Field(min_length=1, max_length=255)
    message_id: str | None = None
    data: Any = None


# Root certificate types of InstallCertificate (2.0.1 names; 1.6 CentralSystemRootCertificate = CSMSRootCertificate).
RootCertificateType = Literal[
    "CSMSRootCertificate",
    "ManufacturerRootCertificate",
    "V2GRootCertificate",
    "MORootCertificate",
    "CentralSystemRootCertificate",
]
InstalledCertificateType = Literal[RootCertificateType, "V2GCertificateChain"]


def _neutral_type(name: str) -> str:
    return "CSMSRootCertificate" if name == "CentralSystemRootCertificate" else name


class InstallCertificateBody(_Body):
    certificate_type: RootCertificateType
    certificate: str = Field(min_length=1, max_length=5500, description="PEM certificate")

    @model_validator(mode="after")
    def _pem(self) -> InstallCertificateBody:
        load_chain(self.certificate)  # ValueError: not PEM -> 422
        return self


class HashDataBody(_Body):
    hash_algorithm: Literal["SHA256", "SHA384", "SHA512"] = "SHA256"
    issuer_name_hash: str = Field(min_length=1, max_length=128, pattern=r"^[0-9A-Fa-f]+$")
    issuer_key_hash: str = Field(min_length=1, max_length=128, pattern=r"^[0-9A-Fa-f]+$")
    serial_number: str = Field(min_length=1, max_length=40, pattern=r"^[0-9A-Fa-f]+$")

    def hash_data(self) -> c.CertificateHashData:
        return c.CertificateHashData(
            self.hash_algorithm, self.issuer_name_hash.lower(), self.issuer_key_hash.lower(), self.serial_number.lower()
        )


class DeleteCertificateBody(_Body):
    certificate_hash_data: HashDataBody | None = None
    certificate: str | None = Field(
        default=None,
        max_length=20_000,
        description="PEM certificate (followed by its issuer's unless self-signed); its hash data is computed",
    )

    @model_validator(mode="after")
    def _one_given(self) -> DeleteCertificateBody:
        if (self.certificate_hash_data is None) == (self.certificate is None):
            raise ValueError("give certificate_hash_data or certificate (PEM), not both")
        self.hash_data()  # ValueError: unreadable PEM or unknown issuer -> 422
        return self

    def hash_data(self) -> c.CertificateHashData:
        if self.certificate_hash_data is not None:
            return self.certificate_hash_data.hash_data()
        assert self.certificate is not None
        return hash_data_of_pem(self.certificate)


class GetInstalledCertificateIdsBody(_Body):
    certificate_types: list[InstalledCertificateType] = Field(
        default_factory=list, description="2.0.1: none = every type; 1.6: exactly one"
    )


# Certificates are managed by admins only (the command endpoint otherwise needs an operator).
ADMIN_COMMANDS = frozenset({"install-certificate", "delete-certificate", "get-installed-certificate-ids"})

COMMAND_BODIES: dict[str, type[BaseModel]] = {
    "remote-start": RemoteStartBody,
    "remote-stop": RemoteStopBody,
    "reset": ResetBody,
    "unlock": UnlockBody,
    "change-availability": ChangeAvailabilityBody,
    "get-configuration": GetConfigurationBody,
    "set-configuration": SetConfigurationBody,
    "trigger-message": TriggerMessageBody,
    "clear-cache": EmptyBody,
    "data-transfer": DataTransferBody,
    "install-certificate": InstallCertificateBody,
    "delete-certificate": DeleteCertificateBody,
    "get-installed-certificate-ids": GetInstalledCertificateIdsBody,
    **SMART_CHARGING_BODIES,  # set-/clear-charging-profile, get-charging-profiles, get-composite-schedule
}


def _evse_and_connector(evse_id: int | None, connector_id: int | None) -> tuple[int | None, int | None]:
    """One meaning on both versions: a connector given without an EVSE is the 1.6 connector N,
    which is EVSE N (with its connector 1) in 2.0.1 terms."""
    if evse_id is None and connector_id:
        return connector_id, None
    return evse_id, connector_id


def _new_remote_start_id() -> int:
    """A positive 31-bit id that links RequestStartTransaction to the TransactionEvent it causes."""
    return uuid.uuid4().int % 2_147_483_647 + 1


def to_command(name: str, body: BaseModel) -> c.Command:
    match body:
        case RemoteStartBody():
            return c.RemoteStart(
                IdToken(body.id_token, body.id_token_type),
                evse_id=body.evse_id,
                connector_id=body.connector_id,
                remote_start_id=body.remote_start_id if body.remote_start_id is not None else _new_remote_start_id(),
                charging_profile=(
                    parse_profile(body.charging_profile, _new_remote_start_id())[0]
                    if body.charging_profile is not None
                    else None
                ),
            )
        case RemoteStopBody():
            return c.RemoteStop(str(body.transaction_id))
        case ResetBody():
            return c.Reset(c.ResetType(body.type), evse_id=body.evse_id or None)  # 0 = the whole station
        case UnlockBody():
            evse, connector = _evse_and_connector(body.evse_id, body.connector_id)
            assert evse is not None
            return c.Unlock(evse, connector or 1)
        case ChangeAvailabilityBody():
            operational = body.operational if body.operational is not None else body.type == "Operative"
            evse, connector = _evse_and_connector(body.evse_id, body.connector_id)
            return c.ChangeAvailability(operational, evse_id=evse, connector_id=connector)
        case GetConfigurationBody():
            return c.GetConfiguration(tuple(body.keys), tuple(v.ref() for v in body.variables))
        case SetConfigurationBody():
            variable = (
                c.VariableRef(body.component, body.variable, instance=body.instance, evse_id=body.evse_id)
                if body.component is not None and body.variable is not None
                else None
            )
            return c.SetConfiguration(body.value, key=body.key, variable=variable)
        case TriggerMessageBody():
            evse, connector = _evse_and_connector(body.evse_id, body.connector_id)
            return c.TriggerMessage(body.message, evse_id=evse, connector_id=connector)
        case DataTransferBody():
            return c.DataTransfer(body.vendor_id, body.message_id, body.data)
        case InstallCertificateBody():
            return c.InstallCertificate(_neutral_type(body.certificate_type), body.certificate)
        case DeleteCertificateBody():
            return c.DeleteCertificate(body.hash_data())
        case GetInstalledCertificateIdsBody():
            return c.GetInstalledCertificateIds(tuple(dict.fromkeys(_neutral_type(t) for t in body.certificate_types)))
        case EmptyBody() if name == "clear-cache":
            return c.ClearCache()
    build = getattr(body, "to_command", None)  # bodies of capability packages build their own command
    if callable(build):
        command: c.Command = build()
        return command
    raise ValueError(f"unknown command {name}")
