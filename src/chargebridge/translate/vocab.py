"""Word tables of the translating gateway that are not a single message's field (data).

The per-message vocabularies (statuses, reasons, units, measurands) live with the adapters'
station-side codecs; these are the gateway's own decisions: which trigger reason a 1.6 stop
reason becomes, how 1.6 connector states and 2.0.1 charging states stand for each other, which
2.0.1 trigger requests a 1.6 station can serve. docs/gateway.md renders them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from chargebridge.domain.model import ReadingContext

# 1.6 StopTransaction reason -> the 2.0.1 triggerReason of the Ended event.
STOP_TRIGGERS: Mapping[str, str] = MappingProxyType(
    {
        "Local": "StopAuthorized",
        "Remote": "RemoteStop",
        "EVDisconnected": "EVDeparted",
        "HardReset": "ResetCommand",
        "SoftReset": "ResetCommand",
        "Reboot": "AbnormalCondition",
        "PowerLoss": "AbnormalCondition",
        "EmergencyStop": "AbnormalCondition",
        "UnlockCommand": "UnlockCommand",
        "DeAuthorized": "Deauthorized",
        "Other": "AbnormalCondition",
    }
)

# 1.6 connector status during a transaction -> 2.0.1 chargingState (a change is an Updated event
# with triggerReason ChargingStateChanged).
CHARGING_STATES_FROM_16: Mapping[str, str] = MappingProxyType(
    {"Charging": "Charging", "SuspendedEV": "SuspendedEV", "SuspendedEVSE": "SuspendedEVSE"}
)

# 2.0.1 chargingState of an open transaction -> the 1.6 status of its connector.
STATUSES_FROM_CHARGING_STATE: Mapping[str | None, str] = MappingProxyType(
    {
        "Charging": "Charging",
        "SuspendedEV": "SuspendedEV",
        "SuspendedEVSE": "SuspendedEVSE",
        "EVConnected": "SuspendedEV",
        "Idle": "Preparing",
        None: "Charging",
    }
)

# The context of a 1.6 MeterValues' samples -> the triggerReason of the Updated event it becomes.
METER_TRIGGERS: Mapping[ReadingContext, str] = MappingProxyType(
    {
        ReadingContext.SAMPLE_CLOCK: "MeterValueClock",
        ReadingContext.TRIGGER: "Trigger",
    }
)
DEFAULT_METER_TRIGGER = "MeterValuePeriodic"

# The charge point as a whole (1.6 connector 0) reports availability; in 2.0.1 that is the
# AvailabilityState variable of the ChargingStation component (a NotifyEvent).
STATION_AVAILABILITY = frozenset({"Available", "Unavailable", "Faulted"})

# 2.0.1 TriggerMessage requests a 1.6 station serves with another message, and those it cannot.
TRIGGERS_FOR_16: Mapping[str, str] = MappingProxyType({"TransactionEvent": "MeterValues"})
TRIGGERS_NOT_IN_16 = frozenset({"SignV2GCertificate", "SignCombinedCertificate", "PublishFirmwareStatusNotification"})

# Statuses after which a firmware update / log upload request is over (its request id is forgotten).
FIRMWARE_DONE = frozenset(
    {"Installed", "InstallationFailed", "DownloadFailed", "InstallVerificationFailed", "InvalidSignature"}
)
LOG_DONE = frozenset(
    {"Uploaded", "UploadFailed", "UploadFailure", "BadMessage", "NotSupportedOperation", "PermissionDenied"}
)

# 2.0.1 reason codes the gateway gives when it answers a command itself.
REASON_TX_NOT_FOUND = "TxNotFound"
REASON_UNSUPPORTED = "UnsupportedParam"
