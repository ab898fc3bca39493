from enum import StrEnum

class ValueBodyAttributeType0(StrEnum):
    ACTUAL = "Actual"
    MAXSET = "MaxSet"
    MINSET = "MinSet"
    TARGET = "Target"

    def __str__(self) -> str:
        return str(self.value)
