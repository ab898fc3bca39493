"""Reservations: ReserveNow / CancelReservation sent and recorded, expiry, the 2.0.1
ReservationStatusUpdate, and the transaction rule (a reserved EVSE only starts for its token).

States of a reservation (``reservations.state``): ``requested`` (ReserveNow sent), then the
station's answer (``accepted``, ``rejected``, ``faulted``, ``occupied``, ``unavailable``) or
``error`` (no usable answer); an accepted one ends ``used`` (a transaction started with it),
``cancelled`` (CancelReservation accepted), ``expired`` (its expiry passed, or the 2.0.1 station
said so) or ``removed`` (2.0.1 ReservationStatusUpdate Removed).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chargebridge.authorization import reservations as rules
from chargebridge.authorization.store import AuthorizationStore
from chargebridge.bus.memory import EventBus
from chargebridge.domain.authorization import (
    CancelReservation,
    ReservationStatusUpdateRequest,
    ReservationUpdate,
    ReserveNow,
)
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.model import AuthorizationStatus, IdToken, IdTokenInfo
from chargebridge.domain.requests import Ack, TransactionEventRequest
from chargebridge.domain.timeutil import format_datetime
from chargebridge.domain.transactions import TransactionState
from chargebridge.gateway.server import CommandAnswer, Gateway
from chargebridge.rpc import schemas_for
from chargebridge.services.clock import Clock
from chargebridge.store.repository import Row, Store
from chargebridge.tasks import cancel_and_wait

log = logging.getLogger(__name__)

# A transaction may use a reservation in any state but used (it may have just expired or been
# cancelled on our side while the station had already let its driver in).
_CONSUMABLE = rules.STATES - {rules.USED}


@dataclass(frozen=True, slots=True)
class ReservationOptions:
    sweep_s: float = 5.0  # how often expired reservations are looked for


class NotActive(Exception):
    """The reservation has already ended (or never held an EVSE)."""


def reservation_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "station_id": row["station_id"],
        "evse_id": row["evse_id"],
        "connector_type": row["connector_type"],
        "id_token": row["id_token"],
        "id_token_type": row["id_token_type"],
        "group_id_token": row["group_id_token"],
        "expiry_date_time": format_datetime(row["expires_at"]),
        "state": row["state"],
        "active": row["state"] in rules.ACTIVE_STATES,
        "last_status": row["last_status"],
        "detail": row["detail"],
        "transaction_id": row["transaction_id"],
        "used_at": format_datetime(row["used_at"]) if row["used_at"] else None,
        "requested_by": row["requested_by"],
        "created_at": format_datetime(row["created_at"]),
        "updated_at": format_datetime(row["updated_at"]),
    }


class ReservationService:
    def __init__(
        self, store: Store, gateway: Gateway, bus: EventBus, clock: Clock, options: ReservationOptions | None = None
    ):
        self.db = AuthorizationStore(store)
        self.store = store
        self.gateway = gateway
        self.bus = bus
        self.clock = clock
        self.options = options or ReservationOptions()
        # Active reservations per station, so that a transaction message costs no read unless a
        # reservation is involved. This node is the only writer of the table.
        self._active: dict[str, dict[int, Row]] = {}
        # 1.6: StartTransaction dedupe key -> the reservation it used (its transaction id comes after the write).
        self._links: dict[tuple[str, str], int] = {}
        self._sweeper: asyncio.Task[None] | None = None

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        for row in await self.db.active_reservations():
            self._track(row)
        self._sweeper = asyncio.create_task(self._sweep_loop(), name="reservation-expiry")

    async def stop(self) -> None:
        if self._sweeper is not None:
            await cancel_and_wait(self._sweeper)

    def _track(self, row: Row) -> None:
        station = self._active.setdefault(row["station_id"], {})
        if row["state"] in rules.ACTIVE_STATES:
            station[int(row["id"])] = row
        else:
            station.pop(int(row["id"]), None)
            if not station:
                self._active.pop(row["station_id"], None)

    def active_of(self, station_id: str) -> list[Row]:
        return list(self._active.get(station_id, {}).values())

    async def _changed(self, row: Row, now: datetime, why: str) -> None:
        """Keep the index, record the change on the station's timeline, tell the bus."""
        self._track(row)
        data = {"type": "reservation", "why": why, "reservation": reservation_view(row)}
        await self.store.add_station_event(row["station_id"], "reservation", now, data)
        self.bus.publish(DomainEvent(EventKind.STATION_EVENT, row["station_id"], now, data))

    # -- commands ---------------------------------------------------------------------------

    def preflight(self, station_id: str, command: ReserveNow) -> None:
        """Refuse what the station's version cannot carry before anything is stored
        (CommandNotSupported, OcppError for a schema violation, StationNotConnected)."""
        adapter = self.gateway.connection(station_id).adapter
        action, payload = adapter.encode_command(command)
        schemas_for(adapter.version).validate_request(action, payload)

    async def reserve(
        self,
        station_id: str,
        *,
        id_token: IdToken,
        expires_at: datetime,
        evse_id: int | None = None,
        connector_type: str | None = None,
        group_id_token: str | None = None,
        requested_by: str | None = None,
    ) -> tuple[Row, CommandAnswer]:
        """Record a reservation and send ReserveNow; the row carries the station's answer.

        Raises ValueError (expiry not in the future) or what sending a command raises; a
        failure after the row was written leaves it in state ``error`` with the reason."""
        now = self.clock.now()
        if expires_at <= now:
            raise ValueError("expiry_date_time must lie in the future")
        if group_id_token is None:
            stored = await self.store.get_id_token(id_token.value)
            group_id_token = stored["group_id"] if stored is not None else None
        draft = ReserveNow(0, id_token, expires_at, evse_id or None, connector_type, group_id_token)
        self.preflight(station_id, draft)
        row = await self.db.add_reservation(
            {
                "station_id": station_id,
                "evse_id": evse_id or None,
                "connector_type": connector_type,
                "id_token": id_token.value,
                "id_token_type": id_token.type,
                "group_id_token": group_id_token,
                "expires_at": expires_at,
                "state": rules.REQUESTED,
                "requested_by": requested_by,
                "created_at": now,
                "updated_at": now,
            }
        )
        reservation_id = int(row["id"])
        self._track(row)
        command = ReserveNow(reservation_id, id_token, expires_at, evse_id or None, connector_type, group_id_token)
        try:
            answer = await self.gateway.execute(station_id, command)
        except Exception as exc:
            failed = await self.db.update_reservation(
                reservation_id,
                {"state": rules.ERROR, "detail": f"{type(exc).__name__}: {exc}"[:255], "updated_at": self.clock.now()},
                from_states=[rules.REQUESTED],
            )
            await self._changed(failed or row, self.clock.now(), "reserve_failed")
            raise
        status = answer.outcome.status
        updated = await self.db.update_reservation(
            reservation_id,
            {"state": rules.state_for_answer(status), "last_status": status[:32], "updated_at": self.clock.now()},
            from_states=[rules.REQUESTED],
        )
        final = updated or await self.db.get_reservation(reservation_id) or row
        await self._changed(final, self.clock.now(), "reserve_now")
        return final, answer

    async def cancel(self, station_id: str, reservation_id: int) -> tuple[Row, CommandAnswer]:
        """Send CancelReservation; an Accepted answer ends the reservation (``cancelled``).

        Raises LookupError (no such reservation at this station), NotActive, or what sending raises."""
        row = await self.db.get_reservation(reservation_id, station_id)
        if row is None:
            raise LookupError(f"no reservation {reservation_id} at station {station_id!r}")
        if row["state"] not in rules.ACTIVE_STATES:
            raise NotActive(f"reservation {reservation_id} is {row['state']}")
        answer = await self.gateway.execute(station_id, CancelReservation(reservation_id))
        status = answer.outcome.status
        now = self.clock.now()
        if status == "Accepted":
            values: dict[str, Any] = {"state": rules.CANCELLED, "last_status": status, "updated_at": now}
            updated = await self.db.update_reservation(reservation_id, values, from_states=rules.ACTIVE_STATES)
        else:  # the station does not know it (any more): it stays as recorded, with the answer
            values = {"last_status": status[:32], "detail": "CancelReservation was not accepted", "updated_at": now}
            updated = await self.db.update_reservation(reservation_id, values)
        final = updated or await self.db.get_reservation(reservation_id) or row
        await self._changed(final, now, "cancel_reservation")
        return final, answer

    # -- the station's side -----------------------------------------------------------------

    async def status_update(
        self, station_id: str, version: str, request: ReservationStatusUpdateRequest, now: datetime
    ) -> Ack:
        """2.0.1 ReservationStatusUpdate: the station ended a reservation (Expired / Removed)."""
        state = rules.EXPIRED if request.status is ReservationUpdate.EXPIRED else rules.REMOVED
        row = await self.db.get_reservation(request.reservation_id, station_id)
        if row is None:
            data = {"reservation_id": request.reservation_id, "status": request.status.value}
            await self.store.add_station_event(station_id, "unknown_reservation", now, data)
            return Ack()
        values = {"state": state, "last_status": request.status.value, "updated_at": now}
        updated = await self.db.update_reservation(
            request.reservation_id, values, from_states=[*rules.ACTIVE_STATES, rules.ERROR]
        )
        if updated is not None:
            await self._changed(updated, now, "reservation_status_update")
        return Ack()

    async def sweep(self) -> int:
        """Mark active reservations past their expiry ``expired``; returns how many."""
        now = self.clock.now()
        count = 0
        for row in await self.db.due_reservations(now):
            values = {"state": rules.EXPIRED, "updated_at": now}
            updated = await self.db.update_reservation(int(row["id"]), values, from_states=rules.ACTIVE_STATES)
            if updated is not None:
                count += 1
                await self._changed(updated, now, "expired")
        return count

    async def _sweep_loop(self) -> None:
        while True:
            await asyncio.sleep(self.options.sweep_s)
            try:
                await self.sweep()
            except Exception:
                log.exception("reservation expiry sweep failed")

    # -- the transaction rule (StationRequests.transaction_policy) --------------------------

    async def check(
        self, station_id: str, version: str, request: TransactionEventRequest, info: IdTokenInfo | None, now: datetime
    ) -> IdTokenInfo | None:
        active = self.active_of(station_id)
        named = None
        if request.reservation_id is not None:
            named = next((row for row in active if row["id"] == request.reservation_id), None)
            if named is None:
                named = await self.db.get_reservation(request.reservation_id, station_id)
        if not active and named is None:
            return info
        decision = rules.decide(request, active, info.group_id if info is not None else None, named)
        if decision.refuse is not None:
            if info is None or info.status is not AuthorizationStatus.ACCEPTED:
                return info
            data = {
                "reservation_id": decision.refuse,
                "id_token": request.id_token.value if request.id_token else None,
                "evse_id": request.evse_id,
                "transaction_id": request.transaction_id,
            }
            await self.store.add_station_event(station_id, "reservation_refused", now, data)
            self.bus.publish(
                DomainEvent(EventKind.STATION_EVENT, station_id, now, {"type": "reservation_refused", **data})
            )
            return IdTokenInfo(AuthorizationStatus.INVALID, group_id=info.group_id)
        if decision.consume is not None:
            values: dict[str, Any] = {"state": rules.USED, "used_at": request.timestamp, "updated_at": now}
            if request.transaction_id is not None:
                values["transaction_id"] = request.transaction_id
            elif request.dedupe_key is not None:
                self._links[(station_id, request.dedupe_key)] = decision.consume
            updated = await self.db.update_reservation(decision.consume, values, from_states=_CONSUMABLE)
            if updated is not None:
                await self._changed(updated, now, "used")
        return info

    async def recorded(
        self, station_id: str, version: str, request: TransactionEventRequest, state: TransactionState, now: datetime
    ) -> None:
        if request.dedupe_key is None:
            return
        reservation_id = self._links.pop((station_id, request.dedupe_key), None)
        if reservation_id is None:
            return
        try:
            await self.db.update_reservation(
                reservation_id, {"transaction_id": state.transaction_id, "updated_at": now}
            )
        except Exception:  # bookkeeping only: the station's message is stored and must be answered
            log.exception("%s: could not link reservation %s to its transaction", station_id, reservation_id)
