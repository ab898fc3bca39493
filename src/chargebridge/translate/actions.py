"""Which way each OCPP action goes, per version (data).

``STATION_ACTIONS``: what a station sends to its CSMS; everything else a version's schemas
define is sent by the CSMS (``CSMS_ACTIONS``). The gateway accepts every station action of the
station's version on its listening side (so an action it cannot translate gets a CALLERROR that
says why, not a generic refusal) and every CSMS action of the upstream's version on its client side.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from chargebridge.rpc import OcppVersion, schemas_for

STATION_ACTIONS: Mapping[OcppVersion, frozenset[str]] = MappingProxyType(
    {
        OcppVersion.V16: frozenset(
            {
                "Authorize",
                "BootNotification",
                "DataTransfer",
                "DiagnosticsStatusNotification",
                "FirmwareStatusNotification",
                "Heartbeat",
                "MeterValues",
                "StartTransaction",
                "StatusNotification",
                "StopTransaction",
                # security whitepaper
                "LogStatusNotification",
                "SecurityEventNotification",
                "SignCertificate",
                "SignedFirmwareStatusNotification",
            }
        ),
        OcppVersion.V201: frozenset(
            {
                "Authorize",
                "BootNotification",
                "ClearedChargingLimit",
                "DataTransfer",
                "FirmwareStatusNotification",
                "Get15118EVCertificate",
                "GetCertificateStatus",
                "Heartbeat",
                "LogStatusNotification",
                "MeterValues",
                "NotifyChargingLimit",
                "NotifyCustomerInformation",
                "NotifyDisplayMessages",
                "NotifyEVChargingNeeds",
                "NotifyEVChargingSchedule",
                "NotifyEvent",
                "NotifyMonitoringReport",
                "NotifyReport",
                "PublishFirmwareStatusNotification",
                "ReportChargingProfiles",
                "ReservationStatusUpdate",
                "SecurityEventNotification",
                "SignCertificate",
                "StatusNotification",
                "TransactionEvent",
            }
        ),
    }
)

# DataTransfer goes both ways.
CSMS_ACTIONS: Mapping[OcppVersion, frozenset[str]] = MappingProxyType(
    {
        version: frozenset((schemas_for(version).actions - actions) | {"DataTransfer"})
        for version, actions in STATION_ACTIONS.items()
    }
)
