from enum import StrEnum

class DisplayMessageBodyStateType0(StrEnum):
    CHARGING = "Charging"
    FAULTED = "Faulted"
    IDLE = "Idle"
    UNAVAILABLE = "Unavailable"

    def __str__(self) -> str:
        return str(self.value)
