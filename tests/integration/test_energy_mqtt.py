"""Grid signals over MQTT: a curtailment on ``{prefix}/site:{site}/command/set-limit`` through the
existing bridge, access-controlled like its station commands (API token envelope, replay guard,
operator role, ``[[mqtt.commands.rules]]``), refused to tokens limited to stations, audited."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from tests.conftest import Node, need_service, start_node
from tests.integration.test_integrations_mqtt import BROKER, bridge_of, collector, named_token, send_command, signed_in


def config(prefix: str) -> str:
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
clients = ["dso-*"]
stations = ["site:grid-*"]
commands = ["set-limit", "clear-limit"]
"""


@pytest.fixture
async def mqtt_node(tmp_path: Path) -> AsyncIterator[tuple[Node, str]]:
    need_service("Mosquitto", *BROKER)
    prefix = f"cbtest-{secrets.token_hex(4)}"
    path = tmp_path / "cb.toml"
    path.write_text(config(prefix))
    node = await start_node(tmp_path, None, auto_register=True, config_file=path, energy_replan_interval_s=0.2)
    try:
        await asyncio.wait_for(bridge_of(node).connected.wait(), 10)
        yield node, prefix
    finally:
        await node.app.stop()


async def live_limit(node: Node, site: str) -> dict[str, Any]:
    async with node.client() as http:
        limit: dict[str, Any] = (await http.get(f"/api/v1/sites/{site}")).json()["live"]["limit"]
    return limit


async def test_site_limit_over_mqtt(mqtt_node: tuple[Node, str]) -> None:
    node, prefix = mqtt_node
    async with node.client() as http:
        for site in ("grid-north", "other"):
            assert (await http.post("/api/v1/sites", json={"id": site, "grid_limit_a": 100})).status_code == 201
        station = (await http.post("/api/v1/stations", json={"id": "CP-MQ-1"})).json()["id"]
        body = {"role": "operator", "name": "dso-scoped", "stations": [station]}
        scoped = await http.post("/api/v1/tokens", json=body)
        scoped_token = scoped.json()["token"]
    dso = await named_token(node, "dso-1")
    stranger = await named_token(node, "intruder")
    viewer = await named_token(node, "dso-viewer", role="viewer")
    topic = f"{prefix}/site:grid-north/command/set-limit"
    commander = aiomqtt.Client(
        *BROKER, identifier=f"cbtest-dso-{secrets.token_hex(4)}", protocol=aiomqtt.ProtocolVersion.V5
    )
    async with commander, collector(f"{prefix}/+/command/+/reply") as replies:
        body = {"limit_kw": 22, "duration_s": 3, "source": "DSO"}
        await send_command(commander, topic, signed_in(dso, body), "dso-1", b"ok-1")
        await replies.wait_for(lambda: len(replies.messages) == 1)
        reply = json.loads(replies.messages[0].payload)  # type: ignore[arg-type]
        assert reply["ok"] is True and reply["command"] == "set-limit", reply
        assert reply["limit_a"] == 31.8 and reply["via"] == "mqtt" and reply["source"] == "DSO"
        assert reply["created_by"].startswith("dso-1")
        limit = await live_limit(node, "grid-north")
        assert limit["limit_a"] == 31.8 and limit["source"] == "curtailment:DSO"

        # refused: a name no rule lets in, a site no rule covers, a scoped token, a viewer, a bad body, no token
        await send_command(commander, topic, signed_in(stranger, body), "x", b"no-1")
        await send_command(commander, f"{prefix}/site:other/command/set-limit", signed_in(dso, body), "x", b"no-2")
        await send_command(commander, topic, signed_in(scoped_token, body), "x", b"no-3")
        await send_command(commander, topic, signed_in(viewer, body), "x", b"no-4")
        await send_command(commander, topic, signed_in(dso, {"limit_a": -4, "duration_s": 3}), "x", b"no-5")
        await send_command(commander, topic, body, "x", b"no-6")
        await send_command(
            commander, f"{prefix}/site:grid-nowhere/command/set-limit", signed_in(dso, body), "x", b"no-7"
        )
        await send_command(commander, f"{prefix}/site:grid-north/command/reboot", signed_in(dso, {}), "x", b"no-8")
        await replies.wait_for(lambda: len(replies.messages) == 9)
        answers = {
            m.properties.CorrelationData: json.loads(m.payload)  # type: ignore[union-attr,arg-type]
            for m in replies.messages
        }
        codes = {key: answers[key]["error"]["code"] for key in answers if key != b"ok-1"}
        assert codes == {
            b"no-1": 403,
            b"no-2": 403,
            b"no-3": 403,
            b"no-4": 403,
            b"no-5": 422,
            b"no-6": 401,
            b"no-7": 404,
            b"no-8": 403,  # no rule lets anyone send "reboot" to a site
        }
        assert "fleet objects" in answers[b"no-3"]["error"]["reason"]

        # reverted at its end (3 s)
        async with asyncio.timeout(10):
            while (await live_limit(node, "grid-north"))["limit_a"] != 100:
                await asyncio.sleep(0.1)

        # clear-limit releases a source's limit before its end
        held = {"limit_a": 50, "duration_s": 600, "source": "DSO"}
        await send_command(commander, topic, signed_in(dso, held), "d", b"s")
        async with asyncio.timeout(10):
            while (await live_limit(node, "grid-north"))["limit_a"] != 50:
                await asyncio.sleep(0.05)
        clear = f"{prefix}/site:grid-north/command/clear-limit"
        await send_command(commander, clear, signed_in(dso, {"source": "DSO"}), "d", b"c")
        await replies.wait_for(lambda: len(replies.messages) == 11)
        answers = {
            m.properties.CorrelationData: json.loads(m.payload)  # type: ignore[union-attr,arg-type]
            for m in replies.messages
        }
        assert answers[b"s"]["ok"] is True
        cleared = answers[b"c"]
        assert cleared["ok"] is True and len(cleared["released"]) == 1
        assert (await live_limit(node, "grid-north"))["limit_a"] == 100

    async with node.client() as http:
        audit = (await http.get("/api/v1/audit", params={"limit": 200})).json()["items"]
    mqtt_entries = [e for e in audit if e["method"] == "MQTT"]
    assert len(mqtt_entries) == 11
    ok = next(e for e in mqtt_entries if e["action"] == "send_command:set-limit" and e["result"] == "ok")
    assert ok["station_id"] is None and ok["parameters"]["site_id"] == "grid-north"
    assert sum(1 for e in mqtt_entries if e["result"] == "refused") >= 5
