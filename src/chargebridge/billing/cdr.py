"""Charge detail records: one finished transaction -> an OCPI 2.2.1 CDR and its accuracy verdict.

Pure: the caller reads the transaction, its samples and signed readings, the tariff and the
station's billing settings, and :func:`build_cdr` turns them into the CDR. Every check that can
fail adds a :class:`Reason`; a CDR with any reason of severity ``review`` is ``needs_review``
(held, not billed silently), otherwise ``ok``:

=========================  ======================================================================
``orphan_stop``            a stop for a transaction whose start was never recorded
``events_missing``         finalised without some of its 2.0.1 events (seqNo gap, the wait ran out)
``no_meter_reading``       no meter start or stop reading: the energy is not known
``energy_cross_check``     meter start/stop vs the sampled energy register (the store's check)
``negative_register``      an energy register reading below zero
``non_monotonic_register`` the energy register went down during the session
``energy_implausible``     more energy than the connector's max power allows in the duration
``energy_power_mismatch``  the register's rise disagrees with the sampled power integrated over
                           the same readings (a unit mislabelled, kWh sent as Wh or the reverse)
``late_stop``              the stop arrived long after it happened (offline replay)
``clock_skew``             the station's clock is off by more than the bound
``no_tariff``              no tariff applies: the session would be billed at 0
``unsigned_readings``      a station that should sign sent no signed reading
``signature_invalid``      a signed reading does not verify (tampered, unknown key, unreadable)
``signed_incomplete``      no verified signed begin or end reading
``signed_energy_mismatch`` the CDR's energy is not what the signed readings say
``cdr_build_failed``       the CDR could not be built (a bug): a zero-cost CDR stands in, held
=========================  ======================================================================
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from chargebridge.billing.ocmf import SignedSummary, summarise
from chargebridge.billing.tariff import (
    THOUSAND,
    ZERO,
    Costing,
    MeterPoint,
    Price,
    SessionUsage,
    Tariff,
    period_json,
    price_session,
    quantize,
    tariff_json,
)

ENERGY_REGISTER = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
CURRENT = "Current.Import"
REVIEW = "review"
INFO = "info"


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    detail: str
    severity: str = REVIEW

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Bounds:
    clock_skew_s: float = 300.0
    late_stop_s: float = 86_400.0
    max_power_w: float = 350_000.0
    power_tolerance: float = 0.10
    signed_energy_tolerance_wh: float = 1.0


@dataclass(frozen=True, slots=True)
class CdrInput:
    """Everything one CDR is built from (rows as the store reads them)."""

    station_id: str
    transaction: Mapping[str, Any]  # the transactions row
    samples: Sequence[Mapping[str, Any]]  # meter_samples rows of the transaction
    signed: Sequence[Mapping[str, Any]]  # signed_meter_values rows of the transaction
    received_at: datetime  # when the stop reached us
    tariff: Tariff | None
    tariff_source: str | None  # group | station | site | default
    id_token_type: str | None = None
    group_id: str | None = None
    site_id: str | None = None
    meter_id: str | None = None
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    bounds: Bounds = field(default_factory=Bounds)
    require_signed: bool = False
    public_keys: tuple[str, ...] = ()
    country_code: str = "ZZ"
    party_id: str = "CBG"
    currency: str = "EUR"


@dataclass(frozen=True, slots=True)
class Cdr:
    id: str
    body: dict[str, Any]  # the OCPI CDR
    verdict: str
    reasons: tuple[Reason, ...]
    total_energy_wh: Decimal
    total_cost: Price
    currency: str
    start: datetime
    end: datetime
    tariff_id: str | None
    costing: Costing | None


def cdr_id(station_id: str, transaction_pk: int) -> str:
    """Stable per transaction (a rebuilt CDR of the same transaction has the same id): 32 hex characters."""
    return hashlib.sha256(f"{station_id}\x00{transaction_pk}".encode()).hexdigest()[:32].upper()


def _dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(repr(float(value))) if isinstance(value, float) else Decimal(str(value))


def iso(value: datetime) -> str:
    return value.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")


def meter_points(
    samples: Sequence[Mapping[str, Any]], meter_start_wh: Decimal, start: datetime, end: datetime
) -> list[MeterPoint]:
    """Readings grouped by timestamp: energy since the start (Wh), power (W), current summed over phases (A)."""
    by_time: dict[datetime, dict[str, Any]] = {}
    for row in samples:
        at = row["timestamp"]
        if at < start or at > end:
            continue
        slot = by_time.setdefault(at, {"currents": {}})
        measurand, phase = row["measurand"], row.get("phase")
        if measurand == ENERGY_REGISTER and phase is None and row["unit"] == "Wh":
            slot["energy"] = _dec(row["value"])
        elif measurand == POWER and phase is None and row["unit"] == "W":
            slot["power"] = _dec(row["value"])
        elif measurand == CURRENT and row["unit"] == "A" and phase not in ("N",):
            slot["currents"][phase or ""] = _dec(row["value"])
    points = []
    for at in sorted(by_time):
        slot = by_time[at]
        if "energy" not in slot:
            continue
        currents: dict[str, Decimal] = slot["currents"]
        if "" in currents:
            current: Decimal | None = currents[""]
        elif currents:
            current = sum(currents.values(), ZERO)
        else:
            current = None
        points.append(MeterPoint(at, slot["energy"] - meter_start_wh, slot.get("power"), current))
    return points


def _register_checks(samples: Sequence[Mapping[str, Any]], start: Decimal | None, stop: Decimal | None) -> list[Reason]:
    reasons: list[Reason] = []
    registers = sorted(
        (row["timestamp"], float(row["value"]))
        for row in samples
        if row["measurand"] == ENERGY_REGISTER and row.get("phase") is None and row["unit"] == "Wh"
    )
    negative = [value for _, value in registers if value < 0]
    negative += [float(v) for v in (start, stop) if v is not None and v < 0]
    if negative:
        reasons.append(Reason("negative_register", f"energy register reading {min(negative):g} Wh is negative"))
    for (t0, v0), (t1, v1) in itertools.pairwise(registers):
        if v1 < v0 - 1.0:
            reasons.append(
                Reason(
                    "non_monotonic_register",
                    f"energy register went down from {v0:g} Wh ({iso(t0)}) to {v1:g} Wh ({iso(t1)})",
                )
            )
            break
    return reasons


def _power_vs_register(
    samples: Sequence[Mapping[str, Any]], start: datetime, end: datetime
) -> tuple[float, float, int]:
    """Over the readings that carry both active power and the energy register (the same
    timestamp): the power integrated between the first and the last of them (trapezoids), the
    register's rise over the same span, and how many such readings there are."""
    powers: dict[datetime, float] = {}
    registers: dict[datetime, float] = {}
    for row in samples:
        at = row["timestamp"]
        if not start <= at <= end or row.get("phase") is not None:
            continue
        if row["measurand"] == POWER and row["unit"] == "W":
            powers[at] = float(row["value"])
        elif row["measurand"] == ENERGY_REGISTER and row["unit"] == "Wh":
            registers[at] = float(row["value"])
    both = sorted(at for at in powers if at in registers)
    if len(both) < 3:
        return 0.0, 0.0, len(both)
    integral = 0.0
    for t0, t1 in pairwise(both):
        integral += (powers[t0] + powers[t1]) / 2 * (t1 - t0).total_seconds() / 3600
    return integral, registers[both[-1]] - registers[both[0]], len(both)


def _plausibility(data: CdrInput, energy_wh: Decimal, start: datetime, end: datetime) -> list[Reason]:
    reasons: list[Reason] = []
    b = data.bounds
    hours = max((end - start).total_seconds(), 0.0) / 3600
    limit = b.max_power_w * hours * (1 + b.power_tolerance) + 10.0
    if float(energy_wh) > limit:
        reasons.append(
            Reason(
                "energy_implausible",
                f"{float(energy_wh):g} Wh in {hours * 60:.1f} min needs more than the connector's "
                f"{b.max_power_w / 1000:g} kW",
            )
        )
    integral, rise, count = _power_vs_register(data.samples, start, end)
    if count >= 3 and max(integral, rise) > 100.0:
        ratio = rise / integral if integral > 0 else float("inf")
        if not 0.5 <= ratio <= 2.0:
            reasons.append(
                Reason(
                    "energy_power_mismatch",
                    f"the energy register rose {rise:g} Wh while the sampled power adds up to {integral:.0f} Wh "
                    "over the same readings (a unit mislabelled?)",
                )
            )
    return reasons


def _timing(data: CdrInput, start: datetime, end: datetime) -> list[Reason]:
    reasons: list[Reason] = []
    b = data.bounds
    tx = data.transaction
    late = (data.received_at - end).total_seconds()
    ahead = (end - data.received_at).total_seconds()
    if ahead > b.clock_skew_s:
        reasons.append(
            Reason("clock_skew", f"the stop is dated {ahead:.0f} s in the future: the station clock is ahead")
        )
    if end < start:
        reasons.append(Reason("clock_skew", "the transaction ends before it starts"))
    if late > b.late_stop_s:
        how = "offline replay" if tx.get("offline") else "offline replay, or the station clock is behind"
        reasons.append(Reason("late_stop", f"the stop arrived {late / 3600:.1f} h after it happened ({how})"))
    elif late > b.clock_skew_s and not tx.get("offline") and tx.get("ocpp_version") == "2.0.1":
        reasons.append(
            Reason("clock_skew", f"an online stop dated {late:.0f} s in the past: the station clock is behind")
        )
    return reasons


def _signed(data: CdrInput, energy_wh: Decimal) -> tuple[list[Reason], SignedSummary | None]:
    ocmf = [row for row in data.signed if row["encoding_method"] == "OCMF"]
    other = [row for row in data.signed if row["encoding_method"] != "OCMF"]
    should_sign = data.require_signed or bool(data.public_keys)
    reasons: list[Reason] = []
    if other:
        formats = sorted({row["encoding_method"] for row in other})
        reasons.append(
            Reason("signature_invalid", f"signed readings in a format that cannot be verified: {', '.join(formats)}")
            if should_sign
            else Reason("signed_unverified", f"signed readings kept unverified ({', '.join(formats)})", INFO)
        )
    if not ocmf:
        if should_sign:
            reasons.append(Reason("unsigned_readings", "this station should sign its meter readings and sent none"))
        return reasons, None
    ordered = sorted(ocmf, key=lambda row: (row["timestamp"], row.get("id") or 0))
    summary = summarise([row["data"] for row in ordered], data.public_keys)
    if not data.public_keys:
        reasons.append(Reason("signature_invalid", "signed readings arrived but no meter public key is registered"))
        return reasons, summary
    for problem in summary.problems:
        reasons.append(Reason("signature_invalid", problem))
    begin, end = summary.begin_wh, summary.end_wh
    if begin is None or end is None:
        missing = " and ".join(n for n, v in (("begin", begin), ("end", end)) if v is None)
        reasons.append(Reason("signed_incomplete", f"no verified signed {missing} reading"))
    elif abs((end - begin) - energy_wh) > Decimal(repr(data.bounds.signed_energy_tolerance_wh)):
        reasons.append(
            Reason(
                "signed_energy_mismatch",
                f"the signed readings give {end - begin} Wh, the CDR {energy_wh} Wh",
            )
        )
    return reasons, summary


def _signed_data(data: CdrInput, summary: SignedSummary | None) -> dict[str, Any] | None:
    rows = sorted(
        (row for row in data.signed if row["encoding_method"] == "OCMF"),
        key=lambda row: (row["timestamp"], row.get("id") or 0),
    )
    if not rows:
        return None
    values = []
    for index, row in enumerate(rows):
        context = row.get("context") or ""
        nature = (
            "Start" if context == "Transaction.Begin" else "End" if context == "Transaction.End" else "Intermediate"
        )
        if index == 0 and nature == "Intermediate" and len(rows) > 1:
            nature = "Start"
        encoded = base64.b64encode(row["data"].encode()).decode()
        plain = ""
        if summary is not None and index < len(summary.readings) and summary.readings[index].energy_wh is not None:
            plain = str(summary.readings[index].energy_wh)
        values.append({"nature": nature, "plain_data": plain[:512], "signed_data": encoded[:5000]})
    out: dict[str, Any] = {"encoding_method": "OCMF", "signed_values": values}
    if data.public_keys:
        out["public_key"] = base64.b64encode(bytes.fromhex(data.public_keys[0])).decode()[:512]
    return out


_TOKEN_TYPES = {"ISO14443": "RFID", "ISO15693": "RFID", "eMAID": "APP_USER", "Central": "OTHER", "KeyCode": "OTHER"}


def build_cdr(data: CdrInput) -> Cdr:
    tx = data.transaction
    reasons: list[Reason] = []
    received = data.received_at
    start: datetime = tx.get("started_at") or tx.get("stopped_at") or received
    end: datetime = tx.get("stopped_at") or received
    if tx.get("orphan"):
        reasons.append(Reason("orphan_stop", "a stop for a transaction whose start was never recorded"))
    if tx.get("completeness") == "incomplete":
        note = tx.get("finalise_note") or "some of its events never arrived"
        reasons.append(Reason("events_missing", f"finalised without all its events: {note}"))
    meter_start = _dec(tx.get("meter_start_wh"))
    meter_stop = _dec(tx.get("meter_stop_wh"))
    energy = _dec(tx.get("energy_wh"))
    if energy is None or meter_start is None:
        reasons.append(Reason("no_meter_reading", "no meter start or stop reading: the energy is not known"))
        energy = max(energy or ZERO, ZERO)
    if tx.get("energy_mismatch"):
        reasons.append(Reason("energy_cross_check", tx.get("energy_note") or "meter readings disagree"))
    elif tx.get("energy_note"):
        reasons.append(Reason("energy_cross_check", tx["energy_note"]))
    reasons += _register_checks(data.samples, meter_start, meter_stop)
    reasons += _plausibility(data, energy, start, end)
    reasons += _timing(data, start, end)
    signed_reasons, summary = _signed(data, energy)
    reasons += signed_reasons
    billed_energy = max(energy, ZERO)
    points = meter_points(data.samples, meter_start or ZERO, start, end) if meter_start is not None else []
    usage = SessionUsage(start, max(end, start), billed_energy, tuple(points))
    costing: Costing | None = None
    if data.tariff is not None:
        costing = price_session(data.tariff, usage, data.zone)
        currency = data.tariff.currency
        total = costing.total_cost
    else:
        reasons.append(Reason("no_tariff", "no tariff applies to this session (station, site, group or default)"))
        currency = data.currency
        total = Price(quantize(ZERO, currency), quantize(ZERO, currency))
    identifier = cdr_id(data.station_id, int(tx["pk"]))
    evse = tx.get("evse_id")
    connector = tx.get("connector_id")
    token = tx.get("id_token")
    body: dict[str, Any] = {
        "country_code": data.country_code,
        "party_id": data.party_id,
        "id": identifier,
        "start_date_time": iso(start),
        "end_date_time": iso(end),
        "session_id": str(tx["transaction_id"])[:36],
        "cdr_token": {
            "country_code": data.country_code,
            "party_id": data.party_id,
            "uid": (token or "#NA")[:36],
            "type": _TOKEN_TYPES.get(data.id_token_type or "", "RFID" if data.id_token_type is None else "OTHER"),
            "contract_id": (data.group_id or token or "#NA")[:36],
        },
        "auth_method": "COMMAND" if tx.get("remote_start_id") is not None else "WHITELIST",
        "cdr_location": {
            "id": (data.site_id or data.station_id)[:36],
            "station_id": data.station_id,
            "evse_uid": f"{data.station_id}*{evse if evse is not None else '#NA'}"[:36],
            "evse_id": str(evse) if evse is not None else "#NA",
            "connector_id": str(connector) if connector is not None else "#NA",
        },
        "currency": currency,
        "tariffs": [tariff_json(data.tariff)] if data.tariff is not None else [],
        "charging_periods": [period_json(p) for p in costing.charging_periods] if costing is not None else [],
        "total_cost": total.to_json(),
        "total_energy": _volume(billed_energy / THOUSAND),
        "total_time": _volume(_hours(start, end)),
        "credit": False,
        "last_updated": iso(received),
    }
    if data.meter_id:
        body["meter_id"] = data.meter_id[:255]
    if costing is not None:
        body["total_parking_time"] = _volume(costing.total_parking_time_h)
        for name, price in (
            ("total_fixed_cost", costing.total_fixed_cost),
            ("total_energy_cost", costing.total_energy_cost),
            ("total_time_cost", costing.total_time_cost),
            ("total_parking_cost", costing.total_parking_cost),
        ):
            if price is not None:
                body[name] = price.to_json()
    signed_data = _signed_data(data, summary)
    if signed_data is not None:
        body["signed_data"] = signed_data
    remark = tx.get("stop_reason")
    if remark:
        body["remark"] = str(remark)[:255]
    verdict = "needs_review" if any(r.severity == REVIEW for r in reasons) else "ok"
    return Cdr(
        id=identifier,
        body=body,
        verdict=verdict,
        reasons=tuple(reasons),
        total_energy_wh=billed_energy,
        total_cost=total,
        currency=currency,
        start=start,
        end=end,
        tariff_id=data.tariff.id if data.tariff is not None else None,
        costing=costing,
    )


def _hours(start: datetime, end: datetime) -> Decimal:
    if end <= start:
        return ZERO
    delta = end - start
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return Decimal(micros) / Decimal(3_600_000_000)


def _volume(value: Decimal | float) -> Decimal:
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    return number.quantize(Decimal("0.0001")).normalize() + ZERO


def credit_body(original: Mapping[str, Any], credit_id: str, now: datetime, remark: str | None) -> dict[str, Any]:
    """A credit CDR for ``original``: the same session with every amount negated (OCPI credit CDRs)."""

    def negate(price: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if price is None:
            return None
        return {key: -Decimal(str(value)) for key, value in price.items()}

    body = dict(original)
    body["id"] = credit_id
    body["credit"] = True
    body["credit_reference_id"] = original["id"]
    body["last_updated"] = iso(now)
    for name in ("total_cost", "total_fixed_cost", "total_energy_cost", "total_time_cost", "total_parking_cost"):
        if name in body:
            body[name] = negate(body[name])
    body["total_energy"] = -Decimal(str(original["total_energy"]))
    if remark:
        body["remark"] = remark[:255]
    return body


def dumps(value: Any) -> str:
    """JSON text with every Decimal written exactly as a JSON number (money never passes through a float)."""
    return _encode(value)


def _encode(value: Any) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text if text not in ("-0",) else "0"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, datetime):
        return json.dumps(iso(value))
    if isinstance(value, timedelta):
        return json.dumps(value.total_seconds())
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    return json.dumps(value)


def loads(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)
