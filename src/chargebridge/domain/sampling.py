"""What both OCPP versions share when reading one sampled value: the finishing checks."""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Mapping
from typing import Any

from chargebridge.domain.model import ReadingContext, SampledValue, SignedMeterValue

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


OCMF_PREFIX = "OCMF|"
MAX_SIGNED_DATA = 16_384  # characters kept of one signed reading (OCPI SignedValue.signed_data is 5000)


def signed_text(data: str) -> tuple[str | None, str]:
    """Signed meter data as text, with its format when recognised: an OCMF string arrives plain,
    hex-encoded or base64-encoded (2.0.1 ``signedMeterData`` is base64). Returns
    ``("OCMF", "OCMF|...")`` for OCMF, else ``(None, data)`` unchanged."""
    stripped = data.strip()
    if stripped.startswith(OCMF_PREFIX):
        return "OCMF", stripped
    for decode in (bytes.fromhex, lambda text: base64.b64decode(text, validate=True)):
        try:
            text = decode(stripped).decode("utf-8")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            continue
        if text.startswith(OCMF_PREFIX):
            return "OCMF", text
    return None, data


def signed_meter_value(
    raw: Mapping[str, Any],
    measurand: str,
    data: str,
    *,
    encoding_method: str | None = None,
    signing_method: str | None = None,
    public_key: str | None = None,
) -> SignedMeterValue:
    """A signed reading of either version; an unknown context reads as the default (it is only a label here)."""
    try:
        context = ReadingContext(raw.get("context", DEFAULT_CONTEXT))
    except ValueError:
        context = DEFAULT_CONTEXT
    recognised, text = signed_text(data[:MAX_SIGNED_DATA])
    return SignedMeterValue(
        measurand=measurand,
        context=context,
        encoding_method=recognised or encoding_method or "Unknown",
        data=text,
        signing_method=signing_method,
        public_key=public_key,
    )
