"""Issue #11 item 3: MQTT commands are authenticated (API token in an envelope), audited and replay-proof."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import json
import secrets
import shutil
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from chargebridge.security.secrets import hash_api_token, new_api_token
from tests.conftest import REQUIRE_SERVICES, Node, need_service, random_id, service_available, start_node
from tests.integration.helpers import BOOT16, RawStation
from tests.integration.test_integrations_mqtt import BROKER, bridge_of, collector, send_command


def auth_config(prefix: str) -> str:
    return f"""
[mqtt]
enabled = true
port = {BROKER[1]}
client_id = "cbtest-bridge-{secrets.token_hex(4)}"
topic_prefix = "{prefix}"
reconnect_min_s = 0.05
reconnect_max_s = 0.2
[mqtt.commands]
enabled = true
timeout_s = 3.0
[[mqtt.commands.rules]]
clients = ["fleet-manager"]
stations = ["CP-*"]
commands = ["reset", "trigger-message", "get-installed-certificate-ids"]
"""


@pytest.fixture
async def auth_node(tmp_path: Path) -> AsyncIterator[tuple[Node, str]]:
    need_service("Mosquitto", *BROKER)
    prefix = f"cbtest-{secrets.token_hex(4)}"
    config = tmp_path / "cb.toml"
    config.write_text(auth_config(prefix))
    node = await start_node(tmp_path, None, auto_register=True, config_file=config)
    try:
        await asyncio.wait_for(bridge_of(node).connected.wait(), 10)
        yield node, prefix
    finally:
        await node.app.stop()


async def audit_of(node: Node, station_id: str) -> list[dict[str, Any]]:
    async with node.client() as http:
        answer = await http.get("/api/v1/audit", params={"station_id": station_id})
    assert answer.status_code == 200
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def security_events_of(node: Node, station_id: str) -> list[dict[str, Any]]:
    async with node.client() as http:
        answer = await http.get("/api/v1/security-events", params={"station_id": station_id})
    assert answer.status_code == 200
    return [row for row in answer.json()["items"] if row["data"].get("type") == "MqttCommandRefused"]


async def wait_until(predicate: Any, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not await predicate():
            await asyncio.sleep(0.05)


async def test_anonymous_self_declared_fleet_manager_reset_is_refused_and_audited(
    auth_node: tuple[Node, str],
) -> None:
    """The attack of issue #11: an anonymous publisher that calls itself fleet-manager resets a station."""
    node, prefix = auth_node
    station_id = random_id("CP")
    station = await RawStation.open(node.ocpp_url, station_id)
    topic = f"{prefix}/{station_id}/command/reset"
    anonymous = aiomqtt.Client(
        *BROKER, identifier=f"cbtest-anon-{secrets.token_hex(4)}", protocol=aiomqtt.ProtocolVersion.V5
    )
    try:
        await station.call("BootNotification", BOOT16)
        async with anonymous, collector(f"{topic}/reply") as replies:
            await send_command(anonymous, topic, {"type": "hard"}, "fleet-manager", b"attack")
            await replies.wait_for(lambda: replies.messages)
        reply = json.loads(replies.messages[0].payload)  # type: ignore[arg-type]
        assert reply["ok"] is False and reply["error"]["code"] == 401, reply
        with pytest.raises(TimeoutError):  # nothing reached the station
            await station.recv(timeout=0.5)

        async def audited() -> bool:
            return bool(await audit_of(node, station_id))

        await wait_until(audited)
        [entry] = await audit_of(node, station_id)
        assert entry["action"] == "send_command:reset" and entry["method"] == "MQTT"
        assert entry["result"] == "refused" and entry["status_code"] == 401
        assert entry["actor"] is None and entry["role"] is None  # a declared name is never an identity
        assert entry["source"] == "mqtt:fleet-manager"
        assert entry["parameters"]["via"] == "mqtt" and entry["parameters"]["client_id"] == "fleet-manager"
        assert entry["parameters"]["topic"] == topic
        [event] = await security_events_of(node, station_id)
        assert event["data"]["origin"] == "csms" and event["data"]["command"] == "reset"
        assert bridge_of(node).stats()["commands_denied_total"] == 1
    finally:
        await station.close()


# -- helpers -------------------------------------------------------------------------------


def envelope(token: str, body: dict[str, Any] | None = None, **override: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "token": token,
        "nonce": str(uuid.uuid4()),
        "sent_at": datetime.now(UTC).isoformat(),
        "body": body or {},
    }
    message.update(override)
    return {key: value for key, value in message.items() if value is not None}


async def api_token(node: Node, role: str, name: str, stations: list[str] | None = None) -> tuple[str, str]:
    """(token id, token) made through the REST API, as an operator would."""
    async with node.client() as http:
        answer = await http.post("/api/v1/tokens", json={"role": role, "name": name, "stations": stations})
    assert answer.status_code == 201, answer.text
    created = answer.json()
    return created["id"], created["token"]


async def expired_token(node: Node, name: str) -> str:
    token_id, token = new_api_token()
    assert node.app.store is not None
    now = node.app.clock.now()
    await node.app.store.add_api_token(
        token_id=token_id,
        name=name,
        token_hash=hash_api_token(token),
        role="operator",
        now=now - timedelta(days=2),
        expires_at=now - timedelta(minutes=1),
    )
    return token


def by_nonce(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {}
    for entry in entries:
        parameters = entry["parameters"]
        nonce = parameters.get("nonce") or (parameters.get("envelope") or {}).get("nonce")
        out[nonce] = entry
    return out


def replies_by_correlation(replies: Any) -> dict[bytes, dict[str, Any]]:
    return {m.properties.CorrelationData: json.loads(m.payload) for m in replies.messages}


async def test_operator_token_command_is_accepted_and_audited(auth_node: tuple[Node, str]) -> None:
    node, prefix = auth_node
    station_id = random_id("CP")
    token_id, token = await api_token(node, "operator", "fleet-manager")
    station = await RawStation.open(node.ocpp_url, station_id)
    topic = f"{prefix}/{station_id}/command/reset"
    commander = aiomqtt.Client(
        *BROKER, identifier=f"cbtest-ops-{secrets.token_hex(4)}", protocol=aiomqtt.ProtocolVersion.V5
    )
    try:
        await station.call("BootNotification", BOOT16)
        async with (
            commander,
            collector(f"{topic}/reply") as replies,
            collector(f"{prefix}/{station_id}/event") as events,
        ):
            message = envelope(token, {"type": "hard"})
            await send_command(commander, topic, message, "ops-1", b"c-1")
            call = await station.recv()
            assert call[2] == "Reset" and call[3] == {"type": "Hard"}
            await station.send_raw(json.dumps([3, call[1], {"status": "Accepted"}]))
            await replies.wait_for(lambda: replies.messages)
            await events.wait_for(lambda: any(m["kind"] == "command.completed" for m in events.on("/event")))
        reply = json.loads(replies.messages[0].payload)  # type: ignore[arg-type]
        assert reply["ok"] is True and reply["status"] == "Accepted" and reply["nonce"] == message["nonce"]
        completed = next(m for m in events.on("/event") if m["kind"] == "command.completed")
        assert completed["data"]["by"] == token_id and completed["data"]["via"] == "mqtt"

        [entry] = await audit_of(node, station_id)  # written before the reply went out
        assert entry["action"] == "send_command:reset" and entry["method"] == "MQTT" and entry["path"] == topic
        assert entry["result"] == "ok" and entry["status_code"] == 200
        assert (entry["actor"], entry["actor_name"], entry["role"]) == (token_id, "fleet-manager", "operator")
        assert entry["source"] == "mqtt:ops-1"
        parameters = entry["parameters"]
        assert parameters["via"] == "mqtt" and parameters["client_id"] == "ops-1"
        assert parameters["body"] == {"type": "hard"} and parameters["nonce"] == message["nonce"]
        assert entry["detail"]["status"] == "Accepted" and entry["detail"]["action"] == "Reset"
        assert token not in json.dumps(entry)  # the credential itself is never written
        assert await security_events_of(node, station_id) == []
        stats = bridge_of(node).stats()
        assert stats["commands_total"] == 1 and stats["commands_denied_total"] == 0
    finally:
        await station.close()


async def test_refused_senders_never_reach_the_station_and_are_audited(auth_node: tuple[Node, str]) -> None:
    """Viewer, a token scoped to another station, expired, revoked, stale, an operator sending an
    admin command, a token no rule names, an envelope without nonce: refused, audited, one reply each."""
    node, prefix = auth_node
    station_id = random_id("CP")
    other = random_id("CP")
    _, viewer = await api_token(node, "viewer", "fleet-manager")
    _, scoped = await api_token(node, "operator", "fleet-manager", stations=[other])
    revoked_id, revoked = await api_token(node, "operator", "fleet-manager")
    async with node.client() as http:
        assert (await http.delete(f"/api/v1/tokens/{revoked_id}")).status_code == 204
    expired = await expired_token(node, "fleet-manager")
    _, operator = await api_token(node, "operator", "fleet-manager")
    _, unnamed = await api_token(node, "operator", "someone-else")
    ten_minutes_ago = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
    cases: dict[str, tuple[str, dict[str, Any], int, str, str]] = {
        # name: (command, envelope, code, reason fragment, audit result)
        "viewer": ("reset", envelope(viewer), 403, "operator role", "refused"),
        "scoped": ("reset", envelope(scoped), 404, "is not registered", "refused"),
        "revoked": ("reset", envelope(revoked), 401, "valid API token", "refused"),
        "expired": ("reset", envelope(expired), 401, "valid API token", "refused"),
        "stale": ("reset", envelope(operator, sent_at=ten_minutes_ago), 401, "replay window", "refused"),
        "admin": ("get-installed-certificate-ids", envelope(operator), 403, "admin role", "refused"),
        "no-rule": ("reset", envelope(unnamed), 403, "mqtt.commands.rules", "refused"),
        "no-nonce": ("reset", envelope(operator, nonce=None), 422, "envelope", "error"),
    }
    station = await RawStation.open(node.ocpp_url, station_id)
    commander = aiomqtt.Client(
        *BROKER, identifier=f"cbtest-ops-{secrets.token_hex(4)}", protocol=aiomqtt.ProtocolVersion.V5
    )
    try:
        await station.call("BootNotification", BOOT16)
        async with commander, collector(f"{prefix}/{station_id}/command/+/reply") as replies:
            for case, (command, message, _, _, _) in cases.items():
                topic = f"{prefix}/{station_id}/command/{command}"
                await send_command(commander, topic, message, "fleet-manager", case.encode())
            await replies.wait_for(lambda: len(replies.messages) == len(cases))
        with pytest.raises(TimeoutError):  # nothing reached the station
            await station.recv(timeout=0.5)

        answers = replies_by_correlation(replies)
        entries = await audit_of(node, station_id)
        assert len(entries) == len(cases)
        audited = by_nonce(entries)
        for case, (command, message, code, reason, result) in cases.items():
            error = answers[case.encode()]["error"]
            assert error["code"] == code and reason in error["reason"], (case, error)
            if case == "no-nonce":
                [entry] = [e for e in entries if e["status_code"] == 422]
            else:
                entry = audited[message["nonce"]]
            assert (entry["result"], entry["status_code"]) == (result, code), (case, entry)
            assert entry["action"] == f"send_command:{command}" and entry["method"] == "MQTT"
            assert message["token"] not in json.dumps(entry), case
        assert audited[cases["viewer"][1]["nonce"]]["role"] == "viewer"  # a known token is named even when refused
        assert audited[cases["expired"][1]["nonce"]]["actor"] is None  # an invalid one is not
        denied = [case for case, spec in cases.items() if spec[4] == "refused"]
        events = await security_events_of(node, station_id)
        assert len(events) == len(denied)
        assert {event["data"]["code"] for event in events} == {401, 403, 404}
        stats = bridge_of(node).stats()
        assert stats["commands_total"] == 0 and stats["commands_denied_total"] == len(denied)
    finally:
        await station.close()


async def test_replayed_command_is_refused(auth_node: tuple[Node, str]) -> None:
    node, prefix = auth_node
    station_id = random_id("CP")
    _, token = await api_token(node, "operator", "fleet-manager")
    station = await RawStation.open(node.ocpp_url, station_id)
    topic = f"{prefix}/{station_id}/command/reset"
    commander = aiomqtt.Client(
        *BROKER, identifier=f"cbtest-ops-{secrets.token_hex(4)}", protocol=aiomqtt.ProtocolVersion.V5
    )
    try:
        await station.call("BootNotification", BOOT16)
        message = envelope(token, {"type": "soft"})
        async with commander, collector(f"{topic}/reply") as replies:
            await send_command(commander, topic, message, "ops-1", b"first")
            call = await station.recv()
            await station.send_raw(json.dumps([3, call[1], {"status": "Accepted"}]))
            await replies.wait_for(lambda: replies.messages)
            await send_command(commander, topic, message, "ops-1", b"again")  # the same message, captured
            await replies.wait_for(lambda: len(replies.messages) == 2)
        with pytest.raises(TimeoutError):  # the station got the reset once
            await station.recv(timeout=0.5)
        answers = replies_by_correlation(replies)
        assert answers[b"first"]["ok"] is True
        assert answers[b"again"]["error"]["code"] == 409 and "replayed" in answers[b"again"]["error"]["reason"]
        results = sorted((e["result"], e["status_code"]) for e in await audit_of(node, station_id))
        assert results == [("ok", 200), ("refused", 409)]
        [event] = await security_events_of(node, station_id)
        assert event["data"]["code"] == 409
    finally:
        await station.close()


# -- the broker side: per-client credentials and the shipped ACL ------------------------------

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto"
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """A Mosquitto of our own: no anonymous clients, a password file and the shipped ACL file."""
    passwd_tool = shutil.which("mosquitto_passwd")
    if not Path(MOSQUITTO).exists() or passwd_tool is None:
        if REQUIRE_SERVICES:
            pytest.fail("mosquitto and mosquitto_passwd are required (CHARGEBRIDGE_REQUIRE_SERVICES=1)")
        pytest.skip("mosquitto and mosquitto_passwd are needed")
    users = {name: secrets.token_urlsafe(16) for name in ("chargebridge", "fleet-manager", "dashboard")}
    passwd = tmp_path / "chargebridge.passwd"
    for name, password in users.items():
        flags = ["-b", "-c"] if not passwd.exists() else ["-b"]
        subprocess.run([passwd_tool, *flags, str(passwd), name, password], check=True, capture_output=True)
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(
        "per_listener_settings false\n"
        "allow_anonymous false\n"
        f"password_file {passwd}\n"
        f"acl_file {DEPLOY / 'chargebridge.acl'}\n"
        f"listener {port} 127.0.0.1\n"
        "persistence false\n"
        f"user {getpass.getuser()}\n"  # as root: stay root (the files are in a private temporary directory)
    )
    log = (tmp_path / "mosquitto.log").open("w")
    broker = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            if service_available("127.0.0.1", port):
                break
            assert broker.poll() is None, (tmp_path / "mosquitto.log").read_text()
            subprocess.run(["sleep", "0.05"], check=True)
        else:
            pytest.fail("the private Mosquitto did not start")
        yield port, users
    finally:
        broker.terminate()
        broker.wait(10)
        log.close()


def broker_client(port: int, user: str | None = None, password: str | None = None) -> aiomqtt.Client:
    return aiomqtt.Client(
        "127.0.0.1",
        port,
        username=user,
        password=password,
        identifier=f"cbtest-{user or 'anon'}-{secrets.token_hex(4)}",
        protocol=aiomqtt.ProtocolVersion.V5,
    )


async def test_broker_credentials_and_acl(private_broker: tuple[int, dict[str, str]], tmp_path: Path) -> None:
    port, users = private_broker
    # anonymous and wrong-password clients cannot even connect, so cannot publish a command
    for user, password in ((None, None), ("fleet-manager", "wrong-password")):
        with pytest.raises(aiomqtt.MqttError):
            async with broker_client(port, user, password):
                pass

    config = tmp_path / "cb.toml"
    config.write_text(
        f"""
[mqtt]
enabled = true
port = {port}
client_id = "chargebridge"
username = "chargebridge"
password = "{users["chargebridge"]}"
topic_prefix = "chargebridge"
reconnect_min_s = 0.05
reconnect_max_s = 0.2
[mqtt.commands]
enabled = true
timeout_s = 3.0
[[mqtt.commands.rules]]
clients = ["fleet-manager"]
stations = ["CP-*"]
commands = ["reset"]
"""
    )
    node = await start_node(tmp_path, None, auto_register=True, config_file=config)
    station_id = random_id("CP")
    station: RawStation | None = None
    try:
        await asyncio.wait_for(bridge_of(node).connected.wait(), 10)  # the bridge logs in with its credentials
        _, token = await api_token(node, "operator", "fleet-manager")
        topic = f"chargebridge/{station_id}/command/reset"
        dashboard = broker_client(port, "dashboard", users["dashboard"])
        commander = broker_client(port, "fleet-manager", users["fleet-manager"])
        async with dashboard, commander:
            await dashboard.subscribe("chargebridge/#", qos=1)
            await commander.subscribe(f"{topic}/reply", qos=1)
            seen: list[aiomqtt.Message] = []
            replies: list[aiomqtt.Message] = []

            async def collect(client: aiomqtt.Client, into: list[aiomqtt.Message]) -> None:
                async for message in client.messages:
                    into.append(message)

            readers = [asyncio.create_task(collect(dashboard, seen)), asyncio.create_task(collect(commander, replies))]
            try:
                station = await RawStation.open(node.ocpp_url, station_id)
                await station.call("BootNotification", BOOT16)
                async with asyncio.timeout(10):  # telemetry reaches the reader
                    while not any(str(m.topic) == f"chargebridge/{station_id}/connection" for m in seen):
                        await asyncio.sleep(0.05)

                # a telemetry reader holding a valid token still cannot command: the broker drops the message
                await dashboard.publish(topic, json.dumps(envelope(token, {"type": "hard"})), qos=1)
                # and a command client cannot forge telemetry
                await commander.publish(f"chargebridge/{station_id}/status", b'{"forged": true}', qos=1)
                with pytest.raises(TimeoutError):
                    await station.recv(timeout=1.0)
                assert await audit_of(node, station_id) == []

                # the command client can
                message = envelope(token, {"type": "hard"})
                await commander.publish(topic, json.dumps(message), qos=1)
                call = await station.recv()
                assert call[2] == "Reset"
                await station.send_raw(json.dumps([3, call[1], {"status": "Accepted"}]))
                async with asyncio.timeout(10):
                    while not replies:
                        await asyncio.sleep(0.05)
                assert json.loads(replies[0].payload)["ok"] is True  # type: ignore[arg-type]
                await asyncio.sleep(0.3)
            finally:
                for task in readers:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
        # the reader never saw a command (they carry tokens), a reply, or the forged status
        assert not [m for m in seen if "/command/" in str(m.topic)]
        assert not [m for m in seen if b"forged" in bytes(m.payload)]  # type: ignore[arg-type]
        assert all(token.encode() not in bytes(m.payload) for m in seen)  # type: ignore[arg-type]
        [entry] = await audit_of(node, station_id)
        assert entry["result"] == "ok" and entry["actor_name"] == "fleet-manager"
    finally:
        if station is not None:
            await station.close()
        await node.app.stop()
