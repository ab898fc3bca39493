from enum import StrEnum

class SendCommandCommand(StrEnum):
    CHANGE_AVAILABILITY = "change-availability"
    CLEAR_CACHE = "clear-cache"
    CLEAR_CHARGING_PROFILE = "clear-charging-profile"
    DATA_TRANSFER = "data-transfer"
    DELETE_CERTIFICATE = "delete-certificate"
    GET_CHARGING_PROFILES = "get-charging-profiles"
    GET_COMPOSITE_SCHEDULE = "get-composite-schedule"
    GET_CONFIGURATION = "get-configuration"
    GET_INSTALLED_CERTIFICATE_IDS = "get-installed-certificate-ids"
    INSTALL_CERTIFICATE = "install-certificate"
    REMOTE_START = "remote-start"
    REMOTE_STOP = "remote-stop"
    RESET = "reset"
    SET_CHARGING_PROFILE = "set-charging-profile"
    SET_CONFIGURATION = "set-configuration"
    TRIGGER_MESSAGE = "trigger-message"
    UNLOCK = "unlock"

    def __str__(self) -> str:
        return str(self.value)
