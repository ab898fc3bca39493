from enum import StrEnum

class CampaignActionAction(StrEnum):
    ABORT = "abort"
    PAUSE = "pause"
    RESUME = "resume"
    START = "start"

    def __str__(self) -> str:
        return str(self.value)
