from enum import StrEnum

class ListChargingProfilesPurposeType0(StrEnum):
    CHARGEPOINTMAXPROFILE = "ChargePointMaxProfile"
    CHARGINGSTATIONMAXPROFILE = "ChargingStationMaxProfile"
    TXDEFAULTPROFILE = "TxDefaultProfile"
    TXPROFILE = "TxProfile"

    def __str__(self) -> str:
        return str(self.value)
