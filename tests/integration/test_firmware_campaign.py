"""The issue's end-to-end test: a staged OTA campaign over 102 simulated stations of one model in
three hardware batches, one of which boot-loops on the new firmware. The canary wave catches it,
the campaign halts, the faulty batch's updated stations roll back, and after resume the healthy
batches finish — over real OCPP connections, on both protocol versions."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from chargebridge.sim import FirmwareBatch, FirmwareFault, Fleet, SimConfig
from chargebridge.sim.firmware import make_image
from tests.conftest import Node, start_node

VENDOR, MODEL = "Chargebridge", "SimCharger"  # the simulator's standard profile, firmware 1.0.0
OLD, NEW = "1.0.0", "2.0.0"


@asynccontextmanager
async def running_fleet(config: SimConfig) -> AsyncIterator[Fleet]:
    fleet = Fleet(config)
    stop = asyncio.Event()
    task = asyncio.create_task(fleet.run(stop))
    try:
        await wait_for(lambda: fleet.stats().booted == config.stations, 30, "fleet booted")
        yield fleet
    finally:
        stop.set()
        await task


async def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def poll(client: httpx.AsyncClient, url: str, done: Callable[[dict[str, Any]], bool], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        body = (await client.get(url)).json()
        if done(body):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out polling {url}: {body.get('campaign', body)}")
        await asyncio.sleep(0.1)


async def upload(client: httpx.AsyncClient, version: str) -> dict[str, Any]:
    params = {"vendor": VENDOR, "model": MODEL, "version": version, "notes": f"release {version}"}
    response = await client.post("/api/v1/firmware/images", params=params, content=make_image(version))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def register_hardware(client: httpx.AsyncClient, fleet: Fleet) -> None:
    body = {s.station_id: {"hardware_revision": s.config.hardware_revision} for s in fleet.stations}
    response = await client.put("/api/v1/firmware/hardware", json=body)
    assert response.status_code == 200, response.text


@pytest.fixture
async def fw_node(tmp_path: Path) -> AsyncIterator[Node]:
    node = await start_node(tmp_path, None, auto_register=True, heartbeat_interval_s=3600, call_timeout_s=10.0)
    try:
        yield node
    finally:
        await node.app.stop()


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_canary_catches_a_faulty_hardware_batch(fw_node: Node, version: str) -> None:
    batches = (
        FirmwareBatch("A"),
        FirmwareBatch("B", FirmwareFault.BOOT_LOOP),
        FirmwareBatch("C"),
    )
    config = SimConfig(
        url=fw_node.ocpp_url,
        stations=102,
        version=version,
        scenario="idle",
        time_scale=100.0,
        ramp_up_s=0.5,
        heartbeat_interval_s=3600.0,
        id_prefix=f"FW{version.replace('.', '')}-",
        firmware_batches=batches,
    )
    async with running_fleet(config) as fleet, fw_node.client() as client:
        await register_hardware(client, fleet)
        old = await upload(client, OLD)
        new = await upload(client, NEW)
        assert new["signed_by"] == "chargebridge" and len(new["sha256"]) == 64 and old["version"] == OLD
        # Unknown combinations are refused without an override: the vendor's claim goes into the matrix first.
        for revision in "ABC":
            entry = {"vendor": VENDOR, "model": MODEL, "hardware_revision": revision, "firmware_version": NEW}
            response = await client.put("/api/v1/firmware/compatibility", json=entry | {"status": "compatible"})
            assert response.status_code == 200, response.text

        created = await client.post(
            "/api/v1/firmware/campaigns",
            json={
                "name": f"{NEW} rollout",
                "image_id": new["id"],
                "target": {"model": MODEL, "current_versions": [OLD]},
                "waves": [5, 30, 100],
                "gates": {"soak_s": 1.2, "online_deadline_s": 20.0, "max_boots": 2},
                "start": True,
            },
        )
        assert created.status_code == 201, created.text
        campaign_id = created.json()["campaign"]["id"]
        plan = Counter((s["hardware_revision"], s["wave"]) for s in created.json()["stations"])
        assert plan[("A", 0)] == plan[("B", 0)] == plan[("C", 0)] == 2  # every batch is in the canary
        url = f"/api/v1/firmware/campaigns/{campaign_id}"

        halted = await poll(client, url, lambda b: b["campaign"]["state"] != "running", 30)
        assert halted["campaign"]["state"] == "halted"
        assert "hardware B" in halted["campaign"]["halt_reason"] and "boot loop" in halted["campaign"]["halt_reason"]
        assert halted["campaign"]["current_wave"] == 0  # caught by the canary

        def rolled_back(body: dict[str, Any]) -> bool:
            return not any(s["state"] == "rolling_back" for s in body["stations"])

        settled = await poll(client, url, rolled_back, 30)
        b_states = Counter(s["state"] for s in settled["stations"] if s["hardware_revision"] == "B")
        assert b_states == {"rolled_back": 2, "skipped": 32}, b_states

        resumed = await client.post(f"{url}/resume")
        assert resumed.status_code == 200, resumed.text
        done = await poll(client, url, lambda b: b["campaign"]["state"] != "running", 40)
        assert done["campaign"]["state"] == "completed", done["campaign"]
        states = Counter((s["hardware_revision"], s["state"]) for s in done["stations"])
        assert states == {("A", "succeeded"): 34, ("C", "succeeded"): 34, ("B", "rolled_back"): 2, ("B", "skipped"): 32}

        # The stations themselves: healthy batches run the new version, the faulty batch the old one.
        by_revision: dict[str, Counter[str]] = {}
        for station in fleet.stations:
            by_revision.setdefault(station.config.hardware_revision or "", Counter())[station.firmware_version] += 1
        assert by_revision == {"A": Counter({NEW: 34}), "B": Counter({OLD: 34}), "C": Counter({NEW: 34})}

        matrix = (await client.get("/api/v1/firmware/compatibility", params={"firmware_version": NEW})).json()
        status = {row["hardware_revision"]: row for row in matrix}
        assert status["B"]["status"] == "blocked" and status["B"]["source"] == "campaign"
        assert status["A"]["status"] == status["C"]["status"] == "compatible"
        downloads = (await client.get(f"/api/v1/firmware/images/{new['id']}/downloads")).json()
        assert len(downloads) == 70 and {d["outcome"] for d in downloads} == {"served"}
