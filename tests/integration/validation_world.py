"""A node with a TLS port and a CA (so the security profile cases can run), simulated stations
tuned for short validation runs, and helpers that play the person at the station (present a
card, stop the session) when a run asks for it."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from chargebridge.rpc import OcppVersion
from chargebridge.security.ca import Issued, create_ca, issue_server_certificate
from chargebridge.sim.clock import SimClock
from chargebridge.sim.ev import ChargerKind, ChargerSpec
from chargebridge.sim.firmware import make_image
from chargebridge.sim.profiles import STANDARD, QuirkProfile
from chargebridge.sim.station import SimStation, StationConfig
from tests.conftest import Node, start_node

# Every wait of a run is short: the simulator answers at once and reboots in a fraction of a second.
FAST_RUN: dict[str, Any] = {
    "manual_step_timeout_s": 20,
    "response_timeout_s": 5,
    "reboot_timeout_s": 6,
    "firmware_timeout_s": 30,
    "heartbeat_interval_s": 1,
    "heartbeat_window_s": 3.2,
    "meter_interval_s": 1,
    "meter_samples": 4,
    "offline_s": 2.5,
}


@dataclass
class Pki:
    dir: Path
    ca: Issued


def make_pki(directory: Path) -> Pki:
    ca = create_ca()
    ca.write(directory / "ca.pem", directory / "ca-key.pem")
    server = issue_server_certificate(ca, ["localhost", "127.0.0.1"])
    server.write(directory / "server.pem", directory / "server-key.pem")
    return Pki(directory, ca)


def tls_settings(pki: Pki) -> dict[str, object]:
    return {
        "ocpp_tls_port": 0,
        "tls_cert_file": pki.dir / "server.pem",
        "tls_key_file": pki.dir / "server-key.pem",
        "tls_ca_file": pki.dir / "ca.pem",
        "ca_key_file": pki.dir / "ca-key.pem",
    }


@contextlib.asynccontextmanager
async def validation_node(tmp_path: Path, database_url: str | None = None, *, tls: bool = True) -> AsyncIterator[Node]:
    settings: dict[str, Any] = {"auto_register": True, "heartbeat_interval_s": 2}
    if tls:
        pki_dir = tmp_path / "pki"
        pki_dir.mkdir(exist_ok=True)
        settings.update(tls_settings(make_pki(pki_dir)))
    node = await start_node(tmp_path, database_url, **settings)
    try:
        yield node
    finally:
        await node.app.stop()


def wss_url(node: Node) -> str | None:
    gateway = node.app.gateway
    assert gateway is not None
    return f"wss://127.0.0.1:{gateway.tls_port}/ocpp" if gateway.tls_port is not None else None


def station_config(
    node: Node, station_id: str, version: OcppVersion, profile: QuirkProfile = STANDARD
) -> StationConfig:
    return StationConfig(
        station_id=station_id,
        url=node.ocpp_url,
        version=version,
        profile=profile,
        charger=ChargerSpec(ChargerKind.AC, 22_000.0),
        meter_interval_s=60.0,
        heartbeat_interval_s=60.0,
        reboot_delay_s=0.3,
        backoff_minimum_s=1,
        backoff_random_range_s=0,
        backoff_repeat_times=1,
        firmware_step_s=0.1,
        install_time_s=0.2,
        call_timeout_real_s=5.0,
        transaction_retry_interval_s=1.0,
        tls_url=wss_url(node),
    )


@contextlib.asynccontextmanager
async def running_station(config: StationConfig) -> AsyncIterator[SimStation]:
    station = SimStation(config, SimClock(datetime.now(UTC)), rng=random.Random(7))
    task = asyncio.create_task(station.run())
    try:
        for _ in range(200):
            if station.booted:
                break
            await asyncio.sleep(0.05)
        assert station.booted, f"{config.station_id} did not boot"
        yield station
    finally:
        station.stop()
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            async with asyncio.timeout(10):
                await task
        if not task.done():
            task.cancel()


async def register_images(node: Node, vendor: str, model: str, versions: tuple[str, ...]) -> list[str]:
    ids = []
    async with node.client() as http:
        for version in versions:
            answer = await http.post(
                "/api/v1/firmware/images",
                params={"vendor": vendor, "model": [model], "version": version},
                content=make_image(version),
                headers={"Content-Type": "application/octet-stream"},
            )
            assert answer.status_code == 201, answer.text
            ids.append(answer.json()["id"])
    return ids


async def start_run(http: httpx.AsyncClient, station_id: str, level: str, **overrides: Any) -> str:
    body = {"level": level, **FAST_RUN, **overrides}
    answer = await http.post(f"/api/v1/stations/{station_id}/validation-runs", json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


PersonAction = Callable[[str], Awaitable[None] | None]


def sim_person(station: SimStation, evse: int = 1) -> PersonAction:
    """Plays the person at a simulated station: presents the prompted card, stops the session."""

    def act(text: str) -> None:
        if text.startswith("Present card"):
            token = text.split()[2]
            station.start_session(evse, token)
        elif text.startswith("Stop the session"):
            station.stop_session(evse)

    return act


async def follow(
    http: httpx.AsyncClient, run_id: str, person: PersonAction | None = None, *, timeout_s: float = 240.0
) -> dict[str, Any]:
    """Poll the run until it is over, acting on each new prompt; returns the final view."""
    seen: set[str] = set()
    async with asyncio.timeout(timeout_s):
        while True:
            view = (await http.get(f"/api/v1/validation-runs/{run_id}")).json()
            prompt = view.get("prompt")
            if prompt and person is not None:
                key = f"{prompt['since']}|{prompt['text']}"
                if key not in seen:
                    seen.add(key)
                    result = person(prompt["text"])
                    if asyncio.iscoroutine(result):
                        await result
            if view["status"] != "running":
                return dict(view)
            await asyncio.sleep(0.1)


def results(view: dict[str, Any]) -> dict[str, str]:
    return {case["id"]: case["result"] for case in view["cases"]}


def failed(view: dict[str, Any]) -> dict[str, str]:
    return {case["id"]: case["reason"] for case in view["cases"] if case["result"] != "passed"}
