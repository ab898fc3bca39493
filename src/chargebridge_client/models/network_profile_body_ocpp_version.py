from enum import StrEnum

class NetworkProfileBodyOcppVersion(StrEnum):
    OCPP12 = "OCPP12"
    OCPP15 = "OCPP15"
    OCPP16 = "OCPP16"
    OCPP20 = "OCPP20"

    def __str__(self) -> str:
        return str(self.value)
