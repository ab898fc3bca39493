"""The dashboard's compatibility matrix in a real browser: certification records, metering
approvals and the validated level per vendor/model/firmware, and the procurement check with its
evidence."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_dashboard import browser, new_page, shot, sign_in, wait_for_text
from tests.conftest import Node, start_node
from tests.integration.test_procurement import EICHRECHT, OCA_16_OLD, OCA_201, add_run, record

__all__ = ["browser"]  # the fixture, re-exported for pytest


@pytest.fixture
async def matrix_node(tmp_path: Path) -> AsyncIterator[Node]:
    node = await start_node(tmp_path, None)
    try:
        yield node
    finally:
        await node.app.stop()


async def test_matrix_view_shows_records_and_the_check(browser: Any, matrix_node: Node) -> None:
    node = matrix_node
    async with node.client() as client:
        for body in (OCA_201, EICHRECHT, OCA_16_OLD):
            await record(client, body)
    await add_run(node, "Acme", "Wallbox-22", "4.2.0", "standard")
    page = await new_page(browser)
    await sign_in(page, node, node.admin_token)
    await page.get_by_role("link", name="Matrix", exact=True).click()
    row = page.locator("#matrix-results tbody tr", has_text="4.2.0")
    await row.wait_for()
    text = await row.inner_text()
    assert "OCA-201-0042" in text and "eichrecht DE-M-22-001" in text and "standard" in text, text
    assert await page.locator("#matrix-results tbody tr").count() == 2

    await page.get_by_label("Requirements").fill("2.0.1,advanced-security,eichrecht")
    await page.get_by_role("button", name="Check").click()
    await wait_for_text(page, "#matrix-check-summary", lambda t: t.startswith("1 of 2"), "the check's summary")
    evidence = await page.locator("#matrix-check tbody").inner_text()
    assert "OCA certificate OCA-201-0042" in evidence and "eichrecht approval DE-M-22-001" in evidence
    await shot(page, "matrix")

    await page.get_by_label("Requirements").fill("2.0.1,warp")
    await page.get_by_role("button", name="Check").click()
    await wait_for_text(page, "#matrix-check [role=alert]", lambda t: "unknown requirement 'warp'" in t, "refusal")
