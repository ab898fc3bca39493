"""The dashboard in a real browser (Debian's Chromium driven by Playwright) against a real node
with a small simulated fleet. Screenshots go to test-artifacts/dashboard/."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import xmlschema

from chargebridge.integrations.exports import xsd_text
from chargebridge.sim.fleet import SimConfig, run_fleet
from chargebridge.web.extension import DashboardExtension
from tests.conftest import REQUIRE_SERVICES, Node, start_node

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
# CHARGEBRIDGE_DOCS_SCREENSHOTS=1 also refreshes the committed copies in docs/img/.
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
TIMEOUT_MS = 15_000
DASH = "\u2013"  # the page writes ranges and empty values with an en dash


def _need_browser() -> None:
    reason = None
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        reason = "the playwright package is not installed (pip install -e '.[test]')"
    if reason is None and not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if reason is None:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"browser tests need Chromium (CHARGEBRIDGE_REQUIRE_SERVICES=1): {reason}")
    pytest.skip(reason)


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    _need_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        instance = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
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


@contextlib.asynccontextmanager
async def fleet(node: Node, stations: int, **overrides: Any) -> AsyncIterator[None]:
    """A small simulated fleet against the node: fast meter values, no random sessions."""
    config = SimConfig(
        url=node.ocpp_url,
        stations=stations,
        version="mixed",
        scenario="idle",
        time_scale=30.0,
        meter_interval_s=15.0,
        heartbeat_interval_s=600.0,
        id_prefix="WEB-",
        seed=7,
        ramp_up_s=0.0,
        **overrides,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_fleet(config, stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(target), full_page=True)
    if os.environ.get("CHARGEBRIDGE_DOCS_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, DOCS_IMG / f"dashboard-{name}.png")


async def new_page(browser: Any, *, dark: bool = False) -> Any:
    context = await browser.new_context(
        viewport={"width": 1280, "height": 860}, color_scheme="dark" if dark else "light", service_workers="block"
    )
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    return page


async def wait_for_text(page: Any, selector: str, check: Any, what: str) -> str:
    """Poll an element's text until ``check(text)`` holds (no page-side eval: the page's CSP forbids it)."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT_MS / 1000
    text = ""
    while asyncio.get_running_loop().time() < deadline:
        locator = page.locator(selector)
        if await locator.count():
            text = await locator.first.inner_text()
            if check(text):
                return text
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what}: last seen {text!r}")


async def wait_for_points(page: Any, selector: str, minimum: int, *, positive: bool = False) -> int:
    """Wait until the chart has ``minimum`` points (and, with ``positive``, a last value above 0)."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT_MS / 1000
    points, last = 0, 0.0
    while asyncio.get_running_loop().time() < deadline:
        locator = page.locator(selector)
        if await locator.count():
            points = int(await locator.first.get_attribute("data-points") or 0)
            last = float(await locator.first.get_attribute("data-last") or 0)
            if points >= minimum and (last > 0 or not positive):
                return points
        await asyncio.sleep(0.1)
    raise AssertionError(f"{selector} has {points} points (last {last}), expected at least {minimum}")


async def sign_in(page: Any, node: Node, token: str) -> None:
    await page.goto(node.http_url + "/")
    await page.get_by_label("API token").fill(token)
    await page.get_by_role("button", name="Sign in").click()
    await page.locator("#kpi-stations").wait_for()


async def test_login_live_station_remote_start_and_charts(browser: Any, web_node: Node) -> None:
    node = web_node
    async with node.client() as api:
        assert (await api.put("/api/v1/id-tokens/DASHBOARD", json={"status": "Accepted"})).status_code == 200
    page = await new_page(browser)

    # A wrong token is refused and the login form stays.
    await page.goto(node.http_url + "/")
    await page.get_by_label("API token").fill("cb_not-a-token")
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_text("That token was not accepted.").wait_for()
    assert await page.locator("#main").is_hidden()

    await sign_in(page, node, node.admin_token)
    await page.locator("#live[data-state='live']").wait_for()
    assert await page.locator("#kpi-stations .value").inner_text() == "0"
    assert "admin" in await page.locator("#whoami").inner_text()

    async with fleet(node, 6):
        # The stations boot while we watch: the overview counts them without a reload.
        await wait_for_text(page, "#kpi-online .value", lambda t: t == "6", "six stations online")
        await page.locator("#event-list li", has_text="WEB-0001").first.wait_for()

        # Stations: server-side filters (OCPP version, id search) and sorting.
        await page.get_by_role("link", name="Stations", exact=True).click()
        await wait_for_text(page, "#page-info", lambda t: t.startswith(f"1{DASH}6 of 6"), "six stations listed")
        await shot(page, "stations")
        await page.get_by_role("button", name="Station").click()  # sort by id, descending
        await wait_for_text(page, "#stations-results tbody a", lambda t: t == "WEB-0006", "sorted descending")
        await page.get_by_label("OCPP").select_option("1.6")
        await wait_for_text(page, "#page-info", lambda t: t.startswith(f"1{DASH}3 of 3"), "three 1.6 stations")
        await page.get_by_label("Station id contains").fill("0001")
        await wait_for_text(page, "#page-info", lambda t: t.startswith(f"1{DASH}1 of 1"), "one match for 0001")
        assert "ocpp_version=1.6" in page.url and "q=0001" in page.url

        # Station detail: remote start from the UI, the answer and round trip are shown.
        await page.locator("#stations-results a", has_text="WEB-0001").click()
        await page.locator("h1", has_text="WEB-0001").wait_for()
        await page.locator("#evses .badge", has_text="Available").first.wait_for()
        await page.get_by_label("Id token").fill("DASHBOARD")
        await page.get_by_role("button", name="Start session").click()
        result = page.locator("#command-results li").first
        await result.wait_for()
        text = await result.inner_text()
        assert "remote-start" in text and "Accepted" in text and "round trip" in text, text

        # The session appears and the live power chart gets points from meter.sampled events.
        await page.locator("#station-sessions .badge", has_text="Charging").wait_for()
        await page.locator("#evses .badge", has_text="Charging").wait_for()
        await wait_for_points(page, "#station-power-chart", 3, positive=True)
        await shot(page, "station")

        # Sessions page: the running session with an energy total; its meter curve.
        await page.get_by_role("link", name="Sessions", exact=True).click()
        await page.locator("#sessions-results .badge", has_text="Charging").wait_for()
        assert await page.locator("#total-sessions").inner_text() == "1"
        # Server-side exports download with the token; the XML validates against the shipped XSD.
        async with page.expect_download() as csv_download:
            await page.get_by_role("button", name="Export CSV").click()
        csv_text = Path(await (await csv_download.value).path()).read_text()
        assert csv_text.splitlines()[0].startswith("transaction_id,station_id") and "WEB-0001" in csv_text
        async with page.expect_download() as xml_download:
            await page.get_by_role("button", name="Export XML").click()
        xml_path = Path(await (await xml_download.value).path())
        xmlschema.XMLSchema(xsd_text()).validate(str(xml_path))
        await page.locator("#sessions-results tbody a").first.click()
        await wait_for_points(page, "#session-curve", 2)
        await shot(page, "session")

        # Back on the overview: one station charging, fleet power above zero.
        await page.get_by_role("link", name="Overview", exact=True).click()
        await wait_for_text(page, "#kpi-charging .value", lambda t: t == "1", "one station charging")
        await wait_for_text(page, "#kpi-power .value", lambda t: t not in ("0.0 kW", DASH), "fleet power above 0")
        before = await wait_for_points(page, "#fleet-power-chart", 2, positive=True)
        await wait_for_points(page, "#fleet-power-chart", before + 2)  # live ticks keep coming
        await shot(page, "overview")

    assert page.errors == []


async def test_viewer_sees_no_command_buttons(browser: Any, web_node: Node) -> None:
    node = web_node
    viewer = await node.token("viewer")
    page = await new_page(browser, dark=True)
    async with fleet(node, 1):
        await sign_in(page, node, viewer)
        assert "viewer" in await page.locator("#whoami").inner_text()
        await wait_for_text(page, "#kpi-online .value", lambda t: t == "1", "one station online")
        await page.goto(node.http_url + "/#/stations/WEB-0001")
        await page.locator("h1", has_text="WEB-0001").wait_for()
        await page.locator("#identity dd", has_text="1.6").wait_for()
        assert await page.locator("#commands").count() == 0
        assert await page.get_by_role("button", name="Start session").count() == 0
        assert await page.get_by_role("button", name="Reset").count() == 0
        await shot(page, "station-viewer-dark")
        # The server ends every stream (as on a restart): the page says so and reconnects.
        await page.locator("#live[data-state='live']").wait_for()
        dashboard = next(ext for ext in node.app.extensions if isinstance(ext, DashboardExtension))
        dashboard.live.closing.set()
        await page.locator("#live[data-state='reconnecting']").wait_for()
        dashboard.live.closing.clear()
        await page.locator("#live[data-state='live']").wait_for()
        # Tablet width: the layout folds to one column and nothing scrolls sideways.
        await page.set_viewport_size({"width": 820, "height": 1180})
        await page.get_by_role("link", name="Stations", exact=True).click()
        await page.locator("#stations-results a", has_text="WEB-0001").wait_for()
        widths = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], widths
        await shot(page, "stations-tablet-dark")
        # Keyboard: after a reload (the token survives in the tab) the skip link is the first stop,
        # Enter moves focus to the content and leaves the route alone.
        await page.reload()
        await page.locator("#stations-results a", has_text="WEB-0001").wait_for()
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.textContent") == "Skip to content"
        await page.keyboard.press("Enter")
        assert await page.evaluate("document.activeElement.id") == "main"
        assert page.url.endswith("#/stations")
        # The API agrees: the viewer cannot send commands even without the UI.
        status = await page.evaluate(
            """async () => (await fetch('/api/v1/stations/WEB-0001/commands/reset', {method: 'POST',
                 headers: {Authorization: 'Bearer ' + sessionStorage.getItem('chargebridge.token'),
                           'Content-Type': 'application/json'}, body: '{}'})).status"""
        )
        assert status == 403
        # Signing out forgets the token.
        await page.get_by_role("button", name="Log out").click()
        await page.get_by_label("API token").wait_for()
        assert await page.evaluate("sessionStorage.getItem('chargebridge.token')") is None
    assert page.errors == []
