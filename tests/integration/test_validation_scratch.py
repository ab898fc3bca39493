from __future__ import annotations

import json
from pathlib import Path

import pytest

from chargebridge.rpc import OcppVersion
from tests.integration.validation_world import (
    failed,
    follow,
    running_station,
    sim_person,
    start_run,
    station_config,
    validation_node,
)


@pytest.mark.parametrize("version", [OcppVersion.V16, OcppVersion.V201])
async def test_basic(tmp_path: Path, version: OcppVersion) -> None:
    async with validation_node(tmp_path) as node, running_station(station_config(node, "VAL-1", version)) as station:
        async with node.client() as http:
            run_id = await start_run(http, "VAL-1", "basic")
            view = await follow(http, run_id, sim_person(station))
    Path(f"/tmp/valscratch/basic-{version.value}.json").write_text(json.dumps(view, indent=1))
    assert view["level_reached"] == "basic", failed(view)


@pytest.mark.parametrize("version", [OcppVersion.V16, OcppVersion.V201])
@pytest.mark.parametrize("level", ["standard", "advanced"])
async def test_full(tmp_path: Path, version: OcppVersion, level: str) -> None:
    from tests.integration.validation_world import register_images

    async with validation_node(tmp_path) as node:
        await register_images(node, "Chargebridge", "SimCharger", ("1.0.0", "1.0.1"))
        async with running_station(station_config(node, "VAL-2", version)) as station, node.client() as http:
            run_id = await start_run(http, "VAL-2", level)
            view = await follow(http, run_id, sim_person(station))
    Path(f"/tmp/valscratch/{level}-{version.value}.json").write_text(json.dumps(view, indent=1))
    for c in view["cases"]:
        print(c["id"], c["result"], c["duration_ms"], c["reason"][:200])
    print(view["restoration"], view["quirks"], view["reason"])
    assert view["level_reached"] == level, failed(view)
