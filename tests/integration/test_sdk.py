"""The client SDK (src/chargebridge_client): the checked-in client is what the generator makes of
the current API, and it works against a running node — list stations, remote start and stop on a
simulated station, watch events (the station's events and the live stream), export CDRs — both
its async and sync clients, and the CLI's campaign commands that call the server through it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from typer.testing import CliRunner

from chargebridge.cli import app as cli_app
from chargebridge_client import AuthenticatedClient
from chargebridge_client.api.billing import export_cdrs_csv, list_cdrs
from chargebridge_client.api.commands import send_command
from chargebridge_client.api.firmware import matrix_check
from chargebridge_client.api.id_tokens import create_id_token
from chargebridge_client.api.stations import list_stations, station_events
from chargebridge_client.api.transactions import list_transactions
from chargebridge_client.models import IdTokenBody, SendCommandBodyType0, SendCommandCommand
from tests.conftest import start_node
from tests.integration.test_firmware_campaign import running_fleet, upload
from tests.integration.test_firmware_updates import allow, small_fleet

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def test_the_checked_in_client_is_current() -> None:
    pytest.importorskip("openapi_python_client")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_sdk.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


async def until(check: Callable[[], Awaitable[T | None]], what: str, timeout: float = 15) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_the_sdk_against_a_running_node(tmp_path: Path) -> None:
    node = await start_node(tmp_path, None, auto_register=True, heartbeat_interval_s=3600)
    try:
        async with running_fleet(small_fleet(node, "2.0.1", prefix="SDK-")) as fleet:
            station_id = fleet.stations[0].station_id
            client = AuthenticatedClient(base_url=node.http_url, token=node.admin_token, timeout=httpx.Timeout(15))
            async with client:
                # List stations (typed answer).
                page = await list_stations.asyncio(client=client, limit=10)
                assert page is not None and not isinstance(page, Exception)
                items = page.to_dict()["items"]
                assert [s["id"] for s in items] == [station_id] and items[0]["connected"] is True

                # Watch events: the live stream, through the SDK's own httpx client.
                http = client.get_async_httpx_client()
                seen: list[dict[str, Any]] = []

                async def watch() -> None:
                    with contextlib.suppress(httpx.ReadError):
                        await _watch()

                async def _watch() -> None:
                    async with http.stream("GET", "/api/v1/events/stream", params={"station_id": station_id}) as sse:
                        assert sse.status_code == 200
                        event = None
                        async for line in sse.aiter_lines():
                            if line.startswith("event: "):
                                event = line[len("event: ") :]
                            elif line.startswith("data: ") and event not in (None, "hello", "fleet.power"):
                                seen.append({"event": event, "data": json.loads(line[len("data: ") :])})

                watcher = asyncio.create_task(watch())

                # Remote start on the simulated station.
                token = IdTokenBody.from_dict({"id_token": "SDK-TAG", "status": "Accepted"})
                created = await create_id_token.asyncio_detailed(client=client, body=token)
                assert created.status_code == 201, created.content
                start = SendCommandBodyType0.from_dict({"id_token": "SDK-TAG", "evse_id": 1})
                answer = await send_command.asyncio_detailed(
                    station_id, SendCommandCommand.REMOTE_START, client=client, body=start
                )
                assert answer.status_code == 200, answer.content
                assert json.loads(answer.content)["status"] == "Accepted"

                async def active() -> str | None:
                    found = await list_transactions.asyncio_detailed(client=client, station_id=station_id, active=True)
                    rows = json.loads(found.content)["items"]
                    return str(rows[0]["id"]) if rows else None

                transaction_id = await until(active, "the remote-started transaction")
                stop = SendCommandBodyType0.from_dict({"transaction_id": transaction_id})
                stopped = await send_command.asyncio_detailed(
                    station_id, SendCommandCommand.REMOTE_STOP, client=client, body=stop
                )
                assert stopped.status_code == 200 and json.loads(stopped.content)["status"] == "Accepted"

                # Watch events: the station's stored events.
                async def stored() -> list[Any] | None:
                    found = await station_events.asyncio_detailed(station_id, client=client)
                    return json.loads(found.content)["items"] or None

                assert await until(stored, "the station's events")
                await until(lambda: _ready(seen), "events on the live stream")
                watcher.cancel()
                await asyncio.gather(watcher, return_exceptions=True)

                # Export CDRs: one for the finished transaction.
                async def cdrs() -> list[Any] | None:
                    found = await list_cdrs.asyncio_detailed(client=client, station_id=station_id)
                    return json.loads(found.content)["items"] or None

                assert await until(cdrs, "the CDR of the stopped transaction")
                exported = await export_cdrs_csv.asyncio_detailed(client=client, station_id=station_id)
                assert exported.status_code == 200
                lines = exported.content.decode().strip().splitlines()
                assert len(lines) == 2 and transaction_id in lines[1]

            # The sync client (in a thread: the node runs on this loop), and an error answer as data.
            def sync_calls() -> None:
                with AuthenticatedClient(base_url=node.http_url, token=node.admin_token) as sync_client:
                    page = list_stations.sync(client=sync_client)
                    assert page is not None and page.to_dict()["total"] == 1
                    refused = matrix_check.sync_detailed(client=sync_client, requires="2.0.1,warp")
                    assert refused.status_code == 422 and b"warp" in refused.content

            await asyncio.to_thread(sync_calls)

            # `station list --api-url` goes through the SDK and prints what the database read prints.
            runner = CliRunner()
            common = ["--api-url", node.http_url, "--token", node.admin_token]
            remote = await asyncio.to_thread(runner.invoke, cli_app, ["station", "list", *common])
            local_args = ["station", "list", "--data-dir", str(node.app.settings.data_dir)]
            local = await asyncio.to_thread(runner.invoke, cli_app, local_args)
            assert remote.exit_code == 0 and local.exit_code == 0, remote.output + local.output
            assert station_id in remote.output and "1 of 1 stations" in remote.output
            assert remote.output == local.output

            # The CLI's campaign commands go through the SDK.
            async with node.client() as admin:
                image = await upload(admin, "9.9.9")
                await allow(admin, "9.9.9")
            args = ["firmware", "campaign", "create", "--name", "via sdk", "--image", image["id"], *common]
            result = await asyncio.to_thread(runner.invoke, cli_app, args)
            assert result.exit_code == 0, result.output
            assert "via sdk" in result.output and "draft" in result.output
            result = await asyncio.to_thread(runner.invoke, cli_app, ["firmware", "campaign", "list", *common])
            assert result.exit_code == 0 and "via sdk" in result.output
            campaign_id = result.output.split("via sdk")[0].split()[-1]
            args = ["firmware", "campaign", "abort", campaign_id, *common]
            result = await asyncio.to_thread(runner.invoke, cli_app, args)
            assert result.exit_code == 0 and f"campaign {campaign_id}: aborted" in result.output
            # --override (admin only) reaches the server with its reason, which the audit log keeps.
            args = ["firmware", "campaign", "create", "--name", "overridden", "--image", image["id"], "--override"]
            args += ["--override-reason", "lab batch, certified later", *common]
            result = await asyncio.to_thread(runner.invoke, cli_app, args)
            assert result.exit_code == 0, result.output
            async with node.client() as admin:
                audit = (await admin.get("/api/v1/audit", params={"limit": 50})).json()
            assert "lab batch, certified later" in json.dumps(audit)
            args = ["firmware", "campaign", "show", "nope", *common]
            result = await asyncio.to_thread(runner.invoke, cli_app, args)
            assert result.exit_code != 0 and "404" in result.output
    finally:
        await node.app.stop()


async def _ready(seen: list[dict[str, Any]]) -> bool:
    return any(item["event"] and "transaction" in item["event"] for item in seen)


SDK_EXAMPLE = re.compile(r"^```python sdk-example[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


async def test_the_examples_of_docs_sdk_md_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ```python sdk-example block of docs/sdk.md, in order, in one namespace, against a node
    with one simulated 2.0.1 station (the watch example's events: a remote stop while it watches)."""
    blocks = SDK_EXAMPLE.findall((ROOT / "docs" / "sdk.md").read_text())
    assert len(blocks) == 5
    monkeypatch.chdir(tmp_path)  # the CDR example writes cdrs.csv
    node = await start_node(tmp_path, None, auto_register=True, heartbeat_interval_s=3600)
    try:
        async with running_fleet(small_fleet(node, "2.0.1", prefix="DOC-")) as fleet, node.client() as admin:
            station_id = fleet.stations[0].station_id
            created = await admin.post("/api/v1/id-tokens", json={"id_token": "DEMO-RFID-2"})
            assert created.status_code == 201, created.text
            namespace: dict[str, Any] = {"BASE_URL": node.http_url, "TOKEN": node.admin_token, "STATION_ID": station_id}
            for block in blocks:
                if "export_cdrs_csv" in block:  # the transaction the examples started and stopped has its CDR
                    await until(lambda: _cdr_count(admin, station_id), "the CDR")
                running = asyncio.create_task(asyncio.to_thread(exec, block, namespace))
                if "events/stream" in block:
                    await asyncio.sleep(1.0)  # the example is listening: end the transaction it started
                    rows = (await admin.get("/api/v1/transactions", params={"station_id": station_id})).json()
                    tx = rows["items"][0]["id"]
                    body = {"transaction_id": tx}
                    stopped = await admin.post(f"/api/v1/stations/{station_id}/commands/remote-stop", json=body)
                    assert stopped.status_code == 200, stopped.text
                await asyncio.wait_for(running, 30)
            assert (tmp_path / "cdrs.csv").read_text().count("\n") >= 2
    finally:
        await node.app.stop()


async def _cdr_count(admin: httpx.AsyncClient, station_id: str) -> int:
    return len((await admin.get("/api/v1/cdrs", params={"station_id": station_id})).json()["items"])
