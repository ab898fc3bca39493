"""The dashboard's validation card in a real browser: a finished run's report on the station page
(level, cases, evidence, latency chart), the integrity mark on the station and in the list, and
the Validate / Abort actions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chargebridge.rpc import OcppVersion
from tests.browser.test_dashboard import browser, new_page, shot, sign_in, wait_for_text  # noqa: F401  (fixture)
from tests.integration.validation_world import (
    follow,
    running_station,
    sim_person,
    start_run,
    station_config,
    validation_node,
)


async def test_the_station_page_validates_and_shows_the_report(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    async with (
        validation_node(tmp_path, tls=False) as node,
        running_station(station_config(node, "DASH-1", OcppVersion.V16)) as station,
        node.client() as http,
    ):

        async def person(text: str) -> None:
            sim_person(station)(text)
            if text.startswith("Present card"):
                event = {"type": "SecureBootFailure", "timestamp": "2026-01-01T00:00:00Z"}
                await station.pnc_request("SecurityEventNotification", event)

        run_id = await start_run(http, "DASH-1", "basic")
        view = await follow(http, run_id, person)
        assert view["level_reached"] == "none"

        page = await new_page(browser)
        await sign_in(page, node, node.admin_token)
        await page.goto(node.http_url + "/#/stations")
        await page.locator("#stations-results .badge.integrity").wait_for()
        await page.goto(node.http_url + "/#/stations/DASH-1")
        await page.locator("h1", has_text="DASH-1").wait_for()
        await page.locator(".page-head .badge.integrity").wait_for()
        await wait_for_text(page, "#validation-level", lambda t: t == "none", "the run's level")
        await page.locator("#validation-report td", has_text="No secure-boot or integrity failure").wait_for()
        assert await page.locator("#validation-evidence details").count() == len(view["cases"])
        await page.locator("#validation-evidence summary", has_text="Local transaction").click()
        await page.locator("#validation-evidence pre", has_text="StartTransaction").first.wait_for()
        chart = page.locator("#validation-latency")
        await chart.wait_for()
        assert int(await chart.get_attribute("data-commands") or 0) >= 1
        await shot(page, "station-validation")

        # Validate starts a run; Abort ends it (the station is put back).
        await page.get_by_label("Level").select_option("basic")
        await page.get_by_role("button", name="Validate").click()
        await wait_for_text(page, "#validation-status", lambda t: t.startswith("running"), "a new run")
        await page.get_by_role("button", name="Abort run").click()
        await wait_for_text(page, "#validation-status", lambda t: t == "aborted", "the run aborted")
        assert page.errors == []
