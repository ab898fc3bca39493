"""2.0.1 ``MeterValueType`` arrays -> normalised :class:`MeterSample` values.

In 2.0.1 a sampled value is a JSON number scaled by ``unitOfMeasure.multiplier`` (a power of
ten). One unusable value (not a number, not finite, unknown context, out of range once
scaled) is dropped with a note; it never fails the message that carried it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from chargebridge.domain.model import MeterSample, ReadingContext, SampledValue, SignedMeterValue
from chargebridge.domain.sampling import UnusableValue, finish_sampled_value, signed_meter_value
from chargebridge.domain.timeutil import parse_datetime
from chargebridge.domain.units import normalise

ENERGY_REGISTER = "Energy.Active.Import.Register"
DEFAULT_MEASURAND = ENERGY_REGISTER  # OCPP 2.0.1 SampledValueType default


def decode_meter_values(items: Sequence[Mapping[str, Any]], notes: list[str]) -> tuple[MeterSample, ...]:
    """Decode a ``meterValue`` array; problems are appended to ``notes`` and never raised."""
    samples: list[MeterSample] = []
    for index, item in enumerate(items):
        sample = _decode_meter_value(index, item, notes)
        if sample is not None:
            samples.append(sample)
    return tuple(samples)


def _decode_meter_value(index: int, item: Mapping[str, Any], notes: list[str]) -> MeterSample | None:
    try:
        timestamp = parse_datetime(item["timestamp"])
    except (KeyError, TypeError, ValueError, OverflowError):
        notes.append(f"meterValue[{index}] skipped: timestamp is not a valid date-time")
        return None
    values: list[SampledValue] = []
    signed: list[SignedMeterValue] = []
    for position, raw in enumerate(item.get("sampledValue", ())):
        signed_value = raw.get("signedMeterValue")
        if isinstance(signed_value, Mapping) and isinstance(signed_value.get("signedMeterData"), str):
            signed.append(
                signed_meter_value(
                    raw,
                    raw.get("measurand", DEFAULT_MEASURAND),
                    signed_value["signedMeterData"],
                    encoding_method=signed_value.get("encodingMethod"),
                    signing_method=signed_value.get("signingMethod"),
                    public_key=signed_value.get("publicKey") or None,
                )
            )
        try:
            values.append(decode_sampled_value(raw))
        except UnusableValue as exc:
            notes.append(f"meterValue[{index}].sampledValue[{position}] skipped: {exc}")
    if not values and not signed:
        return None
    return MeterSample(timestamp, tuple(values), tuple(signed))


def decode_sampled_value(raw: Mapping[str, Any]) -> SampledValue:
    """One ``SampledValueType`` -> a value in base units. Raises :class:`UnusableValue`."""
    measurand = raw.get("measurand", DEFAULT_MEASURAND)
    value = raw.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnusableValue(f"{measurand} value is not a number")
    unit_of_measure = raw.get("unitOfMeasure") or {}
    multiplier = unit_of_measure.get("multiplier", 0)
    if isinstance(multiplier, bool) or not isinstance(multiplier, int):
        raise UnusableValue(f"{measurand} multiplier is not an integer")
    try:
        # No unit means the measurand's default (Wh for energy, as the 2.0.1 UnitOfMeasureType says).
        number, unit = normalise(float(value), unit_of_measure.get("unit"), measurand, multiplier)
    except OverflowError as exc:
        raise UnusableValue(f"{measurand} value is out of range") from exc
    return finish_sampled_value(raw, measurand, number, unit)


def _energy_registers(samples: Iterable[MeterSample]) -> list[tuple[ReadingContext, float]]:
    """Every whole-meter (no phase) active import register reading in Wh, in message order."""
    return [
        (value.context, value.value)
        for sample in samples
        for value in sample.values
        if value.measurand == ENERGY_REGISTER and value.phase is None and value.unit == "Wh"
    ]


def meter_start_wh(samples: Sequence[MeterSample], *, started: bool) -> float | None:
    """The Transaction.Begin register; for a Started event, else its first register reading."""
    registers = _energy_registers(samples)
    for context, value in registers:
        if context is ReadingContext.TRANSACTION_BEGIN:
            return value
    if started and registers:
        return registers[0][1]
    return None


def meter_stop_wh(samples: Sequence[MeterSample], *, ended: bool) -> float | None:
    """For an Ended event: the Transaction.End register, else its last register reading."""
    if not ended:
        return None
    registers = _energy_registers(samples)
    for context, value in reversed(registers):
        if context is ReadingContext.TRANSACTION_END:
            return value
    return registers[-1][1] if registers else None
