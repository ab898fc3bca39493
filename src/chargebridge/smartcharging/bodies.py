"""REST bodies of smart charging, validated into neutral values (a bad body is a 422).

A charging profile may be written in the neutral form (snake_case, see docs/smart-charging.md)
or as an OCPP payload of either version (1.6 ``csChargingProfiles``, 2.0.1 ``ChargingProfileType``),
checked against the official schema of that version: operators paste what they already have, and
it is sent in the station's own version either way.
"""

from __future__ import annotations

import secrets
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from chargebridge.domain import charging as ch
from chargebridge.domain.commands import Command
from chargebridge.ocpp16.charging import profile_from_v16
from chargebridge.ocpp201.charging import profile_from_v201
from chargebridge.rpc import OcppError, OcppVersion, schemas_for

MAX_DURATION_S = 31 * 24 * 3600
PurposeName = Literal["ChargingStationMaxProfile", "ChargePointMaxProfile", "TxDefaultProfile", "TxProfile"]
LimitSourceName = Literal["EMS", "Other", "SO", "CSO"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PeriodBody(_Strict):
    start_s: int = Field(ge=0, le=2**31 - 1)
    limit: float = Field(ge=0, le=10_000_000)
    number_phases: Literal[1, 2, 3] | None = None
    phase_to_use: Literal[1, 2, 3] | None = None


class ScheduleBody(_Strict):
    id: int | None = Field(default=None, ge=0, le=2**31 - 1)
    unit: Literal["A", "W"]
    periods: list[PeriodBody] = Field(min_length=1, max_length=ch.MAX_PERIODS)
    start: AwareDatetime | None = None
    duration_s: int | None = Field(default=None, gt=0, le=2**31 - 1)
    min_rate: float | None = Field(default=None, ge=0)
    sales_tariff: dict[str, Any] | None = None

    def schedule(self) -> ch.ChargingSchedule:
        return ch.ChargingSchedule(
            unit=ch.RateUnit(self.unit),
            periods=tuple(ch.SchedulePeriod(p.start_s, p.limit, p.number_phases, p.phase_to_use) for p in self.periods),
            id=self.id,
            start=self.start,
            duration_s=self.duration_s,
            min_rate=self.min_rate,
            sales_tariff=self.sales_tariff,
        )


class ProfileBody(_Strict):
    """The neutral form. ``id`` may be left out when setting: the next free id of the station is used."""

    id: int | None = Field(default=None, ge=0, le=2**31 - 1)
    stack_level: int = Field(default=0, ge=0, le=2**31 - 1)
    purpose: PurposeName
    kind: Literal["Absolute", "Recurring", "Relative"]
    recurrency: Literal["Daily", "Weekly"] | None = None
    valid_from: AwareDatetime | None = None
    valid_to: AwareDatetime | None = None
    transaction_id: str | int | None = None
    schedules: list[ScheduleBody] = Field(min_length=1, max_length=ch.MAX_SCHEDULES)

    @field_validator("transaction_id")
    @classmethod
    def _transaction_text(cls, value: str | int | None) -> str | int | None:
        if isinstance(value, str) and not 1 <= len(value) <= 36:
            raise ValueError("transaction_id is 1 to 36 characters")
        return value

    def profile(self, profile_id: int) -> ch.ChargingProfile:
        return ch.ChargingProfile(
            id=profile_id if self.id is None else self.id,
            stack_level=self.stack_level,
            purpose=ch.ProfilePurpose.parse(self.purpose),
            kind=ch.ProfileKind(self.kind),
            schedules=tuple(s.schedule() for s in self.schedules),
            recurrency=ch.Recurrency(self.recurrency) if self.recurrency else None,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            transaction_id=str(self.transaction_id) if self.transaction_id is not None else None,
        )


def parse_profile(raw: dict[str, Any], default_id: int = 0) -> tuple[ch.ChargingProfile, bool]:
    """Any of the three forms -> (neutral profile, whether the body named its id). Raises ValueError."""
    if "chargingProfileId" in raw:
        try:
            schemas_for(OcppVersion.V16).validate_request(
                "SetChargingProfile", {"connectorId": 0, "csChargingProfiles": raw}
            )
        except OcppError as exc:
            raise ValueError(f"not a valid OCPP 1.6 charging profile: {exc.description}") from exc
        return profile_from_v16(raw), True
    if "chargingSchedule" in raw:
        try:
            schemas_for(OcppVersion.V201).validate_request("SetChargingProfile", {"evseId": 0, "chargingProfile": raw})
        except OcppError as exc:
            raise ValueError(f"not a valid OCPP 2.0.1 charging profile: {exc.description}") from exc
        return profile_from_v201(raw), True
    try:
        body = ProfileBody.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'profile'}: {error['msg']}" for error in exc.errors()
        )
        raise ValueError(f"not a valid charging profile: {problems}") from exc
    return body.profile(default_id), body.id is not None


class SetProfileBody(_Strict):
    """POST /stations/{id}/charging-profiles and the ``set-charging-profile`` command."""

    evse_id: int = Field(ge=0, le=2**31 - 1)
    profile: dict[str, Any]

    @model_validator(mode="after")
    def _valid(self) -> SetProfileBody:
        profile, _ = parse_profile(self.profile)
        ch.check_profile(self.evse_id, profile)  # ProfileError is a ValueError -> 422
        return self

    def parsed(self, default_id: int) -> tuple[ch.ChargingProfile, bool]:
        return parse_profile(self.profile, default_id)


class SetProfileCommandBody(SetProfileBody):
    """The ``set-charging-profile`` command: as the route's body, but the profile must name its id."""

    @model_validator(mode="after")
    def _named(self) -> SetProfileCommandBody:
        if not self.parsed(0)[1]:
            raise ValueError("the set-charging-profile command needs the profile's id")
        return self

    def to_command(self) -> Command:
        return ch.SetChargingProfile(self.evse_id, self.parsed(0)[0])


class ClearProfileBody(_Strict):
    """``clear-charging-profile``: by ``profile_id``, else by the criteria given (none: all)."""

    profile_id: int | None = Field(default=None, ge=0, le=2**31 - 1)
    evse_id: int | None = Field(default=None, ge=0, le=2**31 - 1)
    purpose: PurposeName | None = None
    stack_level: int | None = Field(default=None, ge=0, le=2**31 - 1)

    def to_command(self) -> Command:
        purpose = ch.ProfilePurpose.parse(self.purpose) if self.purpose else None
        return ch.ClearChargingProfile(self.profile_id, self.evse_id, purpose, self.stack_level)


class ReportBody(_Strict):
    """POST /stations/{id}/charging-profiles/report and ``get-charging-profiles`` (2.0.1)."""

    evse_id: int | None = Field(default=None, ge=0, le=2**31 - 1)
    purpose: PurposeName | Literal["ChargingStationExternalConstraints"] | None = None
    stack_level: int | None = Field(default=None, ge=0, le=2**31 - 1)
    profile_ids: list[int] = Field(default_factory=list, max_length=100)
    sources: list[LimitSourceName] = Field(default_factory=list, max_length=4)
    request_id: int | None = Field(default=None, ge=0, le=2**31 - 1)

    def purpose_value(self) -> ch.ProfilePurpose | None:
        return ch.ProfilePurpose.parse(self.purpose) if self.purpose else None

    def to_command(self) -> Command:
        return ch.GetChargingProfiles(
            request_id=self.request_id if self.request_id is not None else secrets.randbelow(2**31 - 1) + 1,
            evse_id=self.evse_id,
            purpose=self.purpose_value(),
            stack_level=self.stack_level,
            profile_ids=tuple(self.profile_ids),
            sources=tuple(ch.LimitSource(s) for s in self.sources),
        )


class CompositeBody(_Strict):
    """``get-composite-schedule``."""

    evse_id: int = Field(default=0, ge=0, le=2**31 - 1)
    duration_s: int = Field(gt=0, le=MAX_DURATION_S)
    unit: Literal["A", "W"] | None = None

    def to_command(self) -> Command:
        return ch.GetCompositeSchedule(self.evse_id, self.duration_s, ch.RateUnit(self.unit) if self.unit else None)


# Names of the version-neutral command route (POST /stations/{id}/commands/{command}).
COMMAND_BODIES: dict[str, type[BaseModel]] = {
    "set-charging-profile": SetProfileCommandBody,
    "clear-charging-profile": ClearProfileBody,
    "get-charging-profiles": ReportBody,
    "get-composite-schedule": CompositeBody,
}
