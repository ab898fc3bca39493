from enum import StrEnum

class ReservationBodyConnectorTypeType0(StrEnum):
    CCCS1 = "cCCS1"
    CCCS2 = "cCCS2"
    CG105 = "cG105"
    CTESLA = "cTesla"
    CTYPE1 = "cType1"
    CTYPE2 = "cType2"
    OTHER1PHMAX16A = "Other1PhMax16A"
    OTHER1PHOVER16A = "Other1PhOver16A"
    OTHER3PH = "Other3Ph"
    PAN = "Pan"
    S309_1P_16A = "s309-1P-16A"
    S309_1P_32A = "s309-1P-32A"
    S309_3P_16A = "s309-3P-16A"
    S309_3P_32A = "s309-3P-32A"
    SBS1361 = "sBS1361"
    SCEE_7_7 = "sCEE-7-7"
    STYPE2 = "sType2"
    STYPE3 = "sType3"
    UNDETERMINED = "Undetermined"
    UNKNOWN = "Unknown"
    WINDUCTIVE = "wInductive"
    WRESONANT = "wResonant"

    def __str__(self) -> str:
        return str(self.value)
