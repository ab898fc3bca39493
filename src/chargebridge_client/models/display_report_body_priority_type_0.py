from enum import StrEnum

class DisplayReportBodyPriorityType0(StrEnum):
    ALWAYSFRONT = "AlwaysFront"
    INFRONT = "InFront"
    NORMALCYCLE = "NormalCycle"

    def __str__(self) -> str:
        return str(self.value)
