from enum import StrEnum

class DeviceModelMutabilityType0(StrEnum):
    READONLY = "ReadOnly"
    READWRITE = "ReadWrite"
    WRITEONLY = "WriteOnly"

    def __str__(self) -> str:
        return str(self.value)
