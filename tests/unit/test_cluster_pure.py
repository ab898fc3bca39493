"""The cluster's pure parts, without sockets: names, presence entries, liveness, the takeover
rules across nodes, conflicts, lease decisions and the node-to-node wire format."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chargebridge.cluster.leases import LeaseRecord, LeaseState, LocalLeases, may_take_over, safety_for
from chargebridge.cluster.names import (
    Names,
    key_token,
    station_from_token,
    station_token,
    validate_nats_url,
    validate_node_id,
    validate_prefix,
)
from chargebridge.cluster.takeover import Conflict, Holder, Liveness, decide, ended_established, holds, on_conflict
from chargebridge.cluster.wire import CallRequest, CloseRequest, decode_reply, encode_answer, encode_failure
from chargebridge.config import Settings
from chargebridge.gateway.connection import CallAnswer
from chargebridge.rpc import CallInProgress, CallRejected, CallTimeout, ErrorCode, OcppError, StationNotConnected
from chargebridge.rpc.errors import StationUnreachable
from chargebridge.security.replacement import Verdict

# -- names -----------------------------------------------------------------------------------

_SUBJECT_SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@given(st.text(min_size=0, max_size=48))
def test_station_tokens_round_trip_and_are_one_safe_token(station_id: str) -> None:
    token = station_token(station_id)
    assert station_from_token(token) == station_id
    assert set(token) <= _SUBJECT_SAFE  # no '.', '*', '>', spaces: one subject token, a valid KV key


def test_station_tokens_are_distinct_for_tricky_ids() -> None:
    ids = ["", "_", "a.b", "a_2Eb", "a*", "a>", "ü", "a b"]
    tokens = [station_token(i) for i in ids]
    assert len(set(tokens)) == len(ids)
    assert station_token("CP-1") == "CP-1"  # ordinary ids stay readable
    assert station_token("a.b") == "a_2Eb"


@pytest.mark.parametrize("bad", ["a.b", "x_zz", "x_2", "é", "a b", "_2"])
def test_bad_station_tokens_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        station_from_token(bad)


def test_subjects_and_buckets_carry_the_prefix() -> None:
    names = Names("net1")
    assert names.event_subject("transaction.ended", "CP.1") == "net1.ev.transaction.ended.CP_2E1"
    assert names.parse_event_subject("net1.ev.transaction.ended.CP_2E1") == ("transaction.ended", "CP.1")
    assert names.event_subject("security.recorded", "") == "net1.ev.security.recorded._"
    assert names.parse_event_subject("net1.ev.security.recorded._") == ("security.recorded", "")
    assert names.events_subjects == "net1.ev.>"
    assert names.node_call("n-1") == "net1.node.n-1.call"
    assert names.node_close("n-1") == "net1.node.n-1.close"
    assert names.webhook_subject("abc") == "net1.wh.abc"
    assert {names.nodes_bucket, names.presence_bucket, names.leases_bucket} == {
        "net1-nodes",
        "net1-presence",
        "net1-leases",
    }
    with pytest.raises(ValueError):
        names.parse_event_subject("net2.ev.transaction.ended.x")
    with pytest.raises(ValueError):
        Names("bad.prefix")


def test_lease_names_become_keys() -> None:
    assert key_token("firmware.campaigns") == "firmware.campaigns"
    assert key_token("energy.site.a b") == "energy.site.a_20b"
    for bad in ["", ".x", "x.", "a..b"]:
        with pytest.raises(ValueError):
            key_token(bad)


def test_node_ids_prefixes_and_urls_are_checked() -> None:
    assert validate_node_id("node-1_a") == "node-1_a"
    assert validate_prefix("chargebridge") == "chargebridge"
    assert validate_nats_url("nats://127.0.0.1:4222,nats://10.0.0.2:4222")
    for bad in ["", "a.b", "a b", "x" * 65, "a*"]:
        with pytest.raises(ValueError):
            validate_node_id(bad)
    for bad in ["http://x:4222", "127.0.0.1:4222", "nats://"]:
        with pytest.raises(ValueError):
            validate_nats_url(bad)


def test_credentials_never_leave_the_nats_url() -> None:
    from chargebridge.cluster.names import safe_nats_url

    assert safe_nats_url("nats://user:secret@10.0.0.1:4222,tls://token@n2") == "nats://10.0.0.1:4222,tls://n2"


def test_settings_refuse_sqlite_in_cluster_mode() -> None:
    assert Settings(nats_url=None).cluster_problem() is None
    problem = Settings(nats_url="nats://127.0.0.1:4222").cluster_problem()
    assert problem is not None and "PostgreSQL" in problem
    ok = Settings(nats_url="nats://127.0.0.1:4222", database_url="postgresql+asyncpg://u@h/db", node_id="n1")
    assert ok.cluster_problem() is None and ok.clustered and ok.resolved_node_id() == "n1"
    with pytest.raises(ValueError):
        Settings(node_id="a.b")
    with pytest.raises(ValueError):
        Settings(nats_url="redis://x")


def test_settings_read_the_cluster_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARGEBRIDGE_NATS_URL", "nats://127.0.0.1:4222")
    monkeypatch.setenv("CHARGEBRIDGE_NODE_ID", "node-b")
    settings = Settings()
    assert settings.nats_url == "nats://127.0.0.1:4222" and settings.node_id == "node-b"


# -- presence entries and liveness -----------------------------------------------------------


def _holder(**changes: object) -> Holder:
    values: dict[str, object] = {
        "node": "a",
        "boot": "b1",
        "version": "1.6",
        "source": "10.0.0.1",
        "authenticated": False,
        "since": 1000.0,
        "at": 1000.0,
    }
    values.update(changes)
    return Holder(**values)  # type: ignore[arg-type]


def test_holder_entries_round_trip_and_refuse_garbage() -> None:
    holder = _holder(established="10.0.0.9", counted=(("10.0.0.2", 990.5),))
    assert Holder.decode(holder.encode()) == holder
    assert Holder.decode(_holder().encode()) == _holder()
    for bad in [b"", b"[]", b'{"node":"a"}', b"not json"]:
        with pytest.raises(ValueError):
            Holder.decode(bad)
    vacant = holder.vacated(2000.0)
    assert vacant.vacant and vacant.established == "10.0.0.9" and vacant.at == 2000.0


def test_liveness_follows_heartbeats_and_boots() -> None:
    alive = Liveness(ttl_s=6.0)
    alive.heard("a", "boot1", age_s=1.0, now=100.0)
    assert alive.alive("a", "boot1", now=104.9)
    assert not alive.alive("a", "boot1", now=105.0)  # written at 99.0: dead 6 s later
    assert not alive.alive("a", "boot0", now=101.0)  # an entry of an earlier run of the node
    assert alive.alive("a", None, now=101.0)
    alive.heard("a", "boot2", age_s=0.0, now=102.0)  # restarted under the same id
    assert alive.alive_nodes(103.0) == {"a": "boot2"}
    alive.gone("a")
    assert not alive.alive("a", None, now=103.0)


def test_an_entry_holds_only_with_a_live_node_and_within_its_ttl() -> None:
    entry = _holder(at=1000.0)
    assert holds(entry, alive=True, now=1010.0, presence_ttl_s=600.0)
    assert not holds(entry, alive=False, now=1010.0, presence_ttl_s=600.0)  # its node died
    assert not holds(entry, alive=True, now=1600.0, presence_ttl_s=600.0)  # never refreshed
    assert not holds(entry.vacated(1001.0), alive=True, now=1002.0, presence_ttl_s=600.0)
    assert not holds(None, alive=True, now=1.0, presence_ttl_s=600.0)


# -- the replacement rules across nodes ------------------------------------------------------


def _decide(entry: Holder | None, live: bool, source: str, *, authenticated: bool, now: float) -> Verdict:
    return decide("CP", entry, live, source, authenticated=authenticated, limit=2, window_s=60.0, now=now).verdict


def test_takeover_rules_hold_on_the_networks_state() -> None:
    live = _holder(source="10.0.0.1", authenticated=False, since=1000.0)
    assert _decide(None, False, "x", authenticated=False, now=1010.0) is Verdict.NEW
    assert _decide(live, False, "x", authenticated=False, now=1010.0) is Verdict.NEW  # its node is dead
    assert _decide(live, True, "10.0.0.7", authenticated=True, now=1010.0) is Verdict.UPGRADE
    assert _decide(_holder(authenticated=True), True, "x", authenticated=False, now=1010.0) is Verdict.UNAUTHENTICATED
    assert _decide(live, True, "10.0.0.1", authenticated=False, now=1010.0) is Verdict.RECONNECT
    returning = _holder(source="10.0.0.66", since=1000.0, established="10.0.0.1")
    assert _decide(returning, True, "10.0.0.1", authenticated=False, now=1010.0) is Verdict.RETURNING


def test_replacements_counted_on_other_nodes_count_here() -> None:
    """The limit is per (station, source) across the network: the history travels in the entry."""
    now = 1000.0
    entry = _holder(source="10.0.0.1", since=990.0)
    first = decide("CP", entry, True, "6.6.6.6", authenticated=False, limit=2, window_s=60.0, now=now)
    assert first.verdict is Verdict.COUNTED and first.counted == (("6.6.6.6", now),)
    # the next connection lands on another node, which reads the entry the first one wrote
    entry = _holder(source="6.6.6.6", since=now, counted=first.counted)
    second = decide("CP", entry, True, "7.7.7.7", authenticated=False, limit=2, window_s=60.0, now=now + 1)
    assert second.verdict is Verdict.COUNTED
    entry = _holder(source="7.7.7.7", since=now + 1, counted=second.counted)
    third = decide("CP", entry, True, "6.6.6.6", authenticated=False, limit=2, window_s=60.0, now=now + 2)
    assert third.verdict is Verdict.COUNTED  # 6.6.6.6 has one in the window, the limit is 2
    entry = _holder(source="6.6.6.6", since=now + 2, counted=third.counted)
    entry = _holder(source="7.7.7.7", since=now + 3, counted=entry.counted)
    fourth = decide("CP", entry, True, "6.6.6.6", authenticated=False, limit=2, window_s=60.0, now=now + 4)
    assert fourth.verdict is Verdict.LIMITED
    # outside the window the old ones no longer count
    later = decide("CP", entry, True, "6.6.6.6", authenticated=False, limit=2, window_s=60.0, now=now + 70)
    assert later.verdict is Verdict.COUNTED and all(at > now + 10 for _, at in later.counted)


def test_the_established_address_survives_a_takeover_and_lets_the_station_back() -> None:
    station = _holder(source="10.0.0.1", since=0.0)  # held for far longer than the window
    attacker = decide("CP", station, True, "6.6.6.6", authenticated=False, limit=1, window_s=60.0, now=1000.0)
    assert attacker.verdict is Verdict.COUNTED and attacker.established == "10.0.0.1"
    entry = _holder(source="6.6.6.6", since=1000.0, established=attacker.established, counted=attacker.counted)
    back = decide("CP", entry, True, "10.0.0.1", authenticated=False, limit=1, window_s=60.0, now=1001.0)
    assert back.verdict is Verdict.RETURNING
    entry = _holder(source="10.0.0.1", since=1001.0, established=back.established, counted=back.counted)
    again = decide("CP", entry, True, "6.6.6.6", authenticated=False, limit=1, window_s=60.0, now=1002.0)
    assert again.verdict is Verdict.LIMITED


def test_ended_connections_become_established_after_the_window() -> None:
    assert ended_established(_holder(since=0.0, source="s"), 60.0, now=61.0) == "s"
    assert ended_established(_holder(since=0.0, source="s", established="e"), 60.0, now=59.0) == "e"


def test_the_newest_connection_wins_a_conflict() -> None:
    mine = {"node": "a", "boot": "b1", "since": 100.0}
    assert on_conflict(None, current_live=False, **mine) is Conflict.RECLAIM  # (type: ignore[arg-type])
    newer = _holder(node="b", boot="x", since=101.0)
    older = _holder(node="b", boot="x", since=99.0)
    assert on_conflict(newer, current_live=True, **mine) is Conflict.YIELD  # type: ignore[arg-type]
    assert on_conflict(older, current_live=True, **mine) is Conflict.RECLAIM  # type: ignore[arg-type]
    assert on_conflict(newer, current_live=False, **mine) is Conflict.RECLAIM  # type: ignore[arg-type]
    ours = _holder(node="a", boot="b1", since=50.0)
    assert on_conflict(ours, current_live=True, **mine) is Conflict.RECLAIM  # type: ignore[arg-type]
    assert on_conflict(newer.vacated(102.0), current_live=True, **mine) is Conflict.RECLAIM  # type: ignore[arg-type]


# -- leases ----------------------------------------------------------------------------------


def test_a_lease_is_held_only_until_before_it_can_expire() -> None:
    state = LeaseState(ttl_s=10.0, safety_s=safety_for(10.0))
    assert not state.held(0.0)
    state.renewed(revision=5, sent_at=100.0)
    assert state.held(107.9) and not state.held(108.0)  # sent + ttl - safety (2 s)
    assert state.acquired == 1
    state.renewed(revision=6, sent_at=105.0)
    assert state.held(112.9) and state.acquired == 1
    state.lost()
    assert not state.held(106.0) and state.lost_count == 1
    assert state.renew_every() == pytest.approx(2.0)
    assert safety_for(3.0) == 0.6 and safety_for(1.0) == 0.5


def test_only_our_own_lease_record_is_taken_over() -> None:
    assert may_take_over(None, node="a", boot="1")
    assert may_take_over(LeaseRecord("a", "1"), node="a", boot="1")
    assert not may_take_over(LeaseRecord("a", "0"), node="a", boot="1")  # our previous run: wait for its TTL
    assert not may_take_over(LeaseRecord("b", "1"), node="a", boot="1")
    record = LeaseRecord("a", "1")
    assert LeaseRecord.decode(record.encode(12.5)) == record
    with pytest.raises(ValueError):
        LeaseRecord.decode(b"{}")


async def test_local_leases_run_the_work_once_and_hold_everything() -> None:
    import asyncio

    leases = LocalLeases()
    runs: list[int] = []

    async def work() -> None:
        runs.append(1)

    task = asyncio.create_task(leases.run_while_held("x", work))
    await asyncio.sleep(0.05)
    assert runs == [1] and leases.held("anything") and not task.done()
    task.cancel()


# -- the wire format between nodes ------------------------------------------------------------


def test_call_requests_round_trip() -> None:
    request = CallRequest("CP.1", "Reset", {"type": "Soft"}, 5.0)
    assert CallRequest.decode(request.encode()) == request
    for bad in [b"", b"{}", b'{"station":"x","action":"a","payload":[],"timeout_s":1}']:
        with pytest.raises(ValueError):
            CallRequest.decode(bad)
    close = CloseRequest("CP", "node-b")
    assert CloseRequest.decode(close.encode()) == close


def test_answers_cross_the_wire_unchanged() -> None:
    answer = CallAnswer({"status": "Accepted"}, 12.5)
    assert decode_reply(encode_answer(answer), "CP") == answer


@pytest.mark.parametrize(
    "failure",
    [
        CallTimeout("Reset", 5.0),
        CallRejected("Reset", "NotSupported", "nope", {"x": 1}),
        StationNotConnected("CP"),
        CallInProgress("a CALL is still outstanding"),
        OcppError(ErrorCode.PROPERTY_CONSTRAINT_VIOLATION, "type", {"path": "a"}),
        ConnectionError("CP disconnected before answering Reset"),
    ],
)
def test_failures_are_raised_again_as_the_same_exception(failure: Exception) -> None:
    with pytest.raises(type(failure)) as raised:
        decode_reply(encode_failure(failure, "CP"), "CP")
    assert str(raised.value) == str(failure)
    if isinstance(failure, CallRejected):
        assert isinstance(raised.value, CallRejected)
        assert (raised.value.code, raised.value.description, raised.value.details) == ("NotSupported", "nope", {"x": 1})


def test_our_own_failures_on_the_holding_node_are_unreachable_not_leaked() -> None:
    reply = encode_failure(RuntimeError("secret internals"), "CP")
    assert b"secret" not in reply
    with pytest.raises(StationUnreachable):
        decode_reply(reply, "CP")
    with pytest.raises(StationUnreachable):
        decode_reply(b"garbage", "CP")
    with pytest.raises(StationUnreachable):
        decode_reply(json.dumps({"error": "something new"}).encode(), "CP")


def test_serve_refuses_sqlite_with_a_nats_url(tmp_path: object) -> None:
    """``chargebridge serve --nats-url`` without a PostgreSQL database: a clear refusal, nothing started."""
    from typer.testing import CliRunner

    from chargebridge.cli import app

    result = CliRunner().invoke(app, ["serve", "--data-dir", str(tmp_path), "--nats-url", "nats://127.0.0.1:4222"])
    assert result.exit_code == 2
    assert "PostgreSQL" in result.output and "--nats-url" in result.output
    bad_id = CliRunner().invoke(
        app,
        ["serve", "--database-url", "postgresql+asyncpg://u@h/db", "--nats-url", "nats://h:4222", "--node-id", "a.b"],
    )
    assert bad_id.exit_code != 0
