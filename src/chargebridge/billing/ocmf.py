"""Signed meter readings: OCMF records parsed and their signatures verified with ``pyocmf``.

Pure (no I/O). A station's registered public keys are tried in turn; a reading verifies when
one of them verifies its signature. What a CDR needs from the readings of one transaction is
summarised in :class:`SignedSummary`: the signed begin and end registers (Wh, exact), and every
problem found (unparseable, bad signature, no key, ...).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from pyocmf import OCMF, PublicKey, PyOCMFError

THOUSAND = Decimal(1000)


class MeterKeyError(ValueError):
    """A public key that cannot be used for OCMF verification."""


def parse_public_key(text: str) -> tuple[str, str]:
    """A hex or base64 DER public key -> (hex DER, curve name). Raises :class:`MeterKeyError`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            key = PublicKey.from_string(text.strip())
    except (PyOCMFError, ValueError) as exc:
        raise MeterKeyError(f"not a usable OCMF public key (hex or base64 DER of an EC key): {exc}") from exc
    return key.key.lower(), str(key.curve.value if hasattr(key.curve, "value") else key.curve)


@dataclass(frozen=True, slots=True)
class SignedReading:
    """One verified (or not) OCMF reading of the energy import register."""

    at: datetime | None
    kind: str | None  # OCMF TX: B (begin), C/X (charging), E/L/R/A/P/S/T (end variants)
    energy_wh: Decimal | None
    verified: bool
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class SignedSummary:
    readings: tuple[SignedReading, ...] = ()
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def begin_wh(self) -> Decimal | None:
        for reading in self.readings:
            if reading.verified and reading.kind == "B" and reading.energy_wh is not None:
                return reading.energy_wh
        return None

    @property
    def end_wh(self) -> Decimal | None:
        for reading in reversed(self.readings):
            if reading.verified and reading.kind in _END and reading.energy_wh is not None:
                return reading.energy_wh
        return None


_END = frozenset({"E", "L", "R", "A", "P", "S", "T"})


def _energy_wh(value: Decimal, unit: str | None) -> Decimal | None:
    if unit in (None, "kWh"):
        return value * THOUSAND
    if unit == "Wh":
        return value
    return None


def verify_record(text: str, public_keys: Sequence[str]) -> list[SignedReading]:
    """Parse one OCMF record and verify it with the first key that fits; one reading per RD entry
    of an energy import register. A record that cannot be parsed or verified yields one reading
    with its problem."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # spec deviations the Transparenzsoftware accepts are tolerated
            record = OCMF.from_string(text)
    except PyOCMFError as exc:
        return [SignedReading(None, None, None, False, f"unreadable OCMF record: {exc}")]
    verified = False
    problem: str | None = None
    if not public_keys:
        problem = "no meter public key is registered for this station"
    for key in public_keys:
        try:
            if record.verify_signature(key):
                verified = True
                break
            problem = "signature does not match the reading (tampered, or signed by another key)"
        except PyOCMFError as exc:
            problem = problem or f"signature cannot be checked: {exc}"
    readings: list[SignedReading] = []
    for rd in record.payload.RD:
        if rd.RI is not None and "1.8." not in str(rd.RI):  # OBIS x-x:1.8.x: active energy import
            continue
        energy = _energy_wh(rd.RV, str(rd.RU) if rd.RU is not None else None) if rd.RV is not None else None
        kind = str(rd.TX.value if hasattr(rd.TX, "value") else rd.TX) if rd.TX is not None else None
        readings.append(SignedReading(rd.TM.timestamp, kind, energy, verified, None if verified else problem))
    if not readings:
        readings.append(SignedReading(None, None, None, verified, problem or "no energy register in the record"))
    return readings


def summarise(records: Iterable[str], public_keys: Sequence[str]) -> SignedSummary:
    """All signed readings of one transaction, in the order given (their time order)."""
    readings: list[SignedReading] = []
    problems: list[str] = []
    for text in records:
        for reading in verify_record(text, public_keys):
            readings.append(reading)
            if reading.problem is not None and reading.problem not in problems:
                problems.append(reading.problem)
    return SignedSummary(tuple(readings), tuple(problems))
