"""Smart charging on a simulated station (both versions): the profiles it accepts, the composite
schedule it reports, the limit its EV draws at, and its ISO 15118 messages (pure: payload in,
answer out; the station's clock comes in through :attr:`ChargingState.now`).

The station keeps to the rules a conformant charger applies (1.6 section 3.13 / 5.16, 2.0.1 K01,
K08-K10): a TxProfile needs a transaction on its EVSE (and, 2.0.1, names it), a
ChargingStationMaxProfile lives on EVSE 0, the CSMS cannot set external constraints, a profile
with the same id - or the same EVSE, purpose and stack level - is replaced. Its composite schedule
comes from :func:`chargebridge.domain.composite.composite_schedule`, the same function the CSMS
uses, and the EV draws at most that limit (see :func:`segments`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chargebridge.domain import charging as ch
from chargebridge.domain.composite import ActiveTransaction, Conversion, composite_schedule, limit_periods
from chargebridge.domain.timeutil import format_datetime
from chargebridge.ocpp16.charging import profile_from_v16
from chargebridge.ocpp201.charging import profile_from_v201, profile_to_v201, schedule_to_v201
from chargebridge.rpc import OcppVersion
from chargebridge.sim.ev import AC_PHASES, AC_VOLTAGE_V, ChargerKind

if TYPE_CHECKING:
    from chargebridge.sim.state import Connector, StationState

Call = tuple[str, dict[str, Any]]
Result = tuple[dict[str, Any], tuple[Call, ...]]  # the CALLRESULT payload, CALLs to send after it

MAX_COMPOSITE_S = 31 * 24 * 3600
EV_MIN_CURRENT_A = 6  # IEC 61851: the lowest PWM current an AC EV charges at


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class ChargingState:
    """The station's charging profiles (by id) and how it reads its clock."""

    profiles: dict[int, ch.InstalledProfile] = field(default_factory=dict)
    now: Callable[[], datetime] = _utc_now
    iso15118: bool = False  # 2.0.1: EVs talk ISO 15118 (NotifyEVChargingNeeds / NotifyEVChargingSchedule)

    def on(self, evse_id: int) -> Iterator[ch.InstalledProfile]:
        return (item for item in self.profiles.values() if item.evse_id == evse_id)


def _transaction(state: StationState, evse_id: int) -> ActiveTransaction | None:
    connector = state.connectors.get(evse_id)
    session = connector.session if connector is not None else None
    if session is None or session.stop_reason is not None:
        return None
    return ActiveTransaction(session.transaction_id, session.started_at)


# -- SetChargingProfile ----------------------------------------------------------------------------


def _refusal(state: StationState, version: OcppVersion, evse_id: int, profile: ch.ChargingProfile) -> str | None:
    """Why a conformant station refuses the profile (a 2.0.1 reasonCode), or None."""
    if evse_id != 0 and evse_id not in state.connectors:
        return "UnknownEVSE"
    try:
        ch.check_profile(evse_id, profile)
    except ch.ProfileError:
        return "InvalidProfile" if profile.purpose is not ch.ProfilePurpose.EXTERNAL else "UnsupportedPurpose"
    if profile.purpose is ch.ProfilePurpose.TX:
        tx = _transaction(state, evse_id)
        if tx is None:
            return "TxNotFound"  # 1.6: discarded without a transaction; 2.0.1 K01.FR.09
        if version is OcppVersion.V201 and profile.transaction_id is None:
            return "MissingParam"  # K01.FR.03
        if profile.transaction_id is not None and profile.transaction_id != tx.transaction_id:
            return "TxNotFound"
        for item in state.charging.on(evse_id):  # K01.FR.39
            other = item.profile
            if (
                other.purpose is ch.ProfilePurpose.TX
                and other.id != profile.id
                and other.stack_level == profile.stack_level
                and other.transaction_id == profile.transaction_id
                and version is OcppVersion.V201
            ):
                return "InvalidStackLevel"
    return None


def install(state: StationState, evse_id: int, profile: ch.ChargingProfile) -> None:
    """Store a profile: it replaces the one with its id and the one in its slot (EVSE, purpose,
    stack level; for a TxProfile also the transaction)."""
    profiles = state.charging.profiles
    for other_id, item in list(profiles.items()):
        other = item.profile
        if (
            other_id != profile.id
            and item.evse_id == evse_id
            and other.purpose is profile.purpose
            and other.stack_level == profile.stack_level
            and (other.purpose is not ch.ProfilePurpose.TX or other.transaction_id == profile.transaction_id)
        ):
            del profiles[other_id]
    profiles[profile.id] = ch.InstalledProfile(evse_id, profile)


def set_profile(version: OcppVersion, payload: dict[str, Any], state: StationState) -> Result:
    if version is OcppVersion.V16:
        evse_id, raw = payload["connectorId"], payload["csChargingProfiles"]
    else:
        evse_id, raw = payload["evseId"], payload["chargingProfile"]
    try:
        profile = profile_from_v16(raw) if version is OcppVersion.V16 else profile_from_v201(raw)
    except (KeyError, TypeError, ValueError):
        return _rejected(version, "InvalidValue"), ()
    reason = _refusal(state, version, evse_id, profile)
    if reason is not None:
        return _rejected(version, reason), ()
    install(state, evse_id, profile)
    calls: tuple[Call, ...] = ()
    if version is OcppVersion.V201 and state.charging.iso15118 and profile.purpose is ch.ProfilePurpose.TX:
        calls = ev_schedule_calls(state, evse_id, profile)
    return {"status": "Accepted"}, calls


def _rejected(version: OcppVersion, reason: str) -> dict[str, Any]:
    if version is OcppVersion.V16:
        return {"status": "Rejected"}
    return {"status": "Rejected", "statusInfo": {"reasonCode": reason}}


def remote_start_profile(version: OcppVersion, raw: dict[str, Any], state: StationState, evse_id: int) -> bool:
    """The TxProfile of a remote start (1.6 RemoteStartTransaction / 2.0.1 K05): it applies to the
    transaction about to start on ``evse_id`` (so it names none). False: not a usable TxProfile."""
    try:
        profile = profile_from_v16(raw) if version is OcppVersion.V16 else profile_from_v201(raw)
        ch.check_profile(evse_id, profile)
    except (KeyError, TypeError, ValueError):
        return False
    if profile.purpose is not ch.ProfilePurpose.TX or profile.transaction_id is not None:
        return False
    install(state, evse_id, profile)
    return True


def transaction_ended(state: StationState, evse_id: int) -> None:
    """A transaction ended: its TxProfiles go (a TxProfile holds for one transaction only)."""
    profiles = state.charging.profiles
    for profile_id, item in list(profiles.items()):
        if item.evse_id == evse_id and item.profile.purpose is ch.ProfilePurpose.TX:
            del profiles[profile_id]


# -- ClearChargingProfile ---------------------------------------------------------------------------


def clear_profile(version: OcppVersion, payload: dict[str, Any], state: StationState) -> Result:
    if version is OcppVersion.V16:
        profile_id = payload.get("id")
        evse_id, purpose = payload.get("connectorId"), payload.get("chargingProfilePurpose")
        stack_level = payload.get("stackLevel")
    else:
        profile_id = payload.get("chargingProfileId")
        criteria = payload.get("chargingProfileCriteria") or {}
        evse_id, purpose = criteria.get("evseId"), criteria.get("chargingProfilePurpose")
        stack_level = criteria.get("stackLevel")
    wanted = ch.ProfilePurpose.parse(purpose) if purpose is not None else None
    profiles = state.charging.profiles
    removed = 0
    for key, item in list(profiles.items()):
        profile = item.profile
        if profile.purpose is ch.ProfilePurpose.EXTERNAL:
            continue  # set by external systems, never cleared by the CSMS
        if profile_id is not None:
            match = profile.id == profile_id
        else:
            match = (
                (evse_id is None or item.evse_id == evse_id)
                and (wanted is None or profile.purpose is wanted)
                and (stack_level is None or profile.stack_level == stack_level)
            )
        if match:
            del profiles[key]
            removed += 1
    return {"status": "Accepted" if removed else "Unknown"}, ()


# -- GetCompositeSchedule ---------------------------------------------------------------------------


def _conversion(connector: Connector | None, soc: float = 50.0) -> Conversion:
    if connector is not None and connector.spec.kind is ChargerKind.DC:
        return Conversion(connector.spec.voltage_v(soc), 1, dc=True)
    return Conversion(AC_VOLTAGE_V, AC_PHASES)


def _max_in(connectors: list[Connector], unit: ch.RateUnit) -> float:
    """What the EVSE (or, for EVSE 0, the whole station) can deliver at most, in ``unit``."""
    total = 0.0
    for connector in connectors:
        watts = connector.spec.max_power_w
        if unit is ch.RateUnit.WATTS:
            total += watts
        else:
            total += connector.spec.current_a(watts, 50.0)
    return total


def composite(
    state: StationState, evse_id: int, duration_s: int, unit: ch.RateUnit | None
) -> ch.CompositeSchedule | None:
    if evse_id != 0 and evse_id not in state.connectors:
        return None
    connector = state.connectors.get(evse_id)
    kind = connector.spec.kind if connector is not None else next(iter(state.connectors.values())).spec.kind
    rate = unit or (ch.RateUnit.WATTS if kind is ChargerKind.DC else ch.RateUnit.AMPERES)
    targets = [connector] if connector is not None else list(state.connectors.values())
    now = state.charging.now().replace(microsecond=0)
    return composite_schedule(
        list(state.charging.profiles.values()),
        evse_id,
        now,
        min(max(duration_s, 1), MAX_COMPOSITE_S),
        rate,
        no_limit=_max_in(targets, rate),
        transaction=_transaction(state, evse_id) if evse_id else None,
        conversion=_conversion(connector),
        now=now,
    )


def get_composite(version: OcppVersion, payload: dict[str, Any], state: StationState) -> Result:
    evse_id = payload["connectorId"] if version is OcppVersion.V16 else payload["evseId"]
    unit = payload.get("chargingRateUnit")
    result = composite(state, evse_id, payload["duration"], ch.RateUnit(unit) if unit else None)
    if result is None:
        return _rejected(version, "UnknownEVSE"), ()
    periods = []
    for period in result.periods:
        item: dict[str, Any] = {"startPeriod": period.start_s, "limit": period.limit}
        if period.number_phases is not None:
            item["numberPhases"] = period.number_phases
        periods.append(item)
    start = format_datetime(result.start)
    if version is OcppVersion.V16:
        schedule = {
            "duration": result.duration_s,
            "startSchedule": start,
            "chargingRateUnit": result.unit.value,
            "chargingSchedulePeriod": periods,
        }
        return {"status": "Accepted", "connectorId": evse_id, "scheduleStart": start, "chargingSchedule": schedule}, ()
    composite_201 = {
        "evseId": evse_id,
        "duration": result.duration_s,
        "scheduleStart": start,
        "chargingRateUnit": result.unit.value,
        "chargingSchedulePeriod": periods,
    }
    return {"status": "Accepted", "schedule": composite_201}, ()


# -- GetChargingProfiles (2.0.1) -------------------------------------------------------------------


def _source(profile: ch.ChargingProfile) -> str:
    return ch.LimitSource.EMS.value if profile.purpose is ch.ProfilePurpose.EXTERNAL else ch.LimitSource.CSO.value


def get_profiles(version: OcppVersion, payload: dict[str, Any], state: StationState) -> Result:
    """K09: NoProfiles, or Accepted and then one ReportChargingProfiles per EVSE and limit source."""
    criterion = payload["chargingProfile"]
    evse_id = payload.get("evseId")
    purpose = criterion.get("chargingProfilePurpose")
    ids = set(criterion.get("chargingProfileId") or ())
    sources = set(criterion.get("chargingLimitSource") or ())
    groups: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for item in sorted(state.charging.profiles.values(), key=lambda i: (i.evse_id, i.profile.id)):
        profile = item.profile
        if evse_id is not None and item.evse_id != evse_id:
            continue
        if purpose is not None and profile.purpose.value != purpose:
            continue
        if criterion.get("stackLevel") is not None and profile.stack_level != criterion["stackLevel"]:
            continue
        if ids and profile.id not in ids:
            continue
        if sources and _source(profile) not in sources:
            continue
        groups.setdefault((item.evse_id, _source(profile)), []).append(profile_to_v201(profile))
    if not groups:
        return {"status": "NoProfiles"}, ()
    calls: list[Call] = []
    keys = list(groups)
    for index, (evse, source) in enumerate(keys):
        report: dict[str, Any] = {
            "requestId": payload["requestId"],
            "chargingLimitSource": source,
            "evseId": evse,
            "chargingProfile": groups[(evse, source)],
        }
        if index < len(keys) - 1:
            report["tbc"] = True
        calls.append(("ReportChargingProfiles", report))
    return {"status": "Accepted"}, tuple(calls)


# -- the EV's limit ----------------------------------------------------------------------------------


def segments(
    state: StationState, connector: Connector, start: datetime, seconds: float, soc: float
) -> list[tuple[float, float | None]]:
    """The limit in W over ``[start, start + seconds)``: ``(duration_s, limit_w or None)`` pieces,
    so that energy is integrated with each schedule period's own limit."""
    if seconds <= 0:
        return []
    if not state.charging.profiles:
        return [(seconds, None)]
    whole = int(seconds) + 1
    periods = limit_periods(
        list(state.charging.profiles.values()),
        connector.connector_id,
        start,
        whole,
        ch.RateUnit.WATTS,
        transaction=_transaction(state, connector.connector_id),
        conversion=_conversion(connector, soc),
    )
    pieces: list[tuple[float, float | None]] = []
    for index, period in enumerate(periods):
        end = periods[index + 1].start_s if index + 1 < len(periods) else seconds
        length = min(float(end), seconds) - period.start_s
        if length > 0:
            pieces.append((length, period.limit))
    return pieces or [(seconds, None)]


def limit_w(state: StationState, connector: Connector, at: datetime, soc: float) -> float | None:
    pieces = segments(state, connector, at, 1.0, soc)
    return pieces[0][1] if pieces else None


# -- ISO 15118 (2.0.1 K15-K17) ----------------------------------------------------------------------


def ev_needs_call(state: StationState, connector: Connector) -> Call | None:
    """NotifyEVChargingNeeds for the EV on ``connector`` (an ISO 15118 EV reports its needs)."""
    session = connector.session
    if session is None:
        return None
    ev = session.ev
    energy_wh = max(0, int((ev.target_soc - ev.soc) / 100.0 * ev.vehicle.capacity_wh))
    needs: dict[str, Any]
    if connector.spec.kind is ChargerKind.DC:
        max_power = int(min(ev.vehicle.max_dc_w, connector.spec.max_power_w))
        voltage = int(connector.spec.voltage_v(100.0))
        needs = {
            "requestedEnergyTransfer": "DC",
            "dcChargingParameters": {
                "evMaxCurrent": max(1, max_power // max(voltage, 1)),
                "evMaxVoltage": voltage,
                "evMaxPower": max_power,
                "energyAmount": energy_wh,
                "stateOfCharge": int(ev.soc),
                "evEnergyCapacity": int(ev.vehicle.capacity_wh),
            },
        }
    else:
        max_current = int(min(ev.vehicle.max_ac_w, connector.spec.max_power_w) / (AC_PHASES * AC_VOLTAGE_V))
        needs = {
            "requestedEnergyTransfer": "AC_three_phase",
            "acChargingParameters": {
                "energyAmount": energy_wh,
                "evMinCurrent": EV_MIN_CURRENT_A,
                "evMaxCurrent": max(EV_MIN_CURRENT_A, max_current),
                "evMaxVoltage": int(AC_VOLTAGE_V),
            },
        }
    if session.ends_at is not None:
        remaining = max(60.0, session.ends_at - session.started_elapsed)
        needs["departureTime"] = format_datetime(session.started_at + timedelta(seconds=remaining))
    return "NotifyEVChargingNeeds", {"evseId": connector.connector_id, "chargingNeeds": needs}


def ev_schedule_calls(state: StationState, evse_id: int, profile: ch.ChargingProfile) -> tuple[Call, ...]:
    """After a TxProfile: the EV picks the offered schedule, capped at what it can take, and the
    station reports it with NotifyEVChargingSchedule (K15, K16.FR.05)."""
    connector = state.connectors.get(evse_id)
    if connector is None or connector.session is None:
        return ()
    ev = connector.session.ev
    schedule = profile.schedule
    if schedule.unit is ch.RateUnit.AMPERES:
        cap = min(ev.vehicle.max_ac_w, connector.spec.max_power_w) / (AC_PHASES * AC_VOLTAGE_V)
    else:
        max_w = ev.vehicle.max_dc_w if connector.spec.kind is ChargerKind.DC else ev.vehicle.max_ac_w
        cap = min(max_w, connector.spec.max_power_w)
    periods = tuple(
        ch.SchedulePeriod(p.start_s, ch.round_limit(min(p.limit, cap)), p.number_phases) for p in schedule.periods
    )
    chosen = ch.ChargingSchedule(schedule.unit, periods, schedule.id or 1, None, schedule.duration_s)
    time_base = schedule.start or state.charging.now()
    payload = {
        "timeBase": format_datetime(time_base),
        "evseId": evse_id,
        "chargingSchedule": schedule_to_v201(chosen, 1),
    }
    return (("NotifyEVChargingSchedule", payload),)
