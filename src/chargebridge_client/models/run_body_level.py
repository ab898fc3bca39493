from enum import StrEnum

class RunBodyLevel(StrEnum):
    ADVANCED = "advanced"
    BASIC = "basic"
    STANDARD = "standard"

    def __str__(self) -> str:
        return str(self.value)
