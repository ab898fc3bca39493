from enum import StrEnum

class WireRecordKind(StrEnum):
    CLEAR = "clear"
    FAULT = "fault"
    SAMPLE = "sample"

    def __str__(self) -> str:
        return str(self.value)
