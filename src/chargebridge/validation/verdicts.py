"""The judges (pure): did this evidence satisfy this case? No I/O, no clock: each takes what the
bench observed (already read out of the frames and events) and returns a :class:`Verdict`.

Every judge looks at what the station *did*; an answer's status word alone never passes a case
whose effect can be observed (see docs/validation.md for the rule of each case).
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chargebridge.rpc import OcppVersion
from chargebridge.validation.model import Quirk, Verdict
from chargebridge.validation.readings import (
    CURRENT,
    ENERGY_REGISTER,
    POWER,
    VALID_UNITS,
    Reading,
    StatusReport,
    TxMessage,
)

# -- connection and boot --------------------------------------------------------------------------


def judge_connection(version: OcppVersion, subprotocol: str | None, connected: bool) -> Verdict:
    if not connected:
        return Verdict.failed("the station is not connected")
    expected = version.subprotocol
    if subprotocol != expected:
        return Verdict.failed(f"negotiated subprotocol {subprotocol!r}, expected {expected!r}", subprotocol=subprotocol)
    return Verdict.passed(f"connected with subprotocol {subprotocol}", subprotocol=subprotocol)


_PLACEHOLDERS = frozenset(
    {"", "string", "unknown", "test", "n/a", "na", "none", "null", "vendor", "model", "default", "xxx", "tbd", "-"}
)


def _plausible(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value.strip().lower() not in _PLACEHOLDERS
        and value.isprintable()
        and value.strip("0") != ""
    )


def judge_boot(identity: Mapping[str, Any], boot_status: str | None, booted: bool) -> Verdict:
    """``identity``: vendor, model, serial_number, firmware_version as the last BootNotification
    gave them; ``boot_status`` how it was answered."""
    if not booted:
        return Verdict.failed("no BootNotification was received from this station")
    if boot_status != "Accepted":
        return Verdict.failed(f"the last BootNotification was answered {boot_status or 'nothing'}, not Accepted")
    bad = [name for name in ("vendor", "model") if not _plausible(identity.get(name))]
    if bad:
        shown = ", ".join(f"{name}={identity.get(name)!r}" for name in bad)
        return Verdict.failed(
            f"implausible identity: {shown}",
            [Quirk("implausible_identity", f"BootNotification {shown}")],
            identity=dict(identity),
        )
    quirks = []
    for name, what in (("serial_number", "serial number"), ("firmware_version", "firmware version")):
        if not _plausible(identity.get(name)):
            quirks.append(Quirk(f"missing_{name}", f"BootNotification carries no usable {what}"))
    return Verdict.passed(
        f"BootNotification accepted: {identity.get('vendor')} {identity.get('model')}, "
        f"firmware {identity.get('firmware_version') or '?'}",
        quirks,
        identity=dict(identity),
    )


# -- heartbeats -----------------------------------------------------------------------------------


def judge_heartbeats(
    heartbeats: Sequence[float], activity: Sequence[float], expected_s: float, start: float, end: float
) -> Verdict:
    """``heartbeats``: arrival times of Heartbeat CALLs in the window [start, end]; ``activity``:
    arrival times of every CALL of the station there (heartbeats included). A station may skip a
    heartbeat when it sent something else within the interval (2.0.1 G02); it must never be
    silent for longer than the interval (plus half of it and 2 s of jitter), nor send heartbeats
    at less than half of it."""
    facts = {
        "expected_interval_s": expected_s,
        "window_s": round(end - start, 3),
        "heartbeats": len(heartbeats),
    }
    if not heartbeats:
        return Verdict.failed(f"no Heartbeat in {end - start:.1f} s (asked for one every {expected_s:g} s)", **facts)
    allowed = expected_s * 1.5 + 2.0
    points = sorted({start, *activity, end})
    silent = max(b - a for a, b in itertools.pairwise(points)) if len(points) > 1 else end - start
    facts["longest_silence_s"] = round(silent, 3)
    gaps = [b - a for a, b in itertools.pairwise(heartbeats)]
    if gaps:
        facts["median_heartbeat_gap_s"] = round(statistics.median(gaps), 3)
    if silent > allowed:
        return Verdict.failed(f"silent for {silent:.1f} s; the interval is {expected_s:g} s", **facts)
    if gaps and statistics.median(gaps) < expected_s * 0.5:
        return Verdict.failed(
            f"heartbeats every {statistics.median(gaps):.1f} s, more than twice as often as the {expected_s:g} s asked",
            **facts,
        )
    return Verdict.passed(f"{len(heartbeats)} heartbeats, never silent longer than {silent:.1f} s", **facts)


# -- malformed requests ---------------------------------------------------------------------------

ERROR_CODES: dict[OcppVersion, frozenset[str]] = {
    OcppVersion.V16: frozenset(
        {
            "NotImplemented",
            "NotSupported",
            "InternalError",
            "ProtocolError",
            "SecurityError",
            "FormationViolation",
            "PropertyConstraintViolation",
            "OccurenceConstraintViolation",
            "TypeConstraintViolation",
            "GenericError",
        }
    ),
    OcppVersion.V201: frozenset(
        {
            "FormatViolation",
            "GenericError",
            "InternalError",
            "MessageTypeNotSupported",
            "NotImplemented",
            "NotSupported",
            "OccurrenceConstraintViolation",
            "PropertyConstraintViolation",
            "ProtocolError",
            "RpcFrameworkError",
            "SecurityError",
            "TypeConstraintViolation",
        }
    ),
}


@dataclass(frozen=True, slots=True)
class Probe:
    """One deliberately bad CALL of the bench and what came back."""

    name: str  # malformed_payload | unknown_action
    action: str
    reply: str  # CALLERROR | CALLRESULT | none
    code: str | None = None
    same_id: bool = True


def judge_callerror(version: OcppVersion, probes: Sequence[Probe], still_connected: bool, followup: bool) -> Verdict:
    """Each probe must get a CALLERROR echoing its message id with an error code of the version;
    the connection must stay up and the next valid request must still be answered."""
    facts = {"probes": [_probe_json(p) for p in probes]}
    quirks: list[Quirk] = []
    for probe in probes:
        if probe.reply == "none":
            return Verdict.failed(f"no answer to the {probe.name.replace('_', ' ')} ({probe.action})", **facts)
        if probe.reply == "CALLRESULT":
            return Verdict.failed(
                f"the {probe.name.replace('_', ' ')} ({probe.action}) was answered with a CALLRESULT", **facts
            )
        if not probe.same_id:
            return Verdict.failed(f"the CALLERROR to {probe.action} does not carry the request's message id", **facts)
        if probe.code not in ERROR_CODES[version]:
            return Verdict.failed(f"error code {probe.code!r} is not an OCPP {version.value} error code", **facts)
        if probe.name == "unknown_action" and probe.code != "NotImplemented":
            quirks.append(Quirk("error_code", f"an unknown action is answered {probe.code}, not NotImplemented"))
        if probe.code in ("InternalError", "GenericError"):
            quirks.append(Quirk("error_code", f"a {probe.name.replace('_', ' ')} is answered {probe.code}"))
    if not still_connected:
        return Verdict.failed("the station dropped the connection after a malformed request", quirks, **facts)
    if not followup:
        return Verdict.failed("the station stopped answering after a malformed request", quirks, **facts)
    codes = ", ".join(f"{p.action}: {p.code}" for p in probes)
    return Verdict.passed(f"CALLERRORs with the request's id ({codes}); still answering", quirks, **facts)


def _probe_json(probe: Probe) -> dict[str, Any]:
    return {"name": probe.name, "action": probe.action, "reply": probe.reply, "code": probe.code}


# -- sessions and meter values --------------------------------------------------------------------


def judge_session_started(started: TxMessage | None, waited_s: float, *, evse_id: int | None = None) -> Verdict:
    if started is None:
        return Verdict.failed(f"no transaction started within {waited_s:g} s")
    if evse_id is not None and started.evse_id not in (None, evse_id):
        return Verdict.failed(f"the transaction started on EVSE/connector {started.evse_id}, not {evse_id}")
    return Verdict.passed(
        f"transaction {started.transaction_id} started on {started.evse_id} with token {started.id_token}",
        transaction_id=started.transaction_id,
        id_token=started.id_token,
        evse_id=started.evse_id,
    )


def judge_authorize(
    authorized: Sequence[tuple[str, str | None]], token: str | None, started_seq: int | None
) -> Verdict:
    """``authorized``: (token, status answered) of the station's Authorize CALLs before the session
    started (in order). The session's token must have been authorised by the CSMS."""
    if token is None or started_seq is None:
        return Verdict.skipped("no local session was observed")
    asked = [status for value, status in authorized if value == token]
    if not asked:
        others = sorted({value for value, _ in authorized})
        extra = f" (Authorize was sent for {', '.join(others)})" if others else ""
        return Verdict.failed(
            f"the station started a session for {token} without sending Authorize{extra}; "
            "local pre-authorisation (cache or list) hides whether it asks the CSMS",
            tokens=others,
        )
    if asked[-1] != "Accepted":
        return Verdict.failed(f"Authorize for {token} was answered {asked[-1]} and the session started anyway")
    return Verdict.passed(f"Authorize for {token} before the session, answered Accepted")


@dataclass(frozen=True, slots=True)
class MeterCheck:
    """The outcome of looking at a session's meter values (shared by the meter and stop judges)."""

    registers: list[tuple[float, float]] = field(default_factory=list)  # (received, Wh as labelled)
    quirks: list[Quirk] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _register_readings(values: Iterable[Reading]) -> list[Reading]:
    """The energy register readings in time order (the station's timestamps; untimed ones last),
    each distinct (timestamp, value) once."""
    registers = [r for r in values if r.measurand == ENERGY_REGISTER and r.phase is None]
    registers.sort(key=lambda r: (r.timestamp is None, r.timestamp.timestamp() if r.timestamp else 0.0, r.seq))
    seen: set[tuple[str | None, float]] = set()
    out: list[Reading] = []
    for r in registers:
        key = (r.timestamp_text, r.base_value)
        if r.timestamp_text is None or key not in seen:
            seen.add(key)
            out.append(r)
    return out


def judge_meter_values(
    values: Sequence[Reading],
    *,
    meter_start_wh: float | None,
    configured_interval_s: float | None,
    min_samples: int = 2,
) -> Verdict:
    """The session's sampled values: valid units, timestamps, a monotonic energy register whose
    magnitude agrees with the meter start and with the sampled power, at the configured interval
    (or, where the station does not expose it, at a consistent one)."""
    quirks: list[Quirk] = []
    problems: list[str] = []
    for r in values:
        allowed = VALID_UNITS.get(r.measurand)
        if allowed is not None and r.effective_unit not in allowed:
            problems.append(f"{r.measurand} in {r.effective_unit!r}")
            quirks.append(Quirk("wrong_unit", f"{r.action}: {r.measurand} labelled {r.effective_unit!r}"))
        if r.timestamp is None:
            problems.append(f"{r.action} meter value without a valid timestamp")
            quirks.append(Quirk("missing_timestamp", f"{r.action}: meter value without a timestamp"))
    registers = _register_readings(values)
    facts: dict[str, Any] = {
        "samples": len({(r.seq, r.timestamp_text) for r in values}),
        "registers": len(registers),
        "configured_interval_s": configured_interval_s,
    }
    if len(registers) < min_samples:
        return Verdict.failed(
            f"{len(registers)} energy register readings in the session; at least {min_samples} expected",
            _unique(quirks),
            **facts,
        )
    series = [r.base_value for r in registers]
    decreases = [(a, b) for a, b in itertools.pairwise(series) if b < a - 0.5]
    if decreases:
        a, b = decreases[0]
        problems.append(f"the energy register went down ({a:g} -> {b:g} Wh)")
        quirks.append(Quirk("register_not_monotonic", f"{ENERGY_REGISTER} went down from {a:g} to {b:g}"))
    mislabel = _unit_mislabel(registers, values, meter_start_wh)
    if mislabel is not None:
        problems.append(mislabel)
        quirks.append(Quirk("energy_unit_mislabelled", mislabel))
    interval = _interval_problem(registers, configured_interval_s)
    if interval is not None:
        problems.append(interval[0])
        facts.update(interval[1])
    else:
        facts.update(_interval_facts(registers))
    facts["register_first_wh"] = series[0]
    facts["register_last_wh"] = series[-1]
    if problems:
        return Verdict.failed("; ".join(dict.fromkeys(problems)), _unique(quirks), **facts)
    return Verdict.passed(
        f"{len(registers)} register readings, monotonic, in {registers[0].effective_unit}, "
        f"every {facts.get('median_interval_s', '?')} s",
        _unique(quirks),
        **facts,
    )


def _unique(quirks: Iterable[Quirk]) -> list[Quirk]:
    return list(dict.fromkeys(quirks))


def _unit_mislabel(registers: Sequence[Reading], values: Sequence[Reading], meter_start_wh: float | None) -> str | None:
    """A register whose numbers are 1000 times off: against the meter start, and against the
    energy the sampled power implies."""
    first = registers[0].base_value
    if meter_start_wh is not None and meter_start_wh >= 1000 and first > 0:
        ratio = first / meter_start_wh
        if 1 / 1200 <= ratio <= 1 / 800:
            return (
                f"the register reads {first:g} {registers[0].effective_unit} against a meter start of "
                f"{meter_start_wh:g} Wh: kWh numbers labelled Wh"
            )
        if 800 <= ratio <= 1200:
            return f"the register reads {first:g} against a meter start of {meter_start_wh:g} Wh: Wh labelled kWh"
    expected = _energy_from_power(values)
    reported = registers[-1].base_value - registers[0].base_value
    if expected is not None and 1.0 <= expected < 5.0 and 0 < reported < 1.0 and reported / expected < 1 / 100:
        # A short window (an EV still ramping up): too little energy to judge a coarse register, but
        # a "Wh" register that moves by fractions of a Wh while the power implies whole Wh is in kWh.
        return (
            f"the register rose by {reported:g} Wh while the sampled power implies {expected:.1f} Wh: "
            "kWh numbers labelled Wh"
        )
    if expected is not None and expected >= 5.0:
        ratio = reported / expected
        if ratio < 1 / 100:
            return (
                f"the register rose by {reported:g} Wh while the sampled power implies {expected:.0f} Wh: "
                "kWh numbers labelled Wh"
            )
        if ratio > 100:
            return f"the register rose by {reported:g} Wh while the sampled power implies {expected:.0f} Wh"
    return None


def _energy_from_power(values: Sequence[Reading]) -> float | None:
    """Wh implied by the total power samples between the first and last register reading."""
    power = sorted(
        (
            (r.timestamp.timestamp(), r.base_value)
            for r in values
            if r.measurand == POWER and r.phase is None and r.timestamp
        ),
    )
    registers = [r for r in _register_readings(values) if r.timestamp is not None]
    if len(power) < 2 or len(registers) < 2:
        return None
    start, end = registers[0].timestamp, registers[-1].timestamp
    assert start is not None and end is not None
    t0, t1 = start.timestamp(), end.timestamp()
    inside = [(t, p) for t, p in power if t0 <= t <= t1]
    if len(inside) < 2:
        return None
    return sum((b[0] - a[0]) * a[1] for a, b in itertools.pairwise(inside)) / 3600.0


def _periodic(registers: Sequence[Reading]) -> list[float]:
    stamps = sorted(
        {
            r.timestamp.timestamp()
            for r in registers
            if r.timestamp is not None and r.context in (None, "Sample.Periodic")
        }
    )
    return [b - a for a, b in itertools.pairwise(stamps)]


def _interval_facts(registers: Sequence[Reading]) -> dict[str, Any]:
    gaps = _periodic(registers)
    return {"median_interval_s": round(statistics.median(gaps), 3)} if gaps else {}


def _interval_problem(registers: Sequence[Reading], configured_s: float | None) -> tuple[str, dict[str, Any]] | None:
    gaps = _periodic(registers)
    if len(gaps) < 1:
        return ("too few periodic samples to see the sample interval", {})
    median = statistics.median(gaps)
    facts: dict[str, Any] = {"median_interval_s": round(median, 3), "configured_interval_s": configured_s}
    if configured_s is not None and configured_s > 0:
        tolerance = max(1.0, 0.25 * configured_s)
        if abs(median - configured_s) > tolerance:
            return (f"samples every {median:.1f} s; the sample interval is {configured_s:g} s", facts)
        return None
    if len(gaps) >= 2 and median > 0 and statistics.pstdev(gaps) / median > 0.3:
        return (f"samples at irregular intervals ({', '.join(f'{g:.1f}' for g in gaps[:6])} s)", facts)
    return None


def _wh(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() or abs(value) >= 1000 else f"{value:g}"


def judge_meter_stop(
    started: TxMessage | None, ended: TxMessage | None, values: Sequence[Reading], *, waited_s: float
) -> Verdict:
    """The stop reading: present, not below the start, not below the last sampled register (1 Wh
    or 0.5 % of the session's energy), and not far above it (10 Wh plus a quarter of the session's
    energy: what the last interval can add)."""
    if started is None:
        return Verdict.skipped("no session was observed")
    if ended is None:
        return Verdict.failed(f"the session did not end within {waited_s:g} s")
    if ended.meter_wh is None:
        return Verdict.failed("the end of the transaction carries no meter reading")
    stop = ended.meter_wh
    start = started.meter_wh
    facts: dict[str, Any] = {"meter_start_wh": start, "meter_stop_wh": stop}
    if start is not None and stop < start:
        return Verdict.failed(f"meter stop {_wh(stop)} Wh is below the meter start {_wh(start)} Wh", **facts)
    registers = [r.base_value for r in _register_readings(values) if r.action != "StopTransaction"]
    if registers:
        last = registers[-1]
        session = max(0.0, last - (start if start is not None else registers[0]))
        facts["last_register_wh"] = last
        if stop < last - max(1.0, 0.005 * session):
            return Verdict.failed(
                f"meter stop {_wh(stop)} Wh is below the last sampled register {_wh(last)} Wh", **facts
            )
        if stop > last + 10.0 + 0.25 * session:
            return Verdict.failed(
                f"meter stop {_wh(stop)} Wh is far above the last sampled register {_wh(last)} Wh", **facts
            )
    if start is None:
        return Verdict.passed(f"meter stop {_wh(stop)} Wh, consistent with the samples", **facts)
    return Verdict.passed(f"meter stop {_wh(stop)} Wh, {_wh(stop - start)} Wh charged", **facts)


# -- connector status model ----------------------------------------------------------------------

_CHARGING_16 = frozenset({"Charging", "SuspendedEV", "SuspendedEVSE"})
_ALL_16 = frozenset(
    {
        "Available",
        "Preparing",
        "Charging",
        "SuspendedEV",
        "SuspendedEVSE",
        "Finishing",
        "Reserved",
        "Unavailable",
        "Faulted",
    }
)
# OCPP 1.6 section 4.9: the transitions a connector may make (a repeated status is no transition).
_ALLOWED_16: dict[str, frozenset[str]] = {
    "Available": frozenset(
        {"Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Reserved", "Unavailable", "Faulted"}
    ),
    "Preparing": frozenset({"Available", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing", "Faulted"}),
    "Charging": frozenset({"Available", "SuspendedEV", "SuspendedEVSE", "Finishing", "Unavailable", "Faulted"}),
    "SuspendedEV": frozenset({"Available", "Charging", "SuspendedEVSE", "Finishing", "Unavailable", "Faulted"}),
    "SuspendedEVSE": frozenset({"Available", "Charging", "SuspendedEV", "Finishing", "Unavailable", "Faulted"}),
    "Finishing": frozenset({"Available", "Preparing", "Unavailable", "Faulted"}),
    "Reserved": frozenset({"Available", "Preparing", "Unavailable", "Faulted"}),
    "Unavailable": frozenset({"Available", "Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Faulted"}),
    "Faulted": frozenset(
        {"Available", "Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing", "Reserved", "Unavailable"}
    ),
}
_ALL_201 = frozenset({"Available", "Occupied", "Reserved", "Unavailable", "Faulted"})
_ALLOWED_201: dict[str, frozenset[str]] = {
    "Available": frozenset({"Occupied", "Reserved", "Unavailable", "Faulted"}),
    "Occupied": frozenset({"Available", "Unavailable", "Faulted"}),
    "Reserved": frozenset({"Available", "Occupied", "Unavailable", "Faulted"}),
    "Unavailable": frozenset({"Available", "Occupied", "Faulted"}),
    "Faulted": frozenset({"Available", "Occupied", "Reserved", "Unavailable"}),
}


def odd_transitions(version: OcppVersion, reports: Sequence[StatusReport]) -> list[str]:
    """Transitions the version's connector state model does not allow, per connector."""
    allowed = _ALLOWED_16 if version is OcppVersion.V16 else _ALLOWED_201
    known = _ALL_16 if version is OcppVersion.V16 else _ALL_201
    last: dict[tuple[int, int], str] = {}
    odd: list[str] = []
    for report in reports:
        key = (report.evse_id, report.connector_id)
        if report.status not in known:
            odd.append(f"{key[0]}/{key[1]}: unknown status {report.status!r}")
            continue
        before = last.get(key)
        if before is not None and before != report.status and report.status not in allowed[before]:
            odd.append(f"{key[0]}/{key[1]}: {before} -> {report.status}")
        last[key] = report.status
    return odd


def judge_status_model(
    version: OcppVersion,
    reports: Sequence[StatusReport],
    session: tuple[int, int] | None,
    evse_id: int | None,
) -> Verdict:
    """``reports``: every StatusNotification of the run so far; ``session``: the (first, last) frame
    seq of the local session on ``evse_id``. The connector must report the session (1.6: Preparing
    and/or Charging, then Finishing or Available; 2.0.1: Occupied, then Available) and no transition
    the state model forbids."""
    quirks = [Quirk("odd_status_sequence", text) for text in odd_transitions(version, reports)]
    missing_ts = [r for r in reports if not r.has_timestamp]
    if missing_ts:
        quirks.append(Quirk("missing_timestamp", "StatusNotification without a timestamp"))
    sequence = [r.status for r in reports if evse_id is None or r.evse_id == evse_id]
    facts: dict[str, Any] = {"statuses": sequence[-20:]}
    if not reports:
        return Verdict.failed("no StatusNotification was received", quirks, **facts)
    odd = [q for q in quirks if q.code == "odd_status_sequence"]
    if odd:
        return Verdict.failed(
            f"transitions the state model forbids: {'; '.join(q.detail for q in odd)}", quirks, **facts
        )
    if session is None or evse_id is None:
        return Verdict.failed(
            "no session was observed, so the status sequence of a session is unknown", quirks, **facts
        )
    first, last = session
    mine = [r for r in reports if r.evse_id == evse_id and r.seq >= first]
    busy = _CHARGING_16 if version is OcppVersion.V16 else frozenset({"Occupied"})
    idle = frozenset({"Finishing", "Available"}) if version is OcppVersion.V16 else frozenset({"Available"})
    during = [r.status for r in mine if r.seq <= last]
    facts["during_session"] = during
    index = next((i for i, r in enumerate(mine) if r.status in busy and r.seq <= last), None)
    if index is None:
        wanted = "Charging" if version is OcppVersion.V16 else "Occupied"
        return Verdict.failed(
            f"no {wanted} status during the session ({' -> '.join(during) or 'none'})", quirks, **facts
        )
    after = [r.status for r in mine[index + 1 :]]
    facts["after_charging"] = after[:6]
    if not idle.intersection(after):
        return Verdict.failed(f"no {' or '.join(sorted(idle))} status after the session", quirks, **facts)
    shown = " -> ".join(dict.fromkeys([*during, *after[:3]]))
    return Verdict.passed(f"connector {evse_id}: {shown}", quirks, **facts)


# -- commands with an observable effect ----------------------------------------------------------


def judge_remote_start(
    answer: str | None, started: TxMessage | None, *, evse_id: int, token: str, waited_s: float
) -> Verdict:
    facts = {"answer": answer}
    if answer is None:
        return Verdict.failed("no answer to the remote start", **facts)
    if answer != "Accepted":
        return Verdict.failed(f"the station answered {answer}", **facts)
    if started is None:
        return Verdict.failed(f"answered Accepted but no transaction started within {waited_s:g} s", **facts)
    if started.evse_id not in (None, evse_id):
        return Verdict.failed(f"a transaction started on {started.evse_id}, not on {evse_id}", **facts)
    if started.id_token is not None and started.id_token != token:
        return Verdict.failed(f"a transaction started with token {started.id_token}, not {token}", **facts)
    return Verdict.passed(
        f"transaction {started.transaction_id} started on {evse_id} with {token}",
        transaction_id=started.transaction_id,
        **facts,
    )


def judge_remote_stop(
    answer: str | None, ended: TxMessage | None, *, transaction_id: str | None, version: OcppVersion, waited_s: float
) -> Verdict:
    facts: dict[str, Any] = {"answer": answer, "transaction_id": transaction_id}
    if transaction_id is None:
        return Verdict.skipped("no transaction to stop (the remote start did not start one)")
    if answer is None:
        return Verdict.failed("no answer to the remote stop", **facts)
    if answer != "Accepted":
        return Verdict.failed(f"the station answered {answer}", **facts)
    if ended is None:
        return Verdict.failed(f"answered Accepted but the transaction did not end within {waited_s:g} s", **facts)
    facts["stop_reason"] = ended.stop_reason
    quirks = []
    if ended.stop_reason not in (None, "Remote"):
        quirks.append(Quirk("stop_reason", f"a remote stop is reported with reason {ended.stop_reason}"))
    return Verdict.passed(
        f"transaction {transaction_id} ended (reason {ended.stop_reason or 'none given'})", quirks, **facts
    )


@dataclass(frozen=True, slots=True)
class RebootTimes:
    """Seconds after the command: when the socket closed, when a new one opened, when the boot
    was accepted (None: did not happen within the bound)."""

    disconnected: float | None
    reconnected: float | None
    booted: float | None


def judge_reset(answer: str | None, times: RebootTimes, *, response_s: float, bound_s: float) -> Verdict:
    facts = {
        "answer": answer,
        "disconnected_after_s": _round(times.disconnected),
        "reconnected_after_s": _round(times.reconnected),
        "booted_after_s": _round(times.booted),
    }
    if answer is None:
        return Verdict.failed("no answer to the reset", **facts)
    if answer != "Accepted":
        return Verdict.failed(f"the station answered {answer}", **facts)
    if times.disconnected is None:
        return Verdict.failed(f"answered Accepted but did not disconnect within {response_s:g} s", **facts)
    if times.reconnected is None:
        return Verdict.failed(f"disconnected but did not reconnect within {bound_s:g} s", **facts)
    if times.booted is None:
        return Verdict.failed(f"reconnected but sent no accepted BootNotification within {bound_s:g} s", **facts)
    return Verdict.passed(
        f"disconnected after {times.disconnected:.1f} s, back after {times.reconnected:.1f} s, booted after "
        f"{times.booted:.1f} s",
        **facts,
    )


def _round(value: float | None) -> float | None:
    return round(value, 3) if value is not None else None


def judge_configuration(
    name: str,
    original: str | None,
    new_value: str,
    set_status: str | None,
    read_back: str | None,
    restore_status: str | None,
    restored_value: str | None,
) -> Verdict:
    facts = {
        "key": name,
        "original": original,
        "set_to": new_value,
        "set_status": set_status,
        "read_back": read_back,
        "restore_status": restore_status,
        "restored": restored_value,
    }
    if original is None:
        return Verdict.failed(f"{name} could not be read", **facts)
    if set_status not in ("Accepted", "RebootRequired"):
        return Verdict.failed(f"setting {name} was answered {set_status or 'nothing'}", **facts)
    if read_back != new_value:
        return Verdict.failed(f"{name} was set to {new_value!r} but reads {read_back!r}", **facts)
    if restore_status not in ("Accepted", "RebootRequired") or restored_value != original:
        return Verdict.failed(f"{name} could not be put back to {original!r} (reads {restored_value!r})", **facts)
    return Verdict.passed(f"{name}: {original} -> {new_value} (read back) -> {original} (read back)", **facts)


def judge_trigger(results: Mapping[str, tuple[str | None, bool]], waited_s: float) -> Verdict:
    """``results``: message -> (answer, whether that message arrived afterwards)."""
    facts = {m: {"answer": a, "arrived": arrived} for m, (a, arrived) in results.items()}
    for message, (answer, arrived) in results.items():
        if answer != "Accepted":
            return Verdict.failed(f"TriggerMessage {message} was answered {answer or 'nothing'}", results=facts)
        if not arrived:
            return Verdict.failed(
                f"{message} was triggered (Accepted) but did not arrive within {waited_s:g} s", results=facts
            )
    return Verdict.passed(f"{', '.join(results)} triggered and received", results=facts)


def judge_availability(
    answers: Sequence[str | None], statuses_after: Sequence[Sequence[str]], expected: Sequence[frozenset[str]]
) -> Verdict:
    """Each change (Inoperative, then Operative) must be Accepted and followed by a status of
    ``expected`` for the connector."""
    facts = {"answers": list(answers), "statuses": [list(s) for s in statuses_after]}
    for index, (answer, seen, wanted) in enumerate(zip(answers, statuses_after, expected, strict=True)):
        what = "Inoperative" if index == 0 else "Operative"
        if answer != "Accepted":
            return Verdict.failed(f"ChangeAvailability {what} was answered {answer or 'nothing'}", **facts)
        if not wanted.intersection(seen):
            return Verdict.failed(
                f"after ChangeAvailability {what} no {'/'.join(sorted(wanted))} status ({', '.join(seen) or 'none'})",
                **facts,
            )
    return Verdict.passed("Inoperative -> Unavailable, Operative -> Available", **facts)


def judge_answer(command: str, answer: str | None, accepted: frozenset[str]) -> Verdict:
    """For commands whose effect cannot be observed over OCPP (unlocking, clearing the cache):
    the answer is the evidence."""
    if answer is None:
        return Verdict.failed(f"no answer to {command}")
    if answer not in accepted:
        return Verdict.failed(f"{command} was answered {answer}", answer=answer)
    return Verdict.passed(f"{command} answered {answer} (no further effect is observable over OCPP)", answer=answer)


# -- firmware and diagnostics ---------------------------------------------------------------------

FIRMWARE_FAILURES = frozenset(
    {
        "DownloadFailed",
        "InstallationFailed",
        "InvalidSignature",
        "InstallVerificationFailed",
        "InvalidCertificate",
        "RevokedCertificate",
    }
)


def judge_firmware(
    answer: str | None,
    statuses: Sequence[str],
    booted_versions: Sequence[str | None],
    target_version: str,
    *,
    signed: bool,
    waited_s: float,
) -> Verdict:
    """The status sequence must end in Installed (after SignatureVerified for a signed update) and
    the station must boot the image's version."""
    facts = {
        "answer": answer,
        "statuses": list(statuses),
        "booted_versions": list(booted_versions),
        "target": target_version,
    }
    if answer is not None and answer not in ("Accepted", "AcceptedCanceled", "(no status)"):
        return Verdict.failed(f"the update was answered {answer}", **facts)
    failed = [s for s in statuses if s in FIRMWARE_FAILURES]
    if failed:
        return Verdict.failed(f"the station reported {failed[0]}", **facts)
    if not statuses:
        return Verdict.failed(f"no firmware status notification within {waited_s:g} s", **facts)
    if signed and "SignatureVerified" not in statuses:
        return Verdict.failed("no SignatureVerified status: the signature check is not shown", **facts)
    if statuses[-1] != "Installed":
        return Verdict.failed(f"the statuses end in {statuses[-1]}, not Installed", **facts)
    if target_version not in booted_versions:
        shown = ", ".join(str(v) for v in booted_versions) or "no boot"
        return Verdict.failed(f"Installed, but the station booted {shown}, not {target_version}", **facts)
    return Verdict.passed(f"{' -> '.join(statuses)}; booted {target_version}", **facts)


def judge_diagnostics(
    answer: str | None, statuses: Sequence[str], uploaded_bytes: int | None, waited_s: float
) -> Verdict:
    facts = {"answer": answer, "statuses": list(statuses), "uploaded_bytes": uploaded_bytes}
    if answer not in ("Accepted", "AcceptedCanceled"):
        return Verdict.failed(f"the request was answered {answer or 'nothing'}", **facts)
    failures = [
        s
        for s in statuses
        if s in ("UploadFailed", "UploadFailure", "BadMessage", "PermissionDenied", "NotSupportedOperation")
    ]
    if failures:
        return Verdict.failed(f"the station reported {failures[0]}", **facts)
    if not uploaded_bytes:
        return Verdict.failed(f"no file was uploaded within {waited_s:g} s", **facts)
    if "Uploaded" not in statuses:
        return Verdict.failed("a file arrived but the station never reported Uploaded", **facts)
    return Verdict.passed(f"{uploaded_bytes} bytes uploaded; {' -> '.join(statuses)}", **facts)


# -- security profiles -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConnectionFacts:
    """How the station's connection was made (from the gateway's socket)."""

    tls: bool
    authenticated: bool  # HTTP Basic credentials checked (profiles 1-2) or a client certificate (3)
    client_certificate_cn: str | None = None
    client_certificate_sha256: str | None = None


def judge_security_profile(
    profile: int,
    station_id: str,
    connection: ConnectionFacts | None,
    *,
    reconnected: bool,
    expected_certificate_sha256: str | None = None,
) -> Verdict:
    facts = {
        "profile": profile,
        "reconnected": reconnected,
        "tls": connection.tls if connection else None,
        "client_certificate_cn": connection.client_certificate_cn if connection else None,
    }
    if connection is None or not reconnected:
        return Verdict.failed(f"the station did not reconnect at security profile {profile}", **facts)
    if not connection.tls:
        return Verdict.failed("the station reconnected without TLS", **facts)
    if profile == 2 and not connection.authenticated:
        return Verdict.failed("the station reconnected over TLS without its password", **facts)
    if profile == 3:
        if connection.client_certificate_cn != station_id:
            return Verdict.failed("the station did not present a client certificate with its id", **facts)
        if expected_certificate_sha256 and connection.client_certificate_sha256 != expected_certificate_sha256:
            return Verdict.failed("the client certificate is not the one signed during the run", **facts)
        return Verdict.passed("reconnected over TLS with the client certificate our CA signed", **facts)
    return Verdict.passed("reconnected over TLS with HTTP Basic authentication", **facts)


# -- response times --------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def latency_stats(samples: Iterable[tuple[str, float]]) -> dict[str, dict[str, float]]:
    """Per action: count, p50, p95 and max of the round-trip times (ms)."""
    by_action: dict[str, list[float]] = {}
    for action, ms in samples:
        by_action.setdefault(action, []).append(ms)
    return {
        action: {
            "count": len(values),
            "p50_ms": round(percentile(values, 50), 3),
            "p95_ms": round(percentile(values, 95), 3),
            "max_ms": round(max(values), 3),
        }
        for action, values in sorted(by_action.items())
    }


def judge_latency(stats: Mapping[str, Mapping[str, float]], limit_ms: float) -> Verdict:
    if not stats:
        return Verdict.skipped("no command was answered")
    slow = {action: s["p95_ms"] for action, s in stats.items() if s["p95_ms"] > limit_ms}
    if slow:
        shown = ", ".join(f"{a} {ms:.0f} ms" for a, ms in sorted(slow.items()))
        return Verdict.failed(f"p95 above {limit_ms:.0f} ms: {shown}", slow=slow)
    worst = max(stats.items(), key=lambda item: item[1]["p95_ms"])
    return Verdict.passed(
        f"p95 of every command at most {limit_ms:.0f} ms (slowest: {worst[0]} {worst[1]['p95_ms']:.0f} ms)",
        commands=len(stats),
    )


# -- smart charging --------------------------------------------------------------------------------


def judge_limit_followed(
    what: str,
    before: Sequence[float],
    after: Sequence[float],
    limit: float,
    unit: str,
    *,
    tolerance: float,
    margin: float,
    min_samples: int,
    answer: str | None,
) -> Verdict:
    """``before``: what the EV drew (W or A) before the limit; ``after``: the samples once the
    limit had a sample interval to take effect. Every sample after must stay within the limit
    plus the tolerance."""
    ceiling = limit * (1 + tolerance) + margin
    facts = {
        "answer": answer,
        "limit": limit,
        "unit": unit,
        "ceiling": round(ceiling, 1),
        "before": [round(v, 1) for v in before[-5:]],
        "after": [round(v, 1) for v in after[:10]],
    }
    if answer != "Accepted":
        return Verdict.failed(f"the {what} was answered {answer or 'nothing'}", **facts)
    if not before or max(before) <= ceiling:
        return Verdict.skipped(
            f"the EV drew at most {max(before, default=0):.0f} {unit} before the limit: a limit of {limit:g} {unit} "
            "cannot be observed",
            **facts,
        )
    if len(after) < min_samples:
        return Verdict.failed(f"{len(after)} samples after the limit; {min_samples} needed to judge", **facts)
    above = [v for v in after if v > ceiling]
    if above:
        return Verdict.failed(
            f"the station accepted a limit of {limit:g} {unit} but drew up to {max(above):.0f} {unit}",
            [
                Quirk(
                    "ignores_charging_profile", f"{what} accepted, {max(above):.0f} {unit} drawn over {limit:g} {unit}"
                )
            ],
            **facts,
        )
    return Verdict.passed(
        f"{len(after)} samples at most {max(after):.0f} {unit} under a {limit:g} {unit} limit "
        f"(before: {max(before):.0f} {unit})",
        **facts,
    )


def judge_composite(
    answer: str | None, unit: str | None, limit_now: float | None, expected: float, expected_unit: str
) -> Verdict:
    facts = {
        "answer": answer,
        "unit": unit,
        "limit_now": limit_now,
        "expected": expected,
        "expected_unit": expected_unit,
    }
    if answer != "Accepted":
        return Verdict.failed(f"GetCompositeSchedule was answered {answer or 'nothing'}", **facts)
    if limit_now is None:
        return Verdict.failed("the composite schedule has no period for now", **facts)
    if unit != expected_unit:
        return Verdict.failed(f"the composite schedule is in {unit}, {expected_unit} was asked for", **facts)
    if abs(limit_now - expected) > max(0.1, 0.01 * expected):
        return Verdict.failed(
            f"the composite limit now is {limit_now:g} {unit}; the profile says {expected:g}", **facts
        )
    return Verdict.passed(f"composite limit now {limit_now:g} {unit}, as the profile sets", **facts)


# -- offline behaviour -----------------------------------------------------------------------------


def judge_offline(
    version: OcppVersion,
    messages: Sequence[TxMessage],
    *,
    transaction_id: str,
    reconnected: bool,
    dropped_seq: int,
    reconnected_seq: int | None,
    offline_meter_values: int,
    ended: bool,
) -> Verdict:
    """After the bench dropped the socket mid-transaction: the station came back, delivered what
    it queued while offline, lost nothing (2.0.1: no seqNo missing from Started to Ended) and sent
    nothing twice that had been acknowledged."""
    mine = [m for m in messages if m.transaction_id == transaction_id]
    facts: dict[str, Any] = {
        "reconnected": reconnected,
        "messages": len(mine),
        "offline_meter_values": offline_meter_values,
    }
    if not reconnected or reconnected_seq is None:
        return Verdict.failed("the station did not come back after the connection was dropped", **facts)
    after = [m for m in mine if m.seq > reconnected_seq]
    if version is OcppVersion.V201:
        delivered_offline = [m for m in after if m.offline]
        facts["offline_flagged"] = len(delivered_offline)
        if not delivered_offline:
            return Verdict.failed("no event marked offline arrived after the reconnect: nothing was queued", **facts)
        answered: dict[int, int] = {}
        duplicates = []
        for m in mine:
            if m.seq_no is None:
                continue
            if m.seq_no in answered and m.answered:
                duplicates.append(m.seq_no)
            if m.answered:
                answered[m.seq_no] = answered.get(m.seq_no, 0) + 1
        facts["duplicates"] = sorted(set(duplicates))
        if duplicates:
            return Verdict.failed(f"seqNo {sorted(set(duplicates))[0]} was delivered twice", **facts)
        if not ended:
            return Verdict.failed("the transaction did not end", **facts)
        numbers = sorted(answered)
        if numbers:
            starts = [m.seq_no for m in mine if m.kind == "started" and m.seq_no is not None]
            ends = [m.seq_no for m in mine if m.kind == "ended" and m.seq_no is not None]
            first = min(starts) if starts else numbers[0]
            last = max(ends) if ends else numbers[-1]
            missing = sorted(set(range(first, last + 1)) - set(numbers))
            facts["seq_nos"] = f"{first}..{last}"
            facts["missing"] = missing[:20]
            if missing:
                return Verdict.failed(f"seqNo {missing[0]} never arrived ({len(missing)} missing)", **facts)
        return Verdict.passed(
            f"{len(delivered_offline)} offline events delivered after the reconnect, seqNos complete, no duplicates",
            **facts,
        )
    facts["after_reconnect"] = len(after)
    if offline_meter_values <= 0:
        return Verdict.failed("no meter value of the offline period arrived after the reconnect", **facts)
    if not ended:
        return Verdict.failed("the transaction did not end", **facts)
    stops = [m for m in mine if m.kind == "ended" and m.answered]
    if len(stops) > 1:
        return Verdict.failed("the StopTransaction was delivered twice", **facts)
    return Verdict.passed(
        f"{offline_meter_values} meter values of the offline period delivered after the reconnect", **facts
    )


def duplicate_readings(readings: Sequence[Reading], answered_seqs: frozenset[int]) -> int:
    """1.6: meter values (same timestamp, measurand, value) delivered again after being acknowledged."""
    seen: set[tuple[str | None, str, float, str | None]] = set()
    duplicates = 0
    by_frame: dict[int, list[Reading]] = {}
    for reading in readings:
        by_frame.setdefault(reading.seq, []).append(reading)
    for seq in sorted(by_frame):
        keys = {(r.timestamp_text, r.measurand, r.value, r.phase) for r in by_frame[seq]}
        if keys & seen:
            duplicates += 1
        if seq in answered_seqs:
            seen |= keys
    return duplicates


# -- local list and reservations -------------------------------------------------------------------


def judge_local_list(send_status: str | None, version_sent: int, version_read: int | None) -> Verdict:
    facts = {"send_status": send_status, "version_sent": version_sent, "version_read": version_read}
    if send_status != "Accepted":
        return Verdict.failed(f"SendLocalList was answered {send_status or 'nothing'}", **facts)
    if version_read != version_sent:
        return Verdict.failed(f"the station reports list version {version_read}, {version_sent} was sent", **facts)
    return Verdict.passed(f"list version {version_sent} stored and reported back", **facts)


def judge_reservation(
    reserve_answer: str | None,
    reserved_seen: bool,
    cancel_answer: str | None,
    available_seen: bool,
    waited_s: float,
) -> Verdict:
    facts = {
        "reserve_answer": reserve_answer,
        "reserved_status": reserved_seen,
        "cancel_answer": cancel_answer,
        "available_status": available_seen,
    }
    if reserve_answer != "Accepted":
        return Verdict.failed(f"ReserveNow was answered {reserve_answer or 'nothing'}", **facts)
    if not reserved_seen:
        return Verdict.failed(f"ReserveNow Accepted but no Reserved status within {waited_s:g} s", **facts)
    if cancel_answer != "Accepted":
        return Verdict.failed(f"CancelReservation was answered {cancel_answer or 'nothing'}", **facts)
    if not available_seen:
        return Verdict.failed(f"the reservation was cancelled but no Available status within {waited_s:g} s", **facts)
    return Verdict.passed("Reserved after ReserveNow, Available after CancelReservation", **facts)


# -- integrity ---------------------------------------------------------------------------------------

INTEGRITY_EVENTS = frozenset(
    {"InvalidFirmwareSignature", "InvalidFirmwareSigningCertificate", "TamperDetectionActivated"}
)
_INTEGRITY = re.compile(r"integrity|secure\s*_?boot|tamper", re.IGNORECASE)


def is_integrity_failure(event_type: str) -> bool:
    """A security event that reports a firmware, boot or hardware integrity failure."""
    return event_type in INTEGRITY_EVENTS or bool(_INTEGRITY.search(event_type))


def judge_integrity(events: Sequence[tuple[str, str | None]]) -> Verdict:
    """``events``: (type, techInfo) of the security events the station reported during the run."""
    failures = [(kind, info) for kind, info in events if is_integrity_failure(kind)]
    if failures:
        kind, info = failures[0]
        return Verdict.failed(
            f"the station reported {kind}{f' ({info})' if info else ''}",
            [Quirk("integrity_failure", f"{kind}: {info or ''}".strip(": "))],
            events=[k for k, _ in failures],
        )
    return Verdict.passed(f"no integrity failure among {len(events)} security events", events=[k for k, _ in events])


# -- helpers shared by the cases -------------------------------------------------------------------


def measured(values: Sequence[Reading], unit: str) -> list[tuple[float, float]]:
    """(received, total value) of the session's power (W) or current (A, phases summed when no
    total is given) samples, one per meter value."""
    measurand = POWER if unit == "W" else CURRENT
    by_sample: dict[tuple[int, str | None], list[Reading]] = {}
    for r in values:
        if r.measurand == measurand:
            by_sample.setdefault((r.seq, r.timestamp_text), []).append(r)
    out: list[tuple[float, float]] = []
    for group in by_sample.values():
        totals = [r for r in group if r.phase is None]
        phases = [r.base_value for r in group if (r.phase or "").startswith("L")]
        if totals:
            value = totals[-1].base_value
        elif phases:
            # Power: the phases add up; current: a limit in A applies to each phase.
            value = sum(phases) if unit == "W" else max(phases)
        else:
            continue
        out.append((group[0].received, value))
    return sorted(out)
