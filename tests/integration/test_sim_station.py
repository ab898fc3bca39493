"""The station simulator against a small test-only CSMS on real loopback sockets."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import count, pairwise
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from chargebridge.domain.timeutil import format_datetime, parse_datetime
from chargebridge.rpc import (
    CallReceived,
    ErrorReceived,
    OcppVersion,
    ProtocolViolation,
    ResultReceived,
    RpcEndpoint,
    schemas_for,
)
from chargebridge.sim import Fleet, SimClock, SimConfig, SimStation, StationConfig, read_ledger, reconcile
from chargebridge.sim.ev import ChargerKind, ChargerSpec
from chargebridge.sim.ledger import LedgerEntry
from chargebridge.sim.profiles import builtin_profile
from chargebridge.sim.station import Behaviour

V16, V201 = OcppVersion.V16, OcppVersion.V201
ENERGY = "Energy.Active.Import.Register"
FROM_STATION = {
    V16: {
        "BootNotification",
        "Heartbeat",
        "StatusNotification",
        "Authorize",
        "StartTransaction",
        "StopTransaction",
        "MeterValues",
        "DataTransfer",
        "FirmwareStatusNotification",
        "DiagnosticsStatusNotification",
    },
    V201: {
        "BootNotification",
        "Heartbeat",
        "StatusNotification",
        "Authorize",
        "TransactionEvent",
        "MeterValues",
        "DataTransfer",
        "NotifyEvent",
        "FirmwareStatusNotification",
    },
}


# -- the test CSMS ------------------------------------------------------------------------------


@dataclass
class Seen:
    station_id: str
    action: str
    payload: dict[str, Any]
    at: float


@dataclass
class Link:
    ws: ServerConnection
    endpoint: RpcEndpoint
    waiter: asyncio.Future[ResultReceived | ErrorReceived] | None = None


@dataclass
class FakeCsms:
    boot_statuses: list[str] = field(default_factory=lambda: ["Accepted"])
    interval: int = 300
    unanswered: dict[str, int] = field(default_factory=dict)  # action -> how many calls to leave unanswered
    seen: list[Seen] = field(default_factory=list)
    raw: list[tuple[str, list[Any]]] = field(default_factory=list)  # every CALL as sent, even invalid ones
    violations: list[tuple[str, ProtocolViolation]] = field(default_factory=list)
    links: dict[str, Link] = field(default_factory=dict)
    connects: dict[str, int] = field(default_factory=dict)
    transactions: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    url: str = ""
    _ids: Iterator[int] = field(default_factory=lambda: count(1))
    _boots: dict[str, int] = field(default_factory=dict)

    # queries

    def actions(self, station_id: str) -> list[str]:
        return [item.action for item in self.seen if item.station_id == station_id]

    def of(self, station_id: str, action: str) -> list[dict[str, Any]]:
        return [item.payload for item in self.seen if item.station_id == station_id and item.action == action]

    def raw_of(self, station_id: str, action: str) -> list[dict[str, Any]]:
        return [frame[3] for sid, frame in self.raw if sid == station_id and frame[2] == action]

    def server_transactions(self) -> list[dict[str, Any]]:
        return list(self.transactions.values())

    async def wait_for(self, condition: Callable[[], bool], within: float = 5.0) -> None:
        deadline = time.monotonic() + within
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.01)

    async def call(self, station_id: str, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        link = self.links[station_id]
        link.waiter = asyncio.get_running_loop().create_future()
        link.endpoint.send_call(action, payload)
        for frame in link.endpoint.data_to_send():
            await link.ws.send(frame)
        async with asyncio.timeout(5.0):
            reply = await link.waiter
        assert isinstance(reply, ResultReceived), reply
        return reply.payload

    # the server

    async def handler(self, ws: ServerConnection) -> None:
        assert ws.request is not None and ws.subprotocol is not None
        station_id = unquote(ws.request.path.rsplit("/", 1)[-1])
        version = OcppVersion.from_subprotocol(ws.subprotocol)
        endpoint = RpcEndpoint(schemas_for(version), accepts=FROM_STATION[version].__contains__)
        link = Link(ws, endpoint)
        self.links[station_id] = link
        self.connects[station_id] = self.connects.get(station_id, 0) + 1
        try:
            async for message in ws:
                frame = json.loads(message)
                if frame[0] == 2:
                    self.raw.append((station_id, frame))
                for event in endpoint.receive(message):
                    if isinstance(event, CallReceived):
                        self.seen.append(Seen(station_id, event.action, event.payload, time.monotonic()))
                        if self.unanswered.get(event.action, 0) > 0:
                            self.unanswered[event.action] -= 1
                            continue
                        endpoint.send_result(event.message_id, event.action, self.answer(station_id, version, event))
                    elif isinstance(event, ResultReceived | ErrorReceived):
                        if link.waiter is not None and not link.waiter.done():
                            link.waiter.set_result(event)
                    elif isinstance(event, ProtocolViolation):
                        self.violations.append((station_id, event))
                for out in endpoint.data_to_send():
                    await ws.send(out)
        except ConnectionClosed:
            pass
        finally:
            if self.links.get(station_id) is link:
                del self.links[station_id]

    def answer(self, station_id: str, version: OcppVersion, call: CallReceived) -> dict[str, Any]:
        now = format_datetime(datetime.now(UTC))
        p = call.payload
        match call.action:
            case "BootNotification":
                n = self._boots.get(station_id, 0)
                self._boots[station_id] = n + 1
                status = self.boot_statuses[min(n, len(self.boot_statuses) - 1)]
                return {"status": status, "currentTime": now, "interval": self.interval}
            case "Heartbeat":
                return {"currentTime": now}
            case "Authorize":
                key = "idTagInfo" if version is V16 else "idTokenInfo"
                return {key: {"status": "Accepted"}}
            case "StartTransaction":
                tx_id = next(self._ids)
                self.transactions[(station_id, str(tx_id))] = {
                    "station_id": station_id,
                    "id": str(tx_id),
                    "meter_start_wh": p["meterStart"],
                    "meter_stop_wh": None,
                    "energy_wh": None,
                }
                return {"transactionId": tx_id, "idTagInfo": {"status": "Accepted"}}
            case "StopTransaction":
                tx = self.transactions.get((station_id, str(p["transactionId"])))
                if tx is not None:
                    tx["meter_stop_wh"] = p["meterStop"]
                    tx["energy_wh"] = p["meterStop"] - tx["meter_start_wh"]
                return {"idTagInfo": {"status": "Accepted"}}
            case "TransactionEvent":
                self._transaction_event(station_id, p)
                return {"idTokenInfo": {"status": "Accepted"}} if p["eventType"] == "Started" else {}
            case "DataTransfer":
                return {"status": "Accepted"}
            case _:
                return {}

    def _transaction_event(self, station_id: str, p: dict[str, Any]) -> None:
        tx_id = p["transactionInfo"]["transactionId"]
        register = None
        for meter_value in p.get("meterValue", []):
            for sampled in meter_value["sampledValue"]:
                if sampled.get("measurand", ENERGY) == ENERGY:
                    register = int(sampled["value"])
        tx = self.transactions.setdefault(
            (station_id, tx_id),
            {"station_id": station_id, "id": tx_id, "meter_start_wh": None, "meter_stop_wh": None, "energy_wh": None},
        )
        if p["eventType"] == "Started":
            tx["meter_start_wh"] = register
        elif p["eventType"] == "Ended":
            tx["meter_stop_wh"] = register
            tx["energy_wh"] = register - tx["meter_start_wh"]


@asynccontextmanager
async def running_csms(csms: FakeCsms):  # type: ignore[no-untyped-def]
    async with serve(csms.handler, "127.0.0.1", 0, subprotocols=["ocpp2.0.1", "ocpp1.6"]) as server:  # type: ignore[list-item]
        port = next(iter(server.sockets)).getsockname()[1]
        csms.url = f"ws://127.0.0.1:{port}/ocpp"
        yield csms


@asynccontextmanager
async def running_station(  # type: ignore[no-untyped-def]
    csms: FakeCsms,
    version: OcppVersion,
    clock: SimClock | None = None,
    ledger: list[LedgerEntry] | None = None,
    **overrides: Any,
):
    config = station_config(csms, version, **overrides)
    clock = clock or make_clock()
    station = SimStation(config, clock, rng=random.Random(7), on_ledger=None if ledger is None else ledger.append)
    task = asyncio.create_task(station.run())
    try:
        yield station
    finally:
        station.stop()
        async with asyncio.timeout(10):
            await task


def make_clock(scale: float = 600.0) -> SimClock:
    return SimClock(datetime(2024, 5, 1, 8, 0, tzinfo=UTC), scale)


def station_config(csms: FakeCsms, version: OcppVersion, **overrides: Any) -> StationConfig:
    defaults: dict[str, Any] = {"station_id": f"ST-{version.value}", "url": csms.url, "version": version}
    return StationConfig(**(defaults | overrides))


both_versions = pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])


# -- boot and heartbeat ---------------------------------------------------------------------------


@both_versions
async def test_boot_pending_then_accepted_then_status_and_heartbeats(version: OcppVersion) -> None:
    csms = FakeCsms(boot_statuses=["Pending", "Rejected", "Accepted"], interval=30)
    async with running_csms(csms), running_station(csms, version, make_clock(300), connectors=2) as st:
        sid = st.station_id
        await csms.wait_for(lambda: csms.actions(sid).count("Heartbeat") >= 3)
        actions = csms.actions(sid)
        assert actions[:3] == ["BootNotification"] * 3
        assert actions[3:5] == ["StatusNotification", "StatusNotification"]
        boots = [item.at for item in csms.seen if item.action == "BootNotification"]
        assert boots[1] - boots[0] >= 30 / 300 * 0.75  # retried after the interval the server gave
        beats = [item.at for item in csms.seen if item.action == "Heartbeat"]
        assert all(later - earlier >= 30 / 300 * 0.75 for earlier, later in pairwise(beats))
        statuses = csms.of(sid, "StatusNotification")
        ids = [s["connectorId"] if version is V16 else s["evseId"] for s in statuses[:2]]
        assert ids == [1, 2]
        assert st.state.config.get("HeartbeatInterval") == "30"


# -- sessions -------------------------------------------------------------------------------------


@both_versions
async def test_session_reported_and_ledger_matches_server(version: OcppVersion) -> None:
    csms = FakeCsms()
    ledger: list[LedgerEntry] = []
    async with (
        running_csms(csms),
        running_station(
            csms, version, make_clock(), ledger, charger=ChargerSpec(ChargerKind.DC, 100_000.0), meter_interval_s=60.0
        ) as st,
    ):
        sid = st.station_id
        await csms.wait_for(lambda: st.booted)
        st.start_session(1, "TAG-A", duration_s=600)
        await csms.wait_for(lambda: len(ledger) == 1)
    entry = ledger[0]
    assert entry.acknowledged and entry.energy_wh > 0 and entry.id_token == "TAG-A"
    assert reconcile(ledger, csms.server_transactions()) == []
    actions = csms.actions(sid)
    assert "Authorize" in actions
    if version is V16:
        meters = csms.of(sid, "MeterValues")
        assert len(meters) >= 5
        assert all(m["transactionId"] == int(entry.transaction_id or 0) for m in meters)
        measurands = {s["measurand"] for s in meters[0]["meterValue"][0]["sampledValue"]}
        assert measurands == {ENERGY, "Power.Active.Import", "Current.Import", "Voltage", "SoC"}
        stop = csms.of(sid, "StopTransaction")[0]
        assert stop["reason"] in ("Local", "EVDisconnected") and stop["transactionData"]
        power = [
            float(s["value"])
            for m in meters
            for s in m["meterValue"][0]["sampledValue"]
            if s["measurand"] == "Power.Active.Import"
        ]
        assert max(power) <= 100_000 and min(power) > 10_000  # DC at speed
    else:
        events = csms.of(sid, "TransactionEvent")
        assert next(e["eventType"] for e in events) == "Started" and events[-1]["eventType"] == "Ended"
        assert {e["eventType"] for e in events[1:-1]} == {"Updated"}
        seq = [e["seqNo"] for e in events]
        assert seq == sorted(seq) and len(set(seq)) == len(seq)
        assert events[0]["idToken"]["idToken"] == "TAG-A"
        assert events[-1]["transactionInfo"]["stoppedReason"] in ("Local", "EVDisconnected")
        assert not any(e.get("offline") for e in events)  # (schema validation fills in the default false)


async def test_ac_session_power_is_constant_until_the_taper() -> None:
    csms = FakeCsms()
    async with (
        running_csms(csms),
        running_station(
            csms, V201, make_clock(), charger=ChargerSpec(ChargerKind.AC, 11_000.0), meter_interval_s=60.0
        ) as st,
    ):
        await csms.wait_for(lambda: st.booted)
        st.start_session(1, "TAG-AC", duration_s=900)
        await csms.wait_for(lambda: len(csms.of(st.station_id, "TransactionEvent")) >= 8)
    powers = [
        s["value"]
        for e in csms.of(st.station_id, "TransactionEvent")[1:6]
        for s in e["meterValue"][0]["sampledValue"]
        if s["measurand"] == "Power.Active.Import"
    ]
    assert powers and all(p == powers[0] for p in powers) and 7_000 <= powers[0] <= 11_000


# -- commands -------------------------------------------------------------------------------------

COMMANDS_16: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("UnlockConnector", {"connectorId": 1}, {"status": "Unlocked"}),
    ("ChangeAvailability", {"connectorId": 1, "type": "Inoperative"}, {"status": "Accepted"}),
    ("GetConfiguration", {"key": ["HeartbeatInterval", "Nope"]}, {"unknownKey": ["Nope"]}),
    ("ChangeConfiguration", {"key": "MeterValueSampleInterval", "value": "30"}, {"status": "Accepted"}),
    ("ChangeConfiguration", {"key": "NumberOfConnectors", "value": "3"}, {"status": "Rejected"}),
    ("TriggerMessage", {"requestedMessage": "Heartbeat"}, {"status": "Accepted"}),
    ("ClearCache", {}, {"status": "Accepted"}),
    ("DataTransfer", {"vendorId": "com.example"}, {"status": "UnknownVendorId"}),
    ("ClearChargingProfile", {}, {"status": "Unknown"}),
]
COMMANDS_201: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("UnlockConnector", {"evseId": 1, "connectorId": 1}, {"status": "Unlocked"}),
    ("ChangeAvailability", {"operationalStatus": "Inoperative", "evse": {"id": 1}}, {"status": "Accepted"}),
    ("TriggerMessage", {"requestedMessage": "Heartbeat"}, {"status": "Accepted"}),
    ("ClearCache", {}, {"status": "Accepted"}),
    ("DataTransfer", {"vendorId": "com.example"}, {"status": "UnknownVendorId"}),
    ("ClearChargingProfile", {}, {"status": "Unknown"}),
]


@pytest.mark.parametrize(
    ("version", "action", "payload", "expected"), [(V16, *c) for c in COMMANDS_16] + [(V201, *c) for c in COMMANDS_201]
)
async def test_simple_command_round_trip(
    version: OcppVersion, action: str, payload: dict[str, Any], expected: dict[str, Any]
) -> None:
    csms = FakeCsms()
    async with running_csms(csms), running_station(csms, version, make_clock(60)) as st:
        await csms.wait_for(lambda: st.booted)
        result = await csms.call(st.station_id, action, payload)
        assert result.items() >= expected.items()
        if action == "ChangeAvailability":
            await csms.wait_for(
                lambda: (
                    csms.of(st.station_id, "StatusNotification")[-1].get(
                        "status", csms.of(st.station_id, "StatusNotification")[-1].get("connectorStatus")
                    )
                    == "Unavailable"
                )
            )
        if action == "TriggerMessage":
            await csms.wait_for(lambda: "Heartbeat" in csms.actions(st.station_id))


async def test_get_and_set_variables_201() -> None:
    csms = FakeCsms()
    async with running_csms(csms), running_station(csms, V201, make_clock(60)) as st:
        await csms.wait_for(lambda: st.booted)
        interval = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
        result = await csms.call(
            st.station_id, "SetVariables", {"setVariableData": [interval | {"attributeValue": "45"}]}
        )
        assert result["setVariableResult"][0]["attributeStatus"] == "Accepted"
        unknown = {"component": {"name": "Nope"}, "variable": {"name": "X"}}
        result = await csms.call(st.station_id, "GetVariables", {"getVariableData": [interval, unknown]})
        assert result["getVariableResult"][0]["attributeValue"] == "45"
        assert result["getVariableResult"][1]["attributeStatus"] == "UnknownComponent"


@both_versions
async def test_remote_start_limit_and_remote_stop(version: OcppVersion) -> None:
    csms = FakeCsms()
    ledger: list[LedgerEntry] = []
    async with (
        running_csms(csms),
        running_station(
            csms, version, make_clock(), ledger, charger=ChargerSpec(ChargerKind.AC, 22_000.0), meter_interval_s=60.0
        ) as st,
    ):
        sid = st.station_id
        await csms.wait_for(lambda: st.booted)
        if version is V16:
            result = await csms.call(sid, "RemoteStartTransaction", {"idTag": "REMOTE1", "connectorId": 1})
        else:
            start = {"idToken": {"idToken": "REMOTE1", "type": "Central"}, "remoteStartId": 42, "evseId": 1}
            result = await csms.call(sid, "RequestStartTransaction", start)
        assert result["status"] == "Accepted"
        await csms.wait_for(lambda: st.state.connectors[1].session is not None and st.queued_messages == 0)
        session = st.state.connectors[1].session
        assert session is not None
        await csms.wait_for(lambda: session.transaction_id is not None)
        # A 16 A limit: 3 x 230 V x 16 A = 11 040 W.
        schedule = {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}]}
        if version is V16:
            profile = {
                "chargingProfileId": 1,
                "stackLevel": 0,
                "chargingProfilePurpose": "TxProfile",
                "chargingProfileKind": "Relative",
                "chargingSchedule": schedule,
            }
            result = await csms.call(sid, "SetChargingProfile", {"connectorId": 1, "csChargingProfiles": profile})
        else:
            profile = {
                "id": 1,
                "stackLevel": 0,
                "chargingProfilePurpose": "TxProfile",
                "chargingProfileKind": "Relative",
                "chargingSchedule": [schedule | {"id": 1}],
                "transactionId": session.transaction_id,  # a 2.0.1 TxProfile names its transaction (K01.FR.03)
            }
            result = await csms.call(sid, "SetChargingProfile", {"evseId": 1, "chargingProfile": profile})
        assert result["status"] == "Accepted"
        mark = len(csms.seen)
        await asyncio.sleep(0.5)  # five simulated minutes
        later = [item.payload for item in csms.seen[mark + 1 :] if item.action in ("MeterValues", "TransactionEvent")]
        powers = [
            float(s["value"])
            for p in later
            for mv in p.get("meterValue", [])
            for s in mv["sampledValue"]
            if s.get("measurand") == "Power.Active.Import"
        ]
        assert powers and max(powers) <= 11_040.0 + 0.5
        if version is V16:
            result = await csms.call(sid, "RemoteStopTransaction", {"transactionId": int(session.transaction_id or 0)})
        else:
            result = await csms.call(sid, "RequestStopTransaction", {"transactionId": session.transaction_id or ""})
        assert result["status"] == "Accepted"
        await csms.wait_for(lambda: len(ledger) == 1)
    assert ledger[0].stop_reason == "Remote" and ledger[0].id_token == "REMOTE1"
    if version is V201:
        started = csms.of(sid, "TransactionEvent")[0]
        assert started["triggerReason"] == "RemoteStart" and started["transactionInfo"]["remoteStartId"] == 42
    else:
        assert "Authorize" not in csms.actions(sid)  # AuthorizeRemoteTxRequests is false


@both_versions
async def test_reset_reconnects_and_boots_again(version: OcppVersion) -> None:
    csms = FakeCsms()
    ledger: list[LedgerEntry] = []
    async with running_csms(csms), running_station(csms, version, make_clock(), ledger) as st:
        sid = st.station_id
        await csms.wait_for(lambda: st.booted)
        st.start_session(1, "TAG-R", duration_s=3600)
        await csms.wait_for(lambda: st.queued_messages == 0 and st.active_sessions == 1)
        result = await csms.call(sid, "Reset", {"type": "Hard"} if version is V16 else {"type": "Immediate"})
        assert result["status"] == "Accepted"
        await csms.wait_for(lambda: csms.connects.get(sid) == 2 and st.booted)
    assert csms.actions(sid).count("BootNotification") == 2
    assert ledger[0].stop_reason == "HardReset" and ledger[0].acknowledged
    if version is V201:
        assert csms.of(sid, "BootNotification")[1]["reason"] == "RemoteReset"
        assert csms.of(sid, "TransactionEvent")[-1]["transactionInfo"]["stoppedReason"] == "ImmediateReset"


@both_versions
async def test_trigger_messages(version: OcppVersion) -> None:
    csms = FakeCsms()
    async with running_csms(csms), running_station(csms, version, make_clock(60)) as st:
        sid = st.station_id
        await csms.wait_for(lambda: st.booted)
        wanted = ["StatusNotification", "MeterValues", "BootNotification", "FirmwareStatusNotification"]
        for message in wanted:
            mark = len(csms.actions(sid))
            result = await csms.call(sid, "TriggerMessage", {"requestedMessage": message})
            assert result["status"] == "Accepted"
            await csms.wait_for(lambda m=message, k=mark: m in csms.actions(sid)[k:])  # type: ignore[misc]
        result = await csms.call(
            sid,
            "TriggerMessage",
            {"requestedMessage": "LogStatusNotification"}
            if version is V201
            else {"requestedMessage": "StatusNotification", "connectorId": 9},
        )
        assert result["status"] in ("NotImplemented", "Rejected")


async def test_failure_rate_and_answer_delay() -> None:
    csms = FakeCsms()
    async with (
        running_csms(csms),
        running_station(csms, V16, make_clock(60), failure_rate=1.0, answer_delay_real_s=0.2) as st,
    ):
        await csms.wait_for(lambda: st.booted)
        started = time.monotonic()
        result = await csms.call(st.station_id, "RemoteStartTransaction", {"idTag": "X"})
        assert time.monotonic() - started >= 0.2
        assert result == {"status": "Rejected"}
        await asyncio.sleep(0.1)
        assert st.active_sessions == 0


# -- network realism ------------------------------------------------------------------------------


async def test_offline_replay_201_keeps_seq_no_and_flags_offline() -> None:
    csms = FakeCsms()
    ledger: list[LedgerEntry] = []
    async with running_csms(csms), running_station(csms, V201, make_clock(), ledger) as st:
        sid = st.station_id
        await csms.wait_for(lambda: st.booted)
        st.start_session(1, "TAG-O", duration_s=500)
        await csms.wait_for(lambda: len(csms.of(sid, "TransactionEvent")) >= 2)
        st.go_offline(600)  # one real second; the session ends meanwhile
        await csms.wait_for(lambda: not st.connected)
        online = len(csms.of(sid, "TransactionEvent"))
        await csms.wait_for(lambda: len(ledger) == 1, within=8)
    events = csms.of(sid, "TransactionEvent")
    seq = [e["seqNo"] for e in events]
    assert seq == list(range(seq[0], seq[0] + len(seq)))  # nothing lost, nothing reordered
    replayed = events[online:]
    assert len(replayed) >= 3 and replayed[-1]["eventType"] == "Ended"
    assert all(e.get("offline") is True for e in replayed)
    stamps = [parse_datetime(e["timestamp"]) for e in events]
    assert stamps == sorted(stamps)
    assert reconcile(ledger, csms.server_transactions()) == []


async def test_offline_replay_16_in_order() -> None:
    csms = FakeCsms()
    ledger: list[LedgerEntry] = []
    async with running_csms(csms), running_station(csms, V16, make_clock(), ledger) as st:
        sid = st.station_id
        await csms.wait_for(lambda: st.booted)
        st.go_offline(900)
        await csms.wait_for(lambda: not st.connected)
        st.start_session(1, "TAG-OFF", duration_s=600)  # starts and ends while offline
        await csms.wait_for(lambda: len(ledger) == 1, within=8)
    tx_actions = [a for a in csms.actions(sid) if a in ("StartTransaction", "MeterValues", "StopTransaction")]
    assert tx_actions[0] == "StartTransaction" and tx_actions[-1] == "StopTransaction"
    assert set(tx_actions[1:-1]) == {"MeterValues"} and len(tx_actions) >= 6
    assert "Authorize" not in csms.actions(sid)  # offline: authorised locally
    stamps = [parse_datetime(p["meterValue"][0]["timestamp"]) for p in csms.of(sid, "MeterValues")]
    assert stamps == sorted(stamps)
    assert reconcile(ledger, csms.server_transactions()) == []


async def test_unanswered_transaction_message_is_retried() -> None:
    csms = FakeCsms(unanswered={"StopTransaction": 2})
    ledger: list[LedgerEntry] = []
    async with (
        running_csms(csms),
        running_station(
            csms,
            V16,
            make_clock(),
            ledger,
            call_timeout_real_s=0.1,
            transaction_attempts=3,
            transaction_retry_interval_s=60,
        ) as st,
    ):
        await csms.wait_for(lambda: st.booted)
        st.start_session(1, "TAG-T", duration_s=120)
        await csms.wait_for(lambda: len(ledger) == 1, within=8)
    stops = [item for item in csms.seen if item.action == "StopTransaction"]
    assert len(stops) == 3 and all(s.payload == stops[0].payload for s in stops)
    # retry interval x attempt number: 60 s then 120 s simulated (0.1 s, 0.2 s real) after each timeout
    assert stops[2].at - stops[1].at > stops[1].at - stops[0].at
    assert ledger[0].acknowledged


async def test_transaction_message_given_up_after_attempts() -> None:
    csms = FakeCsms(unanswered={"StopTransaction": 5})
    ledger: list[LedgerEntry] = []
    async with (
        running_csms(csms),
        running_station(
            csms,
            V16,
            make_clock(),
            ledger,
            call_timeout_real_s=0.05,
            transaction_attempts=2,
            transaction_retry_interval_s=6,
        ) as st,
    ):
        await csms.wait_for(lambda: st.booted)
        st.start_session(1, "TAG-G", duration_s=120)
        await csms.wait_for(lambda: len(ledger) == 1, within=8)
    assert len(csms.of(st.station_id, "StopTransaction")) == 2
    assert ledger[0].acknowledged is False


@both_versions
async def test_stop_unanswered_at_shutdown_still_reaches_the_ledger(version: OcppVersion) -> None:
    """The session is stopped by the shutdown itself; the server never answers the stop: the ledger
    still holds the transaction, marked unacknowledged, once the shutdown timeout passes."""
    stop_action = "StopTransaction" if version is V16 else "TransactionEvent"
    csms = FakeCsms()
    ledger: list[LedgerEntry] = []
    async with running_csms(csms):
        async with running_station(csms, version, make_clock(), ledger, shutdown_timeout_real_s=0.3) as st:
            await csms.wait_for(lambda: st.booted)
            st.start_session(1, "TAG-S", duration_s=3_600)
            await csms.wait_for(lambda: st.active_sessions == 1 and st.state.connectors[1].session is not None)
            await csms.wait_for(lambda: any(tx["meter_start_wh"] is not None for tx in csms.server_transactions()))
            csms.unanswered[stop_action] = 1_000
        assert len(ledger) == 1
    entry = ledger[0]
    assert entry.acknowledged is False and entry.stop_reason == "Local"
    assert entry.transaction_id is not None
    # Reconciliation knows the transaction (no "missing_in_ledger") and does not check an unanswered stop.
    assert reconcile(ledger, csms.server_transactions()) == []


async def test_station_cancelled_while_draining_still_writes_its_ledger() -> None:
    csms = FakeCsms()
    ledger: list[LedgerEntry] = []
    async with running_csms(csms):
        config = station_config(csms, V16, shutdown_timeout_real_s=30.0)
        station = SimStation(config, make_clock(), rng=random.Random(7), on_ledger=ledger.append)
        task = asyncio.create_task(station.run())
        await csms.wait_for(lambda: station.booted)
        station.start_session(1, "TAG-C", duration_s=3_600)
        await csms.wait_for(lambda: bool(csms.server_transactions()))
        csms.unanswered["StopTransaction"] = 1_000
        station.stop()
        await csms.wait_for(lambda: bool(csms.of(station.station_id, "StopTransaction")))
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert len(ledger) == 1 and ledger[0].acknowledged is False


async def test_reconnect_back_off_doubles() -> None:
    attempts: list[float] = []
    enough = asyncio.Event()

    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        attempts.append(time.monotonic())
        if len(attempts) >= 6:
            enough.set()
        writer.close()

    server = await asyncio.start_server(refuse, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    config = StationConfig(
        station_id="ST-BACKOFF",
        url=f"ws://127.0.0.1:{port}/ocpp",
        version=V16,
        backoff_minimum_s=10,
        backoff_random_range_s=0,
        backoff_repeat_times=3,
    )
    async with server:
        st = SimStation(config, make_clock(200), rng=random.Random(1))
        task = asyncio.create_task(st.run())
        async with asyncio.timeout(5):
            await enough.wait()
        st.stop()
        await task
        delays = list(st.reconnect_delays)[:5]
    assert delays == [10, 20, 40, 80, 80]
    gaps = [b - a for a, b in pairwise(attempts)][:4]
    for gap, expected in zip(gaps, [0.05, 0.1, 0.2, 0.4], strict=False):
        assert expected * 0.9 <= gap <= expected + 0.25


async def test_back_off_jitter_stays_in_range() -> None:
    delays = []
    for seed in range(20):
        from chargebridge.sim.station import backoff_delay

        delays.append(backoff_delay(1, minimum_s=5, random_range_s=3, repeat_times=4, rng=random.Random(seed)))
    assert all(10 <= d <= 13 for d in delays) and len(set(delays)) > 1


# -- quirk profiles ---------------------------------------------------------------------------------


@both_versions
async def test_profile_ampora_kwh_labelled_wh_and_no_timestamps(version: OcppVersion) -> None:
    csms = FakeCsms()
    async with (
        running_csms(csms),
        running_station(
            csms,
            version,
            make_clock(),
            profile=builtin_profile("ampora-ac22-fw2.1"),
            transaction_attempts=1,
            call_timeout_real_s=0.5,
        ) as st,
    ):
        sid = st.station_id
        await csms.wait_for(lambda: st.booted)
        register = int(st.state.connectors[1].register_wh)
        st.start_session(1, "TAG-K", duration_s=600)
        action = "MeterValues" if version is V16 else "TransactionEvent"
        await csms.wait_for(lambda: len(csms.raw_of(sid, action)) >= 3)
    frames = [f for f in csms.raw_of(sid, action) if f.get("eventType") != "Started"]
    for frame in frames:
        for meter_value in frame["meterValue"]:
            assert "timestamp" not in meter_value
            energy = next(s for s in meter_value["sampledValue"] if s["measurand"] == ENERGY)
            unit = energy["unit"] if version is V16 else energy["unitOfMeasure"]["unit"]
            assert unit == "Wh"
            assert abs(float(energy["value"]) * 1000 - register) < 50_000  # kWh numbers under "Wh"
    assert any(v.action == action for _, v in csms.violations)  # the missing timestamps break the schema


@both_versions
async def test_profile_voltara_status_before_boot_vendor_errors_data_transfer(version: OcppVersion) -> None:
    csms = FakeCsms()
    profile = builtin_profile("voltara-dc150-fw4.0")
    async with running_csms(csms), running_station(csms, version, make_clock(1200), profile=profile) as st:
        sid = st.station_id
        await csms.wait_for(lambda: st.booted)
        assert csms.actions(sid)[0] == "StatusNotification" and csms.actions(sid)[1] == "BootNotification"
        st.inject_fault(1, seconds=120)
        await csms.wait_for(
            lambda: "DataTransfer" in csms.actions(sid) and len(csms.of(sid, "StatusNotification")) >= 4
        )
    codes = {e.vendor_error_code for e in profile.vendor_errors}
    if version is V16:
        faulted = [s for s in csms.of(sid, "StatusNotification") if s["status"] == "Faulted"]
        assert faulted and faulted[0]["errorCode"] == "OtherError" and faulted[0]["vendorErrorCode"] in codes
        assert faulted[0]["info"]
    else:
        events = csms.of(sid, "NotifyEvent")
        assert events and events[0]["eventData"][0]["techCode"] in codes
        statuses = [s["connectorStatus"] for s in csms.of(sid, "StatusNotification")]
        assert "Faulted" in statuses and statuses[-1] == "Available"  # recovered
    transfer = csms.of(sid, "DataTransfer")[0]
    assert transfer["vendorId"] == "com.voltara" and transfer["messageId"] == "CabinetTelemetry"


@both_versions
async def test_profile_kelvo_over_long_serial_breaks_boot(version: OcppVersion) -> None:
    csms = FakeCsms()
    async with (
        running_csms(csms),
        running_station(csms, version, make_clock(), profile=builtin_profile("kelvo-wallbox-fw1.8")) as st,
    ):
        await csms.wait_for(lambda: len(csms.violations) >= 1)
        assert not st.booted
    boot = csms.raw_of(st.station_id, "BootNotification")[0]
    serial = boot["chargePointSerialNumber"] if version is V16 else boot["chargingStation"]["serialNumber"]
    assert len(serial) > 25
    assert csms.violations[0][1].action == "BootNotification"


@both_versions
async def test_profile_kelvo_duplicate_stop(version: OcppVersion) -> None:
    csms = FakeCsms()
    profile = replace(builtin_profile("kelvo-wallbox-fw1.8"), serial_number="K-{station_id}")
    ledger: list[LedgerEntry] = []
    async with running_csms(csms), running_station(csms, version, make_clock(), ledger, profile=profile) as st:
        sid = st.station_id
        await csms.wait_for(lambda: st.booted)
        st.start_session(1, "TAG-D", duration_s=120)
        await csms.wait_for(lambda: len(ledger) == 1 and st.queued_messages == 0)
    if version is V16:
        stops = csms.of(sid, "StopTransaction")
    else:
        stops = [e for e in csms.of(sid, "TransactionEvent") if e["eventType"] == "Ended"]
    assert len(stops) == 2 and stops[0] == stops[1]
    assert len(ledger) == 1


async def test_profile_northgrid_late_stop() -> None:
    csms = FakeCsms()
    ledger: list[LedgerEntry] = []
    async with (
        running_csms(csms),
        running_station(csms, V16, make_clock(1000), ledger, profile=builtin_profile("northgrid-ac11-fw0.9")) as st,
    ):
        sid = st.station_id
        await csms.wait_for(lambda: st.booted)
        st.start_session(1, "TAG-L", duration_s=60)
        await csms.wait_for(lambda: len(ledger) == 1, within=8)
    seen = {item.action: item.at for item in csms.seen if item.station_id == sid and item.action == "StopTransaction"}
    finishing = next(
        item.at for item in csms.seen if item.action == "StatusNotification" and item.payload["status"] == "Finishing"
    )
    assert seen["StopTransaction"] - finishing >= 600 / 1000 * 0.9  # ten simulated minutes late


async def test_profile_northgrid_transaction_id_minus_one_after_offline_reboot() -> None:
    csms = FakeCsms()
    ledger: list[LedgerEntry] = []
    profile = replace(builtin_profile("northgrid-ac11-fw0.9"), late_stop_s=0.0)
    async with running_csms(csms), running_station(csms, V16, make_clock(), ledger, profile=profile) as st:
        sid = st.station_id
        await csms.wait_for(lambda: st.booted)
        st.start_session(1, "TAG-M", duration_s=3600)
        await csms.wait_for(lambda: st.queued_messages == 0 and len(csms.of(sid, "StartTransaction")) == 1)
        st.go_offline(300)
        await csms.wait_for(lambda: not st.connected)
        st.reboot("PowerLoss")
        await csms.wait_for(lambda: len(csms.of(sid, "StopTransaction")) == 1, within=8)
    stop = csms.of(sid, "StopTransaction")[0]
    assert stop["transactionId"] == -1 and stop["reason"] == "PowerLoss"
    assert csms.actions(sid).count("BootNotification") == 2


@both_versions
async def test_profile_standard_sends_nothing_invalid(version: OcppVersion) -> None:
    csms = FakeCsms()
    ledger: list[LedgerEntry] = []
    dc = ChargerSpec(ChargerKind.DC, 150_000.0)
    async with running_csms(csms), running_station(csms, version, make_clock(), ledger, charger=dc) as st:
        await csms.wait_for(lambda: st.booted)
        st.start_session(1, "TAG-S", duration_s=1200)
        st.inject_fault(1, 60)  # also exercises the fault path: the session ends with EmergencyStop
        await csms.wait_for(lambda: len(ledger) == 1)
    assert csms.violations == []
    assert ledger[0].stop_reason == "EmergencyStop"


async def test_custom_profile_file_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'name = "mine"\nvendor = "Mine"\nmodel = "M1"\n[quirks]\nstatus_before_boot = true\n', encoding="utf-8"
    )
    csms = FakeCsms()
    async with running_csms(csms):
        config = SimConfig(
            url=csms.url, stations=1, version="1.6", scenario="idle", profile=path, duration=0.5, time_scale=60
        )
        fleet = Fleet(config)
        await fleet.run()
    assert csms.actions("SIM-0001")[:2] == ["StatusNotification", "BootNotification"]
    assert csms.of("SIM-0001", "BootNotification")[0]["chargePointVendor"] == "Mine"


# -- fleets ---------------------------------------------------------------------------------------


async def test_fleet_ledger_reconciles_with_the_server(tmp_path: Path) -> None:
    csms = FakeCsms()
    ledger_path = tmp_path / "ledger.jsonl"
    async with running_csms(csms):
        config = SimConfig(
            url=csms.url,
            stations=50,
            version="mixed",
            scenario="charging",
            behaviour=Behaviour(sessions=True, idle_mean_s=300, session_mean_s=900),
            time_scale=900,
            seed=1,
            duration=3.0,
            ledger=ledger_path,
            ramp_up_s=0.5,
            dc_share=0.3,
        )
        fleet = Fleet(config)
        stats = await fleet.run()
    entries = read_ledger(ledger_path)
    assert entries == fleet.ledger
    assert len(entries) >= 50
    assert {e.ocpp_version for e in entries} == {"1.6", "2.0.1"}
    assert all(e.acknowledged for e in entries)
    assert reconcile(entries, csms.server_transactions()) == []
    assert len({(e.station_id, e.transaction_id) for e in entries}) == len(entries)
    assert stats.stations_total == 50 and stats.transactions_completed == len(entries) and stats.errors == 0
    assert set(csms.connects) == {f"SIM-{n:04d}" for n in range(1, 51)}


async def test_reconcile_reports_a_tampered_server_record() -> None:
    entries = [
        LedgerEntry(
            "S1", "1.6", "1", "T", 100, 300, 200, "2024-01-01T00:00:00.000Z", "2024-01-01T01:00:00.000Z", "Local", True
        )
    ]
    server = [{"station_id": "S1", "id": "1", "energy_wh": 201, "meter_start_wh": 100, "meter_stop_wh": 301}]
    kinds = {m.kind for m in reconcile(entries, server)}
    assert kinds == {"energy_wh", "meter_stop_wh"}


async def test_storm_everyone_reconnects() -> None:
    csms = FakeCsms()
    async with running_csms(csms):
        config = SimConfig(
            url=csms.url,
            stations=20,
            version="mixed",
            scenario="storm",
            storm_every_s=0.7,
            time_scale=60,
            duration=1.6,
            ramp_up_s=0.1,
            backoff_minimum_s=1,
            backoff_random_range_s=2,
        )
        stats = await Fleet(config).run()
    assert stats.reconnects >= 20
    assert all(n >= 2 for n in csms.connects.values()) and len(csms.connects) == 20


async def test_demo_fleet_is_lively_and_mixed() -> None:
    csms = FakeCsms()
    async with running_csms(csms):
        config = SimConfig(
            url=csms.url,
            stations=12,
            version="mixed",
            scenario="demo",
            time_scale=1200,
            seed=3,
            duration=2.0,
            ramp_up_s=0.1,
        )
        fleet = Fleet(config)
        stop = asyncio.Event()
        task = asyncio.create_task(fleet.run(stop))
        await asyncio.sleep(1.5)
        live = fleet.stats()
        stop.set()
        stats = await task
    assert live.connected >= 10 and live.booted >= 10
    assert stats.transactions_completed > 0 and stats.messages_in > 0 and stats.messages_out > 0
    boots = [s.payload for s in csms.seen if s.action == "BootNotification"]
    assert {"chargePointVendor" in boot for boot in boots} == {True, False}  # both versions in one fleet
