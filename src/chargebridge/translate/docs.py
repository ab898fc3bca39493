"""Render the gateway's mapping tables (the code's data) into docs/gateway.md.

    python -m chargebridge.translate.docs            # rewrite the block in docs/gateway.md
    python -m chargebridge.translate.docs --check    # exit 1 when the page is out of date

A unit test runs the check, so the page cannot drift from the code.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from chargebridge.ocpp16 import station_side as station16
from chargebridge.ocpp201 import csms_side as csms201
from chargebridge.ocpp201 import station_side as station201
from chargebridge.translate import catalogue, keys, vocab

START = "<!-- gateway:tables:start -->"
END = "<!-- gateway:tables:end -->"
DOC = Path(__file__).resolve().parents[3] / "docs" / "gateway.md"


def _cell(value: Any) -> str:
    text = "—" if value in (None, "") else str(value)
    return text.replace("|", "\\|")


def table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return "\n".join(lines)


def _word_table(title: str, mapping: Mapping[Any, str], left: str, right: str, *, differing: bool = True) -> str:
    rows = [(str(k) if k is not None else "(none)", v) for k, v in mapping.items() if not differing or k != v]
    return f"**{title}**\n\n" + table((left, right), rows)


def _rules(rules: Iterable[catalogue.Rule], command: bool) -> str:
    header = (
        ("the upstream sends", "the station gets", "answered", "notes")
        if command
        else (
            "the station sends",
            "the upstream gets",
            "delivery",
            "notes",
        )
    )
    return table(header, ((r.source, r.target, r.delivery, r.notes) for r in rules))


def _result_words(tables: Mapping[str, tuple[frozenset[str], str]], version: str) -> str:
    rows = [(action, ", ".join(sorted(allowed)), other) for action, (allowed, other) in sorted(tables.items())]
    return f"**Command answers a {version} CSMS gets** (any other word -> the last column)\n\n" + table(
        ("command", f"words {version} has", "any other word"), rows
    )


def render() -> str:
    parts = [
        "### 1.6 charge point, 2.0.1 CSMS",
        "",
        "Station messages:",
        "",
        _rules(catalogue.STATION_16, command=False),
        "",
        "Commands of the 2.0.1 CSMS:",
        "",
        _rules(catalogue.COMMANDS_201, command=True),
        "",
        "### 2.0.1 charging station, 1.6 CSMS",
        "",
        "Station messages:",
        "",
        _rules(catalogue.STATION_201, command=False),
        "",
        "Commands of the 1.6 CSMS:",
        "",
        _rules(catalogue.COMMANDS_16, command=True),
        "",
        "### Configuration keys and variables",
        "",
        table(
            ("1.6 key", "2.0.1 component.variable[instance]", "1.6 read-only", "values (1.6 = 2.0.1)", "answered by"),
            (
                (
                    m.key,
                    m.name_201,
                    "yes" if m.readonly else "no",
                    ", ".join(f"{a} = {b}" for a, b in m.values),
                    "the gateway (upstream password)" if m.gateway else "the station",
                )
                for m in keys.CONFIG_KEYS
            ),
        ),
        "",
        "### Words",
        "",
        _word_table(
            "1.6 stop reason -> 2.0.1 triggerReason of the Ended event",
            vocab.STOP_TRIGGERS,
            "1.6",
            "2.0.1",
            differing=False,
        ),
        "",
        _word_table("1.6 stop reason -> 2.0.1 stoppedReason", station201.STOPPED_REASONS, "1.6", "2.0.1"),
        "",
        _word_table("2.0.1 stoppedReason -> 1.6 stop reason", station16.STOP_REASONS, "2.0.1", "1.6"),
        "",
        _word_table(
            "Connector status -> 2.0.1 connectorStatus",
            {k.value: v for k, v in station201.CONNECTOR_STATUSES.items()},
            "1.6",
            "2.0.1",
        ),
        "",
        _word_table(
            "1.6 status during a transaction -> 2.0.1 chargingState",
            vocab.CHARGING_STATES_FROM_16,
            "1.6",
            "2.0.1",
            differing=False,
        ),
        "",
        _word_table(
            "2.0.1 chargingState of an open transaction -> 1.6 status (Occupied connector)",
            vocab.STATUSES_FROM_CHARGING_STATE,
            "2.0.1",
            "1.6",
            differing=False,
        ),
        "",
        _word_table(
            f"Meter value context -> triggerReason of the Updated event (otherwise {vocab.DEFAULT_METER_TRIGGER})",
            {k.value: v for k, v in vocab.METER_TRIGGERS.items()},
            "context",
            "triggerReason",
        ),
        "",
        _word_table(
            "Firmware status -> plain 1.6 FirmwareStatusNotification", station16.FIRMWARE_STATUSES, "2.0.1", "1.6"
        ),
        "",
        _word_table(
            "Log upload status -> 1.6 DiagnosticsStatusNotification", station16.DIAGNOSTICS_STATUSES, "2.0.1", "1.6"
        ),
        "",
        _word_table(
            "1.6 DiagnosticsStatusNotification -> 2.0.1 LogStatusNotification", station201.LOG_STATUSES, "1.6", "2.0.1"
        ),
        "",
        _word_table(
            "2.0.1 authorization status -> the neutral (and 1.6) one",
            {k: v.value for k, v in csms201.AUTHORIZATION_STATUSES.items()},
            "2.0.1",
            "neutral",
        ),
        "",
        _result_words(station16.RESULT_STATUSES, "1.6"),
        "",
        _result_words(station201.RESULT_STATUSES, "2.0.1"),
        "",
        "When a 2.0.1 answer carries another word than the station's, its statusInfo says so "
        f"(reasonCode `{station201.MAPPED_STATUS_REASON}`, additionalInfo `the station answered ...`).",
        "",
        "**Sampled values.** 1.6 measurands without a 2.0.1 counterpart: "
        + ", ".join(sorted(station16.MEASURANDS - station201.MEASURANDS))
        + ". 2.0.1 measurands without a 1.6 counterpart: "
        + ", ".join(sorted(station201.MEASURANDS - station16.MEASURANDS))
        + ". Such values are left out (the rest of the message goes on; the log says what was left out); "
        "a message with nothing left is NotSupported.",
    ]
    return "\n".join(parts)


def update(path: Path = DOC) -> bool:
    """Rewrite the block; True when the page changed."""
    text = path.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    new = f"{before}{START}\n{render()}\n{END}{after}"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def current_block(path: Path = DOC) -> str:
    text = path.read_text(encoding="utf-8")
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n")


def main(argv: list[str]) -> int:
    if "--check" in argv:
        if current_block() != render():
            print(f"{DOC} is out of date: python -m chargebridge.translate.docs", file=sys.stderr)
            return 1
        return 0
    print("updated" if update() else "up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
