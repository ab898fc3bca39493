"""/docs and /redoc work without the internet (issue #19, item 5): their pages name no outside
host and the scripts they load are served by the node itself."""

from __future__ import annotations

import re

import httpx

from tests.conftest import Node

OUTSIDE = re.compile(r"""(?:src|href)=["']?(https?:)?//""", re.IGNORECASE)


async def test_docs_and_redoc_load_everything_from_the_node(sqlite_node: Node) -> None:
    async with httpx.AsyncClient(base_url=sqlite_node.http_url, timeout=15) as http:
        for page, assets in (
            ("/docs", ("swagger-ui-bundle.js", "swagger-ui.css")),
            ("/redoc", ("redoc.standalone.js",)),
        ):
            answer = await http.get(page)
            assert answer.status_code == 200, (page, answer.status_code)
            html = answer.text
            assert not OUTSIDE.search(html), f"{page} loads from another host: {OUTSIDE.search(html)}"
            assert "cdn." not in html and "fonts.googleapis" not in html
            for asset in assets:
                (url,) = re.findall(rf"""['"]([^'"]*/{re.escape(asset)})['"]""", html)
                assert url.startswith("/"), url
                served = await http.get(url)
                assert served.status_code == 200 and len(served.content) > 50_000, (url, served.status_code)
        assert (await http.get("/openapi.json")).status_code == 200
