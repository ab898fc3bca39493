"""Smart charging as the CSMS does it, for both OCPP versions.

Commands (set, clear, report, composite schedule) go out as neutral commands; what a station
accepted is stored per station and EVSE. The station's own block K messages are answered here:
ReportChargingProfiles fills the profile store, NotifyChargingLimit / ClearedChargingLimit record
external limits, NotifyEVChargingNeeds is answered and followed by a TxProfile whose schedule is
derived from the station's limits (K15), NotifyEVChargingSchedule is checked against them (K16/K17).

The energy manager (and anything else in the process) uses the small interface at the end:
:meth:`SmartChargingService.set_limit`, :meth:`~SmartChargingService.limits_for`,
:meth:`~SmartChargingService.get_composite_schedule` and :meth:`~SmartChargingService.add_listener`.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from chargebridge.bus.memory import EventBus, Subscription
from chargebridge.domain import charging as ch
from chargebridge.domain.commands import Command, CommandOutcome
from chargebridge.domain.composite import (
    ActiveTransaction,
    Conversion,
    LimitPeriod,
    limit_periods,
    schedule_excess,
    schedule_for_needs,
)
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.requests import Ack
from chargebridge.domain.timeutil import format_datetime
from chargebridge.services.clock import Clock
from chargebridge.smartcharging.store import (
    ORIGIN_CSMS,
    SmartChargingStore,
    installed_of,
    limit_profiles,
)
from chargebridge.store.repository import Row, Store
from chargebridge.tasks import BackgroundTasks, cancel_and_wait

log = logging.getLogger(__name__)

NEEDS_HORIZON_S = 24 * 3600  # an EV that gives no departure time gets a schedule for a day
MAX_HORIZON_S = 7 * 24 * 3600


class _Answer(Protocol):
    @property
    def action(self) -> str: ...

    @property
    def outcome(self) -> CommandOutcome: ...

    @property
    def round_trip_ms(self) -> float: ...


class CommandChannel(Protocol):
    """Sends a neutral command to a connected station (the gateway)."""

    async def execute(self, station_id: str, command: Command, timeout_s: float | None = None) -> _Answer: ...


class RequestRegistry(Protocol):
    """Where station request handlers are registered (services.station_requests.StationRequests)."""

    def register(self, request_type: type, handler: Callable[..., Awaitable[Any]]) -> None: ...


# -- what listeners (the energy manager) are told ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExternalLimitNotice:
    """An external system set (``cleared`` False) or released a limit on a station (K11-K13)."""

    station_id: str
    evse_id: int
    source: ch.LimitSource
    at: datetime
    cleared: bool = False
    grid_critical: bool | None = None
    schedules: tuple[ch.ChargingSchedule, ...] = ()


@dataclass(frozen=True, slots=True)
class EvNeedsNotice:
    """An ISO 15118 EV said what it needs (K15/K17); ``schedule`` is what the CSMS offered."""

    station_id: str
    evse_id: int
    needs: ch.EvChargingNeeds
    at: datetime
    transaction_id: str | None = None
    schedule: ch.ChargingSchedule | None = None


Notice = ExternalLimitNotice | EvNeedsNotice
Listener = Callable[[Notice], Awaitable[None] | None]


@dataclass
class _PendingReport:
    evse_id: int | None
    filtered: bool
    done: asyncio.Event = field(default_factory=asyncio.Event)
    profiles: list[tuple[int, ch.ChargingProfile, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReportResult:
    """GetChargingProfiles: the station's answer and the profiles its ReportChargingProfiles listed."""

    status: str
    request_id: int
    profiles: tuple[tuple[int, ch.ChargingProfile, str], ...]
    complete: bool  # every part (tbc false) arrived before the timeout
    round_trip_ms: float


def _profile_event(action: str, evse_id: int, profile_row: dict[str, Any]) -> dict[str, Any]:
    return {"action": action, "evse_id": evse_id, **profile_row}


def _profile_data(evse_id: int, profile: ch.ChargingProfile) -> dict[str, Any]:
    return {
        "evse_id": evse_id,
        "profile_id": profile.id,
        "purpose": profile.purpose.value,
        "stack_level": profile.stack_level,
        "transaction_id": profile.transaction_id,
        "profile": ch.profile_json(profile),
    }


class SmartChargingService:
    def __init__(
        self,
        store: Store,
        channel: CommandChannel,
        bus: EventBus,
        clock: Clock,
        *,
        report_timeout_s: float = 30.0,
        conversion: Conversion | None = None,
    ):
        self.store = store
        self.data = SmartChargingStore(store)
        self.channel = channel
        self.bus = bus
        self.clock = clock
        self.report_timeout_s = report_timeout_s
        self.conversion = conversion or Conversion()
        self._listeners: list[Listener] = []
        # The energy manager's question "do you balance this EVSE?": then an EV's needs are answered
        # within the TxProfile the balancer installed (its allocation), not around it.
        self.balanced: Callable[[str, int], bool] | None = None
        self._reports: dict[tuple[str, int], _PendingReport] = {}
        self._background = BackgroundTasks(log, "smart charging background work failed")
        self._subscription: Subscription | None = None
        self._consumer: asyncio.Task[None] | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def register(self, requests: RequestRegistry) -> None:
        """Answer the station's block K messages (called before stations connect)."""
        requests.register(ch.ReportChargingProfilesRequest, self._on_report)
        requests.register(ch.NotifyChargingLimitRequest, self._on_limit)
        requests.register(ch.ClearedChargingLimitRequest, self._on_limit_cleared)
        requests.register(ch.NotifyEvChargingNeedsRequest, self._on_ev_needs)
        requests.register(ch.NotifyEvChargingScheduleRequest, self._on_ev_schedule)

    def start(self) -> None:
        self._subscription = self.bus.subscribe("smartcharging", {EventKind.TRANSACTION_ENDED})
        self._consumer = asyncio.create_task(self._consume(self._subscription), name="smartcharging-events")

    async def stop(self) -> None:
        if self._subscription is not None:
            self.bus.unsubscribe(self._subscription)
        if self._consumer is not None:
            await cancel_and_wait(self._consumer)
        await self._background.wait()

    async def _consume(self, subscription: Subscription) -> None:
        while True:
            event = await subscription.get()
            transaction_id = event.data.get("transaction_id")
            if event.kind is EventKind.TRANSACTION_ENDED and isinstance(transaction_id, str):
                try:
                    removed = await self.data.remove_transaction_profiles(event.station_id, transaction_id)
                except Exception:
                    log.exception(
                        "%s: could not drop the TxProfiles of transaction %s", event.station_id, transaction_id
                    )
                    continue
                for row in removed:
                    self._publish_profile("ended", event.station_id, row, self.clock.now())

    # -- listeners --------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Be told of external limits and EV charging needs as they arrive (called in the
        background, after the station was answered; a failing listener is logged)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _notify(self, notice: Notice) -> None:
        for listener in list(self._listeners):
            self._spawn(self._call_listener(listener, notice))

    async def _call_listener(self, listener: Listener, notice: Notice) -> None:
        result = listener(notice)
        if inspect.isawaitable(result):
            await result

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        self._background.spawn(work)

    def _publish(self, kind: EventKind, station_id: str, at: datetime, data: dict[str, Any]) -> None:
        self.bus.publish(DomainEvent(kind, station_id, at, data))

    def _publish_profile(self, action: str, station_id: str, row: Row, at: datetime) -> None:
        data = {
            "profile_id": row["profile_id"],
            "purpose": row["purpose"],
            "stack_level": row["stack_level"],
            "transaction_id": row["transaction_id"],
        }
        self._publish(EventKind.CHARGING_PROFILE, station_id, at, _profile_event(action, row["evse_id"], data))

    # -- commands -----------------------------------------------------------------------------

    async def check(self, station_id: str, evse_id: int, profile: ch.ChargingProfile) -> None:
        """Raise ProfileError for a profile the station must refuse (K01 rules the CSMS can check)."""
        ch.check_profile(evse_id, profile)
        if profile.purpose is ch.ProfilePurpose.TX and profile.transaction_id is not None:
            # K01.FR.39: one TxProfile per stack level and transaction.
            for row in await self.data.profiles(station_id, purpose=ch.ProfilePurpose.TX):
                if (
                    row["transaction_id"] == profile.transaction_id
                    and row["stack_level"] == profile.stack_level
                    and row["profile_id"] != profile.id
                ):
                    raise ch.ProfileError(
                        f"TxProfile {row['profile_id']} already has stack level {profile.stack_level} "
                        f"for transaction {profile.transaction_id}"
                    )

    async def set_profile(
        self, station_id: str, evse_id: int, profile: ch.ChargingProfile, *, timeout_s: float | None = None
    ) -> _Answer:
        """Send SetChargingProfile; an Accepted profile is stored (replacing the one it replaces)."""
        await self.check(station_id, evse_id, profile)
        answer = await self.channel.execute(station_id, ch.SetChargingProfile(evse_id, profile), timeout_s)
        if answer.outcome.status == "Accepted":
            await self.installed(station_id, evse_id, profile)
        return answer

    async def installed(self, station_id: str, evse_id: int, profile: ch.ChargingProfile) -> None:
        """Record a profile the station accepted (SetChargingProfile, or a remote start's TxProfile)."""
        now = self.clock.now()
        replaced = await self.data.save_profile(station_id, evse_id, profile, origin=ORIGIN_CSMS, now=now)
        for profile_id in replaced:
            self._publish(
                EventKind.CHARGING_PROFILE,
                station_id,
                now,
                {"action": "replaced", "evse_id": evse_id, "profile_id": profile_id},
            )
        self._publish(EventKind.CHARGING_PROFILE, station_id, now, {"action": "set", **_profile_data(evse_id, profile)})

    async def clear_profiles(
        self,
        station_id: str,
        *,
        profile_id: int | None = None,
        evse_id: int | None = None,
        purpose: ch.ProfilePurpose | None = None,
        stack_level: int | None = None,
    ) -> tuple[_Answer, list[Row]]:
        if purpose is ch.ProfilePurpose.EXTERNAL:
            raise ch.ProfileError("external constraints are released by their source, not cleared by the CSMS")
        command = ch.ClearChargingProfile(profile_id, evse_id, purpose, stack_level)
        answer = await self.channel.execute(station_id, command)
        removed: list[Row] = []
        if answer.outcome.status == "Accepted":
            removed = await self.cleared(station_id, command)
        return answer, removed

    async def cleared(self, station_id: str, command: ch.ClearChargingProfile) -> list[Row]:
        """Record what an accepted ClearChargingProfile removed from the station."""
        removed = await self.data.remove_profiles(
            station_id,
            profile_id=command.profile_id,
            evse_id=command.evse_id,
            purpose=command.purpose,
            stack_level=command.stack_level,
        )
        now = self.clock.now()
        for row in removed:
            self._publish_profile("cleared", station_id, row, now)
        return removed

    async def get_composite_schedule(
        self, station_id: str, evse_id: int, duration_s: int, unit: ch.RateUnit | None = None
    ) -> _Answer:
        """Ask the station (GetCompositeSchedule); ``answer.outcome.composite`` is the neutral schedule."""
        return await self.channel.execute(station_id, ch.GetCompositeSchedule(evse_id, duration_s, unit))

    async def report(
        self,
        station_id: str,
        *,
        evse_id: int | None = None,
        purpose: ch.ProfilePurpose | None = None,
        stack_level: int | None = None,
        profile_ids: Sequence[int] = (),
        sources: Sequence[ch.LimitSource] = (),
        timeout_s: float | None = None,
    ) -> ReportResult:
        """GetChargingProfiles (2.0.1, K09) and the profiles the station reports for it."""
        request_id = secrets.randbelow(2**31 - 1) + 1
        filtered = bool(purpose is not None or stack_level is not None or profile_ids or sources)
        pending = _PendingReport(evse_id, filtered)
        key = (station_id, request_id)
        self._reports[key] = pending
        try:
            command = ch.GetChargingProfiles(
                request_id, evse_id, purpose, stack_level, tuple(profile_ids), tuple(sources)
            )
            answer = await self.channel.execute(station_id, command)
            complete = True
            if answer.outcome.status == "Accepted":
                try:
                    async with asyncio.timeout(timeout_s or self.report_timeout_s):
                        await pending.done.wait()
                except TimeoutError:
                    complete = False
            return ReportResult(
                answer.outcome.status, request_id, tuple(pending.profiles), complete, answer.round_trip_ms
            )
        finally:
            self._reports.pop(key, None)

    # -- the interface of the energy manager ------------------------------------------------

    async def set_limit(
        self,
        station_id: str,
        evse_id: int,
        limit: float,
        unit: ch.RateUnit,
        *,
        transaction_id: str | None = None,
        purpose: ch.ProfilePurpose | None = None,
        profile_id: int | None = None,
        stack_level: int = 0,
        number_phases: int | None = None,
        duration_s: int | None = None,
        timeout_s: float | None = None,
    ) -> _Answer:
        """Limit a station (``evse_id`` 0: ChargingStationMaxProfile), an EVSE (TxDefaultProfile) or a
        transaction (TxProfile) to ``limit`` from now on (for ``duration_s`` if given). The same
        profile id is reused for the same place and purpose, so a new limit replaces the old one."""
        if purpose is None:
            if transaction_id is not None:
                purpose = ch.ProfilePurpose.TX
            else:
                purpose = ch.ProfilePurpose.STATION_MAX if evse_id == 0 else ch.ProfilePurpose.TX_DEFAULT
        if profile_id is None:
            profile_id = await self._profile_id_for(station_id, evse_id, purpose, stack_level, transaction_id)
        now = self.clock.now()
        relative = purpose is not ch.ProfilePurpose.STATION_MAX and duration_s is None
        schedule = ch.ChargingSchedule(
            unit,
            (ch.SchedulePeriod(0, ch.round_limit(limit), number_phases),),
            start=None if relative else now,
            duration_s=duration_s,
        )
        profile = ch.ChargingProfile(
            id=profile_id,
            stack_level=stack_level,
            purpose=purpose,
            kind=ch.ProfileKind.RELATIVE if relative else ch.ProfileKind.ABSOLUTE,
            schedules=(schedule,),
            transaction_id=transaction_id,
        )
        return await self.set_profile(station_id, evse_id, profile, timeout_s=timeout_s)

    async def _profile_id_for(
        self,
        station_id: str,
        evse_id: int,
        purpose: ch.ProfilePurpose,
        stack_level: int,
        transaction_id: str | None,
    ) -> int:
        for row in await self.data.profiles(station_id, evse_id=evse_id, purpose=purpose):
            if row["stack_level"] == stack_level and row["transaction_id"] == transaction_id:
                return int(row["profile_id"])
        return await self.data.next_profile_id(station_id)

    async def limits_for(
        self,
        station_id: str,
        evse_id: int,
        unit: ch.RateUnit,
        *,
        start: datetime | None = None,
        duration_s: int = NEEDS_HORIZON_S,
        conversion: Conversion | None = None,
        exclude_profile: int | None = None,
    ) -> tuple[LimitPeriod, ...]:
        """What the CSMS expects the station to allow on ``evse_id``: the composite of the profiles
        it holds and the external limits it reported (None where nothing limits)."""
        begin = start or self.clock.now()
        installed = [
            item for item in installed_of(await self.data.profiles(station_id)) if item.profile.id != exclude_profile
        ]
        installed += limit_profiles(await self.data.limits(station_id))
        tx = await self.active_transaction(station_id, evse_id) if evse_id > 0 else None
        return limit_periods(
            installed,
            evse_id,
            begin,
            min(duration_s, MAX_HORIZON_S),
            unit,
            transaction=tx,
            conversion=conversion or self.conversion,
            now=begin,
        )

    async def active_transaction(self, station_id: str, evse_id: int) -> ActiveTransaction | None:
        rows, _ = await self.store.list_transactions(station_id=station_id, active=True, limit=50)
        for row in rows:
            if row["evse_id"] == evse_id and not row["orphan"]:
                return ActiveTransaction(row["transaction_id"], row["started_at"] or self.clock.now())
        return None

    # -- station requests ---------------------------------------------------------------------

    async def _on_report(
        self, station_id: str, version: str, request: ch.ReportChargingProfilesRequest, now: datetime
    ) -> Ack:
        pending = self._reports.get((station_id, request.request_id))
        reported = [(request.evse_id, profile, request.source.value) for profile in request.profiles]
        if pending is not None:
            pending.profiles.extend(reported)
            if not request.tbc:
                complete = not pending.filtered
                stale = await self.data.replace_reported(
                    station_id, pending.profiles, evse_scope=pending.evse_id, complete=complete, now=now
                )
                for profile_id in stale:
                    self._publish(
                        EventKind.CHARGING_PROFILE, station_id, now, {"action": "gone", "profile_id": profile_id}
                    )
                pending.done.set()
        else:  # unsolicited, or after we stopped waiting: still what the station holds
            await self.data.replace_reported(station_id, reported, evse_scope=None, complete=False, now=now)
        for evse_id, profile, source in reported:
            data = {"action": "reported", "limit_source": source, **_profile_data(evse_id, profile)}
            self._publish(EventKind.CHARGING_PROFILE, station_id, now, data)
        return Ack()

    async def _on_limit(
        self, station_id: str, version: str, request: ch.NotifyChargingLimitRequest, now: datetime
    ) -> Ack:
        evse_id = request.evse_id or 0
        schedules = [ch.schedule_json(schedule) for schedule in request.schedules]
        await self.data.add_limit(station_id, evse_id, request.source.value, request.grid_critical, schedules, now)
        data = {
            "evse_id": evse_id,
            "source": request.source.value,
            "grid_critical": request.grid_critical,
            "schedules": schedules,
            "cleared": False,
        }
        self._publish(EventKind.CHARGING_LIMIT, station_id, now, data)
        self._notify(
            ExternalLimitNotice(
                station_id,
                evse_id,
                request.source,
                now,
                grid_critical=request.grid_critical,
                schedules=request.schedules,
            )
        )
        return Ack()

    async def _on_limit_cleared(
        self, station_id: str, version: str, request: ch.ClearedChargingLimitRequest, now: datetime
    ) -> Ack:
        evse_id = request.evse_id or 0
        cleared = await self.data.clear_limit(station_id, evse_id, request.source.value, now)
        data = {"evse_id": evse_id, "source": request.source.value, "cleared": True, "known": cleared > 0}
        self._publish(EventKind.CHARGING_LIMIT, station_id, now, data)
        self._notify(ExternalLimitNotice(station_id, evse_id, request.source, now, cleared=True))
        return Ack()

    async def _on_ev_needs(
        self, station_id: str, version: str, request: ch.NotifyEvChargingNeedsRequest, now: datetime
    ) -> ch.EvChargingNeedsResponse:
        tx = await self.active_transaction(station_id, request.evse_id)
        values: dict[str, Any] = {
            "station_id": station_id,
            "evse_id": request.evse_id,
            "transaction_id": tx.transaction_id if tx else None,
            "needs": request.needs.to_json(),
            "max_schedule_tuples": request.max_schedule_tuples,
            "received_at": now,
            "answered_at": now,
        }
        if tx is None or tx.transaction_id is None:
            reason = f"no transaction is running on EVSE {request.evse_id}"
            answer = ch.EvChargingNeedsResponse(ch.EvNeedsStatus.REJECTED, "TxNotFound", reason)
            await self.data.add_needs({**values, "status": answer.status.value, "reason": reason})
            self._publish_needs(station_id, request, None, answer, now)
            return answer
        answer = ch.EvChargingNeedsResponse(ch.EvNeedsStatus.ACCEPTED)
        needs_id = await self.data.add_needs({**values, "status": answer.status.value})
        self._publish_needs(station_id, request, tx.transaction_id, answer, now)
        self._notify(EvNeedsNotice(station_id, request.evse_id, request.needs, now, tx.transaction_id))
        # Started last: the answer goes out first, then the TxProfile (K15.FR.03).
        self._spawn(self._offer_schedule(station_id, request, tx, needs_id, now))
        return answer

    def _publish_needs(
        self,
        station_id: str,
        request: ch.NotifyEvChargingNeedsRequest,
        transaction_id: str | None,
        answer: ch.EvChargingNeedsResponse,
        now: datetime,
    ) -> None:
        data = {
            "stage": "answered",
            "evse_id": request.evse_id,
            "transaction_id": transaction_id,
            "needs": request.needs.to_json(),
            "status": answer.status.value,
            "reason": answer.reason,
        }
        self._publish(EventKind.EV_CHARGING_NEEDS, station_id, now, data)

    async def _offer_schedule(
        self,
        station_id: str,
        request: ch.NotifyEvChargingNeedsRequest,
        tx: ActiveTransaction,
        needs_id: int,
        now: datetime,
    ) -> None:
        """K15: a TxProfile for the EV's transaction, derived from the station's limits."""
        needs = request.needs
        dc = needs.transfer is ch.EnergyTransfer.DC
        conversion = Conversion(self.conversion.voltage_v, needs.transfer.phases, dc=dc)
        unit = ch.RateUnit.WATTS if dc else ch.RateUnit.AMPERES
        horizon = NEEDS_HORIZON_S
        if needs.departure is not None:
            horizon = max(60, min(MAX_HORIZON_S, int((needs.departure - now).total_seconds())))
        stack_level, profile_id = await self._tx_slot(station_id, request.evse_id, tx.transaction_id)
        balanced = self.balanced is not None and self.balanced(station_id, request.evse_id)
        allowed = await self.limits_for(
            station_id,
            request.evse_id,
            unit,
            start=now,
            duration_s=horizon,
            conversion=conversion,
            exclude_profile=None if balanced else profile_id,
        )
        schedule = schedule_for_needs(
            needs,
            allowed,
            unit,
            now,
            horizon,
            max_periods=request.max_schedule_tuples,
            conversion=conversion,
        )
        profile = ch.ChargingProfile(
            id=profile_id,
            stack_level=stack_level,
            purpose=ch.ProfilePurpose.TX,
            kind=ch.ProfileKind.ABSOLUTE,
            schedules=(schedule,),
            transaction_id=tx.transaction_id,
        )
        status = "failed"
        try:
            answer = await self.set_profile(station_id, request.evse_id, profile)
            status = answer.outcome.status
        except Exception as exc:  # disconnected, timeout, CALLERROR: recorded, the EV charges on the station's limits
            log.warning("%s: the TxProfile for the EV's needs was not accepted: %s", station_id, exc)
        await self.data.update_needs(
            needs_id, profile_id=profile_id, schedule=ch.schedule_json(schedule), profile_status=status
        )
        data = {
            "stage": "profile",
            "evse_id": request.evse_id,
            "transaction_id": tx.transaction_id,
            "profile_id": profile_id,
            "schedule": ch.schedule_json(schedule),
            "profile_status": status,
        }
        self._publish(EventKind.EV_CHARGING_NEEDS, station_id, self.clock.now(), data)

    async def _tx_slot(self, station_id: str, evse_id: int, transaction_id: str | None) -> tuple[int, int]:
        """(stack level, profile id) for the EV's TxProfile: the highest TxProfile of the transaction
        is replaced (its id reused), else a new profile at stack level 0."""
        rows = [
            row
            for row in await self.data.profiles(station_id, purpose=ch.ProfilePurpose.TX)
            if row["transaction_id"] == transaction_id and row["evse_id"] == evse_id
        ]
        if rows:
            top = max(rows, key=lambda row: row["stack_level"])
            return int(top["stack_level"]), int(top["profile_id"])
        return 0, await self.data.next_profile_id(station_id)

    async def _on_ev_schedule(
        self, station_id: str, version: str, request: ch.NotifyEvChargingScheduleRequest, now: datetime
    ) -> ch.EvChargingScheduleResponse:
        schedule = request.schedule
        span = schedule.duration_s or NEEDS_HORIZON_S
        conversion = Conversion(self.conversion.voltage_v, self.conversion.default_phases)
        allowed = await self.limits_for(
            station_id, request.evse_id, schedule.unit, start=request.time_base, duration_s=span, conversion=conversion
        )
        excess = schedule_excess(
            schedule, request.time_base, allowed, request.time_base, schedule.unit, conversion=conversion
        )
        answer = (
            ch.EvChargingScheduleResponse(True)
            if excess is None
            else ch.EvChargingScheduleResponse(False, "InvalidSchedule", excess)
        )
        await self.data.add_ev_schedule(
            {
                "station_id": station_id,
                "evse_id": request.evse_id,
                "time_base": request.time_base,
                "schedule": ch.schedule_json(schedule),
                "accepted": answer.accepted,
                "reason": excess,
                "received_at": now,
            }
        )
        data = {
            "evse_id": request.evse_id,
            "time_base": format_datetime(request.time_base),
            "schedule": ch.schedule_json(schedule),
            "accepted": answer.accepted,
            "reason": excess,
        }
        self._publish(EventKind.EV_CHARGING_SCHEDULE, station_id, now, data)
        if excess is not None:
            # K16.FR.08: the CSMS renegotiates: the offer goes out again, the EV must fit it.
            self._spawn(self._renegotiate(station_id, request.evse_id))
        return answer

    async def _renegotiate(self, station_id: str, evse_id: int) -> None:
        offer = await self.data.last_offer(station_id, evse_id)
        tx = await self.active_transaction(station_id, evse_id)
        if offer is None or offer["profile_id"] is None or tx is None or tx.transaction_id != offer["transaction_id"]:
            return
        schedule = ch.schedule_from_json(offer["schedule"])
        start = self.clock.now()
        schedule = ch.ChargingSchedule(
            schedule.unit, schedule.periods, schedule.id, schedule.start or start, schedule.duration_s
        )
        stack_level = 0
        for row in await self.data.profiles(station_id, purpose=ch.ProfilePurpose.TX):
            if row["profile_id"] == offer["profile_id"]:
                stack_level = int(row["stack_level"])
        profile = ch.ChargingProfile(
            id=int(offer["profile_id"]),
            stack_level=stack_level,
            purpose=ch.ProfilePurpose.TX,
            kind=ch.ProfileKind.ABSOLUTE,
            schedules=(schedule,),
            transaction_id=tx.transaction_id,
        )
        try:
            await self.set_profile(station_id, evse_id, profile)
        except Exception as exc:
            log.warning("%s: renegotiation (SetChargingProfile) failed: %s", station_id, exc)
