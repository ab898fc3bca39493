from enum import StrEnum

class ListCertificationsKindType0(StrEnum):
    METERING = "metering"
    OCA = "oca"

    def __str__(self) -> str:
        return str(self.value)
