"""The transaction ledger and its reconciliation with the server's records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from chargebridge.sim.ledger import LedgerEntry, LedgerWriter, read_ledger, reconcile


def entry(
    station: str = "S1", tx: str | None = "1", start: int = 100, stop: int = 300, ack: bool = True
) -> LedgerEntry:
    return LedgerEntry(
        station,
        "1.6",
        tx,
        "TAG",
        start,
        stop,
        stop - start,
        "2024-01-01T00:00:00.000Z",
        "2024-01-01T01:00:00.000Z",
        "Local",
        ack,
    )


def server(station: str = "S1", tx: str = "1", start: int = 100, stop: int = 300) -> dict[str, Any]:
    return {"station_id": station, "id": tx, "meter_start_wh": start, "meter_stop_wh": stop, "energy_wh": stop - start}


@given(
    st.builds(
        LedgerEntry,
        station_id=st.text(min_size=1, max_size=20),
        ocpp_version=st.sampled_from(["1.6", "2.0.1"]),
        transaction_id=st.none() | st.text(max_size=36),
        id_token=st.text(max_size=20),
        meter_start_wh=st.integers(0, 10**9),
        meter_stop_wh=st.integers(0, 10**9),
        energy_wh=st.integers(-(10**9), 10**9),
        started_at=st.text(max_size=30),
        stopped_at=st.text(max_size=30),
        stop_reason=st.text(max_size=20),
        acknowledged=st.booleans(),
    )
)
def test_json_round_trip(item: LedgerEntry) -> None:
    assert LedgerEntry.from_json(item.to_json()) == item
    assert "\n" not in item.to_json()


def test_writer_appends_lines(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    with LedgerWriter(path) as writer:
        writer.write(entry(tx="1"))
        writer.write(entry(tx="2"))
    assert [e.transaction_id for e in read_ledger(path)] == ["1", "2"]


def test_matching_records_reconcile() -> None:
    assert reconcile([entry()], [server(), server(station="OTHER")]) == []


def test_every_kind_of_mismatch_is_reported() -> None:
    ledger = [entry(tx="1"), entry(tx="2"), entry(tx="3"), entry(tx="4", ack=False)]
    theirs = [server(tx="1", start=101), server(tx="3", stop=999), server(tx="5"), server(tx="4", stop=1)]
    found = {(m.transaction_id, m.kind) for m in reconcile(ledger, theirs)}
    assert found == {
        ("1", "meter_start_wh"),
        ("1", "energy_wh"),
        ("2", "missing_on_server"),
        ("3", "meter_stop_wh"),
        ("3", "energy_wh"),
        ("5", "missing_in_ledger"),
    }
    # unacknowledged entries are checked on request
    strict = {(m.transaction_id, m.kind) for m in reconcile(ledger, theirs, acknowledged_only=False)}
    assert ("4", "meter_stop_wh") in strict


def test_open_server_transaction_is_a_mismatch() -> None:
    open_tx = server() | {"meter_stop_wh": None, "energy_wh": None}
    kinds = {m.kind for m in reconcile([entry()], [open_tx])}
    assert kinds == {"meter_stop_wh", "energy_wh"}


def test_entry_without_id_accounts_for_one_server_transaction_with_its_meter_start() -> None:
    """An unanswered 1.6 StartTransaction: the station never learned the id the server gave."""
    ledger = [entry(tx=None, start=500, stop=900, ack=False), entry(tx="7")]
    on_server = [server(tx="7"), server(tx="8", start=500, stop=900)]
    assert reconcile(ledger, on_server) == []
    # One id-less entry accounts for one server transaction only; another meter start is not it.
    extra = [*on_server, server(tx="9", start=500, stop=950), server(tx="10", start=600, stop=700)]
    missing = reconcile(ledger, extra)
    assert [(m.transaction_id, m.kind) for m in missing] == [("10", "missing_in_ledger"), ("9", "missing_in_ledger")]
