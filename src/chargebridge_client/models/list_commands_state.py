from enum import StrEnum

class ListCommandsState(StrEnum):
    ALL = "all"
    PENDING = "pending"

    def __str__(self) -> str:
        return str(self.value)
