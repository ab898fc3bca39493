"""1.6 configuration keys <-> 2.0.1 component/variable, as data.

GetConfiguration / ChangeConfiguration of a 1.6 CSMS become GetVariables / SetVariables for a
2.0.1 station and back through this table; docs/gateway.md renders it (a test checks the page
matches). A key or variable that is not listed has no counterpart: a 2.0.1 CSMS asking for it gets
UnknownComponent / UnknownVariable, a 1.6 CSMS gets it in ``unknownKey`` (GetConfiguration) or
``NotSupported`` (ChangeConfiguration), and the station is not asked.

``readonly`` is the accessibility 1.6 reports for the key (2.0.1 GetVariables does not say);
``values`` lists the (1.6, 2.0.1) spellings of values that differ, applied to each item of a
comma-separated list.

Two entries are the gateway's own, not the station's: AuthorizationKey and
SecurityCtrlr.BasicAuthPassword set the password of the *upstream* connection (the station's
password towards the gateway is the gateway's business), so the gateway keeps the new password
and reconnects with it instead of forwarding it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from chargebridge.domain.commands import VariableRef


@dataclass(frozen=True, slots=True)
class KeyMapping:
    key: str
    component: str
    variable: str
    instance: str | None = None
    readonly: bool = False
    values: tuple[tuple[str, str], ...] = ()
    gateway: bool = False  # answered by the gateway itself (upstream credentials)

    @property
    def ref(self) -> VariableRef:
        return VariableRef(self.component, self.variable, instance=self.instance)

    @property
    def name_201(self) -> str:
        suffix = f"[{self.instance}]" if self.instance else ""
        return f"{self.component}.{self.variable}{suffix}"

    def value_to_201(self, value: str) -> str:
        return _convert(value, dict(self.values))

    def value_to_16(self, value: str) -> str:
        return _convert(value, {b: a for a, b in self.values})


def _convert(value: str, table: dict[str, str]) -> str:
    if not table:
        return value
    return ",".join(table.get(item.strip(), item.strip()) for item in value.split(","))


CONFIG_KEYS: tuple[KeyMapping, ...] = (
    # Core profile
    KeyMapping("AllowOfflineTxForUnknownId", "AuthCtrlr", "OfflineTxForUnknownIdEnabled"),
    KeyMapping("AuthorizationCacheEnabled", "AuthCacheCtrlr", "Enabled"),
    KeyMapping("AuthorizeRemoteTxRequests", "AuthCtrlr", "AuthorizeRemoteStart"),
    KeyMapping("ClockAlignedDataInterval", "AlignedDataCtrlr", "Interval"),
    KeyMapping("ConnectionTimeOut", "TxCtrlr", "EVConnectionTimeOut"),
    KeyMapping("GetConfigurationMaxKeys", "DeviceDataCtrlr", "ItemsPerMessage", "GetVariables", readonly=True),
    KeyMapping("HeartbeatInterval", "OCPPCommCtrlr", "HeartbeatInterval"),
    KeyMapping("LocalAuthorizeOffline", "AuthCtrlr", "LocalAuthorizeOffline"),
    KeyMapping("LocalPreAuthorize", "AuthCtrlr", "LocalPreAuthorize"),
    KeyMapping("MaxEnergyOnInvalidId", "TxCtrlr", "MaxEnergyOnInvalidId"),
    KeyMapping("MeterValuesAlignedData", "AlignedDataCtrlr", "Measurands"),
    KeyMapping("MeterValuesSampledData", "SampledDataCtrlr", "TxUpdatedMeasurands"),
    KeyMapping("MeterValueSampleInterval", "SampledDataCtrlr", "TxUpdatedInterval"),
    KeyMapping("ResetRetries", "OCPPCommCtrlr", "ResetRetries"),
    KeyMapping("StopTransactionOnEVSideDisconnect", "TxCtrlr", "StopTxOnEVSideDisconnect"),
    KeyMapping("StopTransactionOnInvalidId", "TxCtrlr", "StopTxOnInvalidId"),
    KeyMapping("StopTxnAlignedData", "AlignedDataCtrlr", "TxEndedMeasurands"),
    KeyMapping("StopTxnSampledData", "SampledDataCtrlr", "TxEndedMeasurands"),
    KeyMapping("TransactionMessageAttempts", "OCPPCommCtrlr", "MessageAttempts", "TransactionEvent"),
    KeyMapping("TransactionMessageRetryInterval", "OCPPCommCtrlr", "MessageAttemptInterval", "TransactionEvent"),
    KeyMapping("WebSocketPingInterval", "OCPPCommCtrlr", "WebSocketPingInterval"),
    # Local auth list management profile
    KeyMapping("LocalAuthListEnabled", "LocalAuthListCtrlr", "Enabled"),
    KeyMapping("LocalAuthListMaxLength", "LocalAuthListCtrlr", "Entries", readonly=True),
    KeyMapping("SendLocalListMaxLength", "LocalAuthListCtrlr", "ItemsPerMessage", readonly=True),
    # Reservation profile
    KeyMapping("ReserveConnectorZeroSupported", "ReservationCtrlr", "NonEvseSpecific", readonly=True),
    # Smart charging profile
    KeyMapping("ChargeProfileMaxStackLevel", "SmartChargingCtrlr", "ProfileStackLevel", readonly=True),
    KeyMapping(
        "ChargingScheduleAllowedChargingRateUnit",
        "SmartChargingCtrlr",
        "RateUnit",
        readonly=True,
        values=(("Current", "A"), ("Power", "W")),
    ),
    KeyMapping("ChargingScheduleMaxPeriods", "SmartChargingCtrlr", "PeriodsPerSchedule", readonly=True),
    KeyMapping("ConnectorSwitch3to1PhaseSupported", "SmartChargingCtrlr", "Phases3to1", readonly=True),
    KeyMapping("MaxChargingProfilesInstalled", "SmartChargingCtrlr", "Entries", "ChargingProfiles", readonly=True),
    # Security whitepaper
    KeyMapping("AdditionalRootCertificateCheck", "SecurityCtrlr", "AdditionalRootCertificateCheck", readonly=True),
    KeyMapping("CertificateSignedMaxChainSize", "SecurityCtrlr", "MaxCertificateChainSize", readonly=True),
    KeyMapping("CertificateStoreMaxLength", "SecurityCtrlr", "CertificateEntries", readonly=True),
    KeyMapping("CpoName", "SecurityCtrlr", "OrganizationName"),
    KeyMapping("SecurityProfile", "SecurityCtrlr", "SecurityProfile", readonly=True),
    KeyMapping("AuthorizationKey", "SecurityCtrlr", "BasicAuthPassword", gateway=True),
)


def _variable_key(component: str, variable: str, instance: str | None) -> tuple[str, str, str | None]:
    return (component, variable, instance)


BY_KEY: Mapping[str, KeyMapping] = MappingProxyType({m.key.lower(): m for m in CONFIG_KEYS})
BY_VARIABLE: Mapping[tuple[str, str, str | None], KeyMapping] = MappingProxyType(
    {_variable_key(m.component, m.variable, m.instance): m for m in CONFIG_KEYS}
)
COMPONENTS = frozenset(m.component for m in CONFIG_KEYS)


def for_key(key: str) -> KeyMapping | None:
    """The mapping of a 1.6 key (1.6 keys are case-insensitive)."""
    return BY_KEY.get(key.lower())


def for_variable(ref: VariableRef) -> KeyMapping | None:
    """The mapping of a 2.0.1 variable of the station as a whole (not of one EVSE or connector)."""
    if ref.evse_id is not None or ref.component_instance is not None or ref.attribute not in (None, "Actual"):
        return None
    return BY_VARIABLE.get(_variable_key(ref.component, ref.variable, ref.instance))


def unknown_status(ref: VariableRef) -> str:
    """The 2.0.1 attribute status for a variable without a 1.6 key."""
    return "UnknownVariable" if ref.component in COMPONENTS else "UnknownComponent"
