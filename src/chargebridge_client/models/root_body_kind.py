from enum import StrEnum

class RootBodyKind(StrEnum):
    MOROOTCERTIFICATE = "MORootCertificate"
    V2GROOTCERTIFICATE = "V2GRootCertificate"

    def __str__(self) -> str:
        return str(self.value)
