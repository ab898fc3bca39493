"""Domain events published on the bus: one envelope, a closed set of kinds, JSON-ready data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from chargebridge.domain.timeutil import format_datetime


class EventKind(StrEnum):
    STATION_CONNECTED = "station.connected"
    STATION_DISCONNECTED = "station.disconnected"
    STATION_BOOTED = "station.booted"
    STATUS_CHANGED = "status.changed"
    METER_SAMPLED = "meter.sampled"
    TRANSACTION_STARTED = "transaction.started"
    TRANSACTION_UPDATED = "transaction.updated"
    TRANSACTION_ENDED = "transaction.ended"
    # Published once per transaction, after the commit that made it final (complete or incomplete).
    TRANSACTION_FINALISED = "transaction.finalised"
    FAULT_RAISED = "fault.raised"
    FAULT_CLEARED = "fault.cleared"
    FIRMWARE_STATUS = "firmware.status"
    FIRMWARE_PUBLISH_STATUS = "firmware.publish_status"  # a local controller's PublishFirmwareStatusNotification
    LOG_STATUS = "log.status"
    SECURITY_EVENT = "security.event"  # reported by the station (SecurityEventNotification)
    SECURITY_RECORDED = "security.recorded"  # recorded by the CSMS itself (handshakes, TLS, passwords)
    STATION_EVENT = "station.event"
    COMMAND_COMPLETED = "command.completed"
    CHARGING_PROFILE = "charging.profile"  # a profile installed on / cleared from a station (smart charging)
    CHARGING_LIMIT = "charging.limit"  # an external limit reported or released (NotifyChargingLimit ...)
    EV_CHARGING_NEEDS = "charging.ev_needs"  # an ISO 15118 EV's needs and the schedule answered
    EV_CHARGING_SCHEDULE = "charging.ev_schedule"  # the schedule an ISO 15118 EV chose, checked
    CDR_CREATED = "cdr.created"  # billing wrote a charge detail record (see docs/billing.md)
    SITE_LIMIT = "site.limit"  # a site's effective limit changed (grid, schedule, curtailment, meter fallback)
    SITE_ALLOCATION = "site.allocation"  # the balancer applied a plan: each session's limit on the site
    SITE_STATION = "site.station"  # a station of a site became unresponsive (counted at its maximum) or answers again


@dataclass(frozen=True, slots=True)
class DomainEvent:
    kind: EventKind
    station_id: str  # "" for the few events that concern no station (a failed TLS handshake); JSON null
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "station_id": self.station_id or None,
            "at": format_datetime(self.at),
            "data": self.data,
        }
