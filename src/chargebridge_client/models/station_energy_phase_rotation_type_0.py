from enum import StrEnum

class StationEnergyPhaseRotationType0(StrEnum):
    RST = "RST"
    RTS = "RTS"
    SRT = "SRT"
    STR = "STR"
    TRS = "TRS"
    TSR = "TSR"

    def __str__(self) -> str:
        return str(self.value)
