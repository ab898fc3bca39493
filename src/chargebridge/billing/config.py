"""The ``[billing]`` section of the integrations TOML file (see docs/billing.md)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from chargebridge.billing.currencies import is_currency
from chargebridge.integrations.base import Section


class BillingConfig(Section):
    enabled: bool = True
    # OCPI party that owns the CDRs (CiString(2) country code, CiString(3) party id).
    country_code: str = Field(default="ZZ", pattern=r"^[A-Z]{2}$")
    party_id: str = Field(default="CBG", pattern=r"^[A-Z0-9]{3}$")
    # Local time zone of tariff restrictions for stations whose billing profile names none.
    time_zone: str = "UTC"
    # Currency of a CDR when no tariff applies (its cost is then 0 and it is held for review).
    currency: str = "EUR"
    # Accuracy bounds: a CDR outside any of them is held as needs_review.
    clock_skew_s: float = Field(default=300.0, gt=0)  # station clock vs ours
    late_stop_s: float = Field(default=86_400.0, gt=0)  # a stop received this long after it happened
    default_max_power_kw: float = Field(default=350.0, gt=0)  # when the station profile names none
    power_tolerance: float = Field(default=0.10, ge=0, le=1)  # slack on max power x duration
    signed_energy_tolerance_wh: float = Field(default=1.0, ge=0)  # CDR energy vs signed readings
    # Running cost (2.0.1 CostUpdated during the session, totalCost at Ended) for stations whose
    # profile does not say: off unless enabled here.
    running_cost: bool = False
    running_cost_interval_s: float = Field(default=300.0, ge=5)
    # Where stations publish their meter's public key (read by POST .../meter-keys/read).
    meter_key_component: str = "OCMF"  # 2.0.1 device model component
    meter_key_variable: str = "PublicKey"  # 2.0.1 variable
    meter_key_config_keys: list[str] = Field(default_factory=lambda: ["MeterPublicKey", "OCMFPublicKey"])  # 1.6

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not is_currency(value):
            raise ValueError(f"{value!r} is not an ISO 4217 currency code")
        return value

    @field_validator("meter_key_config_keys")
    @classmethod
    def _keys(cls, value: list[str]) -> list[str]:
        for key in value:
            if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,50}", key):
                raise ValueError(f"{key!r} is not a configuration key")
        return value
