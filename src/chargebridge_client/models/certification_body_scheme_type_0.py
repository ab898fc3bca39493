from enum import StrEnum

class CertificationBodySchemeType0(StrEnum):
    EICHRECHT = "eichrecht"
    MID = "mid"

    def __str__(self) -> str:
        return str(self.value)
