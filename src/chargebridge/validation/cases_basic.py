"""Cases of the Basic level: connection, boot, heartbeats, malformed requests, a local session
with its meter values and stop, Authorize, the connector status model, integrity."""

from __future__ import annotations

import contextlib
import time

from chargebridge.domain.commands import GetConfiguration, VariableRef
from chargebridge.validation.bench import HEARTBEAT_INTERVAL, METER_INTERVAL, Bench, LocalSession, connection_facts
from chargebridge.validation.evidence import CALL, CALLERROR, CALLRESULT, Frame
from chargebridge.validation.model import Verdict
from chargebridge.validation.readings import ENERGY_REGISTER, Reading, TxMessage, readings, statuses
from chargebridge.validation.verdicts import (
    Probe,
    judge_authorize,
    judge_boot,
    judge_callerror,
    judge_connection,
    judge_heartbeats,
    judge_integrity,
    judge_meter_stop,
    judge_meter_values,
    judge_session_started,
    judge_status_model,
)


async def connection(b: Bench) -> Verdict:
    conn = b.ports.gateway.connections.get(b.station_id)
    if conn is None:
        return judge_connection(b.version, None, False)
    facts = connection_facts(conn)
    b.log.note(
        "bench.connection",
        {
            "subprotocol": conn.ws.subprotocol,
            "tls": facts.tls,
            "authenticated": facts.authenticated,
            "source": conn.remote_address,
        },
    )
    return judge_connection(b.version, conn.ws.subprotocol, True)


async def boot(b: Bench) -> Verdict:
    row = await b.ports.store.get_station(b.station_id)
    if row is None:
        return Verdict.failed("the station is not registered")
    identity = {
        "vendor": row["vendor"],
        "model": row["model"],
        "serial_number": row["serial_number"],
        "firmware_version": row["firmware_version"],
    }
    b.log.note(
        "bench.boot_record", {**identity, "boot_status": row["boot_status"], "last_boot_at": str(row["last_boot_at"])}
    )
    return judge_boot(identity, row["boot_status"], row["last_boot_at"] is not None)


async def heartbeat(b: Bench) -> Verdict:
    s = b.settings
    sent, original = await b.change_setting(HEARTBEAT_INTERVAL, str(s.heartbeat_interval_s))
    if sent.status in ("Accepted", "RebootRequired"):
        expected: float = float(s.heartbeat_interval_s)
        window = s.heartbeat_window
    else:
        # The station keeps the interval given at boot: watch long enough to see two of them.
        expected = float(b.ports.requests.settings.heartbeat_interval_s)
        window = max(s.heartbeat_window, 2.5 * expected)
        b.log.note(
            "bench.heartbeat",
            {"note": f"HeartbeatInterval not changed ({sent.shown()}); watching the boot interval {expected:g} s"},
        )
    cursor = b.log.cursor
    start = time.monotonic()
    await b.sleep(window)
    end = time.monotonic()
    calls = [f for f in b.log.frames(cursor) if f.type == CALL and f.from_station]
    if original is not None and original != str(s.heartbeat_interval_s):
        # Put it back now: the other cases need no fast heartbeats (the run's end would too).
        back = await b.write_setting(HEARTBEAT_INTERVAL, original)
        if back.status in ("Accepted", "RebootRequired"):
            b.restore.config.pop(HEARTBEAT_INTERVAL.name(b.version), None)
            b.restore.restored.append(f"{HEARTBEAT_INTERVAL.name(b.version)} = {original}")
    heartbeats = [f.mono for f in calls if f.action == "Heartbeat"]
    return judge_heartbeats(heartbeats, [f.mono for f in calls], expected, start, end)


async def callerror(b: Bench) -> Verdict:
    """Two bad requests: a known action with a payload of the wrong type, and an unknown action."""
    if b.v16:
        malformed = ("GetConfiguration", {"key": HEARTBEAT_INTERVAL.key})  # key must be an array
    else:
        malformed = ("GetVariables", {"getVariableData": "HeartbeatInterval"})  # must be an array of objects
    probes: list[Probe] = []
    start = b.log.cursor
    for name, (action, payload) in (("malformed_payload", malformed), ("unknown_action", ("ChargebridgeProbe", {}))):
        cursor = b.log.cursor
        # The verdict is read from the frames below (a CALLERROR or no answer raises here).
        with contextlib.suppress(Exception):
            await b.ports.gateway.call_raw(b.station_id, action, payload, b.settings.response_timeout_s, validate=False)
        ours = next(
            (f for f in b.log.frames(cursor) if f.type == CALL and not f.from_station and f.action == action), None
        )
        if ours is None or ours.message_id is None:
            probes.append(Probe(name, action, "none"))
            continue
        b.probe_ids.add(ours.message_id)
        replies = [f for f in b.log.frames(ours.seq) if f.from_station and f.type in (CALLRESULT, CALLERROR)]
        reply = next((f for f in replies if f.message_id == ours.message_id), None)
        if reply is None and replies:
            other = replies[0]
            probes.append(Probe(name, action, _kind(other), _code(other), same_id=False))
        elif reply is None:
            probes.append(Probe(name, action, "none"))
        else:
            probes.append(Probe(name, action, _kind(reply), _code(reply)))
    disconnected = any(e.kind == "station.disconnected" for e in b.log.events(start))
    still = b.connected and not disconnected
    followup = False
    if still:
        if b.v16:
            follow = await b.execute(GetConfiguration(keys=(HEARTBEAT_INTERVAL.key or "",)))
        else:
            follow = await b.execute(GetConfiguration(variables=(VariableRef("OCPPCommCtrlr", "HeartbeatInterval"),)))
        followup = follow.status is not None or (follow.error or "").startswith("CALLERROR")
    return judge_callerror(b.version, probes, still, followup)


def _kind(frame: Frame) -> str:
    return "CALLRESULT" if frame.type == CALLRESULT else "CALLERROR"


def _code(frame: Frame) -> str | None:
    if frame.type == CALLERROR and isinstance(frame.payload, dict):
        return str(frame.payload.get("code"))
    return None


def _session_readings(b: Bench, session: LocalSession) -> list[Reading]:
    started, ended = session.started, session.ended
    if started is None:
        return []
    until = (ended.seq + 1) if ended is not None else None
    frames = list(b.log.frames(started.seq, until))
    tx = started.transaction_id
    return [
        r for r in readings(b.version, frames) if r.transaction_id == tx or (r.transaction_id is None and tx is None)
    ]


async def local_transaction(b: Bench) -> Verdict:
    """The person at the station starts and stops a session (or the station does by itself)."""
    s = b.settings
    evse = s.evse_id
    sent, original = await b.change_setting(METER_INTERVAL, str(s.meter_interval_s))
    if sent.status in ("Accepted", "RebootRequired"):
        configured: float | None = float(s.meter_interval_s)
    else:
        configured = float(original) if original is not None and original.isdigit() and int(original) > 0 else None
    session = LocalSession(prompt_seq=b.log.cursor, configured_interval_s=configured)
    b.local = session
    b.prompt(
        f"Present card {b.token} (or any card this CSMS accepts) at EVSE {evse} and plug in an EV. "
        f"Waiting up to {s.manual_step_timeout_s:g} s."
    )
    started = await b.wait_tx(lambda m: m.kind == "started", s.manual_step_timeout_s, session.prompt_seq)
    b.prompt(None)
    if started is None:
        session.waited_s = s.manual_step_timeout_s
        return judge_session_started(None, s.manual_step_timeout_s)
    session.started = started
    session.first_seq = started.seq
    interval = configured or float(s.meter_interval_s)
    wait_samples = (s.meter_samples + 1) * interval + s.response_timeout_s

    def enough(_entry: object) -> bool:
        registers = [r for r in _session_readings(b, session) if r.measurand == ENERGY_REGISTER and r.phase is None]
        return len({(r.seq, r.timestamp_text) for r in registers}) >= s.meter_samples + 1

    await b.wait_for(lambda e: isinstance(e, Frame) and e.from_station and enough(e), wait_samples, started.seq)
    stop_cursor = b.log.cursor
    b.prompt(
        f"Stop the session at EVSE {started.evse_id or evse} (present the card again or end it on the EV) and "
        f"unplug the cable. Waiting up to {s.manual_step_timeout_s:g} s."
    )
    ended = await b.wait_tx(
        lambda m: m.kind == "ended" and m.transaction_id == started.transaction_id,
        s.manual_step_timeout_s,
        started.seq,
    )
    session.ended = ended
    if ended is not None:
        idle = frozenset({"Available"})
        await b.wait_status(started.evse_id or evse, idle, s.manual_step_timeout_s, stop_cursor)
    b.prompt(None)
    session.last_seq = ended.seq if ended is not None else b.log.cursor - 1
    verdict = judge_session_started(started, s.manual_step_timeout_s)
    if ended is None:
        return Verdict.failed(
            f"transaction {started.transaction_id} started but did not end within {s.manual_step_timeout_s:g} s",
            transaction_id=started.transaction_id,
        )
    return Verdict.passed(f"{verdict.reason}; ended ({ended.stop_reason or 'no reason given'})", **verdict.facts)


async def meter_values(b: Bench) -> Verdict:
    session = b.local
    if session is None or session.started is None:
        return Verdict.skipped("no session was observed")
    values = _session_readings(b, session)
    return judge_meter_values(
        values, meter_start_wh=session.started.meter_wh, configured_interval_s=session.configured_interval_s
    )


async def meter_stop(b: Bench) -> Verdict:
    session = b.local
    if session is None or session.started is None:
        return Verdict.skipped("no session was observed")
    return judge_meter_stop(
        session.started, session.ended, _session_readings(b, session), waited_s=b.settings.manual_step_timeout_s
    )


def _authorize_answers(b: Bench, cursor: int, until: int) -> list[tuple[str, str | None]]:
    frames = list(b.log.frames(cursor, until + 1))
    answers = {f.message_id: f for f in frames if f.type == CALLRESULT and not f.from_station}
    out: list[tuple[str, str | None]] = []
    for frame in frames:
        if not frame.is_call("Authorize", from_station=True) or not isinstance(frame.payload, dict):
            continue
        token = frame.payload.get("idTag") if b.v16 else (frame.payload.get("idToken") or {}).get("idToken")
        answer = answers.get(frame.message_id)
        status = None
        if answer is not None and isinstance(answer.payload, dict):
            info = answer.payload.get("idTagInfo" if b.v16 else "idTokenInfo") or {}
            status = info.get("status")
        if isinstance(token, str):
            out.append((token, status))
    return out


async def authorize(b: Bench) -> Verdict:
    session = b.local
    if session is None or session.started is None:
        return Verdict.skipped("no local session was observed")
    started: TxMessage = session.started
    return judge_authorize(_authorize_answers(b, session.prompt_seq, started.seq), started.id_token, started.seq)


async def status_model(b: Bench) -> Verdict:
    reports = statuses(b.version, b.log.frames(0))
    session = b.local
    window = None
    evse = None
    if session is not None and session.started is not None:
        window = (session.prompt_seq, session.last_seq)
        evse = session.started.evse_id or b.settings.evse_id
    return judge_status_model(b.version, reports, window, evse)


async def integrity(b: Bench) -> Verdict:
    events = []
    for frame in b.log.frames(0):
        if frame.is_call("SecurityEventNotification", from_station=True) and isinstance(frame.payload, dict):
            kind = frame.payload.get("type")
            info = frame.payload.get("techInfo")
            if isinstance(kind, str):
                events.append((kind, info if isinstance(info, str) else None))
    return judge_integrity(events)
