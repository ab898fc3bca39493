from enum import StrEnum

class DeviceModelAttributeType0(StrEnum):
    ACTUAL = "Actual"
    MAXSET = "MaxSet"
    MINSET = "MinSet"
    TARGET = "Target"

    def __str__(self) -> str:
        return str(self.value)
