from enum import StrEnum

class ReportBodyReportBaseType0(StrEnum):
    CONFIGURATIONINVENTORY = "ConfigurationInventory"
    FULLINVENTORY = "FullInventory"
    SUMMARYINVENTORY = "SummaryInventory"

    def __str__(self) -> str:
        return str(self.value)
