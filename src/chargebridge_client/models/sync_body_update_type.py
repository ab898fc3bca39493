from enum import StrEnum

class SyncBodyUpdateType(StrEnum):
    AUTO = "auto"
    DIFFERENTIAL = "differential"
    FULL = "full"

    def __str__(self) -> str:
        return str(self.value)
