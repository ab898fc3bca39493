from enum import StrEnum

class CertificationBodyKind(StrEnum):
    METERING = "metering"
    OCA = "oca"

    def __str__(self) -> str:
        return str(self.value)
