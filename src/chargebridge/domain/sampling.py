"""What both OCPP versions share when reading one sampled value: the finishing checks."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from chargebridge.domain.model import ReadingContext, SampledValue

DEFAULT_CONTEXT = ReadingContext.SAMPLE_PERIODIC  # the default of both 1.6 and 2.0.1


class UnusableValue(ValueError):
    """A sampled value that cannot be turned into a number in base units."""


def finish_sampled_value(raw: Mapping[str, Any], measurand: str, number: float, unit: str) -> SampledValue:
    """A value already in base units -> SampledValue, with its context, phase and location.
    Raises :class:`UnusableValue` for a non-finite number or an unknown context."""
    if not math.isfinite(number):
        raise UnusableValue(f"{measurand} value is out of range once converted")
    try:
        context = ReadingContext(raw.get("context", DEFAULT_CONTEXT))
    except ValueError as exc:
        raise UnusableValue(f"{measurand} context is unknown") from exc
    return SampledValue(
        measurand=measurand,
        value=number,
        unit=unit,
        context=context,
        phase=raw.get("phase"),
        location=raw.get("location"),
    )
