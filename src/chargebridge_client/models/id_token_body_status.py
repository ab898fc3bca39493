from enum import StrEnum

class IdTokenBodyStatus(StrEnum):
    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"
    EXPIRED = "Expired"
    INVALID = "Invalid"

    def __str__(self) -> str:
        return str(self.value)
