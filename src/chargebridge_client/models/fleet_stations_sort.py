from enum import StrEnum

class FleetStationsSort(StrEnum):
    FIRMWARE_VERSION = "firmware_version"
    ID = "id"
    LAST_SEEN = "last_seen"
    MODEL = "model"
    OCPP_VERSION = "ocpp_version"
    VENDOR = "vendor"

    def __str__(self) -> str:
        return str(self.value)
