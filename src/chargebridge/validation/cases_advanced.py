"""Cases of the Advanced level: local authorization list, reservations, smart charging (the
measured power must follow TxDefaultProfile and TxProfile; GetCompositeSchedule must agree),
offline behaviour, signed firmware, response times (security profile 3 is in
:mod:`chargebridge.validation.cases_security`)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from chargebridge.domain import charging as ch
from chargebridge.domain.authorization import (
    AuthorizationEntry,
    CancelReservation,
    GetLocalListVersion,
    ReserveNow,
    SendLocalList,
    UpdateType,
    list_version_of,
)
from chargebridge.domain.commands import RemoteStart, RemoteStop
from chargebridge.domain.model import AuthorizationStatus, IdToken, IdTokenInfo
from chargebridge.validation.bench import Bench, ChargingSession, maybe_changed
from chargebridge.validation.cases_standard import install, latency_verdict, new_remote_start_id, pick_image
from chargebridge.validation.evidence import CALL, Frame
from chargebridge.validation.model import ADVANCED_P95_MS, Verdict
from chargebridge.validation.readings import CURRENT, POWER, readings
from chargebridge.validation.verdicts import (
    duplicate_readings,
    judge_composite,
    judge_limit_followed,
    judge_local_list,
    judge_offline,
    judge_reservation,
    measured,
)

# Charging profile ids the bench uses (high, to stay clear of the operator's).
PROFILE_TX_DEFAULT = 9_900_001
PROFILE_TX = 9_900_002
STACK_LEVEL = 8


# -- local authorization list --------------------------------------------------------------------


async def local_list(b: Bench) -> Verdict:
    sent = await b.execute(GetLocalListVersion())
    if sent.outcome is None:
        return Verdict.failed(f"GetLocalListVersion: {sent.shown()}")
    try:
        current = list_version_of(sent.outcome)
    except ValueError:
        return Verdict.failed("GetLocalListVersion carried no version")
    if current < 0:
        return Verdict.failed("the station has no local authorization list (version -1)")
    managed = b.ports.local_list is not None and await b.ports.local_list.eligible(b.station_id)
    if current > 0 and not managed:
        return Verdict.skipped(
            f"the station holds list version {current}, which chargebridge does not manage: the bench could "
            "not put its content back"
        )
    b.restore.local_list = (current, managed)
    version = current + 1
    entry = AuthorizationEntry(IdToken(b.token, "Central"), IdTokenInfo(AuthorizationStatus.ACCEPTED))
    answer = await b.execute(SendLocalList(version, UpdateType.FULL, (entry,)))
    read = await b.execute(GetLocalListVersion())
    try:
        reported = list_version_of(read.outcome) if read.outcome is not None else None
    except ValueError:
        reported = None
    return judge_local_list(answer.shown(), version, reported)


# -- reservations --------------------------------------------------------------------------------


async def reservation(b: Bench) -> Verdict:
    s = b.settings
    evse = s.evse_id
    reserved_states = frozenset({"Reserved"})
    expires = b.ports.clock.now() + timedelta(seconds=max(60.0, 4 * s.response_timeout_s))
    token = IdToken(b.token, "Central")
    cursor = b.log.cursor
    service = b.ports.reservations
    reservation_id: int | None = None
    if service is not None:
        try:
            row, answer = await service.reserve(
                b.station_id,
                id_token=token,
                expires_at=expires,
                evse_id=evse,
                requested_by=f"validation run {b.run_id}",
            )
            reservation_id = int(row["id"])
            reserve_answer: str | None = answer.outcome.status
        except Exception as exc:  # a refused or unanswered ReserveNow
            reserve_answer = f"{type(exc).__name__}: {exc}"[:200]
    else:
        reservation_id = uuid.uuid4().int % 2_000_000_000 + 1
        reserve_answer = (await b.execute(ReserveNow(reservation_id, token, expires, evse))).shown()
    if reservation_id is not None and reserve_answer == "Accepted":
        b.restore.reservations[reservation_id] = service is not None
    reserved = False
    if reserve_answer == "Accepted":
        reserved = await b.wait_status(evse, reserved_states, s.response_timeout_s, cursor) is not None
    cancel_answer: str | None = None
    available = False
    if reservation_id is not None and reserve_answer == "Accepted":
        cursor = b.log.cursor
        if service is not None:
            try:
                _, answer = await service.cancel(b.station_id, reservation_id)
                cancel_answer = answer.outcome.status
            except Exception as exc:
                cancel_answer = f"{type(exc).__name__}: {exc}"[:200]
        else:
            cancel_answer = (await b.execute(CancelReservation(reservation_id))).shown()
        if cancel_answer == "Accepted":
            b.restore.reservations.pop(reservation_id, None)
            available = await b.wait_status(evse, frozenset({"Available"}), s.response_timeout_s, cursor) is not None
    return judge_reservation(reserve_answer, reserved, cancel_answer, available, s.response_timeout_s)


# -- smart charging ------------------------------------------------------------------------------


def _reference(b: Bench) -> tuple[str, list[float]]:
    """The unit to limit in (W when the station samples power, else A) and what the EV drew in
    the sessions seen so far."""
    values = readings(b.version, b.log.frames(0))
    has_power = any(r.measurand == POWER for r in values)
    unit = "W" if has_power or not any(r.measurand == CURRENT for r in values) else "A"
    return unit, [v for _, v in measured(values, unit) if v > 0]


def _profile(
    purpose: ch.ProfilePurpose, profile_id: int, limit: float, unit: str, tx: str | None
) -> ch.ChargingProfile:
    """A one-period Relative profile (from the start of the transaction it applies to)."""
    schedule = ch.ChargingSchedule(
        ch.RateUnit(unit), (ch.SchedulePeriod(0, round(limit, 1)),), id=profile_id % 1_000_000
    )
    return ch.ChargingProfile(
        id=profile_id,
        stack_level=STACK_LEVEL,
        purpose=purpose,
        kind=ch.ProfileKind.RELATIVE,
        schedules=(schedule,),
        transaction_id=tx,
    )


async def _samples_after(b: Bench, session: ChargingSession, cursor: int, count: int) -> list[float]:
    """``count`` measured samples of the session from ``cursor``, skipping the first one (the
    limit gets a sample interval to take effect); waits at most (count + 2) intervals + the
    response time."""
    s = b.settings
    budget = (count + 2) * s.meter_interval_s + s.response_timeout_s
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget

    def values() -> list[float]:
        found = [r for r in readings(b.version, b.log.frames(cursor)) if r.transaction_id == session.transaction_id]
        return [v for _, v in measured(found, session.unit)][1:]

    while loop.time() < deadline and len(values()) < count:
        await b.wait_for(lambda e: isinstance(e, Frame) and e.from_station, max(0.05, deadline - loop.time()))
    return values()[:count]


def _limits(unit: str, reference: float) -> tuple[float, float]:
    """(TxDefaultProfile limit, TxProfile limit): clearly below what the EV draws, the second
    below the first; never below 6 A (IEC 61851) when limiting current."""
    if unit == "A":
        return max(8.0, round(reference * 0.6)), max(6.0, round(reference * 0.4))
    return round(reference * 0.6, -1), round(reference * 0.35, -1)


async def _charging_session(b: Bench) -> ChargingSession | Verdict:
    """Start (once) the session smart charging and the offline case use: TxDefaultProfile first,
    then a remote start."""
    if b.charging is not None:
        return b.charging
    s = b.settings
    unit, reference = _reference(b)
    if not reference:
        return Verdict.skipped("no earlier session showed the EV drawing power: a limit could not be observed")
    ref = max(reference)
    default_limit, tx_limit = _limits(unit, ref)
    # TxDefaultProfile before the session: it must limit the transaction that follows.
    profile = _profile(ch.ProfilePurpose.TX_DEFAULT, PROFILE_TX_DEFAULT, default_limit, unit, None)
    default_answer = await b.execute(ch.SetChargingProfile(s.evse_id, profile))
    if maybe_changed(default_answer):
        b.restore.profiles[PROFILE_TX_DEFAULT] = s.evse_id
    cursor = b.log.cursor
    sent = await b.execute(
        RemoteStart(IdToken(b.token, "Central"), evse_id=s.evse_id, remote_start_id=new_remote_start_id())
    )
    started = None
    if sent.status == "Accepted":
        started = await b.wait_tx(lambda m: m.kind == "started", s.response_timeout_s, cursor)
    if started is None or started.transaction_id is None:
        return Verdict.skipped(f"no transaction could be started to observe the limits (remote start: {sent.shown()})")
    b.restore.transactions.add(started.transaction_id)
    session = ChargingSession(started.transaction_id, started.evse_id or s.evse_id, started.seq, unit, list(reference))
    session.verdicts["default_answer"] = default_answer.shown()
    session.verdicts["limits"] = (default_limit, tx_limit)
    b.charging = session
    return session


async def smart_charging_default(b: Bench) -> Verdict:
    session = await _charging_session(b)
    if isinstance(session, Verdict):
        return session
    s = b.settings
    default_limit, _ = session.verdicts["limits"]
    after = await _samples_after(b, session, session.started_seq, s.meter_samples)
    verdict = judge_limit_followed(
        "TxDefaultProfile",
        session.reference,
        after,
        default_limit,
        session.unit,
        tolerance=s.power_tolerance,
        margin=_margin(b, session.unit),
        min_samples=s.meter_samples,
        answer=session.verdicts["default_answer"],
    )
    session.verdicts["default_after"] = after
    return verdict


def _margin(b: Bench, unit: str) -> float:
    return b.settings.power_margin_w if unit == "W" else 0.5


async def smart_charging_tx(b: Bench) -> Verdict:
    session = await _charging_session(b)
    if isinstance(session, Verdict):
        return session
    s = b.settings
    _, tx_limit = session.verdicts["limits"]
    profile = _profile(ch.ProfilePurpose.TX, PROFILE_TX, tx_limit, session.unit, session.transaction_id)
    cursor = b.log.cursor
    answer = await b.execute(ch.SetChargingProfile(session.evse_id, profile))
    if maybe_changed(answer):
        b.restore.profiles[PROFILE_TX] = session.evse_id
    after = await _samples_after(b, session, cursor, s.meter_samples)
    before = session.verdicts.get("default_after") or session.reference
    return judge_limit_followed(
        "TxProfile",
        before,
        after,
        tx_limit,
        session.unit,
        tolerance=s.power_tolerance,
        margin=_margin(b, session.unit),
        min_samples=s.meter_samples,
        answer=answer.shown(),
    )


async def composite_schedule(b: Bench) -> Verdict:
    session = await _charging_session(b)
    if isinstance(session, Verdict):
        return session
    _, tx_limit = session.verdicts["limits"]
    sent = await b.execute(ch.GetCompositeSchedule(session.evse_id, 300, ch.RateUnit(session.unit)))
    composite = sent.outcome.composite if sent.outcome is not None else None
    limit_now = None
    unit = None
    if composite is not None:
        unit = composite.unit.value
        elapsed = max(0.0, (b.ports.clock.now() - composite.start).total_seconds())
        current = [p for p in composite.periods if p.start_s <= elapsed]
        limit_now = current[-1].limit if current else None
    return judge_composite(sent.shown(), unit, limit_now, tx_limit, session.unit)


async def _clear_profiles(b: Bench) -> None:
    for profile_id in list(b.restore.profiles):
        sent = await b.execute(ch.ClearChargingProfile(profile_id=profile_id))
        if sent.status in ("Accepted", "Unknown"):
            evse = b.restore.profiles.pop(profile_id, None)
            b.restore.restored.append(f"charging profile {profile_id} (EVSE {evse}) cleared")


# -- offline behaviour ---------------------------------------------------------------------------


async def offline(b: Bench) -> Verdict:
    s = b.settings
    session = await _charging_session(b)
    if isinstance(session, Verdict):
        return session
    await _clear_profiles(b)  # charge freely again while offline
    gateway = b.ports.gateway
    tx = session.transaction_id
    async with b.expect_disconnect():
        cursor = b.log.cursor
        dropped_at = b.ports.clock.now()
        gone = None
        gateway.hold_off(b.station_id, s.offline_window)
        try:
            await b.connection().close(1001, "validation bench: offline test")
            gone = await b.wait_event("station.disconnected", s.response_timeout_s, cursor)
            if gone is not None:
                await b.sleep(s.offline_window)  # the station charges on and queues its messages
        finally:
            gateway.hold_off(b.station_id, 0)
        back = await b.wait_event("station.connected", s.reboot_timeout_s, cursor) if gone is not None else None
    reconnected_at = b.ports.clock.now()
    dropped_seq = gone.seq if gone is not None else cursor
    reconnected_seq = back.seq if back is not None else None
    if back is not None:
        # The queue arrives after the reconnect (and a BootNotification, if the station sends one).
        if b.v16:
            await b.wait_call(
                "MeterValues", s.response_timeout_s, back.seq, lambda f: str(f.payload.get("transactionId")) == tx
            )
        else:
            await b.wait_call(
                "TransactionEvent", s.response_timeout_s, back.seq, lambda f: f.payload.get("offline") is True
            )
    ended = False
    if back is not None:
        stop_cursor = b.log.cursor
        sent = await b.execute(RemoteStop(tx))
        if sent.status == "Accepted":
            ended = (
                await b.wait_tx(
                    lambda m: m.kind == "ended" and m.transaction_id == tx, s.response_timeout_s, stop_cursor
                )
                is not None
            )
        if ended:
            b.restore.transactions.discard(tx)
            b.charging = None
        # Anything still queued (an Ended event behind the offline ones) gets its response time.
        await b.wait_for(lambda e: False, min(1.0, s.response_timeout_s))
    frames = list(b.log.frames(session.started_seq))
    messages = b.tx_messages(session.started_seq)
    offline_values = 0
    if b.v16 and reconnected_seq is not None:
        late = [
            r
            for r in readings(b.version, (f for f in frames if f.seq > reconnected_seq))
            if r.transaction_id == tx and r.timestamp is not None and dropped_at <= r.timestamp <= reconnected_at
        ]
        offline_values = len({(r.seq, r.timestamp_text) for r in late})
        answered = frozenset(_answered_seqs(frames))
        duplicates = duplicate_readings([r for r in readings(b.version, frames) if r.transaction_id == tx], answered)
        if duplicates:
            return Verdict.failed(f"{duplicates} meter values were delivered again after being acknowledged")
    return judge_offline(
        b.version,
        messages,
        transaction_id=tx,
        reconnected=back is not None,
        dropped_seq=dropped_seq,
        reconnected_seq=reconnected_seq,
        offline_meter_values=offline_values,
        ended=ended,
    )


def _answered_seqs(frames: list[Frame]) -> list[int]:
    results = {f.message_id for f in frames if not f.from_station and f.type == 3}
    return [f.seq for f in frames if f.type == CALL and f.from_station and f.message_id in results]


# -- signed firmware -----------------------------------------------------------------------------


async def signed_firmware(b: Bench) -> Verdict:
    """Prefer the image of the version the station ran before the run (it puts the station back)."""
    original = b.restore.firmware
    image: dict[str, Any] | None = None
    if original is not None and original[1] is not None:
        station = await b.ports.store.get_station(b.station_id)
        if station is not None and station["firmware_version"] != original[0]:
            image = original[1]
    if image is None:
        station = await b.ports.store.get_station(b.station_id)
        image, why = await pick_image(b, other_than=station["firmware_version"] if station else None)
        if image is None:
            return Verdict.skipped(why or "no firmware image")
    if not image.get("signature") or not image.get("signing_certificate"):
        return Verdict.skipped(f"image {image['id']} carries no signature")
    return await install(b, image, signed=True)


async def response_time_advanced(b: Bench) -> Verdict:
    return latency_verdict(b, ADVANCED_P95_MS)


__all__ = [
    "composite_schedule",
    "local_list",
    "offline",
    "reservation",
    "response_time_advanced",
    "signed_firmware",
    "smart_charging_default",
    "smart_charging_tx",
]
