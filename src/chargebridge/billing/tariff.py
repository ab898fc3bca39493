"""OCPI 2.2.1 tariffs: the model, its validation, and the price of a charging session.

Pure: no I/O, no clock, no floats. Money and volumes are :class:`~decimal.Decimal` from the
JSON text on (parse request bodies with ``json.loads(text, parse_float=Decimal)``).

How a session is priced (OCPI 2.2.1 mod_tariffs and mod_cdrs):

- The session is cut into *pieces* at every moment a restriction could change its answer:
  local midnight, every ``start_time``/``end_time``, ``start + min_duration``/``max_duration``,
  the instant the energy reaches ``min_kwh``/``max_kwh`` (interpolated linearly between
  meter readings) and every meter reading. A piece during which energy flowed is charging
  time (``TIME``), any other piece is parking time (``PARKING_TIME``).
- For each dimension the first element (in list order) that has a price component of that
  dimension and whose restrictions all hold at the start of the piece prices it; no such
  element: that dimension is free during the piece. Restrictions are evaluated in the
  tariff's local time zone (OCPI: the Location's ``time_zone``). Elements with a
  ``reservation`` restriction price reservations, never charging sessions.
- ``FLAT`` is charged once per session, by the first element with a FLAT component that
  applies at the first piece where any does.
- ``step_size`` is applied once per session (mod_cdrs "step_size"): to the total priced energy,
  with the step of the last priced ENERGY period; and to the time dimensions together: to the
  total priced parking time with the step of the last priced PARKING_TIME period when parking
  is priced, else to the total priced charging time with the step of the last priced TIME
  period. The rounded-up remainder is billed on that last period.
- VAT per component: ``incl = excl * (1 + vat/100)``. A component without ``vat`` means no
  VAT information, so the session's ``incl_vat`` is unknown (``None``) once such a component
  costs something.
- ``min_price``/``max_price`` bound the excl. and incl. totals separately.
- Rounding happens once, on the finished totals, to the currency's minor unit, half up.

Consecutive pieces priced by the same elements in the same charging state form one OCPI
*charging period* with its dimensions (ENERGY kWh, TIME / PARKING_TIME hours, MIN/MAX_POWER kW,
MIN/MAX_CURRENT A from the readings inside it).
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from chargebridge.billing.currencies import is_currency, minor_units

ZERO = Decimal(0)
HUNDRED = Decimal(100)
THOUSAND = Decimal(1000)
SECONDS_PER_HOUR = Decimal(3600)
MAX_AMOUNT = Decimal("1000000000")  # no price, bound or volume in a tariff is this large
MAX_DECIMALS = 8

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
RESERVATION_KINDS = ("RESERVATION", "RESERVATION_EXPIRES")
TARIFF_TYPES = ("AD_HOC_PAYMENT", "PROFILE_CHEAP", "PROFILE_FAST", "PROFILE_GREEN", "REGULAR")
_TIME = re.compile(r"([0-1][0-9]|2[0-3]):[0-5][0-9]")
_DATE = re.compile(r"([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")
_ID = re.compile(r"[\x21-\x7e]{1,36}")  # OCPI CiString(36): printable ASCII


class Dimension(StrEnum):
    ENERGY = "ENERGY"
    FLAT = "FLAT"
    PARKING_TIME = "PARKING_TIME"
    TIME = "TIME"


class TariffError(ValueError):
    """A tariff body that cannot be used; ``problems`` names each bad field
    (``elements[0].price_components[1].price``)."""

    def __init__(self, problems: Sequence[str]):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class Price:
    excl_vat: Decimal
    incl_vat: Decimal | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"excl_vat": self.excl_vat}
        if self.incl_vat is not None:
            out["incl_vat"] = self.incl_vat
        return out


@dataclass(frozen=True, slots=True)
class PriceComponent:
    type: Dimension
    price: Decimal
    step_size: int
    vat: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Restrictions:
    start_time: time | None = None
    end_time: time | None = None
    start_date: date | None = None
    end_date: date | None = None
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    min_current: Decimal | None = None
    max_current: Decimal | None = None
    min_power: Decimal | None = None
    max_power: Decimal | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    day_of_week: frozenset[int] = frozenset()  # 0 = Monday
    reservation: str | None = None

    @property
    def empty(self) -> bool:
        return self == Restrictions()


@dataclass(frozen=True, slots=True)
class TariffElement:
    price_components: tuple[PriceComponent, ...]
    restrictions: Restrictions = field(default_factory=Restrictions)

    def component(self, dimension: Dimension) -> PriceComponent | None:
        for component in self.price_components:
            if component.type is dimension:
                return component
        return None


@dataclass(frozen=True, slots=True)
class Tariff:
    id: str
    currency: str
    elements: tuple[TariffElement, ...]
    min_price: Price | None = None
    max_price: Price | None = None
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None
    type: str | None = None
    tariff_alt_text: tuple[Mapping[str, str], ...] = ()
    tariff_alt_url: str | None = None


# -- parsing and validation -----------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, text: str) -> None:
        self.items.append(f"{where}: {text}")


def _decimal(value: Any, where: str, problems: _Problems, *, minimum: Decimal | None = ZERO) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        problems.add(where, "must be a number")
        return None
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        problems.add(where, "must be a number")
        return None
    if not number.is_finite():
        problems.add(where, "must be a finite number")
        return None
    if minimum is not None and number < minimum:
        problems.add(where, f"must not be negative (got {number})" if minimum == ZERO else f"must be >= {minimum}")
        return None
    if abs(number) >= MAX_AMOUNT:
        problems.add(where, "is too large")
        return None
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        problems.add(where, f"has more than {MAX_DECIMALS} decimals")
        return None
    return number


def _int(value: Any, where: str, problems: _Problems, *, minimum: int = 0) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(where, "must be an integer")
        return None
    if value < minimum:
        problems.add(where, f"must be >= {minimum}")
        return None
    if value > 10**9:
        problems.add(where, "is too large")
        return None
    return value


def _time_of_day(value: Any, where: str, problems: _Problems) -> time | None:
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        problems.add(where, "must be a time of day HH:MM (24 h, leading zeros)")
        return None
    return time(int(value[:2]), int(value[3:]))


def _date(value: Any, where: str, problems: _Problems) -> date | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        problems.add(where, "must be a date YYYY-MM-DD")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.add(where, "is not a calendar date")
        return None


def _datetime(value: Any, where: str, problems: _Problems) -> datetime | None:
    if not isinstance(value, str):
        problems.add(where, "must be an RFC 3339 date-time")
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        problems.add(where, "must be an RFC 3339 date-time")
        return None
    if parsed.tzinfo is None:
        problems.add(where, "must name its offset (Z or +hh:mm)")
        return None
    return parsed


def _object(value: Any, where: str, problems: _Problems, allowed: Iterable[str]) -> Mapping[str, Any] | None:
    if not isinstance(value, Mapping):
        problems.add(where, "must be an object")
        return None
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        problems.add(where, f"unknown fields {unknown}")
    return value


def _price(value: Any, where: str, problems: _Problems) -> Price | None:
    body = _object(value, where, problems, ("excl_vat", "incl_vat"))
    if body is None:
        return None
    if "excl_vat" not in body:
        problems.add(f"{where}.excl_vat", "is required")
        return None
    excl = _decimal(body["excl_vat"], f"{where}.excl_vat", problems)
    incl = _decimal(body["incl_vat"], f"{where}.incl_vat", problems) if body.get("incl_vat") is not None else None
    if excl is None:
        return None
    if incl is not None and incl < excl:
        problems.add(f"{where}.incl_vat", "must not be below excl_vat")
    return Price(excl, incl)


def _range_check(
    lo: Decimal | int | None, hi: Decimal | int | None, where: str, names: tuple[str, str], problems: _Problems
) -> None:
    if lo is not None and hi is not None and lo >= hi:
        problems.add(where, f"{names[0]} ({lo}) must be below {names[1]} ({hi})")


_RESTRICTION_FIELDS = (
    "start_time",
    "end_time",
    "start_date",
    "end_date",
    "min_kwh",
    "max_kwh",
    "min_current",
    "max_current",
    "min_power",
    "max_power",
    "min_duration",
    "max_duration",
    "day_of_week",
    "reservation",
)


def _restrictions(value: Any, where: str, problems: _Problems) -> Restrictions:
    if value is None:
        return Restrictions()
    body = _object(value, where, problems, _RESTRICTION_FIELDS)
    if body is None:
        return Restrictions()
    out: dict[str, Any] = {}
    for name in ("start_time", "end_time"):
        if body.get(name) is not None:
            out[name] = _time_of_day(body[name], f"{where}.{name}", problems)
    for name in ("start_date", "end_date"):
        if body.get(name) is not None:
            out[name] = _date(body[name], f"{where}.{name}", problems)
    for name in ("min_kwh", "max_kwh", "min_current", "max_current", "min_power", "max_power"):
        if body.get(name) is not None:
            out[name] = _decimal(body[name], f"{where}.{name}", problems)
    for name in ("min_duration", "max_duration"):
        if body.get(name) is not None:
            out[name] = _int(body[name], f"{where}.{name}", problems)
    days = body.get("day_of_week")
    if days is not None:
        if not isinstance(days, list) or not days:
            problems.add(f"{where}.day_of_week", "must be a non-empty list of week days")
        else:
            seen: set[int] = set()
            for index, day in enumerate(days):
                if day not in WEEKDAYS:
                    problems.add(f"{where}.day_of_week[{index}]", f"must be one of {', '.join(WEEKDAYS)}")
                elif WEEKDAYS.index(day) in seen:
                    problems.add(f"{where}.day_of_week[{index}]", f"{day} is listed twice")
                else:
                    seen.add(WEEKDAYS.index(day))
            out["day_of_week"] = frozenset(seen)
    if body.get("reservation") is not None:
        if body["reservation"] not in RESERVATION_KINDS:
            problems.add(f"{where}.reservation", f"must be one of {', '.join(RESERVATION_KINDS)}")
        else:
            out["reservation"] = body["reservation"]
    restrictions = Restrictions(**{k: v for k, v in out.items() if v is not None})
    r = restrictions
    if r.start_time is not None and r.end_time is not None and r.start_time == r.end_time:
        problems.add(where, "start_time and end_time are equal: the window is empty")
    _range_check(r.start_date, r.end_date, where, ("start_date", "end_date"), problems)  # type: ignore[arg-type]
    _range_check(r.min_kwh, r.max_kwh, where, ("min_kwh", "max_kwh"), problems)
    _range_check(r.min_current, r.max_current, where, ("min_current", "max_current"), problems)
    _range_check(r.min_power, r.max_power, where, ("min_power", "max_power"), problems)
    _range_check(r.min_duration, r.max_duration, where, ("min_duration", "max_duration"), problems)
    return restrictions


def _component(value: Any, where: str, problems: _Problems) -> PriceComponent | None:
    body = _object(value, where, problems, ("type", "price", "vat", "step_size"))
    if body is None:
        return None
    kind = body.get("type")
    if kind not in Dimension.__members__:
        problems.add(f"{where}.type", f"must be one of {', '.join(d.value for d in Dimension)}")
        return None
    dimension = Dimension(str(kind))
    if "price" not in body:
        problems.add(f"{where}.price", "is required")
        return None
    price = _decimal(body["price"], f"{where}.price", problems)
    vat = _decimal(body["vat"], f"{where}.vat", problems) if body.get("vat") is not None else None
    if vat is not None and vat > HUNDRED:
        problems.add(f"{where}.vat", "is a percentage: at most 100")
        vat = None
    if "step_size" not in body:
        problems.add(f"{where}.step_size", "is required")
        return None
    step = _int(body["step_size"], f"{where}.step_size", problems, minimum=0 if dimension is Dimension.FLAT else 1)
    if price is None or step is None:
        return None
    return PriceComponent(dimension, price, step, vat)


_TARIFF_FIELDS = (
    "id",
    "currency",
    "elements",
    "min_price",
    "max_price",
    "start_date_time",
    "end_date_time",
    "type",
    "tariff_alt_text",
    "tariff_alt_url",
    # OCPI fields a CPO system owns; accepted and ignored so OCPI objects can be posted as they are
    "country_code",
    "party_id",
    "last_updated",
    "energy_mix",
)


def parse_tariff(body: Any) -> Tariff:
    """A request body (decoded with Decimal floats) -> a :class:`Tariff`. Raises :class:`TariffError`
    listing every problem; a tariff is either wholly valid or refused."""
    problems = _Problems()
    data = _object(body, "tariff", problems, _TARIFF_FIELDS)
    if data is None:
        raise TariffError(problems.items)
    tariff_id = data.get("id")
    if not isinstance(tariff_id, str) or not _ID.fullmatch(tariff_id):
        problems.add("id", "must be 1-36 printable ASCII characters")
    currency = data.get("currency")
    if not isinstance(currency, str) or not is_currency(currency):
        problems.add("currency", f"{currency!r} is not an ISO 4217 currency code")
    raw_elements = data.get("elements")
    elements: list[TariffElement] = []
    if not isinstance(raw_elements, list) or not raw_elements:
        problems.add("elements", "must be a non-empty list")
    else:
        for index, raw in enumerate(raw_elements):
            where = f"elements[{index}]"
            element = _object(raw, where, problems, ("price_components", "restrictions"))
            if element is None:
                continue
            components_raw = element.get("price_components")
            if not isinstance(components_raw, list) or not components_raw:
                problems.add(f"{where}.price_components", "must be a non-empty list")
                continue
            components = [
                _component(item, f"{where}.price_components[{n}]", problems) for n, item in enumerate(components_raw)
            ]
            kinds = [c.type for c in components if c is not None]
            for kind in set(kinds):
                if kinds.count(kind) > 1:
                    problems.add(f"{where}.price_components", f"{kind.value} appears more than once")
            restrictions = _restrictions(element.get("restrictions"), f"{where}.restrictions", problems)
            elements.append(TariffElement(tuple(c for c in components if c is not None), restrictions))
    min_price = _price(data["min_price"], "min_price", problems) if data.get("min_price") is not None else None
    max_price = _price(data["max_price"], "max_price", problems) if data.get("max_price") is not None else None
    if min_price is not None and max_price is not None:
        if min_price.excl_vat > max_price.excl_vat:
            problems.add("min_price", "excl_vat is above max_price.excl_vat")
        if (
            min_price.incl_vat is not None
            and max_price.incl_vat is not None
            and min_price.incl_vat > max_price.incl_vat
        ):
            problems.add("min_price", "incl_vat is above max_price.incl_vat")
    start = _datetime(data["start_date_time"], "start_date_time", problems) if data.get("start_date_time") else None
    end = _datetime(data["end_date_time"], "end_date_time", problems) if data.get("end_date_time") else None
    if start is not None and end is not None and start >= end:
        problems.add("end_date_time", "must be after start_date_time")
    tariff_type = data.get("type")
    if tariff_type is not None and tariff_type not in TARIFF_TYPES:
        problems.add("type", f"must be one of {', '.join(TARIFF_TYPES)}")
    alt_text = data.get("tariff_alt_text") or []
    if not isinstance(alt_text, list) or not all(
        isinstance(t, Mapping) and isinstance(t.get("language"), str) and isinstance(t.get("text"), str)
        for t in alt_text
    ):
        problems.add("tariff_alt_text", "must be a list of {language, text}")
        alt_text = []
    alt_url = data.get("tariff_alt_url")
    if alt_url is not None and (not isinstance(alt_url, str) or len(alt_url) > 255):
        problems.add("tariff_alt_url", "must be a URL of at most 255 characters")
    if not problems.items:
        for problem in overlap_problems(elements):
            problems.add("elements", problem)
    if problems.items:
        raise TariffError(problems.items)
    assert isinstance(tariff_id, str) and isinstance(currency, str)
    return Tariff(
        id=tariff_id,
        currency=currency,
        elements=tuple(elements),
        min_price=min_price,
        max_price=max_price,
        start_date_time=start,
        end_date_time=end,
        type=tariff_type,
        tariff_alt_text=tuple({"language": t["language"], "text": t["text"]} for t in alt_text),
        tariff_alt_url=alt_url,
    )


def _fmt_time(value: time) -> str:
    return value.strftime("%H:%M")


def tariff_json(tariff: Tariff) -> dict[str, Any]:
    """The OCPI Tariff object (numbers as Decimal: serialise them as JSON numbers)."""
    elements = []
    for element in tariff.elements:
        components = []
        for c in element.price_components:
            item: dict[str, Any] = {"type": c.type.value, "price": c.price}
            if c.vat is not None:
                item["vat"] = c.vat
            item["step_size"] = c.step_size
            components.append(item)
        out: dict[str, Any] = {"price_components": components}
        r = element.restrictions
        if not r.empty:
            restrictions: dict[str, Any] = {}
            if r.start_time is not None:
                restrictions["start_time"] = _fmt_time(r.start_time)
            if r.end_time is not None:
                restrictions["end_time"] = _fmt_time(r.end_time)
            if r.start_date is not None:
                restrictions["start_date"] = r.start_date.isoformat()
            if r.end_date is not None:
                restrictions["end_date"] = r.end_date.isoformat()
            for name in ("min_kwh", "max_kwh", "min_current", "max_current", "min_power", "max_power"):
                if getattr(r, name) is not None:
                    restrictions[name] = getattr(r, name)
            for name in ("min_duration", "max_duration"):
                if getattr(r, name) is not None:
                    restrictions[name] = getattr(r, name)
            if r.day_of_week:
                restrictions["day_of_week"] = [WEEKDAYS[d] for d in sorted(r.day_of_week)]
            if r.reservation is not None:
                restrictions["reservation"] = r.reservation
            out["restrictions"] = restrictions
        elements.append(out)
    body: dict[str, Any] = {"id": tariff.id, "currency": tariff.currency}
    if tariff.type is not None:
        body["type"] = tariff.type
    if tariff.tariff_alt_text:
        body["tariff_alt_text"] = [dict(t) for t in tariff.tariff_alt_text]
    if tariff.tariff_alt_url is not None:
        body["tariff_alt_url"] = tariff.tariff_alt_url
    body["elements"] = elements
    if tariff.min_price is not None:
        body["min_price"] = tariff.min_price.to_json()
    if tariff.max_price is not None:
        body["max_price"] = tariff.max_price.to_json()
    if tariff.start_date_time is not None:
        body["start_date_time"] = tariff.start_date_time.isoformat().replace("+00:00", "Z")
    if tariff.end_date_time is not None:
        body["end_date_time"] = tariff.end_date_time.isoformat().replace("+00:00", "Z")
    return body


# -- overlapping restrictions -----------------------------------------------------------------------
#
# OCPI applies the first element that matches, so two elements pricing the same dimension may
# overlap only as "specific first, broader fallback after it". Anything else is refused as
# ambiguous: a later element wholly inside an earlier one can never apply, and two elements
# that overlap partially price the shared part by list order only (an order nobody reads).

_DAY_MINUTES = 24 * 60
_INF = Decimal("Infinity")


def _minutes(r: Restrictions) -> list[tuple[int, int]]:
    """The time-of-day window as half-open minute intervals within one day."""
    start = r.start_time.hour * 60 + r.start_time.minute if r.start_time is not None else 0
    end = r.end_time.hour * 60 + r.end_time.minute if r.end_time is not None else _DAY_MINUTES
    if end == 0 and r.end_time is not None:
        end = _DAY_MINUTES  # "to stop at end of the day use 00:00"
    if start < end:
        return [(start, end)]
    return [(start, _DAY_MINUTES), (0, end)] if end > 0 else [(start, _DAY_MINUTES)]


def _span(lo: Decimal | int | None, hi: Decimal | int | None) -> tuple[Decimal, Decimal]:
    return (Decimal(lo) if lo is not None else -_INF, Decimal(hi) if hi is not None else _INF)


def _date_span(r: Restrictions) -> tuple[Decimal, Decimal]:
    lo = Decimal(r.start_date.toordinal()) if r.start_date is not None else -_INF
    hi = Decimal(r.end_date.toordinal()) if r.end_date is not None else _INF
    return lo, hi


def _axes(r: Restrictions) -> list[Any]:
    days = r.day_of_week or frozenset(range(7))
    return [
        ("minutes", _minutes(r)),
        ("days", days),
        ("span", _date_span(r)),
        ("span", _span(r.min_kwh, r.max_kwh)),
        ("span", _span(r.min_current, r.max_current)),
        ("span", _span(r.min_power, r.max_power)),
        ("span", _span(r.min_duration, r.max_duration)),
        ("value", r.reservation),
    ]


def _axis_intersects(kind: str, a: Any, b: Any) -> bool:
    if kind == "minutes":
        return any(x0 < y1 and y0 < x1 for x0, x1 in a for y0, y1 in b)
    if kind == "days":
        return bool(a & b)
    if kind == "span":
        return bool(a[0] < b[1] and b[0] < a[1])
    return bool(a == b)


def _axis_contains(kind: str, outer: Any, inner: Any) -> bool:
    if kind == "minutes":
        return all(any(o0 <= i0 and i1 <= o1 for o0, o1 in outer) for i0, i1 in inner)
    if kind == "days":
        return bool(inner <= outer)
    if kind == "span":
        return bool(outer[0] <= inner[0] and inner[1] <= outer[1])
    return bool(outer == inner)


def overlap_problems(elements: Sequence[TariffElement]) -> list[str]:
    """Pairs of elements pricing one dimension whose restrictions overlap in a way OCPI's
    first-match rule makes ambiguous (see above). Empty when the tariff is unambiguous."""
    problems: list[str] = []
    axes = [_axes(e.restrictions) for e in elements]
    for dimension in Dimension:
        pricing = [i for i, e in enumerate(elements) if e.component(dimension) is not None]
        for later_pos, j in enumerate(pricing):
            for i in pricing[:later_pos]:
                if not all(_axis_intersects(kind, a, b) for (kind, a), (_, b) in zip(axes[i], axes[j], strict=True)):
                    continue  # disjoint
                if all(_axis_contains(kind, b, a) for (kind, a), (_, b) in zip(axes[i], axes[j], strict=True)):
                    continue  # j is a broader fallback behind the more specific i
                if all(_axis_contains(kind, a, b) for (kind, a), (_, b) in zip(axes[i], axes[j], strict=True)):
                    problems.append(
                        f"elements[{j}] can never price {dimension.value}: elements[{i}] comes first "
                        f"and its restrictions cover all of elements[{j}]'s"
                    )
                else:
                    problems.append(
                        f"elements[{i}] and elements[{j}] both price {dimension.value} with overlapping "
                        "restrictions; make them disjoint, or make the later one a broader fallback"
                    )
    return problems


# -- pricing a session --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeterPoint:
    """One reading during the session: the energy delivered since the session started (Wh) and,
    where the reading carried them, power (W) and current summed over phases (A)."""

    at: datetime
    energy_wh: Decimal
    power_w: Decimal | None = None
    current_a: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SessionUsage:
    """What a session used: its start and end, the total energy (Wh, the authoritative meter
    difference) and the readings in between (energy since start; clipped into [0, total])."""

    start: datetime
    end: datetime
    energy_wh: Decimal
    points: tuple[MeterPoint, ...] = ()
    reservation: bool = False


@dataclass(frozen=True, slots=True)
class Dim:
    type: str
    volume: Decimal

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "volume": self.volume}


@dataclass(frozen=True, slots=True)
class ChargingPeriod:
    start_date_time: datetime
    dimensions: tuple[Dim, ...]
    tariff_id: str | None
    # What each priced dimension cost in this period (excl. VAT, unrounded) and which element priced it.
    costs: Mapping[str, Decimal] = field(default_factory=dict)
    elements: Mapping[str, int] = field(default_factory=dict)

    def volume(self, kind: str) -> Decimal:
        return sum((d.volume for d in self.dimensions if d.type == kind), ZERO)


@dataclass(frozen=True, slots=True)
class Costing:
    """A priced session: the OCPI charging periods and totals (rounded to the currency's minor unit)."""

    currency: str
    charging_periods: tuple[ChargingPeriod, ...]
    total_cost: Price
    total_fixed_cost: Price | None
    total_energy_cost: Price | None
    total_time_cost: Price | None
    total_parking_cost: Price | None
    total_energy_kwh: Decimal
    total_time_h: Decimal
    total_parking_time_h: Decimal
    unrounded_total: Price
    notes: tuple[str, ...] = ()


@dataclass(slots=True)
class _Piece:
    t0: Decimal  # seconds since session start
    t1: Decimal
    e0: Decimal  # Wh since session start
    e1: Decimal
    power_w: Decimal | None = None
    current_a: Decimal | None = None

    @property
    def energy(self) -> Decimal:
        return self.e1 - self.e0

    @property
    def seconds(self) -> Decimal:
        return self.t1 - self.t0

    @property
    def charging(self) -> bool:
        return self.energy > 0


def _seconds(delta: timedelta) -> Decimal:
    return Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds) / Decimal(1_000_000)


def _at(start: datetime, offset: Decimal) -> datetime:
    whole = int(offset)
    micros = int(((offset - whole) * 1_000_000).to_integral_value(ROUND_HALF_UP))
    return start + timedelta(seconds=whole, microseconds=micros)


def _curve(usage: SessionUsage) -> list[tuple[Decimal, Decimal]]:
    """(seconds since start, Wh since start) from the start to the end, non-decreasing in both."""
    total = max(usage.energy_wh, ZERO)
    duration = max(_seconds(usage.end - usage.start), ZERO)
    points = [(ZERO, ZERO)]
    for point in sorted(usage.points, key=lambda p: p.at):
        offset = _seconds(point.at - usage.start)
        if offset <= 0 or offset >= duration:
            continue
        energy = min(max(point.energy_wh, points[-1][1]), total)
        points.append((offset, energy))
    points.append((duration, total))
    return points


def _cuts(
    tariff: Tariff, usage: SessionUsage, zone: ZoneInfo, curve: list[tuple[Decimal, Decimal]]
) -> dict[Decimal, Decimal | None]:
    """Offsets (s) where a piece must start, with the exact energy there when known."""
    duration = curve[-1][0]
    cuts: dict[Decimal, Decimal | None] = {offset: energy for offset, energy in curve}
    times = {r.start_time for e in tariff.elements for r in [e.restrictions] if r.start_time is not None}
    times |= {r.end_time for e in tariff.elements for r in [e.restrictions] if r.end_time is not None}
    times.add(time(0, 0))
    day = usage.start.astimezone(zone).date() - timedelta(days=1)
    last_day = usage.end.astimezone(zone).date() + timedelta(days=1)
    while day <= last_day:
        for moment in times:
            local = datetime.combine(day, moment, tzinfo=zone)
            offset = _seconds(local - usage.start)
            if 0 < offset < duration:
                cuts.setdefault(offset, None)
        day += timedelta(days=1)
    for element in tariff.elements:
        r = element.restrictions
        for seconds in (r.min_duration, r.max_duration):
            if seconds is not None and 0 < seconds < duration:
                cuts.setdefault(Decimal(seconds), None)
        for kwh in (r.min_kwh, r.max_kwh):
            if kwh is None:
                continue
            target = kwh * THOUSAND
            for (s0, w0), (s1, w1) in itertools.pairwise(curve):
                if w0 < target <= w1 and w1 > w0:
                    offset = s0 + (s1 - s0) * (target - w0) / (w1 - w0)
                    if 0 < offset < duration:
                        cuts[offset] = target
                    break
    return cuts


def _energy_at(curve: list[tuple[Decimal, Decimal]], offset: Decimal) -> Decimal:
    for (s0, w0), (s1, w1) in itertools.pairwise(curve):
        if s0 <= offset <= s1:
            if s1 == s0:
                return w1
            return w0 + (w1 - w0) * (offset - s0) / (s1 - s0)
    return curve[-1][1]


def _pieces(tariff: Tariff, usage: SessionUsage, zone: ZoneInfo) -> list[_Piece]:
    curve = _curve(usage)
    cuts = _cuts(tariff, usage, zone, curve)
    offsets = sorted(cuts)
    energies = [cuts[o] if cuts[o] is not None else _energy_at(curve, o) for o in offsets]
    # current readings by offset, in time order: the first one at or after a piece's end closes it
    currents = sorted((_seconds(p.at - usage.start), p.current_a) for p in usage.points if p.current_a is not None)
    offsets_of_currents = [offset for offset, _ in currents]
    pieces: list[_Piece] = []
    for (t0, e0), (t1, e1) in zip(
        zip(offsets, energies, strict=True), zip(offsets[1:], energies[1:], strict=True), strict=False
    ):
        assert e0 is not None and e1 is not None
        piece = _Piece(t0, t1, e0, e1)
        # power: the piece's average (exact, from the energy); current: the reading closing the piece
        if piece.seconds > 0:
            piece.power_w = piece.energy * SECONDS_PER_HOUR / piece.seconds
        if currents:  # O(log n) per piece: sessions with thousands of readings price in linear time
            index = bisect_left(offsets_of_currents, t1)
            if index < len(currents):
                piece.current_a = currents[index][1]
            elif offsets_of_currents[-1] > t0:
                piece.current_a = currents[-1][1]
        pieces.append(piece)
    if not pieces:  # a zero-length session: one empty piece so FLAT still applies
        pieces.append(_Piece(ZERO, ZERO, ZERO, ZERO))
    return pieces


def _applies(r: Restrictions, usage: SessionUsage, zone: ZoneInfo, piece: _Piece) -> bool:
    if (r.reservation is not None) != usage.reservation:
        return False
    local = _at(usage.start, piece.t0).astimezone(zone)
    if r.day_of_week and local.weekday() not in r.day_of_week:
        return False
    if r.start_date is not None and local.date() < r.start_date:
        return False
    if r.end_date is not None and local.date() >= r.end_date:
        return False
    if r.start_time is not None or r.end_time is not None:
        minute = local.hour * 60 + local.minute
        if not any(lo <= minute < hi for lo, hi in _minutes(r)):
            return False
    energy_kwh = piece.e0 / THOUSAND
    if r.min_kwh is not None and energy_kwh < r.min_kwh:
        return False
    if r.max_kwh is not None and energy_kwh >= r.max_kwh:
        return False
    if r.min_duration is not None and piece.t0 < r.min_duration:
        return False
    if r.max_duration is not None and piece.t0 >= r.max_duration:
        return False
    if r.min_power is not None or r.max_power is not None:
        if piece.power_w is None:
            return False
        kw = piece.power_w / THOUSAND
        if (r.min_power is not None and kw < r.min_power) or (r.max_power is not None and kw >= r.max_power):
            return False
    if r.min_current is not None or r.max_current is not None:
        if piece.current_a is None:
            return False
        amps = piece.current_a
        if (r.min_current is not None and amps < r.min_current) or (
            r.max_current is not None and amps >= r.max_current
        ):
            return False
    return True


def _element_for(
    tariff: Tariff, dimension: Dimension, usage: SessionUsage, zone: ZoneInfo, piece: _Piece
) -> int | None:
    for index, element in enumerate(tariff.elements):
        if element.component(dimension) is not None and _applies(element.restrictions, usage, zone, piece):
            return index
    return None


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round a money amount to the currency's minor unit, half up (commercial rounding)."""
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


def _volume(value: Decimal) -> Decimal:
    """OCPI numbers carry 4 decimals; volumes are reported rounded half up (costs use the exact values)."""
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize() + ZERO


@dataclass(slots=True)
class _Accumulator:
    excl: Decimal = ZERO
    incl: Decimal | None = ZERO
    used: bool = False

    def add(self, excl: Decimal, vat: Decimal | None) -> None:
        self.used = True
        self.excl += excl
        if self.incl is None:
            return
        if vat is None:
            self.incl = None if excl != 0 else self.incl
        else:
            self.incl += excl * (1 + vat / HUNDRED)

    def price(self, currency: str) -> Price:
        return Price(quantize(self.excl, currency), quantize(self.incl, currency) if self.incl is not None else None)


def price_session(tariff: Tariff, usage: SessionUsage, zone: ZoneInfo | None = None) -> Costing:
    """Price one session under one tariff (see the module docstring for the rules)."""
    with localcontext() as context:
        context.prec = 60  # divisions by 3600 and interpolations stay far below a millionth of a cent
        return _price_session(tariff, usage, zone)


def _price_session(tariff: Tariff, usage: SessionUsage, zone: ZoneInfo | None) -> Costing:
    zone = zone or ZoneInfo("UTC")
    pieces = _pieces(tariff, usage, zone)
    # which element prices each piece in each dimension
    priced: list[dict[Dimension, int | None]] = []
    for piece in pieces:
        time_dimension = Dimension.TIME if piece.charging else Dimension.PARKING_TIME
        priced.append(
            {
                Dimension.ENERGY: _element_for(tariff, Dimension.ENERGY, usage, zone, piece) if piece.energy else None,
                time_dimension: _element_for(tariff, time_dimension, usage, zone, piece) if piece.seconds else None,
            }
        )
    # merge pieces into charging periods
    groups: list[tuple[list[_Piece], dict[Dimension, int | None], bool]] = []
    for piece, choice in zip(pieces, priced, strict=True):
        key = (tuple(sorted((d.value, e) for d, e in choice.items())), piece.charging)
        if groups and (tuple(sorted((d.value, e) for d, e in groups[-1][1].items())), groups[-1][2]) == key:
            groups[-1][0].append(piece)
        else:
            groups.append(([piece], choice, piece.charging))
    # billed volumes in base units, exact: ENERGY in Wh, time in seconds
    billed: list[dict[Dimension, Decimal]] = []
    for members, choice, charging in groups:
        volumes: dict[Dimension, Decimal] = {}
        if choice.get(Dimension.ENERGY) is not None:
            volumes[Dimension.ENERGY] = sum((p.energy for p in members), ZERO)
        time_dimension = Dimension.TIME if charging else Dimension.PARKING_TIME
        if choice.get(time_dimension) is not None:
            volumes[time_dimension] = sum((p.seconds for p in members), ZERO)
        billed.append(volumes)
    notes: list[str] = []
    _apply_step(tariff, groups, billed, (Dimension.ENERGY,), notes)
    parking_priced = any(Dimension.PARKING_TIME in v for v in billed)
    _apply_step(
        tariff,
        groups,
        billed,
        (Dimension.PARKING_TIME,) if parking_priced else (Dimension.TIME,),
        notes,
    )
    totals = {d: _Accumulator() for d in Dimension}
    periods: list[ChargingPeriod] = []
    for (members, choice, charging), volumes in zip(groups, billed, strict=True):
        costs: dict[str, Decimal] = {}
        elements: dict[str, int] = {}
        for dimension, volume in volumes.items():
            index = choice[dimension]
            assert index is not None
            component = tariff.elements[index].component(dimension)
            assert component is not None
            unit = THOUSAND if dimension is Dimension.ENERGY else SECONDS_PER_HOUR
            cost = volume * component.price / unit
            totals[dimension].add(cost, component.vat)
            costs[dimension.value] = cost
            elements[dimension.value] = index
        periods.append(_period(tariff, usage, members, charging, costs, elements))
    # FLAT: once per session
    for piece in pieces:
        index = _element_for(tariff, Dimension.FLAT, usage, zone, piece)
        if index is not None:
            component = tariff.elements[index].component(Dimension.FLAT)
            assert component is not None
            totals[Dimension.FLAT].add(component.price, component.vat)
            first = periods[0]
            periods[0] = replace(
                first,
                costs={**first.costs, "FLAT": component.price},
                elements={**first.elements, "FLAT": index},
            )
            break
    excl = sum((a.excl for a in totals.values()), ZERO)
    incl: Decimal | None = ZERO
    for accumulator in totals.values():
        if accumulator.incl is None:
            incl = None
        elif incl is not None:
            incl += accumulator.incl
    unrounded = Price(excl, incl)
    if tariff.min_price is not None:
        if excl < tariff.min_price.excl_vat:
            excl = tariff.min_price.excl_vat
            notes.append("min_price applied (excl. VAT)")
        if incl is not None and tariff.min_price.incl_vat is not None and incl < tariff.min_price.incl_vat:
            incl = tariff.min_price.incl_vat
            notes.append("min_price applied (incl. VAT)")
    if tariff.max_price is not None:
        if excl > tariff.max_price.excl_vat:
            excl = tariff.max_price.excl_vat
            notes.append("max_price applied (excl. VAT)")
        if incl is not None and tariff.max_price.incl_vat is not None and incl > tariff.max_price.incl_vat:
            incl = tariff.max_price.incl_vat
            notes.append("max_price applied (incl. VAT)")
    currency = tariff.currency
    total_seconds = max(_seconds(usage.end - usage.start), ZERO)
    parking_seconds = sum((p.seconds for p in pieces if not p.charging), ZERO)

    def subtotal(*dimensions: Dimension) -> Price | None:
        used = [totals[d] for d in dimensions if totals[d].used]
        if not used:
            return None
        merged = _Accumulator()
        for accumulator in used:
            merged.excl += accumulator.excl
            merged.incl = None if merged.incl is None or accumulator.incl is None else merged.incl + accumulator.incl
        return merged.price(currency)

    return Costing(
        currency=currency,
        charging_periods=tuple(periods),
        total_cost=Price(quantize(excl, currency), quantize(incl, currency) if incl is not None else None),
        total_fixed_cost=subtotal(Dimension.FLAT),
        total_energy_cost=subtotal(Dimension.ENERGY),
        total_time_cost=subtotal(Dimension.TIME),
        total_parking_cost=subtotal(Dimension.PARKING_TIME),
        total_energy_kwh=max(usage.energy_wh, ZERO) / THOUSAND,
        total_time_h=total_seconds / SECONDS_PER_HOUR,
        total_parking_time_h=parking_seconds / SECONDS_PER_HOUR,
        unrounded_total=unrounded,
        notes=tuple(notes),
    )


def _apply_step(
    tariff: Tariff,
    groups: list[tuple[list[_Piece], dict[Dimension, int | None], bool]],
    billed: list[dict[Dimension, Decimal]],
    dimensions: tuple[Dimension, ...],
    notes: list[str],
) -> None:
    """Round the session's total priced volume of ``dimensions`` up to the step of the last priced
    period's component; the remainder is billed on that period (mod_cdrs step_size)."""
    last: tuple[int, Dimension] | None = None
    total = ZERO
    for index, volumes in enumerate(billed):
        for dimension in dimensions:
            if dimension in volumes:
                total += volumes[dimension]
                last = (index, dimension)
    if last is None:
        return
    index, dimension = last
    element = groups[index][1][dimension]
    assert element is not None
    component = tariff.elements[element].component(dimension)
    assert component is not None
    step = Decimal(component.step_size)  # Wh or seconds, like the volumes
    if step <= 0 or total <= 0:
        return
    rounded = (total / step).to_integral_value(ROUND_CEILING) * step
    extra = rounded - total
    if extra > 0:
        billed[index][dimension] += extra
        unit = "Wh" if dimension is Dimension.ENERGY else "s"
        notes.append(f"step_size {component.step_size} rounds {dimension.value} up by {_volume(extra)} {unit}")


def _period(
    tariff: Tariff,
    usage: SessionUsage,
    members: list[_Piece],
    charging: bool,
    costs: dict[str, Decimal],
    elements: dict[str, int],
) -> ChargingPeriod:
    t0, t1 = members[0].t0, members[-1].t1
    energy_kwh = sum((p.energy for p in members), ZERO) / THOUSAND
    hours = sum((p.seconds for p in members), ZERO) / SECONDS_PER_HOUR
    dims = [Dim("ENERGY", _volume(energy_kwh)), Dim("TIME" if charging else "PARKING_TIME", _volume(hours))]
    start, end = _at(usage.start, t0), _at(usage.start, t1)
    inside = [p for p in usage.points if start <= p.at <= end]
    powers = [p.power_w for p in inside if p.power_w is not None]
    currents = [p.current_a for p in inside if p.current_a is not None]
    if powers:
        dims += [Dim("MAX_POWER", _volume(max(powers) / THOUSAND)), Dim("MIN_POWER", _volume(min(powers) / THOUSAND))]
    if currents:
        dims += [Dim("MAX_CURRENT", _volume(max(currents))), Dim("MIN_CURRENT", _volume(min(currents)))]
    return ChargingPeriod(start.replace(microsecond=0), tuple(dims), tariff.id, costs, elements)


def period_json(period: ChargingPeriod) -> dict[str, Any]:
    out: dict[str, Any] = {
        "start_date_time": period.start_date_time.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z"),
        "dimensions": [d.to_json() for d in period.dimensions],
    }
    if period.tariff_id is not None:
        out["tariff_id"] = period.tariff_id
    return out


def tariff_active(tariff: Tariff, at: datetime) -> bool:
    """Whether the tariff's own validity window (start/end_date_time) covers ``at``."""
    if tariff.start_date_time is not None and at < tariff.start_date_time:
        return False
    return not (tariff.end_date_time is not None and at >= tariff.end_date_time)
