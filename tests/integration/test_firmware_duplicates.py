"""Uploading the same firmware version twice (issue #19, item 9): refused with 409 unless
``replace=true``; the newest image of a version is the one used afterwards."""

from __future__ import annotations

from chargebridge.sim.firmware import make_image
from tests.conftest import Node


async def test_a_second_image_of_a_version_needs_replace(sqlite_node: Node) -> None:
    params = {"vendor": "Acme", "model": "A1", "version": "3.0.0"}
    async with sqlite_node.client() as http:
        first = await http.post("/api/v1/firmware/images", params=params, content=make_image("3.0.0"))
        assert first.status_code == 201, first.text
        again = await http.post("/api/v1/firmware/images", params=params, content=make_image("3.0.0"))
        assert again.status_code == 409 and first.json()["id"] in again.json()["detail"]
        assert "replace=true" in again.json()["detail"]
        revision = await http.post(
            "/api/v1/firmware/images", params=params | {"hardware_revision": "B2"}, content=make_image("3.0.0")
        )
        assert revision.status_code == 409  # the first image is for any revision
        replaced = await http.post(
            "/api/v1/firmware/images", params=params | {"replace": "true"}, content=make_image("3.0.0")
        )
        assert replaced.status_code == 201, replaced.text
        images = (await http.get("/api/v1/firmware/images", params={"vendor": "Acme"})).json()
        assert [image["id"] for image in images] == [first.json()["id"], replaced.json()["id"]]
    files = sorted(p.name for p in (sqlite_node.app.settings.data_dir / "firmware" / "images").iterdir())
    assert files == sorted([first.json()["id"], replaced.json()["id"]])  # refused uploads leave no file
