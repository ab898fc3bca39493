from enum import StrEnum

class DiagnosticsBodyLogType(StrEnum):
    DIAGNOSTICSLOG = "DiagnosticsLog"
    SECURITYLOG = "SecurityLog"

    def __str__(self) -> str:
        return str(self.value)
