from enum import StrEnum

class DisplayMessageBodyFormat(StrEnum):
    ASCII = "ASCII"
    HTML = "HTML"
    URI = "URI"
    UTF8 = "UTF8"

    def __str__(self) -> str:
        return str(self.value)
