from enum import StrEnum

class VpnBodyType(StrEnum):
    IKEV2 = "IKEv2"
    IPSEC = "IPSec"
    L2TP = "L2TP"
    PPTP = "PPTP"

    def __str__(self) -> str:
        return str(self.value)
