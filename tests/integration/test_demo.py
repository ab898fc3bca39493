"""The demo as a new user meets it (issue #19, items 1, 2, 4, 6): it prints runnable commands
whole however narrow the terminal, its stations send wall-clock times, the id tokens it suggests
charge, and it leaves a marker the CLI uses while it runs."""

from __future__ import annotations

import asyncio
import io
import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from chargebridge.cli_common import DEMO_MARKER
from chargebridge.demo import run_demo


async def wait_for(check: object, what: str, timeout: float = 30.0) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = await check()  # type: ignore[operator]
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


@pytest.mark.timeout(180)
async def test_the_demo_charges_with_its_tokens_at_real_time(tmp_path: Path) -> None:
    out = io.StringIO()
    console = Console(file=out, width=40, soft_wrap=True)  # a narrow terminal
    data_dir = tmp_path / "chargebridge-demo"
    demo = asyncio.create_task(
        run_demo(console, stations=2, data_dir=data_dir, ocpp_port=0, http_port=0, duration=40.0)
    )
    try:
        printed = await wait_for(lambda: _printed(out), "the demo's banner")
        assert isinstance(printed, str)
        lines = printed.splitlines()
        token = next(line for line in lines if line.lstrip().startswith("admin token")).split(": ", 1)[1].strip()
        start_line = next(line for line in lines if line.lstrip().startswith("remote start"))
        # printed whole, on one line, however narrow the terminal
        command = r"curl .* -X POST http://127\.0\.0\.1:\d+/api/v1/stations/DEMO-0001/commands/remote-start"
        assert re.search(command + r" -d '\{.*DEMO-RFID-1.*\}'$", start_line), start_line
        assert any("id-token add RFID-1 --data-dir chargebridge-demo" in line for line in lines) or any(
            f"--data-dir {data_dir}" in line for line in lines
        )
        base = re.search(r"(http://127\.0\.0\.1:\d+)/api/v1", printed).group(1)  # type: ignore[union-attr]
        marker = json.loads((data_dir / DEMO_MARKER).read_text())
        assert marker["data_dir"] == str(data_dir.resolve())
        async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=15) as http:

            async def booted() -> bool:
                station = (await http.get("/api/v1/stations/DEMO-0001")).json()
                return bool(station.get("connected") and station.get("last_boot_at"))

            await wait_for(booted, "DEMO-0001 booted")
            # Idle stations may start sessions on their own: stop whatever runs on EVSE 1 first.
            body = {"id_token": "DEMO-RFID-1", "evse_id": 1}

            async def accepted() -> dict[str, object] | None:
                answer = (await http.post("/api/v1/stations/DEMO-0001/commands/remote-start", json=body)).json()
                return answer if answer.get("status") == "Accepted" else None

            await wait_for(accepted, "a remote start accepted")

            async def charging() -> dict[str, object] | None:
                page = (await http.get("/api/v1/transactions", params={"station_id": "DEMO-0001"})).json()
                mine = [t for t in page["items"] if t["id_token"] == "DEMO-RFID-1"]
                return mine[0] if mine else None

            tx = await wait_for(charging, "the session")
            assert isinstance(tx, dict)
            await asyncio.sleep(3)
            tx = await charging()
            assert tx is not None and tx["id_token_status"] == "Accepted"
            assert tx["active"] or tx["stop_reason"] not in ("DeAuthorized",), tx
            started = datetime.fromisoformat(str(tx["started_at"]).replace("Z", "+00:00"))
            assert abs((started - datetime.now(UTC)).total_seconds()) < 60, started  # the wall clock
            assert tx["start_in_future"] is False
            skew = (await http.get("/api/v1/fleet/events", params={"kind": "clock_skew"})).json()["items"]
            assert skew == []
    finally:
        await demo
    assert not (data_dir / DEMO_MARKER).exists()


async def _printed(out: io.StringIO) -> str | None:
    text = out.getvalue()
    return text if "add id token" in text else None
