"""A charge point written in Node.js with the `ocpp-rpc` package in strict mode (every frame it sends and
receives is validated against the official OCPP schemas) runs a full session against chargebridge on both
OCPP versions and both databases; remote-start and reset sent through the REST API reach it, malformed
frames leave its socket usable, and the REST API shows the right energy.

Needs `node` on PATH and `npm ci --prefix tests/node`; skipped otherwise unless
CHARGEBRIDGE_REQUIRE_SERVICES=1, which turns the skip into a failure."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REQUIRE_SERVICES, Node, random_id

NODE_DIR = Path(__file__).resolve().parent.parent / "node"
SCRIPT = NODE_DIR / "charge_point.mjs"
STEP_TIMEOUT_S = 12.0

pytestmark = pytest.mark.node


@pytest.fixture
def node_bin() -> str:
    """The node executable, or skip (fail when services are required) with the reason.

    Listed before `node` in the tests so that a skip does not start a server first."""
    binary = shutil.which("node")
    reason = None
    if binary is None:
        reason = "Node.js (`node`) is not on PATH"
    elif not (NODE_DIR / "node_modules" / "ocpp-rpc" / "package.json").is_file():
        reason = "tests/node/node_modules is missing: run `npm ci --prefix tests/node`"
    if reason is not None:
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason} (required because CHARGEBRIDGE_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    assert binary is not None
    return binary


async def add_token(node: Node, token: str) -> None:
    async with node.client() as http:
        response = await http.post("/api/v1/id-tokens", json={"id_token": token, "status": "Accepted"})
        assert response.status_code == 201, response.text


async def wait_until_ready(proc: asyncio.subprocess.Process, log: list[str]) -> None:
    """Read the client's stderr until it says READY; fail with everything it said if it exits first."""
    assert proc.stderr is not None and proc.stdout is not None
    while True:
        line = (await proc.stderr.readline()).decode(errors="replace")
        if not line:
            out = (await proc.stdout.read()).decode(errors="replace")
            await proc.wait()
            pytest.fail(f"node client exited {proc.returncode} before READY\nstdout: {out}\nstderr: {''.join(log)}")
        if line.strip() == "READY":
            return
        log.append(line)


async def run_session(node: Node, binary: str, station_id: str, protocol: str, id_token: str) -> dict[str, Any]:
    """Run the client; while its transaction is open, send remote-start and reset through the REST API."""
    proc = await asyncio.create_subprocess_exec(
        binary,
        str(SCRIPT),
        "--endpoint",
        node.ocpp_url,
        "--station",
        station_id,
        "--protocol",
        protocol,
        "--id-token",
        id_token,
        cwd=NODE_DIR,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    log: list[str] = []
    try:
        await asyncio.wait_for(wait_until_ready(proc, log), STEP_TIMEOUT_S)
        async with node.client() as http:
            start = await http.post(
                f"/api/v1/stations/{station_id}/commands/remote-start", json={"id_token": id_token, "evse_id": 1}
            )
            assert start.status_code == 200, start.text
            assert start.json()["status"] == "Accepted", start.text
            reset = await http.post(f"/api/v1/stations/{station_id}/commands/reset", json={"type": "hard"})
            assert reset.status_code == 200, reset.text
            assert reset.json()["status"] == "Accepted", reset.text
        out, err = await asyncio.wait_for(proc.communicate(b"go\n"), STEP_TIMEOUT_S)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    stderr = "".join(log) + err.decode(errors="replace")
    lines = out.decode(errors="replace").strip().splitlines()
    assert lines, f"node client printed nothing (exit {proc.returncode})\nstderr: {stderr}"
    result: dict[str, Any] = json.loads(lines[-1])
    assert proc.returncode == 0 and result["ok"], f"exit {proc.returncode}: {lines[-1]}\nstderr: {stderr}"
    return result


def check_malformed(result: dict[str, Any], not_json_code: str, bad_payload_code: str) -> None:
    """Both raw frames got a CALLERROR, and the heartbeat after each was answered (result["ok"])."""
    not_json, bad_payload = result["malformed"]
    assert not_json["answer"][:3] == [4, "-1", not_json_code], not_json
    assert bad_payload["answer"][:3] == [4, "malformed-1", bad_payload_code], bad_payload
    # ocpp-rpc reports exactly those two unsolicited CALLERRORs as "bad messages", nothing else
    assert [json.loads(b["frame"])[1] for b in result["badMessages"]] == ["-1", "malformed-1"], result["badMessages"]


async def check_transaction(node: Node, station_id: str, result: dict[str, Any]) -> None:
    async with node.client() as http:
        response = await http.get("/api/v1/transactions", params={"station_id": station_id})
        assert response.status_code == 200, response.text
        txs = response.json()["items"]
    assert len(txs) == 1, txs
    tx = txs[0]
    assert tx["id"] == str(result["transactionId"])
    assert tx["active"] is False and tx["stop_reason"] == "EVDisconnected"
    assert tx["meter_start_wh"] == result["meterStartWh"] == 1000
    assert tx["meter_stop_wh"] == result["meterStopWh"] == 4200
    assert abs(tx["energy_wh"] - (result["meterStopWh"] - result["meterStartWh"])) < 1e-6
    assert not tx["energy_mismatch"]


async def test_ocpp16_node_client_strict_session(node_bin: str, node: Node) -> None:
    station_id, token = random_id("NODE16"), "NODE-TAG-16"
    await add_token(node, token)
    result = await run_session(node, node_bin, station_id, "ocpp1.6", token)

    assert result["protocol"] == "ocpp1.6" and result["strictFailures"] == []
    assert result["bootStatus"] == "Accepted" and result["authorizeStatus"] == "Accepted"
    assert result["startStatus"] == "Accepted" and isinstance(result["transactionId"], int)
    assert result["waited"] == "line"
    calls = [(c["action"], c["payload"]) for c in result["serverCalls"]]
    assert ("RemoteStartTransaction", {"idTag": token, "connectorId": 1}) in calls, calls
    assert ("Reset", {"type": "Hard"}) in calls, calls
    check_malformed(result, "ProtocolError", "FormationViolation")
    await check_transaction(node, station_id, result)


async def test_ocpp201_node_client_strict_session(node_bin: str, node: Node) -> None:
    station_id, token = random_id("NODE201"), "NODE-TAG-201"
    await add_token(node, token)
    result = await run_session(node, node_bin, station_id, "ocpp2.0.1", token)

    assert result["protocol"] == "ocpp2.0.1" and result["strictFailures"] == []
    assert result["bootStatus"] == "Accepted" and result["authorizeStatus"] == "Accepted"
    assert result["startStatus"] == "Accepted" and result["transactionId"] == f"TX-{station_id}"
    assert result["waited"] == "line"
    starts = [c["payload"] for c in result["serverCalls"] if c["action"] == "RequestStartTransaction"]
    assert len(starts) == 1, result["serverCalls"]
    assert starts[0]["idToken"]["idToken"] == token and starts[0]["evseId"] == 1
    assert isinstance(starts[0]["remoteStartId"], int)
    resets = [c["payload"] for c in result["serverCalls"] if c["action"] == "Reset"]
    assert resets == [{"type": "Immediate"}], result["serverCalls"]
    check_malformed(result, "RpcFrameworkError", "FormatViolation")
    await check_transaction(node, station_id, result)
