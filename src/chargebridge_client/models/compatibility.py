from enum import StrEnum

class Compatibility(StrEnum):
    BLOCKED = "blocked"
    CERTIFIED = "certified"
    COMPATIBLE = "compatible"
    KNOWN_ISSUE = "known-issue"

    def __str__(self) -> str:
        return str(self.value)
