from enum import StrEnum

class CompositeScheduleUnitType0(StrEnum):
    A = "A"
    W = "W"

    def __str__(self) -> str:
        return str(self.value)
