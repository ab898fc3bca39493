from enum import StrEnum

class MonitorBodyType(StrEnum):
    DELTA = "Delta"
    LOWERTHRESHOLD = "LowerThreshold"
    PERIODIC = "Periodic"
    PERIODICCLOCKALIGNED = "PeriodicClockAligned"
    UPPERTHRESHOLD = "UpperThreshold"

    def __str__(self) -> str:
        return str(self.value)
