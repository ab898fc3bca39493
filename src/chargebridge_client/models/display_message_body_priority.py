from enum import StrEnum

class DisplayMessageBodyPriority(StrEnum):
    ALWAYSFRONT = "AlwaysFront"
    INFRONT = "InFront"
    NORMALCYCLE = "NormalCycle"

    def __str__(self) -> str:
        return str(self.value)
