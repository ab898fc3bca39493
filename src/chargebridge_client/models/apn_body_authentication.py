from enum import StrEnum

class ApnBodyAuthentication(StrEnum):
    AUTO = "AUTO"
    CHAP = "CHAP"
    NONE = "NONE"
    PAP = "PAP"

    def __str__(self) -> str:
        return str(self.value)
