"""ISO 4217 currency codes in circulation and their minor units (decimal places).

Tariffs name their currency by code; a code not listed here is refused. The minor unit is how
many decimals a CDR's money amounts are rounded to (EUR 2, JPY 0, KWD 3).
"""

from __future__ import annotations

from types import MappingProxyType

_THREE = ("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND")
_ZERO = ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF")
_FOUR = ("CLF", "UYW")
_TWO = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE "
    "CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL "
    "HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR "
    "MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK "
    "SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD "
    "XCG YER ZAR ZMW ZWG"
).split()

MINOR_UNITS = MappingProxyType(
    {code: 2 for code in _TWO} | {code: 0 for code in _ZERO} | {code: 3 for code in _THREE} | {code: 4 for code in _FOUR}
)


def is_currency(code: str) -> bool:
    return code in MINOR_UNITS


def minor_units(code: str) -> int:
    return MINOR_UNITS[code]
