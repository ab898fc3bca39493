"""/metrics: Prometheus text from the core's own counters, optional bearer token."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from chargebridge.eventloop import loop_name
from tests.conftest import Node, random_id, start_node
from tests.integration.helpers import BOOT16, RawStation


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.fixture
async def metrics_node(tmp_path: Path) -> AsyncIterator[Node]:
    config = tmp_path / "cb.toml"
    config.write_text('[metrics]\nbearer_token = "scrape-me"\nround_trip_buckets_s = [0.001, 0.1, 5]\n')
    node = await start_node(tmp_path, None, auto_register=True, config_file=config)
    try:
        yield node
    finally:
        await node.app.stop()


async def test_metrics_reflect_stations_messages_commands_bus_and_db(metrics_node: Node) -> None:
    node = metrics_node
    station_id = random_id()
    station = await RawStation.open(node.ocpp_url, station_id)
    try:
        assert (await station.call("BootNotification", BOOT16))[0] == 3
        assert (await station.call("Heartbeat", {}))[0] == 3
        async with node.client() as api:
            command = asyncio.create_task(api.post(f"/api/v1/stations/{station_id}/commands/reset", json={}))
            call = await station.recv()
            assert call[2] == "Reset"
            await station.send_raw(f'[3, "{call[1]}", {{"status": "Accepted"}}]')
            assert (await command).status_code == 200
        async with httpx.AsyncClient(base_url=node.http_url) as scraper:
            assert (await scraper.get("/metrics")).status_code == 401
            wrong = await scraper.get("/metrics", headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            for _ in range(50):  # the histogram is fed from the bus: give its task a moment
                response = await scraper.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
                got = samples(response.text)
                if got.get(
                    ("chargebridge_command_round_trip_seconds_count", (("action", "Reset"), ("status", "Accepted")))
                ):
                    break
                await asyncio.sleep(0.02)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        assert got[("chargebridge_connected_stations", (("ocpp_version", "1.6"),))] == 1
        assert got[("chargebridge_event_loop_info", (("loop", loop_name()),))] == 1
        assert got[("chargebridge_ocpp_messages_in_total", (("action", "BootNotification"),))] == 1
        assert got[("chargebridge_ocpp_messages_in_total", (("action", "Heartbeat"),))] == 1
        assert got[("chargebridge_ocpp_calls_out_total", ())] == 1
        assert got[("chargebridge_ocpp_answers_total", (("action", "Heartbeat"), ("result", "ok")))] == 1
        assert got[("chargebridge_ocpp_calls_out_results_total", (("action", "Reset"), ("result", "answered")))] == 1
        assert got[("chargebridge_ocpp_call_round_trip_seconds_count", ())] == 1
        assert got[("chargebridge_ocpp_call_round_trip_seconds_bucket", (("le", "+Inf"),))] == 1
        assert got[("chargebridge_db_commit_seconds_count", ())] == got[("chargebridge_db_commits_total", ())]
        rtt = (("action", "Reset"), ("status", "Accepted"))
        assert got[("chargebridge_command_round_trip_seconds_count", rtt)] == 1
        assert got[("chargebridge_command_round_trip_seconds_bucket", (*rtt[:1], ("le", "+Inf"), *rtt[1:]))] == 1
        assert got[("chargebridge_db_commits_total", ())] >= 1
        assert ("chargebridge_bus_queue_depth", (("subscriber", "webhooks"),)) in got
        assert got[("chargebridge_bus_dropped_total", (("subscriber", "metrics"),))] == 0
        assert got[("chargebridge_bus_published_total", ())] >= 3  # connected, booted, command.completed
        assert got[("chargebridge_webhooks_subscriptions", ())] == 0
    finally:
        await station.close()
    async with httpx.AsyncClient(base_url=node.http_url) as scraper:
        for _ in range(100):
            got = samples((await scraper.get("/metrics", headers={"Authorization": "Bearer scrape-me"})).text)
            if got[("chargebridge_connected_stations", (("ocpp_version", "1.6"),))] == 0:
                break
            await asyncio.sleep(0.02)
        assert got[("chargebridge_connected_stations", (("ocpp_version", "1.6"),))] == 0


async def test_metrics_are_open_without_a_token_and_can_be_switched_off(tmp_path: Path) -> None:
    node = await start_node(tmp_path, None)
    try:
        async with httpx.AsyncClient(base_url=node.http_url) as scraper:
            response = await scraper.get("/metrics")
        assert response.status_code == 200
        assert "chargebridge_db_commits_total" in response.text
    finally:
        await node.app.stop()
    off = tmp_path / "off.toml"
    off.write_text("[metrics]\nenabled = false\n")
    node = await start_node(tmp_path / "b", None, config_file=off)
    try:
        async with httpx.AsyncClient(base_url=node.http_url) as scraper:
            assert (await scraper.get("/metrics")).status_code == 404
    finally:
        await node.app.stop()
