"""Station clocks (issue #19, item 1): the skew rule and the transaction time flags, pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chargebridge.domain.model import ConnectorStatus, IdToken, MeterSample, SampledValue
from chargebridge.domain.requests import (
    MeterValuesRequest,
    StatusRequest,
    TransactionEventRequest,
    TransactionEventType,
)
from chargebridge.domain.transactions import TransactionState, merge_event
from chargebridge.services.station_requests import clock_skew_s, station_time

NOW = datetime(2030, 1, 1, 10, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def event(
    kind: TransactionEventType, when: datetime, seq: int | None = None, offline: bool = False
) -> TransactionEventRequest:
    return TransactionEventRequest(
        event_type=kind,
        timestamp=when,
        transaction_id="T1",
        seq_no=seq,
        id_token=IdToken("TAG") if kind is TransactionEventType.STARTED else None,
        offline=offline,
    )


def test_clock_skew_ahead_always_counts_behind_only_for_messages_that_were_not_queued() -> None:
    assert clock_skew_s(at(301), NOW, 300, may_be_queued=True) == 301
    assert clock_skew_s(at(300), NOW, 300, may_be_queued=True) is None
    assert clock_skew_s(at(-3600), NOW, 300, may_be_queued=True) is None  # an offline replay
    assert clock_skew_s(at(-3600), NOW, 300, may_be_queued=False) == -3600
    assert clock_skew_s(at(-299.5), NOW, 300, may_be_queued=False) is None


def test_station_time_of_each_request() -> None:
    started = event(TransactionEventType.STARTED, at(5), seq=0)
    assert station_time(started, "2.0.1") == (at(5), False)
    assert station_time(started, "1.6") == (at(5), True)  # 1.6 cannot say whether it was queued
    assert station_time(event(TransactionEventType.UPDATED, at(5), 1, offline=True), "2.0.1") == (at(5), True)
    sample = SampledValue("Energy.Active.Import.Register", 1.0, "Wh")
    values = MeterValuesRequest(
        evse_id=1, connector_id=1, samples=(MeterSample(at(-60), (sample,)), MeterSample(at(60), (sample,)))
    )
    assert station_time(values, "1.6") == (at(60), True)
    status = StatusRequest(evse_id=1, connector_id=1, status=ConnectorStatus.AVAILABLE, timestamp=None)
    assert station_time(status, "1.6") == (None, True)


def test_a_start_in_the_future_is_flagged_with_the_amount() -> None:
    state = merge_event(
        TransactionState("CP", "T1", "2.0.1"),
        event(TransactionEventType.STARTED, at(1200), 0),
        received_at=NOW,
        skew_limit_s=300,
    )
    assert state.start_in_future and not state.end_before_start
    assert state.time_note == "start 1200 s ahead of the server's clock"
    # Later events keep the flag and its note ...
    later = merge_event(state, event(TransactionEventType.UPDATED, at(1260), 1), received_at=at(60), skew_limit_s=300)
    assert later.start_in_future and later.time_note == state.time_note
    # ... and a start within the limit is not flagged.
    fine = merge_event(
        TransactionState("CP", "T1", "2.0.1"),
        event(TransactionEventType.STARTED, at(299), 0),
        received_at=NOW,
        skew_limit_s=300,
    )
    assert not fine.start_in_future and fine.time_note is None
    # Without the time of arrival nothing can be said.
    unknown = merge_event(TransactionState("CP", "T1", "2.0.1"), event(TransactionEventType.STARTED, at(9999), 0))
    assert not unknown.start_in_future


def test_an_end_before_the_start_is_flagged_in_any_order() -> None:
    started = event(TransactionEventType.STARTED, at(0), 0)
    ended = event(TransactionEventType.ENDED, at(-90), 1)
    for first, second in ((started, ended), (ended, started)):
        state = TransactionState("CP", "T1", "2.0.1")
        state = merge_event(state, first, received_at=NOW)
        state = merge_event(state, second, received_at=NOW)
        assert state.end_before_start and not state.start_in_future
        assert state.time_note == "the end is 90 s before the start"
    both = merge_event(
        merge_event(
            TransactionState("CP", "T1", "2.0.1"),
            event(TransactionEventType.STARTED, at(1000), 0),
            received_at=NOW,
            skew_limit_s=300,
        ),
        event(TransactionEventType.ENDED, at(900), 1),
        received_at=NOW,
        skew_limit_s=300,
    )
    assert both.start_in_future and both.end_before_start
    assert both.time_note == "start 1000 s ahead of the server's clock; the end is 100 s before the start"


def test_a_late_started_event_with_a_sane_time_lifts_the_flag() -> None:
    """An Updated event from the future set the start first; the Started event names the real one."""
    state = merge_event(
        TransactionState("CP", "T1", "2.0.1"),
        event(TransactionEventType.UPDATED, at(3600), 1),
        received_at=NOW,
        skew_limit_s=300,
    )
    assert state.start_in_future
    state = merge_event(state, event(TransactionEventType.STARTED, at(-10), 0), received_at=NOW, skew_limit_s=300)
    assert not state.start_in_future and state.time_note is None
