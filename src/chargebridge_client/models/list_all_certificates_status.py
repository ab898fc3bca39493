from enum import StrEnum

class ListAllCertificatesStatus(StrEnum):
    ACTIVE = "active"
    ANY = "any"
    DELETED = "deleted"
    PENDING = "pending"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"

    def __str__(self) -> str:
        return str(self.value)
