from enum import StrEnum

class MonitoringBaseBodyMonitoringBase(StrEnum):
    ALL = "All"
    FACTORYDEFAULT = "FactoryDefault"
    HARDWIREDONLY = "HardWiredOnly"

    def __str__(self) -> str:
        return str(self.value)
