from enum import StrEnum

class NetworkProfileBodyOcppTransport(StrEnum):
    JSON = "JSON"
    SOAP = "SOAP"

    def __str__(self) -> str:
        return str(self.value)
