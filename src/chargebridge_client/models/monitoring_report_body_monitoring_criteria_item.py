from enum import StrEnum

class MonitoringReportBodyMonitoringCriteriaItem(StrEnum):
    DELTAMONITORING = "DeltaMonitoring"
    PERIODICMONITORING = "PeriodicMonitoring"
    THRESHOLDMONITORING = "ThresholdMonitoring"

    def __str__(self) -> str:
        return str(self.value)
