from enum import StrEnum

class FleetStationsStateType0(StrEnum):
    AVAILABLE = "available"
    CHARGING = "charging"
    FAULTED = "faulted"
    OFFLINE = "offline"
    ONLINE = "online"

    def __str__(self) -> str:
        return str(self.value)
