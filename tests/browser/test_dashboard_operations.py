"""The dashboard's operator details in Chromium (issue #19, items 1-3): the remote-start form
offers the registered id tokens and warns about others, a station whose clock is off shows it,
its flagged session says so, and a fault shows the same local time on the overview and on the
station page in a browser that is not in UTC."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.test_dashboard import CHROMIUM_ARGS, TIMEOUT_MS, _need_browser, sign_in, wait_for_text
from tests.conftest import Node, start_node
from tests.integration.helpers import BOOT16, RawStation

ZONE = "America/New_York"


@pytest.fixture
async def zoned_browser() -> AsyncIterator[Any]:
    _need_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        instance = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            await instance.close()


@pytest.fixture
async def web_node(tmp_path: Path) -> AsyncIterator[Node]:
    node = await start_node(tmp_path, None, auto_register=True)
    try:
        yield node
    finally:
        await node.app.stop()


async def test_token_picker_clock_skew_and_times_across_pages(zoned_browser: Any, web_node: Node) -> None:
    node = web_node
    async with node.client() as api:
        for value in ("DEMO-RFID-1", "DEMO-RFID-2"):
            assert (await api.post("/api/v1/id-tokens", json={"id_token": value})).status_code == 201
        assert (
            await api.post("/api/v1/id-tokens", json={"id_token": "LOST-CARD", "status": "Blocked"})
        ).status_code == 201
    station = await RawStation.open(node.ocpp_url, "CLOCK-1", "1.6")
    await station.call("BootNotification", BOOT16)
    ahead = (datetime.now(UTC) + timedelta(minutes=20)).replace(microsecond=0)
    stamp = ahead.isoformat().replace("+00:00", "Z")
    status = {"connectorId": 1, "errorCode": "GroundFailure", "status": "Faulted", "timestamp": stamp}
    assert (await station.call("StatusNotification", status))[0] == 3
    started = await station.call(
        "StartTransaction", {"connectorId": 1, "idTag": "DEMO-RFID-1", "meterStart": 0, "timestamp": stamp}
    )
    assert started[0] == 3

    context = await zoned_browser.new_context(viewport={"width": 1280, "height": 860}, timezone_id=ZONE, locale="en-US")
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await sign_in(page, node, node.admin_token)

    # The overview's fault time, in New York time.
    fault_time = page.locator("#fleet-faults time").first
    await fault_time.wait_for()
    overview_text = await fault_time.inner_text()
    attribute = await fault_time.get_attribute("datetime")
    assert attribute is not None and attribute.endswith(("Z", "+00:00")), attribute
    local = ahead.astimezone(ZoneInfo(ZONE))
    assert local.strftime("%-I:%M:%S") in overview_text, (overview_text, local)

    # The station page: the same fault at the same time, the clock badge, the flagged session.
    await page.goto(node.http_url + "/#/stations/CLOCK-1")
    await page.locator("h1", has_text="CLOCK-1").wait_for()
    station_fault = page.locator("#station-faults time").first
    await station_fault.wait_for()
    assert await station_fault.inner_text() == overview_text
    await wait_for_text(page, "#clock-skew", lambda t: "ahead of the server's clock" in t, "the clock skew shown")
    assert "+20 min off" in await page.locator("#clock-skew").inner_text()
    flag = page.locator("#station-sessions .badge.timeflag")
    await flag.wait_for()
    assert await flag.inner_text() == "start in the future"

    # Remote start: the registered, accepted tokens are offered; another one is warned about.
    token_input = page.get_by_label("Id token")
    await page.locator("#cmd-start-tokens option").first.wait_for(state="attached")
    options = [await o.get_attribute("value") for o in await page.locator("#cmd-start-tokens option").all()]
    assert options == ["DEMO-RFID-1", "DEMO-RFID-2"]  # not the blocked one
    assert await token_input.input_value() == "DEMO-RFID-1"
    await token_input.fill("RFID-1")
    await wait_for_text(page, "#cmd-start-hint", lambda t: "not a registered id token" in t, "the warning")
    assert "chargebridge id-token add RFID-1" in await page.locator("#cmd-start-hint").inner_text()
    await token_input.fill("DEMO-RFID-2")
    await wait_for_text(page, "#cmd-start-hint", lambda t: t == "", "the warning gone")
    assert errors == []
    await context.close()
    await station.close()
