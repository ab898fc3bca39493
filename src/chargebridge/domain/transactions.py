"""Transaction rules: how transaction messages fold into one record, whatever order they arrive in.

Pure functions over :class:`TransactionState`. Merging is order-independent so that
offline-queued events replayed late give the same record as events in order:

- the meter start comes from the event with the lowest seqNo that carries one (a Started
  event, or a 1.6 StartTransaction);
- the meter stop and stop reason come from the Ended event; a late Updated never reopens it;
- register samples only widen the sampled min/max used to cross-check the energy.

Energy is ``meter_stop - meter_start`` in Wh. If the sampled register values fall outside
[start, stop] (beyond a small tolerance) the transaction is flagged, never silently fixed.

Times come from the station's clock. A start later than the moment the server received it
(beyond the clock skew limit) is flagged ``start_in_future``, an end before the start
``end_before_start``, with a ``time_note``: stored as sent, never silently taken as plausible
(billing reads the flags).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chargebridge.domain.model import AuthorizationStatus, MeterSample
from chargebridge.domain.requests import TransactionEventRequest, TransactionEventType

ENERGY_REGISTER = "Energy.Active.Import.Register"


@dataclass(frozen=True, slots=True)
class TransactionState:
    station_id: str
    transaction_id: str
    ocpp_version: str
    active: bool = True
    evse_id: int | None = None
    connector_id: int | None = None
    id_token: str | None = None
    id_token_status: str | None = None
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    meter_start_wh: float | None = None
    meter_stop_wh: float | None = None
    energy_wh: float | None = None
    sampled_min_wh: float | None = None
    sampled_max_wh: float | None = None
    energy_mismatch: bool = False
    energy_note: str | None = None
    stop_reason: str | None = None
    orphan: bool = False
    offline: bool = False
    remote_start_id: int | None = None
    charging_state: str | None = None
    start_seq_no: int | None = None
    end_seq_no: int | None = None
    last_seq_no: int | None = None
    # Finalisation: None while active; "awaiting_events" (ended, seqNos missing), then "complete" or
    # "incomplete" (finalised without them after the wait) with ``finalised_at`` set exactly once.
    completeness: str | None = None
    finalised_at: datetime | None = None
    # The station's clock (migration 0015): the start was later than its arrival at the server
    # (beyond the clock skew limit), or the end is before the start. ``time_note`` says by how much.
    start_in_future: bool = False
    end_before_start: bool = False
    time_note: str | None = None


# How far a station's timestamp may be from the server's clock before it is flagged (the
# ``clock_skew_limit_s`` setting; this is its default).
DEFAULT_CLOCK_SKEW_LIMIT_S = 300.0


COMPLETE, AWAITING_EVENTS, INCOMPLETE = "complete", "awaiting_events", "incomplete"
FINAL = frozenset({COMPLETE, INCOMPLETE})
MAX_MISSING_LISTED = 100


def missing_seq_nos(seen: set[int], started_seq_no: int | None, end_seq_no: int) -> list[int]:
    """The seqNos of a 2.0.1 transaction that have not arrived, up to its Ended event.

    A transaction's events are numbered without gaps from its Started event (2.0.1 E: seqNo is
    incremented by one per TransactionEvent). Stations number from 0 per transaction or continue
    one counter across transactions: the first expected number is the Started event's, and 0
    when the Started event itself has not arrived (so a lost Started is noticed). At most
    :data:`MAX_MISSING_LISTED` are listed (the rest count as missing all the same)."""
    first = started_seq_no if started_seq_no is not None else 0
    missing: list[int] = []
    for seq in range(first, end_seq_no):
        if seq not in seen:
            missing.append(seq)
            if len(missing) >= MAX_MISSING_LISTED:
                break
    return missing


def energy_tolerance_wh(energy_wh: float) -> float:
    """Rounding slack for the cross-check: 1 Wh or 0.5 % of the energy, whichever is larger."""
    return max(1.0, abs(energy_wh) * 0.005)


def register_values(samples: tuple[MeterSample, ...]) -> list[float]:
    return [v for s in samples if (v := s.energy_register_wh()) is not None]


def merge_samples(state: TransactionState, samples: tuple[MeterSample, ...]) -> TransactionState:
    values = register_values(samples)
    if not values:
        return state
    lo, hi = min(values), max(values)
    if state.sampled_min_wh is not None:
        lo = min(lo, state.sampled_min_wh)
    if state.sampled_max_wh is not None:
        hi = max(hi, state.sampled_max_wh)
    return _with_energy(replace(state, sampled_min_wh=lo, sampled_max_wh=hi))


def merge_event(
    state: TransactionState,
    event: TransactionEventRequest,
    token_status: AuthorizationStatus | None = None,
    *,
    received_at: datetime | None = None,
    skew_limit_s: float = DEFAULT_CLOCK_SKEW_LIMIT_S,
) -> TransactionState:
    """Fold one (already de-duplicated) transaction message into the record.

    ``received_at``: when the server received the message; a start it sets that lies beyond
    ``skew_limit_s`` after that moment is flagged ``start_in_future``."""
    seq = event.seq_no
    changes: dict[str, object] = {
        "evse_id": state.evse_id if state.evse_id is not None else event.evse_id,
        "connector_id": state.connector_id if state.connector_id is not None else event.connector_id,
        "offline": state.offline or event.offline,
        "remote_start_id": state.remote_start_id if state.remote_start_id is not None else event.remote_start_id,
    }
    if event.id_token is not None and state.id_token is None:
        changes["id_token"] = event.id_token.value
    if token_status is not None:
        changes["id_token_status"] = token_status.value
    if event.charging_state is not None and (state.last_seq_no is None or seq is None or seq >= state.last_seq_no):
        changes["charging_state"] = event.charging_state
    if seq is not None:
        changes["last_seq_no"] = seq if state.last_seq_no is None else max(seq, state.last_seq_no)
    if event.event_type is TransactionEventType.STARTED or state.started_at is None:
        changes["started_at"] = (
            event.timestamp
            if state.started_at is None or event.event_type is TransactionEventType.STARTED
            else min(state.started_at, event.timestamp)
        )
    if event.meter_start_wh is not None and _lower_seq(seq, state.start_seq_no, state.meter_start_wh):
        changes["meter_start_wh"] = event.meter_start_wh
        changes["start_seq_no"] = seq
    if event.event_type is TransactionEventType.ENDED and state.active:
        changes.update(
            active=False,
            stopped_at=event.timestamp,
            stop_reason=event.stop_reason,
            meter_stop_wh=event.meter_stop_wh,
            end_seq_no=seq,
        )
    merged = replace(state, **changes)  # type: ignore[arg-type]
    future_note = _future_note(state)
    if "started_at" in changes:
        ahead = _ahead_s(merged.started_at, received_at)
        future = ahead is not None and ahead > skew_limit_s
        future_note = f"start {ahead:g} s ahead of the server's clock" if future else None
        merged = replace(merged, start_in_future=future)
    merged = flag_times(merged, future_note)
    return merge_samples(merged, event.meter_values) if event.meter_values else _with_energy(merged)


def _ahead_s(at: datetime | None, received_at: datetime | None) -> float | None:
    """How many seconds a station time lies after the server's clock (None: nothing to compare)."""
    if at is None or received_at is None:
        return None
    return round((at - received_at).total_seconds(), 3)


def _future_note(state: TransactionState) -> str | None:
    """The part of ``time_note`` about a start in the future (written by :func:`merge_event`)."""
    if not state.start_in_future or not state.time_note:
        return None
    return next((part for part in state.time_note.split("; ") if part.startswith("start ")), None)


def flag_times(state: TransactionState, future_note: str | None = None) -> TransactionState:
    """``end_before_start`` from the state's times, and the ``time_note`` of both flags."""
    notes = [future_note] if future_note and state.start_in_future else []
    end_before_start = (
        state.started_at is not None and state.stopped_at is not None and state.stopped_at < state.started_at
    )
    if end_before_start:
        assert state.started_at is not None and state.stopped_at is not None
        seconds = (state.started_at - state.stopped_at).total_seconds()
        notes.append(f"the end is {seconds:g} s before the start")
    note = "; ".join(notes) or None
    if end_before_start == state.end_before_start and note == state.time_note:
        return state
    return replace(state, end_before_start=end_before_start, time_note=note)


def _lower_seq(seq: int | None, current_seq: int | None, current_value: float | None) -> bool:
    if current_value is None:
        return True
    return seq is not None and current_seq is not None and seq < current_seq


def _with_energy(state: TransactionState) -> TransactionState:
    start = state.meter_start_wh
    if start is None:
        start = state.sampled_min_wh
    if start is None:
        return state
    note: str | None = None
    mismatch = False
    if state.active:
        stop = state.sampled_max_wh
    elif state.meter_stop_wh is not None:
        stop = state.meter_stop_wh
    else:
        stop = state.sampled_max_wh
        note = "no meter stop reading; energy taken from the last sampled register value"
    if stop is None:
        return replace(state, energy_wh=0.0 if state.active else None)
    energy = stop - start
    if not state.active:
        tol = energy_tolerance_wh(energy)
        if energy < 0:
            mismatch, note = True, f"meter stop {stop:g} Wh is below meter start {start:g} Wh"
        elif state.sampled_max_wh is not None and state.sampled_max_wh > stop + tol:
            mismatch, note = True, f"sampled register {state.sampled_max_wh:g} Wh exceeds meter stop {stop:g} Wh"
        elif state.sampled_min_wh is not None and state.sampled_min_wh < start - tol:
            mismatch, note = True, f"sampled register {state.sampled_min_wh:g} Wh is below meter start {start:g} Wh"
    return replace(state, energy_wh=energy, energy_mismatch=mismatch, energy_note=note)
