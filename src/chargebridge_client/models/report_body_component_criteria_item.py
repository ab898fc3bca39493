from enum import StrEnum

class ReportBodyComponentCriteriaItem(StrEnum):
    ACTIVE = "Active"
    AVAILABLE = "Available"
    ENABLED = "Enabled"
    PROBLEM = "Problem"

    def __str__(self) -> str:
        return str(self.value)
