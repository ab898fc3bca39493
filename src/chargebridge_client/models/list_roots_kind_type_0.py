from enum import StrEnum

class ListRootsKindType0(StrEnum):
    MOROOTCERTIFICATE = "MORootCertificate"
    V2GROOTCERTIFICATE = "V2GRootCertificate"

    def __str__(self) -> str:
        return str(self.value)
