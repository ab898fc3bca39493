"""Smart charging command cases shared by the adapter tests: (neutral command, action, payload)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chargebridge.domain import charging as ch
from chargebridge.domain.commands import Command
from chargebridge.domain.requests import StationResponse

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)

SCHEDULE = ch.ChargingSchedule(
    ch.RateUnit.AMPERES,
    (ch.SchedulePeriod(0, 16.0), ch.SchedulePeriod(1800, 10.5, 1)),
    start=START,
    duration_s=7200,
    min_rate=6.0,
)
PROFILE = ch.ChargingProfile(
    id=7,
    stack_level=2,
    purpose=ch.ProfilePurpose.TX_DEFAULT,
    kind=ch.ProfileKind.RECURRING,
    schedules=(SCHEDULE,),
    recurrency=ch.Recurrency.DAILY,
    valid_from=START,
)
TX_PROFILE = ch.ChargingProfile(
    id=8,
    stack_level=0,
    purpose=ch.ProfilePurpose.TX,
    kind=ch.ProfileKind.RELATIVE,
    schedules=(ch.ChargingSchedule(ch.RateUnit.WATTS, (ch.SchedulePeriod(0, 7400.0),)),),
    transaction_id="42",
)

SCHEDULE_16: dict[str, Any] = {
    "chargingRateUnit": "A",
    "chargingSchedulePeriod": [
        {"startPeriod": 0, "limit": 16.0},
        {"startPeriod": 1800, "limit": 10.5, "numberPhases": 1},
    ],
    "duration": 7200,
    "startSchedule": "2026-03-01T08:00:00.000Z",
    "minChargingRate": 6.0,
}
PROFILE_16: dict[str, Any] = {
    "chargingProfileId": 7,
    "stackLevel": 2,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Recurring",
    "chargingSchedule": SCHEDULE_16,
    "recurrencyKind": "Daily",
    "validFrom": "2026-03-01T08:00:00.000Z",
}
PROFILE_201: dict[str, Any] = {
    "id": 7,
    "stackLevel": 2,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Recurring",
    "chargingSchedule": [
        {
            "id": 1,
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [
                {"startPeriod": 0, "limit": 16.0},
                {"startPeriod": 1800, "limit": 10.5, "numberPhases": 1},
            ],
            "startSchedule": "2026-03-01T08:00:00.000Z",
            "duration": 7200,
            "minChargingRate": 6.0,
        }
    ],
    "recurrencyKind": "Daily",
    "validFrom": "2026-03-01T08:00:00.000Z",
}

CHARGING_COMMANDS_16: list[tuple[Command, str, dict[str, Any]]] = [
    (ch.SetChargingProfile(1, PROFILE), "SetChargingProfile", {"connectorId": 1, "csChargingProfiles": PROFILE_16}),
    (
        ch.SetChargingProfile(2, TX_PROFILE),
        "SetChargingProfile",
        {
            "connectorId": 2,
            "csChargingProfiles": {
                "chargingProfileId": 8,
                "stackLevel": 0,
                "chargingProfilePurpose": "TxProfile",
                "chargingProfileKind": "Relative",
                "chargingSchedule": {
                    "chargingRateUnit": "W",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7400.0}],
                },
                "transactionId": 42,
            },
        },
    ),
    (ch.ClearChargingProfile(), "ClearChargingProfile", {}),
    (ch.ClearChargingProfile(profile_id=7, evse_id=1), "ClearChargingProfile", {"id": 7, "connectorId": 1}),
    (
        ch.ClearChargingProfile(evse_id=0, purpose=ch.ProfilePurpose.STATION_MAX, stack_level=1),
        "ClearChargingProfile",
        {"connectorId": 0, "chargingProfilePurpose": "ChargePointMaxProfile", "stackLevel": 1},
    ),
    (ch.GetCompositeSchedule(1, 3600), "GetCompositeSchedule", {"connectorId": 1, "duration": 3600}),
    (
        ch.GetCompositeSchedule(0, 600, ch.RateUnit.WATTS),
        "GetCompositeSchedule",
        {"connectorId": 0, "duration": 600, "chargingRateUnit": "W"},
    ),
]

CHARGING_COMMANDS_201: list[tuple[Command, str, dict[str, Any]]] = [
    (ch.SetChargingProfile(1, PROFILE), "SetChargingProfile", {"evseId": 1, "chargingProfile": PROFILE_201}),
    (
        ch.SetChargingProfile(2, TX_PROFILE),
        "SetChargingProfile",
        {
            "evseId": 2,
            "chargingProfile": {
                "id": 8,
                "stackLevel": 0,
                "chargingProfilePurpose": "TxProfile",
                "chargingProfileKind": "Relative",
                "chargingSchedule": [
                    {"id": 1, "chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7400.0}]}
                ],
                "transactionId": "42",
            },
        },
    ),
    (ch.ClearChargingProfile(), "ClearChargingProfile", {}),
    (ch.ClearChargingProfile(profile_id=7), "ClearChargingProfile", {"chargingProfileId": 7}),
    (
        ch.ClearChargingProfile(evse_id=0, purpose=ch.ProfilePurpose.STATION_MAX, stack_level=1),
        "ClearChargingProfile",
        {
            "chargingProfileCriteria": {
                "evseId": 0,
                "chargingProfilePurpose": "ChargingStationMaxProfile",
                "stackLevel": 1,
            }
        },
    ),
    (ch.GetChargingProfiles(5), "GetChargingProfiles", {"requestId": 5, "chargingProfile": {}}),
    (
        ch.GetChargingProfiles(
            6,
            evse_id=1,
            purpose=ch.ProfilePurpose.TX,
            stack_level=0,
            profile_ids=(1, 2),
            sources=(ch.LimitSource.CSO, ch.LimitSource.EMS),
        ),
        "GetChargingProfiles",
        {
            "requestId": 6,
            "evseId": 1,
            "chargingProfile": {
                "chargingProfilePurpose": "TxProfile",
                "stackLevel": 0,
                "chargingProfileId": [1, 2],
                "chargingLimitSource": ["CSO", "EMS"],
            },
        },
    ),
    (ch.GetCompositeSchedule(1, 3600), "GetCompositeSchedule", {"evseId": 1, "duration": 3600}),
    (
        ch.GetCompositeSchedule(0, 600, ch.RateUnit.AMPERES),
        "GetCompositeSchedule",
        {"evseId": 0, "duration": 600, "chargingRateUnit": "A"},
    ),
]

INBOUND_201 = {
    "ReportChargingProfiles",
    "NotifyChargingLimit",
    "ClearedChargingLimit",
    "NotifyEVChargingNeeds",
    "NotifyEVChargingSchedule",
}

CHARGING_RESPONSES_201: list[tuple[str, StationResponse, dict[str, Any]]] = [
    ("NotifyEVChargingNeeds", ch.EvChargingNeedsResponse(ch.EvNeedsStatus.ACCEPTED), {"status": "Accepted"}),
    (
        "NotifyEVChargingNeeds",
        ch.EvChargingNeedsResponse(ch.EvNeedsStatus.REJECTED, "TxNotFound", "no transaction"),
        {"status": "Rejected", "statusInfo": {"reasonCode": "TxNotFound", "additionalInfo": "no transaction"}},
    ),
    ("NotifyEVChargingSchedule", ch.EvChargingScheduleResponse(True), {"status": "Accepted"}),
    (
        "NotifyEVChargingSchedule",
        ch.EvChargingScheduleResponse(False, "InvalidSchedule"),
        {"status": "Rejected", "statusInfo": {"reasonCode": "InvalidSchedule"}},
    ),
]
