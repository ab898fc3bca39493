"""What a simulated station remembers: configuration, connectors, sessions (no I/O).

These are the station's mutable working state, owned by one :class:`SimStation` and touched
only from its event loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from chargebridge.sim.authorization import AuthorizationState
from chargebridge.sim.charging import ChargingState
from chargebridge.sim.device_state import DeviceModelState
from chargebridge.sim.ev import ChargerSpec, EvState
from chargebridge.sim.pnc import PncState
from chargebridge.sim.security import SecurityState


@dataclass(frozen=True, slots=True)
class ConfigKey:
    """One setting, named the 1.6 way and addressed the 2.0.1 way (component/variable/instance)."""

    name: str
    component: str | None
    variable: str
    instance: str | None = None
    readonly: bool = False
    kind: str = "int"  # int | bool | text


CONFIG_KEYS: tuple[ConfigKey, ...] = (
    ConfigKey("HeartbeatInterval", "OCPPCommCtrlr", "HeartbeatInterval"),
    ConfigKey("MeterValueSampleInterval", "SampledDataCtrlr", "TxUpdatedInterval"),
    ConfigKey("MeterValuesSampledData", "SampledDataCtrlr", "TxUpdatedMeasurands", kind="text"),
    ConfigKey("TransactionMessageAttempts", "OCPPCommCtrlr", "MessageAttempts", "TransactionEvent"),
    ConfigKey("TransactionMessageRetryInterval", "OCPPCommCtrlr", "MessageAttemptInterval", "TransactionEvent"),
    ConfigKey("RetryBackOffWaitMinimum", "OCPPCommCtrlr", "RetryBackOffWaitMinimum"),
    ConfigKey("RetryBackOffRandomRange", "OCPPCommCtrlr", "RetryBackOffRandomRange"),
    ConfigKey("RetryBackOffRepeatTimes", "OCPPCommCtrlr", "RetryBackOffRepeatTimes"),
    ConfigKey("AuthorizeRemoteTxRequests", "AuthCtrlr", "AuthorizeRemoteStart", kind="bool"),
    ConfigKey("ConnectionTimeOut", "TxCtrlr", "EVConnectionTimeOut"),
    ConfigKey("NumberOfConnectors", None, "NumberOfConnectors", readonly=True),
    # Reservations and local authorization lists (sim/authorization.py).
    ConfigKey("ReserveConnectorZeroSupported", "ReservationCtrlr", "NonEvseSpecific", readonly=True, kind="bool"),
    ConfigKey("LocalAuthListEnabled", "LocalAuthListCtrlr", "Enabled", kind="bool"),
    ConfigKey("LocalAuthListMaxLength", None, "LocalAuthListMaxLength", readonly=True),
    ConfigKey("SendLocalListMaxLength", "LocalAuthListCtrlr", "ItemsPerMessage", readonly=True),
    ConfigKey("LocalAuthorizeOffline", "AuthCtrlr", "LocalAuthorizeOffline", kind="bool"),
    ConfigKey("LocalPreAuthorize", "AuthCtrlr", "LocalPreAuthorize", kind="bool"),
    ConfigKey("AllowOfflineTxForUnknownId", "AuthCtrlr", "OfflineTxForUnknownIdEnabled", kind="bool"),
)
_BY_NAME = {key.name: key for key in CONFIG_KEYS}
_BY_VARIABLE = {(key.component, key.variable, key.instance): key for key in CONFIG_KEYS if key.component}
_COMPONENTS = frozenset(key.component for key in CONFIG_KEYS if key.component)


class ConfigStore:
    """A charger's small configuration: text values, typed on write."""

    def __init__(self, values: dict[str, str]):
        self._values = {name: values.get(name, "") for name in _BY_NAME}

    @staticmethod
    def key(name: str) -> ConfigKey | None:
        return _BY_NAME.get(name)

    @staticmethod
    def variable(component: str, variable: str, instance: str | None) -> ConfigKey | None:
        return _BY_VARIABLE.get((component, variable, instance))

    @staticmethod
    def knows_component(component: str) -> bool:
        return component in _COMPONENTS

    def get(self, name: str) -> str:
        return self._values[name]

    def number(self, name: str) -> int:
        return int(self._values[name])

    def items(self) -> list[tuple[ConfigKey, str]]:
        return [(key, self._values[key.name]) for key in CONFIG_KEYS]

    def set(self, name: str, value: str) -> str:
        """Store a value; returns the 1.6 status (Accepted, Rejected, NotSupported)."""
        key = _BY_NAME.get(name)
        if key is None:
            return "NotSupported"
        if key.readonly or not _valid(key, value):
            return "Rejected"
        self._values[name] = value.strip().lower() if key.kind == "bool" else value.strip()
        return "Accepted"


def _valid(key: ConfigKey, value: str) -> bool:
    if key.kind == "int":
        try:
            return int(value) >= 0
        except ValueError:
            return False
    if key.kind == "bool":
        return value.strip().lower() in ("true", "false")
    return True


@dataclass(slots=True)
class Session:
    """One charging session on a connector, from plug-in to the server's acknowledgement."""

    local_id: int
    connector_id: int
    id_token: str
    id_token_type: str
    ev: EvState
    meter_start_wh: int
    started_at: datetime
    started_elapsed: float
    ends_at: float | None  # simulated elapsed seconds when the driver leaves; None = when full
    remote_start_id: int | None = None
    transaction_id: str | None = None  # as the server knows it
    last_update: float = 0.0
    next_meter_at: float = 0.0
    power_w: float = 0.0
    stop_reason: str | None = None
    meter_stop_wh: int | None = None
    stopped_at: datetime | None = None
    acknowledged: bool = False
    id_lost: bool = False  # a reboot lost the server's transaction id (quirk)
    recorded: bool = False
    late_sent: bool = False  # quirk late_event_s: this session's event was already held back
    signed_begin: str | None = None  # the OCMF record of the start reading (stations that sign)


@dataclass(slots=True)
class Connector:
    """A connector (1.6) or an EVSE with one connector (2.0.1)."""

    connector_id: int
    spec: ChargerSpec
    register_wh: float = 0.0
    status: str = "Available"
    operative: bool = True
    pending_inoperative: bool = False
    faulted_until: float | None = None
    session: Session | None = None


@dataclass(frozen=True, slots=True)
class InstalledCertificate:
    """A root certificate the CSMS installed: its type as the station's version names it, PEM, hash data."""

    certificate_type: str
    pem: str
    hash_data: dict[str, Any]


@dataclass(slots=True)
class StationState:
    """Everything the command handlers may read or change."""

    connectors: dict[int, Connector]
    config: ConfigStore
    data_transfer_vendor: str | None = None
    reboot_when_idle: bool = False
    sessions: list[Session] = field(default_factory=list)
    station_id: str = ""
    # Certificates: installed roots, the key of the last CSR (until CertificateSigned), the signed chain.
    certificates: list[InstalledCertificate] = field(default_factory=list)
    pending_key: ec.EllipticCurvePrivateKey | None = None
    station_certificate: str | None = None
    station_key: ec.EllipticCurvePrivateKey | None = None  # the key of station_certificate (profile 3)
    # Charging profiles the station accepted (smart charging, sim/charging.py).
    charging: ChargingState = field(default_factory=ChargingState)
    # Reservations and the local authorization list (sim/authorization.py).
    authorization: AuthorizationState = field(default_factory=AuthorizationState)
    # The 2.0.1 device model beyond the configuration keys: limits, monitors, display messages, ...
    device_model: DeviceModelState = field(default_factory=DeviceModelState)
    # ISO 15118 (V2G certificate), firmware published as a local controller, transaction status.
    pnc: PncState = field(default_factory=PncState)
    # 2.0.1 CostUpdated: the last running cost the CSMS sent, per transaction id.
    running_costs: dict[str, float] = field(default_factory=dict)
    # Security profile and where the station connects (sim/security.py).
    security: SecurityState = field(default_factory=SecurityState)

    def free_connector(self, wanted: int | None) -> Connector | None:
        """The connector a start should use: the one asked for, else the first free one."""
        candidates = [self.connectors[wanted]] if wanted in self.connectors else []
        if wanted is None or wanted == 0:
            candidates = list(self.connectors.values())
        for connector in candidates:
            if connector.session is None and connector.operative and connector.faulted_until is None:
                return connector
        return None

    def session_by_transaction(self, transaction_id: str) -> Session | None:
        for connector in self.connectors.values():
            session = connector.session
            if session is not None and session.transaction_id == transaction_id and session.stop_reason is None:
                return session
        return None
