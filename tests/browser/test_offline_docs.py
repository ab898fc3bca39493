"""/docs renders in a real browser with every request to another host refused (issue #19, item 5)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.browser.test_dashboard import browser, new_page  # noqa: F401  (the browser fixture)
from tests.conftest import Node


async def test_swagger_ui_and_redoc_render_offline(browser: Any, sqlite_node: Node) -> None:  # noqa: F811
    page = await new_page(browser)
    outside: list[str] = []

    async def only_the_node(route: Any) -> None:
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            await route.continue_()
        else:
            outside.append(f"{route.request.resource_type} {route.request.url}")
            await route.abort()

    await page.route("**/*", only_the_node)
    await page.goto(sqlite_node.http_url + "/docs")
    await page.locator(".swagger-ui .opblock").first.wait_for()  # the operations are drawn
    assert await page.locator(".swagger-ui .opblock").count() > 50
    await page.goto(sqlite_node.http_url + "/redoc")
    await page.locator("redoc h1, [role='main'] h1, h1").first.wait_for()
    await page.get_by_text("chargebridge", exact=False).first.wait_for()
    # Nothing the pages need comes from outside; ReDoc's sidebar logo is an image it hides when it
    # cannot load (cdn.redoc.ly), the only request that leaves the machine.
    assert [url for url in outside if not url.startswith("image ")] == []
    assert all("cdn.redoc.ly" in url for url in outside), outside
    assert page.errors == []
