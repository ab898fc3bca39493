"""The simulator's own record of every transaction, and its reconciliation with the server's.

One JSON line per transaction as the simulated station saw it. The transaction id is the one
the server knows: the integer from StartTransaction.conf (as text) in 1.6, the station's own
id in 2.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    station_id: str
    ocpp_version: str
    transaction_id: str | None
    id_token: str
    meter_start_wh: int
    meter_stop_wh: int
    energy_wh: int
    started_at: str
    stopped_at: str
    stop_reason: str
    acknowledged: bool

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, line: str) -> LedgerEntry:
        return cls(**json.loads(line))


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One disagreement between the ledger and the server.

    ``kind`` is one of ``missing_on_server``, ``missing_in_ledger``, ``energy_wh``,
    ``meter_start_wh``, ``meter_stop_wh``; ``ledger`` / ``server`` hold the two values."""

    station_id: str
    transaction_id: str | None
    kind: str
    ledger: Any = None
    server: Any = None


class LedgerWriter:
    """Appends entries to a JSON Lines file, one flush per line so a crash loses nothing."""

    def __init__(self, path: Path):
        self.path = path
        self._file: IO[str] | None = None

    def __enter__(self) -> LedgerWriter:
        self._file = self.path.open("a", encoding="utf-8")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def write(self, entry: LedgerEntry) -> None:
        if self._file is None:
            self._file = self.path.open("a", encoding="utf-8")
        self._file.write(entry.to_json() + "\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def read_ledger(path: Path) -> list[LedgerEntry]:
    with path.open(encoding="utf-8") as file:
        return [LedgerEntry.from_json(line) for line in file if line.strip()]


def reconcile(
    ledger: Iterable[LedgerEntry],
    server_transactions: Iterable[Mapping[str, Any]],
    *,
    acknowledged_only: bool = True,
) -> list[Mismatch]:
    """Compare the ledger with the server's transactions (dicts with ``station_id``, ``id``,
    ``energy_wh``, ``meter_start_wh``, ``meter_stop_wh``).

    With ``acknowledged_only`` the ledger entries whose stop the server never acknowledged are
    not checked (the server may legitimately not know them or their end). Server transactions of
    stations that appear in no ledger entry are ignored: they belong to other clients. A server
    transaction the ledger knows only without an id (an unanswered 1.6 StartTransaction) is
    matched by station and meter start."""
    everything = list(ledger)
    known = {(entry.station_id, entry.transaction_id) for entry in everything}
    stations = {entry.station_id for entry in everything}
    ours = {
        (entry.station_id, entry.transaction_id): entry
        for entry in everything
        if entry.acknowledged or not acknowledged_only
    }
    theirs: dict[tuple[str, str | None], Mapping[str, Any]] = {}
    for tx in server_transactions:
        if tx["station_id"] in stations:
            theirs[(str(tx["station_id"]), None if tx["id"] is None else str(tx["id"]))] = tx
    mismatches: list[Mismatch] = []
    for key, entry in sorted(ours.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        server = theirs.get(key)
        if server is None:
            mismatches.append(Mismatch(entry.station_id, entry.transaction_id, "missing_on_server", entry.energy_wh))
            continue
        for field_name in ("meter_start_wh", "meter_stop_wh", "energy_wh"):
            mine, other = getattr(entry, field_name), server.get(field_name)
            if other is None or int(other) != mine:
                mismatches.append(Mismatch(entry.station_id, entry.transaction_id, field_name, mine, other))
    # A 1.6 station whose StartTransaction was never answered (it timed out, or the simulator
    # shut down first) does not know the id the server gave: its entry has no transaction id.
    # Such an entry accounts for one server transaction of the same station and meter start.
    idless: dict[tuple[str, int], int] = {}
    for entry in everything:
        if entry.transaction_id is None:
            slot = (entry.station_id, entry.meter_start_wh)
            idless[slot] = idless.get(slot, 0) + 1
    for key, tx in sorted(theirs.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        if key in known:
            continue
        start = tx.get("meter_start_wh")
        if start is not None and idless.get((key[0], int(start)), 0) > 0:
            idless[(key[0], int(start))] -= 1
            continue
        mismatches.append(Mismatch(key[0], key[1], "missing_in_ledger", None, tx.get("energy_wh")))
    return mismatches
