"""1.6 ``MeterValue`` arrays -> normalised :class:`MeterSample` values.

In 1.6 a sampled value is a *string* (``format`` Raw, or SignedData for a signed meter
reading, kept as a :class:`SignedMeterValue` for billing to verify) with an optional unit and a
power-of-ten-free unit name (kWh, kW, ...). Values
that cannot be read as a finite number are dropped with a note: one bad sample never
fails the MeterValues or StopTransaction that carried it. Entries sharing one timestamp
are merged into one :class:`MeterSample`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from chargebridge.domain.model import MeterSample, SampledValue, SignedMeterValue
from chargebridge.domain.sampling import UnusableValue, finish_sampled_value, signed_meter_value
from chargebridge.domain.timeutil import parse_datetime
from chargebridge.domain.units import normalise

ENERGY_REGISTER = "Energy.Active.Import.Register"
DEFAULT_MEASURAND = ENERGY_REGISTER  # OCPP 1.6 SampledValue default
SIGNED_DATA = "SignedData"

# 1.6 MeterValues allows "Hertz" as a unit; the domain spells frequency "Hz".
_UNIT_ALIASES: dict[str, str] = {"Hertz": "Hz"}

# A plain ASCII decimal number. ``float()`` alone would also take "nan", "inf", "1_000" and
# non-ASCII digits.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_number(text: str) -> float:
    """A 1.6 sampled value string -> a finite float. Raises :class:`UnusableValue`."""
    stripped = text.strip()
    if not _DECIMAL.fullmatch(stripped):
        raise UnusableValue(f"value {text[:32]!r} is not a number")
    number = float(stripped)
    if not math.isfinite(number):
        raise UnusableValue(f"value {text[:32]!r} is out of range")
    return number


def decode_sampled_value(raw: Mapping[str, Any]) -> SampledValue:
    """One 1.6 ``SampledValue`` -> a value in base units. Raises :class:`UnusableValue`."""
    measurand = raw.get("measurand", DEFAULT_MEASURAND)
    if raw.get("format") == SIGNED_DATA:
        raise UnusableValue(f"{measurand} value is SignedData, not a number")
    value = raw.get("value")
    if not isinstance(value, str):
        raise UnusableValue(f"{measurand} value is not a string")
    number = parse_number(value)
    unit = raw.get("unit")
    # No unit means the measurand's default (Wh for energy, as the 1.6 SampledValue says).
    number, base_unit = normalise(number, _UNIT_ALIASES.get(unit, unit) if unit else None, measurand)
    return finish_sampled_value(raw, measurand, number, base_unit)


def decode_meter_values(
    items: Sequence[Mapping[str, Any]], notes: list[str], field: str = "meterValue"
) -> tuple[MeterSample, ...]:
    """Decode a 1.6 ``meterValue`` / ``transactionData`` array, grouped by timestamp.

    Problems are appended to ``notes`` (naming ``field`` and the position) and never raised."""
    grouped: dict[datetime, list[SampledValue]] = {}
    signed: dict[datetime, list[SignedMeterValue]] = {}
    for index, item in enumerate(items):
        try:
            timestamp = parse_datetime(item["timestamp"])
        except (KeyError, TypeError, ValueError, OverflowError, AttributeError):
            notes.append(f"{field}[{index}] skipped: timestamp is not a valid date-time")
            continue
        values = grouped.setdefault(timestamp, [])
        for position, raw in enumerate(item.get("sampledValue", ())):
            if raw.get("format") == SIGNED_DATA and isinstance(raw.get("value"), str):
                # a signed reading (OCMF and vendor formats): kept as sent, verified by billing
                measurand = raw.get("measurand", DEFAULT_MEASURAND)
                signed.setdefault(timestamp, []).append(signed_meter_value(raw, measurand, raw["value"]))
                continue
            try:
                values.append(decode_sampled_value(raw))
            except UnusableValue as exc:
                notes.append(f"{field}[{index}].sampledValue[{position}] skipped: {exc}")
    return tuple(
        MeterSample(timestamp, tuple(values), tuple(signed.get(timestamp, ())))
        for timestamp, values in grouped.items()
        if values or signed.get(timestamp)
    )
