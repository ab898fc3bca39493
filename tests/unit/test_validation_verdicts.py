"""The validation bench's pure parts: judges, frame readings, the run log, quirks, the report."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chargebridge.rpc import OcppVersion
from chargebridge.validation.evidence import IN, OUT, RunLog, parse_frame
from chargebridge.validation.model import Level, Result, level_reached
from chargebridge.validation.quirks import frame_quirks
from chargebridge.validation.readings import readings, statuses, transaction_messages
from chargebridge.validation.report import render_html, summary_rows
from chargebridge.validation.runner import run_view
from chargebridge.validation.verdicts import (
    Probe,
    RebootTimes,
    is_integrity_failure,
    judge_boot,
    judge_callerror,
    judge_composite,
    judge_configuration,
    judge_firmware,
    judge_heartbeats,
    judge_integrity,
    judge_latency,
    judge_limit_followed,
    judge_meter_stop,
    judge_meter_values,
    judge_offline,
    judge_remote_start,
    judge_reset,
    judge_status_model,
    latency_stats,
    odd_transitions,
    percentile,
)

V16, V201 = OcppVersion.V16, OcppVersion.V201
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def stamp(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


class Log:
    """A run log fed with frames by hand."""

    def __init__(self) -> None:
        self.log = RunLog(lambda: T0)
        self.n = 0

    def call(self, action: str, payload: dict[str, Any], *, station: bool = True) -> str:
        self.n += 1
        message_id = f"m{self.n}"
        self.log.add_frame(IN if station else OUT, json.dumps([2, message_id, action, payload]))
        return message_id

    def result(self, message_id: str, payload: dict[str, Any], *, station: bool = False) -> None:
        self.log.add_frame(IN if station else OUT, json.dumps([3, message_id, payload]))

    def error(self, message_id: str, code: str, *, station: bool = False) -> None:
        self.log.add_frame(IN if station else OUT, json.dumps([4, message_id, code, "why", {}]))

    def exchange(self, action: str, payload: dict[str, Any], answer: dict[str, Any] | None = None) -> None:
        self.result(self.call(action, payload), answer or {})


def sampled_16(register: float, power: float | None, unit: str = "Wh", at: float = 0.0) -> dict[str, Any]:
    values = [{"value": str(register), "measurand": "Energy.Active.Import.Register", "unit": unit}]
    if power is not None:
        values.append({"value": str(power), "measurand": "Power.Active.Import", "unit": "W"})
    return {"timestamp": stamp(at), "sampledValue": values}


def session_16(log: Log, registers: list[float], *, unit: str = "Wh", meter_start: int = 1_000_000, every: float = 10):
    start = log.call(
        "StartTransaction", {"connectorId": 1, "idTag": "T", "meterStart": meter_start, "timestamp": stamp(0)}
    )
    log.result(start, {"transactionId": 7, "idTagInfo": {"status": "Accepted"}})
    for index, register in enumerate(registers):
        payload = {
            "connectorId": 1,
            "transactionId": 7,
            "meterValue": [sampled_16(register, 7200, unit, every * (index + 1))],
        }
        log.exchange("MeterValues", payload)
    return readings(V16, log.log.frames(0))


# -- levels -------------------------------------------------------------------------------------


def test_the_level_reached_is_the_highest_level_all_of_whose_cases_passed() -> None:
    passed = Result.PASSED
    both = [(Level.BASIC, passed), (Level.STANDARD, passed), (Level.ADVANCED, Result.FAILED)]
    assert level_reached(Level.ADVANCED, both) is Level.STANDARD
    assert level_reached(Level.BASIC, both) is Level.BASIC  # never above what was asked
    skipped = [(Level.BASIC, passed), (Level.STANDARD, passed), (Level.STANDARD, Result.SKIPPED)]
    assert level_reached(Level.STANDARD, skipped) is Level.BASIC  # a skipped case is not passed
    # a failure below stops the climb even when the level above passed
    assert level_reached(Level.ADVANCED, [(Level.BASIC, Result.FAILED), (Level.STANDARD, passed)]) is Level.NONE
    assert level_reached(Level.STANDARD, [(Level.BASIC, passed)]) is Level.BASIC  # no standard case: not reached


# -- boot and heartbeats ------------------------------------------------------------------------


def test_boot_needs_accepted_and_a_plausible_identity() -> None:
    good = {"vendor": "Acme", "model": "AC22", "serial_number": "S1", "firmware_version": "1.0"}
    assert judge_boot(good, "Accepted", True).ok
    assert not judge_boot(good, "Pending", True).ok
    assert not judge_boot(good, "Accepted", False).ok
    placeholder = judge_boot({**good, "model": "string"}, "Accepted", True)
    assert not placeholder.ok and placeholder.quirks[0].code == "implausible_identity"
    no_serial = judge_boot({**good, "serial_number": None}, "Accepted", True)
    assert no_serial.ok and [q.code for q in no_serial.quirks] == ["missing_serial_number"]


def test_heartbeats_at_the_interval_pass_silence_and_floods_fail() -> None:
    assert judge_heartbeats([1, 2, 3], [1, 2, 3], 1.0, 0.0, 3.5).ok
    # another message may take a heartbeat's place
    assert judge_heartbeats([1, 3], [1, 2, 3], 1.0, 0.0, 3.5).ok
    silent = judge_heartbeats([1, 9], [1, 9], 2.0, 0.0, 10.0)
    assert not silent.ok and "silent for 8.0 s" in silent.reason
    flood = judge_heartbeats([i * 0.2 for i in range(1, 30)], [i * 0.2 for i in range(1, 30)], 2.0, 0.0, 6.0)
    assert not flood.ok and "more than twice as often" in flood.reason
    assert not judge_heartbeats([], [1.0], 1.0, 0.0, 3.0).ok


# -- malformed requests ----------------------------------------------------------------------------


def test_a_malformed_request_must_get_a_clean_callerror() -> None:
    good = [
        Probe("malformed_payload", "GetConfiguration", "CALLERROR", "TypeConstraintViolation"),
        Probe("unknown_action", "X", "CALLERROR", "NotImplemented"),
    ]
    assert judge_callerror(V16, good, True, True).ok
    assert not judge_callerror(V16, [Probe("malformed_payload", "GetConfiguration", "CALLRESULT")], True, True).ok
    assert not judge_callerror(V16, [Probe("malformed_payload", "G", "none")], True, True).ok
    # 2.0.1 spells it OccurrenceConstraintViolation, 1.6 OccurenceConstraintViolation
    wrong = [Probe("malformed_payload", "GetVariables", "CALLERROR", "OccurenceConstraintViolation")]
    assert not judge_callerror(V201, wrong, True, True).ok
    assert not judge_callerror(V16, [Probe("x", "G", "CALLERROR", "NotImplemented", same_id=False)], True, True).ok
    assert not judge_callerror(V16, good, False, True).ok  # dropped the connection
    assert not judge_callerror(V16, good, True, False).ok  # stopped answering
    lax = judge_callerror(V16, [Probe("unknown_action", "X", "CALLERROR", "GenericError")], True, True)
    assert lax.ok and {q.code for q in lax.quirks} == {"error_code"}


# -- meter values --------------------------------------------------------------------------------


def test_a_monotonic_register_in_wh_at_the_interval_passes() -> None:
    values = session_16(Log(), [1_000_020, 1_000_040, 1_000_060, 1_000_080])
    verdict = judge_meter_values(values, meter_start_wh=1_000_000, configured_interval_s=10)
    assert verdict.ok, verdict.reason
    assert verdict.facts["median_interval_s"] == 10


def test_kwh_numbers_labelled_wh_are_caught_by_the_meter_start_and_by_the_power() -> None:
    values = session_16(Log(), [1000.02, 1000.04, 1000.06, 1000.08])
    verdict = judge_meter_values(values, meter_start_wh=1_000_000, configured_interval_s=10)
    assert not verdict.ok and "kWh numbers labelled Wh" in verdict.reason
    assert "energy_unit_mislabelled" in {q.code for q in verdict.quirks}
    # without a usable meter start (2.0.1 Started event labelled the same way), the power tells
    verdict = judge_meter_values(values, meter_start_wh=None, configured_interval_s=10)
    assert not verdict.ok and "power implies" in verdict.reason


def test_kwh_labelled_wh_in_a_short_window_and_an_honest_coarse_register() -> None:
    """A few seconds of an EV ramping up: too little energy for the main check, but a "Wh" register
    moving by fractions of a Wh is in kWh; a whole-Wh register that moved by 0 or 1 Wh is fine."""

    def window(registers: list[float]) -> Any:
        log = Log()
        session_16(log, [])
        for index, register in enumerate(registers):
            payload = {
                "connectorId": 1,
                "transactionId": 7,
                "meterValue": [sampled_16(register, 3000, "Wh", 1 + index)],
            }
            log.exchange("MeterValues", payload)
        return readings(V16, log.log.frames(0))

    short = judge_meter_values(window([2716.506, 2716.507, 2716.508]), meter_start_wh=None, configured_interval_s=1)
    assert not short.ok and "kWh numbers labelled Wh" in short.reason
    for honest in ([1_000_020, 1_000_020, 1_000_021], [1_000_020, 1_000_021, 1_000_022]):
        verdict = judge_meter_values(window(honest), meter_start_wh=None, configured_interval_s=1)
        assert verdict.ok, (honest, verdict.reason)


def test_a_register_that_goes_down_a_wrong_unit_or_the_wrong_interval_fails() -> None:
    down = judge_meter_values(
        session_16(Log(), [1_000_020, 1_000_010, 1_000_060]), meter_start_wh=None, configured_interval_s=10
    )
    assert not down.ok and "went down" in down.reason
    unit = judge_meter_values(session_16(Log(), [1, 2, 3], unit="kVAh"), meter_start_wh=None, configured_interval_s=10)
    assert not unit.ok and "wrong_unit" in {q.code for q in unit.quirks}
    slow = judge_meter_values(
        session_16(Log(), [1_000_020, 1_000_040, 1_000_060], every=30), meter_start_wh=None, configured_interval_s=10
    )
    assert not slow.ok and "the sample interval is 10 s" in slow.reason
    # unknown interval: consistent is enough, irregular is not
    steady = session_16(Log(), [1_000_020, 1_000_040, 1_000_060], every=30)
    assert judge_meter_values(steady, meter_start_wh=None, configured_interval_s=None).ok
    log = Log()
    session_16(log, [1_000_020])
    for at, register in ((12, 1_000_030), (40, 1_000_090), (44, 1_000_100)):
        log.exchange(
            "MeterValues", {"connectorId": 1, "transactionId": 7, "meterValue": [sampled_16(register, 7200, at=at)]}
        )
    irregular = judge_meter_values(readings(V16, log.log.frames(0)), meter_start_wh=None, configured_interval_s=None)
    assert not irregular.ok and "irregular" in irregular.reason


def test_the_meter_stop_must_agree_with_the_start_and_the_samples() -> None:
    log = Log()
    values = session_16(log, [1_000_020, 1_000_040])
    tx = transaction_messages(V16, log.log.frames(0))
    started = tx[0]
    log.exchange("StopTransaction", {"transactionId": 7, "meterStop": 1_000_045, "timestamp": stamp(30)})
    ended = transaction_messages(V16, log.log.frames(0))[-1]
    assert judge_meter_stop(started, ended, values, waited_s=10).ok
    low = Log()
    values = session_16(low, [1_000_020, 1_000_040])
    low.exchange("StopTransaction", {"transactionId": 7, "meterStop": 1_000_010, "timestamp": stamp(30)})
    verdict = judge_meter_stop(started, transaction_messages(V16, low.log.frames(0))[-1], values, waited_s=10)
    assert not verdict.ok and "below the last sampled register" in verdict.reason
    assert not judge_meter_stop(started, None, values, waited_s=10).ok


# -- status model --------------------------------------------------------------------------------


def status_log(version: OcppVersion, sequence: list[str]) -> list[Any]:
    log = Log()
    for index, status in enumerate(sequence):
        if version is V16:
            payload = {"connectorId": 1, "status": status, "errorCode": "NoError", "timestamp": stamp(index)}
        else:
            payload = {"evseId": 1, "connectorId": 1, "connectorStatus": status, "timestamp": stamp(index)}
        log.exchange("StatusNotification", payload)
    return statuses(version, log.log.frames(0))


def test_the_connector_must_report_the_session_and_no_forbidden_transition() -> None:
    ok = status_log(V16, ["Available", "Preparing", "Charging", "Finishing", "Available"])
    assert judge_status_model(V16, ok, (0, 5), 1).ok
    backwards = status_log(V16, ["Available", "Charging", "Preparing", "Finishing", "Available"])
    verdict = judge_status_model(V16, backwards, (0, 5), 1)
    assert not verdict.ok and "Charging -> Preparing" in verdict.reason
    assert odd_transitions(V201, status_log(V201, ["Occupied", "Reserved"])) == ["1/1: Occupied -> Reserved"]
    assert judge_status_model(V201, status_log(V201, ["Available", "Occupied", "Available"]), (0, 5), 1).ok
    stuck = judge_status_model(V201, status_log(V201, ["Available", "Occupied"]), (0, 5), 1)
    assert not stuck.ok and "no Available status after" in stuck.reason
    never = judge_status_model(V16, status_log(V16, ["Available", "Preparing", "Available"]), (0, 5), 1)
    assert not never.ok and "no Charging status" in never.reason


# -- commands with an effect ---------------------------------------------------------------------


def test_accepted_is_not_enough() -> None:
    log = Log()
    log.result(
        log.call("StartTransaction", {"connectorId": 2, "idTag": "BENCH", "meterStart": 0, "timestamp": stamp(0)}),
        {"transactionId": 3, "idTagInfo": {"status": "Accepted"}},
    )
    started = transaction_messages(V16, log.log.frames(0))[0]
    assert not judge_remote_start("Accepted", None, evse_id=1, token="BENCH", waited_s=5).ok
    assert not judge_remote_start("Accepted", started, evse_id=1, token="BENCH", waited_s=5).ok  # wrong connector
    assert judge_remote_start("Accepted", started, evse_id=2, token="BENCH", waited_s=5).ok
    assert not judge_remote_start("Rejected", started, evse_id=2, token="BENCH", waited_s=5).ok
    assert not judge_reset("Accepted", RebootTimes(None, None, None), response_s=5, bound_s=60).ok
    gone = judge_reset("Accepted", RebootTimes(0.2, None, None), response_s=5, bound_s=60)
    assert not gone.ok and "did not reconnect within 60 s" in gone.reason
    assert not judge_reset("Accepted", RebootTimes(0.2, 1.0, None), response_s=5, bound_s=60).ok
    assert judge_reset("Accepted", RebootTimes(0.2, 1.0, 1.1), response_s=5, bound_s=60).ok
    assert not judge_configuration("K", "60", "67", "Accepted", "60", "Accepted", "60").ok  # not read back
    assert not judge_configuration("K", "60", "67", "Accepted", "67", "Rejected", "67").ok  # not put back
    assert judge_configuration("K", "60", "67", "Accepted", "67", "Accepted", "60").ok


def test_a_firmware_update_passes_on_installed_and_the_new_version_booting() -> None:
    steps = ["Downloading", "Downloaded", "Installing", "Installed"]
    assert judge_firmware("Accepted", steps, ["2.0"], "2.0", signed=False, waited_s=5).ok
    old = judge_firmware("Accepted", steps, ["1.0"], "2.0", signed=False, waited_s=5)
    assert not old.ok and "booted 1.0, not 2.0" in old.reason
    assert not judge_firmware("Accepted", [*steps[:2], "InvalidSignature"], [], "2.0", signed=True, waited_s=5).ok
    unsigned = judge_firmware("Accepted", steps, ["2.0"], "2.0", signed=True, waited_s=5)
    assert not unsigned.ok and "SignatureVerified" in unsigned.reason
    assert not judge_firmware("Accepted", [], [], "2.0", signed=False, waited_s=5).ok


def test_a_charging_limit_is_judged_on_the_measured_power() -> None:
    before, limit = [11_000.0, 10_900.0], 6_600.0
    kwargs: dict[str, Any] = {"tolerance": 0.1, "margin": 100.0, "min_samples": 3, "answer": "Accepted"}
    assert judge_limit_followed("TxProfile", before, [6500.0, 6600.0, 6580.0], limit, "W", **kwargs).ok
    ignored = judge_limit_followed("TxProfile", before, [11_000.0, 10_950.0, 11_000.0], limit, "W", **kwargs)
    assert not ignored.ok and ignored.quirks[0].code == "ignores_charging_profile"
    assert judge_limit_followed("TxProfile", [500.0], [400.0] * 3, limit, "W", **kwargs).result is Result.SKIPPED
    assert not judge_limit_followed("TxProfile", before, [6500.0], limit, "W", **kwargs).ok  # too few samples
    assert not judge_limit_followed(
        "TxProfile", before, [6500.0] * 3, limit, "W", **{**kwargs, "answer": "Rejected"}
    ).ok
    assert judge_composite("Accepted", "W", 3850.0, 3850.0, "W").ok
    assert not judge_composite("Accepted", "W", 11_000.0, 3850.0, "W").ok
    assert not judge_composite("Accepted", "A", 16.0, 3850.0, "W").ok


def offline_events(seq_nos: list[tuple[int, str, bool]], *, duplicate: int | None = None) -> tuple[Log, int]:
    log = Log()
    reconnected = 0
    for seq_no, kind, offline in seq_nos:
        if offline and not reconnected:
            reconnected = log.log.cursor
            log.log.note("station.connected")
        payload = {
            "eventType": kind,
            "timestamp": stamp(seq_no),
            "triggerReason": "MeterValuePeriodic",
            "seqNo": seq_no,
            "transactionInfo": {"transactionId": "TX"},
            "offline": offline,
        }
        log.exchange("TransactionEvent", payload)
        if duplicate == seq_no:
            log.exchange("TransactionEvent", payload)
    return log, reconnected


def test_offline_delivery_must_be_complete_and_without_duplicates() -> None:
    events = [
        (0, "Started", False),
        (1, "Updated", False),
        (2, "Updated", True),
        (3, "Updated", True),
        (4, "Ended", False),
    ]
    log, reconnected = offline_events(events)
    messages = transaction_messages(V201, log.log.frames(0))
    args: dict[str, Any] = {
        "transaction_id": "TX",
        "reconnected": True,
        "dropped_seq": 0,
        "offline_meter_values": 0,
        "ended": True,
    }
    assert judge_offline(V201, messages, reconnected_seq=reconnected, **args).ok
    gap, reconnected = offline_events([e for e in events if e[0] != 3])
    verdict = judge_offline(V201, transaction_messages(V201, gap.log.frames(0)), reconnected_seq=reconnected, **args)
    assert not verdict.ok and "seqNo 3 never arrived" in verdict.reason
    twice, reconnected = offline_events(events, duplicate=2)
    verdict = judge_offline(V201, transaction_messages(V201, twice.log.frames(0)), reconnected_seq=reconnected, **args)
    assert not verdict.ok and "delivered twice" in verdict.reason
    nothing, reconnected = offline_events([(0, "Started", False), (1, "Ended", False)])
    assert not judge_offline(V201, transaction_messages(V201, nothing.log.frames(0)), reconnected_seq=None, **args).ok
    # 1.6: meter values of the offline period must arrive after the reconnect
    assert not judge_offline(V16, [], reconnected_seq=1, **args).ok
    assert judge_offline(V16, [], reconnected_seq=1, **{**args, "offline_meter_values": 2}).ok


def test_integrity_failures_and_latency() -> None:
    assert is_integrity_failure("InvalidFirmwareSignature") and is_integrity_failure("SecureBootFailure")
    assert is_integrity_failure("FirmwareIntegrityCheckFailed") and not is_integrity_failure("StartupOfTheDevice")
    assert not judge_integrity([("StartupOfTheDevice", None), ("TamperDetectionActivated", "lid")]).ok
    assert judge_integrity([("StartupOfTheDevice", None)]).ok
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 100], 95) == 100
    assert percentile([5], 50) == 5
    stats = latency_stats([("Reset", 10.0), ("Reset", 30.0), ("ClearCache", 2000.0)])
    assert stats["Reset"] == {"count": 2, "p50_ms": 10.0, "p95_ms": 30.0, "max_ms": 30.0}
    assert judge_latency(stats, 5000).ok
    slow = judge_latency(stats, 1000)
    assert not slow.ok and "ClearCache" in slow.reason


# -- frames, the run log, quirks, the report -----------------------------------------------------


def test_frames_are_parsed_and_replies_named_after_their_call() -> None:
    assert parse_frame('[2,"a","Heartbeat",{}]') == (2, "a", "Heartbeat", {})
    assert parse_frame("not json")[0] is None and parse_frame('[9,"a"]')[0] is None
    log = Log()
    message_id = log.call("Reset", {"type": "Hard"}, station=False)
    log.result(message_id, {"status": "Accepted"}, station=True)
    reply = list(log.log.frames(0))[-1]
    assert reply.action == "Reset" and reply.from_station
    for index in range(200):
        log.log.note("x", {"i": index})
    evidence = log.log.evidence(0)
    assert len(evidence) == 121 and evidence[60]["omitted"] == 202 - 120


async def test_the_run_log_wakes_its_waiters() -> None:
    log = RunLog(lambda: T0)

    async def later() -> None:
        await asyncio.sleep(0.05)
        log.note("station.booted", {"status": "Accepted"})

    task = asyncio.create_task(later())
    found = await log.wait_for(lambda e: getattr(e, "kind", None) == "station.booted", 2.0)
    await task
    assert found is not None and found.data == {"status": "Accepted"}
    assert await log.wait_for(lambda e: False, 0.05) is None


def test_schema_violations_are_quirks_but_not_the_benchs_own_probes() -> None:
    log = Log()
    bad = log.call("MeterValues", {"connectorId": 1, "meterValue": [{"sampledValue": []}]})
    log.error(bad, "FormationViolation")
    probe = log.call("GetConfiguration", {"key": "x"}, station=False)
    log.error(probe, "TypeConstraintViolation", station=True)
    reset = log.call("Reset", {"type": "Hard"}, station=False)
    log.result(reset, {"state": "Accepted"}, station=True)  # breaks the response schema
    quirks = frame_quirks(V16, log.log.frames(0), probe_ids=frozenset({probe}))
    assert [q.code for q in quirks] == ["schema_violation", "schema_violation"]
    assert quirks[0].detail.startswith("MeterValues: FormationViolation") and quirks[1].detail.startswith(
        "Reset answer"
    )


def test_2_0_1_readings_apply_the_multiplier() -> None:
    log = Log()
    event = {
        "eventType": "Updated",
        "timestamp": stamp(0),
        "triggerReason": "MeterValuePeriodic",
        "seqNo": 1,
        "transactionInfo": {"transactionId": "TX"},
        "meterValue": [
            {
                "timestamp": stamp(0),
                "sampledValue": [
                    {
                        "value": 12.5,
                        "measurand": "Energy.Active.Import.Register",
                        "unitOfMeasure": {"unit": "kWh", "multiplier": 1},
                    }
                ],
            }
        ],
    }
    log.exchange("TransactionEvent", event)
    (reading,) = readings(V201, log.log.frames(0))
    assert reading.base_value == pytest.approx(125_000.0) and reading.transaction_id == "TX"


def test_the_report_renders_escaped_with_a_latency_chart() -> None:
    row = {
        "id": "abc",
        "status": "finished",
        "station_id": "<script>",
        "ocpp_version": "1.6",
        "level_requested": "standard",
        "level_reached": "basic",
        "settings": {},
        "started_at": T0,
        "updated_at": T0,
        "finished_at": T0,
        "report": {
            "station": {"vendor": "Acme", "model": "AC", "firmware_version": "1"},
            "cases": [
                {
                    "id": "basic.boot",
                    "name": "Boot",
                    "level": "basic",
                    "result": "passed",
                    "reason": "ok",
                    "duration_ms": 1.0,
                    "messages": ["BootNotification"],
                    "rule": "r",
                    "facts": {},
                    "evidence": [{"at": "t", "direction": "station->csms", "frame": '[2,"<x>"]'}],
                },
                {
                    "id": "standard.remote_start",
                    "name": "Remote start",
                    "level": "standard",
                    "result": "failed",
                    "reason": "nothing",
                },
            ],
            "latency": {"Reset": {"count": 1, "p50_ms": 5.0, "p95_ms": 5.0, "max_ms": 5.0}},
            "quirks": [{"case": None, "code": "schema_violation", "detail": "<b>"}],
        },
    }
    view = run_view(row)
    assert view["summary"]["levels"]["basic"] == {"passed": 1, "failed": 0, "skipped": 0, "reached": True}
    assert view["summary"]["levels"]["standard"]["reached"] is False
    assert view["links"]["matrix"] == "/api/v1/firmware/compatibility?vendor=Acme&model=AC&firmware_version=1"
    page = render_html(view)
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;" in page
    assert "<svg" in page and "Level reached" in page
    assert ("Level reached", "basic") in summary_rows(view)


def test_docs_describe_every_case_with_its_rule() -> None:
    from pathlib import Path

    from chargebridge.validation.catalogue import CASES

    text = (Path(__file__).resolve().parents[2] / "docs" / "validation.md").read_text(encoding="utf-8")
    for case in CASES:
        assert f"`{case.id}`" in text and case.rule in text, case.id
