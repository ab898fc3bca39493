from enum import StrEnum

class ReadRegisterBodyRegisterType(StrEnum):
    HOLDING = "holding"
    INPUT = "input"

    def __str__(self) -> str:
        return str(self.value)
