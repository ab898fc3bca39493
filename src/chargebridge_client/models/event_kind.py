from enum import StrEnum

class EventKind(StrEnum):
    CDR_CREATED = "cdr.created"
    CHARGING_EV_NEEDS = "charging.ev_needs"
    CHARGING_EV_SCHEDULE = "charging.ev_schedule"
    CHARGING_LIMIT = "charging.limit"
    CHARGING_PROFILE = "charging.profile"
    COMMAND_COMPLETED = "command.completed"
    FAULT_CLEARED = "fault.cleared"
    FAULT_RAISED = "fault.raised"
    FIRMWARE_PUBLISH_STATUS = "firmware.publish_status"
    FIRMWARE_STATUS = "firmware.status"
    LOG_STATUS = "log.status"
    METER_SAMPLED = "meter.sampled"
    SECURITY_EVENT = "security.event"
    SECURITY_RECORDED = "security.recorded"
    SITE_ALLOCATION = "site.allocation"
    SITE_LIMIT = "site.limit"
    SITE_STATION = "site.station"
    STATION_BOOTED = "station.booted"
    STATION_CONNECTED = "station.connected"
    STATION_DISCONNECTED = "station.disconnected"
    STATION_EVENT = "station.event"
    STATUS_CHANGED = "status.changed"
    TRANSACTION_ENDED = "transaction.ended"
    TRANSACTION_FINALISED = "transaction.finalised"
    TRANSACTION_STARTED = "transaction.started"
    TRANSACTION_UPDATED = "transaction.updated"

    def __str__(self) -> str:
        return str(self.value)
