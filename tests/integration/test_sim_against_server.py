"""The simulator against the real server: a mixed 1.6 / 2.0.1 fleet charges for a few seconds and
the server's transactions reconcile exactly with the simulator's ledger (issue 3)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from chargebridge.sim.fleet import Fleet, SimConfig, station_id
from chargebridge.sim.ledger import read_ledger, reconcile
from tests.conftest import Node

TOKENS = ("SIM-TOKEN-1", "SIM-TOKEN-2")


async def server_transactions(node: Node) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    async with node.client() as http:
        offset = 0
        while True:
            page = (await http.get("/api/v1/transactions", params={"limit": 1000, "offset": offset})).json()
            items += page["items"]
            if page["next_offset"] is None:
                return items
            offset = page["next_offset"]


async def register_tokens(node: Node) -> None:
    async with node.client() as http:
        for token in TOKENS:
            assert (await http.post("/api/v1/id-tokens", json={"id_token": token})).status_code == 201


async def test_fleet_ledger_reconciles_with_the_server(node: Node) -> None:
    await register_tokens(node)
    config = SimConfig(
        url=node.ocpp_url,
        stations=200,
        version="mixed",
        scenario="charging",
        time_scale=120.0,
        seed=11,
        duration=12.0,
        meter_interval_s=60.0,
        id_tokens=TOKENS,
        id_prefix="REC-",
        connect_concurrency=50,
    )
    fleet = Fleet(config)
    stats = await fleet.run()
    assert stats.errors == 0
    ledger = list(fleet.ledger)
    acknowledged = [e for e in ledger if e.acknowledged]
    assert len(acknowledged) >= 50, f"only {len(acknowledged)} sessions finished"
    assert {e.ocpp_version for e in acknowledged} == {"1.6", "2.0.1"}
    transactions = await server_transactions(node)
    assert reconcile(ledger, transactions) == []
    # nothing the server holds is unknown to the simulator, and nothing is counted twice
    ours = [t for t in transactions if t["station_id"].startswith("REC-") and not t["active"]]
    assert len({(t["station_id"], t["id"]) for t in ours}) == len(ours)
    assert sum(t["energy_wh"] for t in ours if t["id"] in {e.transaction_id for e in acknowledged}) > 0


async def test_sim_command_uses_the_given_tokens(sqlite_node: Node, tmp_path: Path) -> None:
    await register_tokens(sqlite_node)
    ledger = tmp_path / "ledger.jsonl"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chargebridge",
        "sim",
        "--url",
        sqlite_node.ocpp_url,
        "--stations",
        "20",
        "--time-scale",
        "120",
        "--duration",
        "8",
        "--no-live",
        "--seed",
        "3",
        "--ledger",
        str(ledger),
        "--id-token",
        TOKENS[0],
        "--id-token",
        TOKENS[1],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, output.decode()[-2000:]
    entries = read_ledger(ledger)
    assert entries and {e.id_token for e in entries} <= set(TOKENS)
    assert reconcile(entries, await server_transactions(sqlite_node)) == []


async def test_fleet_with_a_password_connects_at_profile_1(sqlite_node: Node) -> None:
    """``chargebridge sim --password``: every station presents HTTP Basic credentials."""
    from tests.integration.test_security_profiles import PASSWORD, add_station

    ids = [f"PW-{n:04d}" for n in range(1, 5)]  # the simulator names them PW-0001 ...
    assert station_id("PW-", 1, 4) == "PW-0001"
    for sid in ids:
        await add_station(sqlite_node, sid, 1)

    async def run(password: str) -> int:
        config = SimConfig(
            url=sqlite_node.ocpp_url,
            stations=len(ids),
            version="mixed",
            scenario="idle",
            duration=2.5,
            id_prefix="PW-",
            password=password,
            backoff_minimum_s=3_600.0,
        )
        await Fleet(config).run()
        rows = [await sqlite_node.app.store.get_station(sid) for sid in ids]
        return sum(1 for row in rows if row is not None and row["last_boot_at"] is not None)

    assert await run("not-the-password-1") == 0
    assert await run(PASSWORD) == len(ids)


async def test_reconcile_command(sqlite_node: Node, tmp_path: Path) -> None:
    """``chargebridge reconcile LEDGER``: exact -> exit 0; a doctored ledger -> exit 1, naming the mismatch."""
    from typer.testing import CliRunner

    from chargebridge.cli import app

    await register_tokens(sqlite_node)
    ledger = tmp_path / "ledger.jsonl"
    config = SimConfig(
        url=sqlite_node.ocpp_url,
        stations=20,
        version="mixed",
        scenario="charging",
        time_scale=120.0,
        seed=5,
        duration=6.0,
        id_tokens=TOKENS,
        id_prefix="RCL-",
        ledger=ledger,
    )
    await Fleet(config).run()
    assert any('"acknowledged":true' in line for line in ledger.read_text().splitlines())
    args = ["reconcile", str(ledger), "--api", sqlite_node.http_url, "--token", sqlite_node.admin_token]
    result = await asyncio.to_thread(CliRunner().invoke, app, args)
    assert result.exit_code == 0, result.output
    assert "reconciled exactly" in result.output
    # Doctor one acknowledged transaction's energy: the server's record no longer agrees.
    lines = ledger.read_text().splitlines()
    doctored = next(i for i, line in enumerate(lines) if '"acknowledged":true' in line)
    entry = json.loads(lines[doctored])
    entry["energy_wh"] += 1
    lines[doctored] = json.dumps(entry)
    ledger.write_text("\n".join(lines) + "\n")
    result = await asyncio.to_thread(CliRunner().invoke, app, args)
    assert result.exit_code == 1
    assert "energy_wh" in result.output and entry["station_id"] in result.output
