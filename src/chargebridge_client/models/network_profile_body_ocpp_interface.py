from enum import StrEnum

class NetworkProfileBodyOcppInterface(StrEnum):
    WIRED0 = "Wired0"
    WIRED1 = "Wired1"
    WIRED2 = "Wired2"
    WIRED3 = "Wired3"
    WIRELESS0 = "Wireless0"
    WIRELESS1 = "Wireless1"
    WIRELESS2 = "Wireless2"
    WIRELESS3 = "Wireless3"

    def __str__(self) -> str:
        return str(self.value)
