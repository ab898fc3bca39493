from enum import StrEnum

class CommandBodyType(StrEnum):
    PING = "ping"
    READ_REGISTER = "read_register"
    SET_LIMIT = "set_limit"
    STATUS = "status"

    def __str__(self) -> str:
        return str(self.value)
