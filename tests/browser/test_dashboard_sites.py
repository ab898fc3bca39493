"""The dashboard's Sites view in a real browser: a site's limit, measured load and the stacked chart of
each session's allocation over time, while simulated stations are balanced and a curtailment comes in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chargebridge.rpc import OcppVersion
from tests.browser.test_dashboard import browser, new_page, shot, sign_in, wait_for_text
from tests.conftest import Node
from tests.integration.energy_helpers import (
    TOKEN,
    add_station,
    add_token,
    create_site,
    energy_node,
    fleet_ids,
    sim_fleet,
    station_limit_a,
    wait_for,
)

__all__ = ["browser"]  # the fixture, re-exported for pytest


@pytest.fixture
async def site_node(tmp_path: Path) -> AsyncIterator[Node]:
    node = await energy_node(tmp_path)
    try:
        await add_token(node)
        yield node
    finally:
        await node.app.stop()


async def attribute(page: Any, selector: str, name: str, check: Any, what: str) -> str:
    deadline = asyncio.get_running_loop().time() + 20
    value = ""
    while asyncio.get_running_loop().time() < deadline:
        locator = page.locator(selector)
        if await locator.count():
            value = await locator.first.get_attribute(name) or ""
            if check(value):
                return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what}: last seen {value!r}")


async def test_sites_view_shows_limit_load_and_stacked_allocation(browser: Any, site_node: Node) -> None:
    node = site_node
    await create_site(node, id="depot", name="Bus depot", grid_limit_a=48, fallback_limit_a=16)
    ids = fleet_ids("WS", 3)
    for station_id in ids:
        await add_station(node, station_id, "depot", max_current_a=32)
    page = await new_page(browser)
    async with sim_fleet(node, OcppVersion.V16, ids) as stations:
        for station in stations:
            station.start_session(1, TOKEN)
        await wait_for(lambda: [station_limit_a(s) for s in stations] == [16.0] * 3, 20, "3 x 16 A")

        await sign_in(page, node, node.admin_token)
        await page.get_by_role("link", name="Sites", exact=True).click()
        row = page.locator("#sites-results tbody tr", has_text="depot")
        await row.wait_for()
        text = await row.inner_text()
        assert "Bus depot" in text and "48.0 A" in text and "3 / 0" in text, text

        await page.locator("#sites-results a", has_text="depot").click()
        await page.locator("h1", has_text="Bus depot").wait_for()
        await wait_for_text(page, "#kpi-limit .value", lambda t: t.startswith("48.0 A") and "grid" in t, "grid limit")
        await wait_for_text(page, "#kpi-charging .value", lambda t: t == "3", "three charging")
        assert await page.locator("#kpi-building .value").inner_text() == "no meter"
        await page.locator("#site-sessions .badge", has_text="charging").first.wait_for()
        assert await page.locator("#site-sessions tbody tr").count() == 3
        # one stacked series per session; the top of the stack is what the site hands out
        await attribute(page, "#site-chart figure", "data-series", lambda v: v == "3", "three stacked sessions")
        await attribute(page, "#site-chart figure", "data-top", lambda v: v and float(v) == 48.0, "stack of 48 A")

        # a curtailment shows up in the limit and in the chart
        async with node.client() as http:
            body = {"limit_a": 30, "duration_s": 60, "source": "DSO"}
            answer = await http.post("/api/v1/sites/depot/limits", json=body)
            assert answer.status_code == 201
        await wait_for_text(page, "#kpi-limit .value", lambda t: "curtailment (DSO)" in t, "curtailed")
        await attribute(page, "#site-chart figure", "data-top", lambda v: v and float(v) <= 30.0, "stack within 30 A")
        await page.locator("#site-limits td", has_text="DSO").wait_for()
        await shot(page, "sites")
    assert page.errors == []


async def test_scoped_token_is_told_sites_are_fleet_objects(browser: Any, site_node: Node) -> None:
    node = site_node
    async with node.client() as http:
        assert (await http.post("/api/v1/stations", json={"id": "WS-SCOPED"})).status_code == 201
        answer = await http.post("/api/v1/tokens", json={"role": "viewer", "name": "mine", "stations": ["WS-SCOPED"]})
        scoped = answer.json()["token"]
    page = await new_page(browser)
    await sign_in(page, node, scoped)
    await page.goto(node.http_url + "/#/sites")
    await page.get_by_text("Sites are fleet objects").wait_for()
    assert page.errors == []
