"""The energy REST API on SQLite and PostgreSQL: site bodies (422 for negative limits, an unknown
meter or parent, a cycle), the live view, curtailments in A and kW, the weekly schedule, station
fields on PATCH /stations, the fleet scope, and the audit entry of every change of limit."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.conftest import Node, random_id


async def post_site(node: Node, **body: Any) -> Any:
    async with node.client() as http:
        return await http.post("/api/v1/sites", json=body)


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"grid_limit_a": -1}, "greater than 0"),
        ({"grid_limit_a": 0}, "greater than 0"),
        ({"grid_limit_a": 63, "min_current_a": -6}, "greater than or equal to 0"),
        ({"grid_limit_a": 63, "safety_margin_a": -1}, "greater than or equal to 0"),
        ({"grid_limit_a": 63, "fallback_limit_a": -5}, "greater than or equal to 0"),
        ({"grid_limit_a": 63, "voltage_v": 0}, "greater than 0"),
        ({"grid_limit_a": 63, "phases": 2}, "1 or 3"),
        ({"grid_limit_a": 63, "meter": "no-such-meter"}, "unknown meter 'no-such-meter'"),
        ({"grid_limit_a": 63, "parent_id": "nowhere"}, "unknown parent site 'nowhere'"),
        ({"grid_limit_a": 63, "fallback_limit_a": 80}, "fallback_limit_a must not exceed grid_limit_a"),
        ({"grid_limit_a": 63, "safety_margin_a": 63}, "safety_margin_a must be below grid_limit_a"),
        ({"grid_limit_a": 63, "timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"grid_limit_a": "NaN"}, "finite number"),
        ({"grid_limit_a": 63, "colour": "blue"}, "Extra inputs are not permitted"),
        ({"grid_limit_a": 63, "schedule": [{"day": "funday", "start": "10:00", "limit_a": 5}]}, "must be one of"),
        ({"grid_limit_a": 63, "schedule": [{"day": "mon", "start": "25:00", "limit_a": 5}]}, "String should match"),
    ],
)
async def test_bad_site_bodies_are_422(node: Node, body: dict[str, Any], needle: str) -> None:
    answer = await post_site(node, id=random_id("S"), **body)
    assert answer.status_code == 422, answer.text
    assert needle in answer.text
    async with node.client() as http:
        assert (await http.get("/api/v1/sites")).json()["items"] == []  # nothing was stored


async def test_site_lifecycle_and_live_view(node: Node) -> None:
    created = await post_site(node, id="depot", name="Depot", grid_limit_a=63, fallback_limit_a=20)
    assert created.status_code == 201, created.text
    site = created.json()
    assert site["phases"] == 3 and site["voltage_v"] == 230 and site["min_current_a"] == 6
    assert site["safety_margin_a"] == 0 and site["meter"] is None and site["fallback_limit_a"] == 20
    assert site["live"]["limit"] == {
        "limit_a": 63.0,
        "source": "grid",
        "available_a": [63.0, 63.0, 63.0],
        "grid_limit_a": 63.0,
        "schedule_limit_a": None,
        "curtailment_limit_a": None,
        "curtailment_source": None,
        "meter_silent": False,
        "building_load_a": None,
        "next_change": None,
    }
    assert (await post_site(node, id="depot", grid_limit_a=10)).status_code == 409
    assert (await post_site(node, id="bad/id", grid_limit_a=10)).status_code == 422
    feeder = await post_site(node, id="feeder-a", parent_id="depot", grid_limit_a=32, safety_margin_a=2)
    assert feeder.status_code == 201
    assert feeder.json()["live"]["limit"]["available_a"] == [30.0, 30.0, 30.0]
    async with node.client() as http:
        # a cycle is refused, so is a null for a required field
        answer = await http.patch("/api/v1/sites/depot", json={"parent_id": "feeder-a"})
        assert answer.status_code == 422 and "cycle" in answer.text
        answer = await http.patch("/api/v1/sites/depot", json={"grid_limit_a": None})
        assert answer.status_code == 422
        answer = await http.patch("/api/v1/sites/depot", json={"grid_limit_a": 50, "safety_margin_a": 3})
        assert answer.status_code == 200 and answer.json()["live"]["limit"]["available_a"] == [47.0, 47.0, 47.0]
        assert (await http.patch("/api/v1/sites/nope", json={"grid_limit_a": 5})).status_code == 404
        listed = (await http.get("/api/v1/sites")).json()["items"]
        assert [s["id"] for s in listed] == ["depot", "feeder-a"]
        depot = (await http.get("/api/v1/sites/depot")).json()
        assert depot["live"]["children"] == ["feeder-a"] and depot["live"]["root"] == "depot"

        # a station on a site: PATCH /stations takes site_id, max_current_a, priority
        station_id = random_id()
        assert (await http.post("/api/v1/stations", json={"id": station_id})).status_code == 201
        answer = await http.patch(f"/api/v1/stations/{station_id}", json={"site_id": "nope"})
        assert answer.status_code == 422 and "unknown site" in answer.text
        answer = await http.patch(f"/api/v1/stations/{station_id}", json={"max_current_a": -3})
        assert answer.status_code == 422
        answer = await http.patch(
            f"/api/v1/stations/{station_id}", json={"site_id": "feeder-a", "max_current_a": 16, "priority": 2}
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["id"], body["site_id"], body["max_current_a"], body["priority"]) == (station_id, "feeder-a", 16, 2)
        energy = (await http.get(f"/api/v1/stations/{station_id}/energy")).json()
        assert energy["site_id"] == "feeder-a" and energy["live"]["connected"] is False
        feeder_view = (await http.get("/api/v1/sites/feeder-a")).json()
        assert [s["station_id"] for s in feeder_view["live"]["stations"]] == [station_id]

        # in use: cannot be deleted; moved away: can
        answer = await http.delete("/api/v1/sites/feeder-a")
        assert answer.status_code == 409 and station_id in answer.text
        answer = await http.delete("/api/v1/sites/depot")
        assert answer.status_code == 409 and "feeder-a" in answer.text
        answer = await http.patch(f"/api/v1/stations/{station_id}", json={"site_id": None})
        assert answer.status_code == 200 and answer.json()["site_id"] is None
        assert (await http.delete("/api/v1/sites/feeder-a")).status_code == 204
        assert (await http.delete("/api/v1/sites/depot")).status_code == 204
        assert (await http.get("/api/v1/sites/depot")).status_code == 404
        # deleting the station removes its energy settings with it
        assert (await http.delete(f"/api/v1/stations/{station_id}")).status_code == 204


async def test_curtailments_in_amps_and_kilowatts(node: Node) -> None:
    assert (await post_site(node, id="hub", grid_limit_a=100)).status_code == 201
    async with node.client() as http:
        base = "/api/v1/sites/hub/limits"
        for bad in (
            {"duration_s": 60},
            {"limit_a": 10, "limit_kw": 5, "duration_s": 60},
            {"limit_a": -1, "duration_s": 60},
            {"limit_a": 10, "duration_s": 0},
            {"limit_a": 10, "duration_s": 8 * 24 * 3600},
            {"limit_kw": 10, "duration_s": 60, "source": ""},
        ):
            answer = await http.post(base, json=bad)
            assert answer.status_code == 422, (bad, answer.text)
        assert (await http.post("/api/v1/sites/none/limits", json={"limit_a": 5, "duration_s": 5})).status_code == 404

        # 22 kW on 3 x 230 V: 31.8 A per phase (rounded down)
        answer = await http.post(base, json={"limit_kw": 22, "duration_s": 600, "source": "DSO"})
        assert answer.status_code == 201, answer.text
        first = answer.json()
        assert first["limit_a"] == 31.8 and first["limit_kw"] == 22 and first["active"] is True
        assert first["effective_limit_a"] == 31.8 and first["via"] == "rest"
        # the same source again replaces it; another source adds to it (the lowest wins)
        second = (await http.post(base, json={"limit_a": 40, "duration_s": 600, "source": "DSO"})).json()
        assert second["replaced"] == [first["id"]] and second["effective_limit_a"] == 40
        third = (await http.post(base, json={"limit_a": 35, "duration_s": 600, "source": "aggregator"})).json()
        assert third["replaced"] == [] and third["effective_limit_a"] == 35
        active = (await http.get(base)).json()["items"]
        assert sorted(item["limit_a"] for item in active) == [35, 40]
        live = (await http.get("/api/v1/sites/hub")).json()["live"]
        assert live["limit"]["source"] == "curtailment:aggregator" and live["limit"]["limit_a"] == 35
        # released early
        assert (await http.delete(f"{base}/{third['id']}")).status_code == 204
        assert (await http.delete(f"{base}/{third['id']}")).status_code == 409
        assert (await http.delete(f"{base}/999999")).status_code == 404
        live = (await http.get("/api/v1/sites/hub")).json()["live"]
        assert live["limit"]["limit_a"] == 40
        everything = (await http.get(base, params={"active": "false"})).json()["items"]
        assert len(everything) == 3 and sum(1 for item in everything if item["cleared_at"]) == 2


async def test_every_change_of_limit_is_an_event_and_an_audit_entry(node: Node) -> None:
    events = node.app.bus.subscribe("test-site-limits", None)
    assert (await post_site(node, id="audited", grid_limit_a=50)).status_code == 201
    async with node.client() as http:
        answer = await http.post("/api/v1/sites/audited/limits", json={"limit_a": 20, "duration_s": 2, "source": "DSO"})
        assert answer.status_code == 201
    seen: list[dict[str, Any]] = []
    async with asyncio.timeout(15):
        while len(seen) < 3:  # the grid limit, the curtailment, its end
            event = await events.get()
            if event.kind.value == "site.limit" and event.station_id == "site:audited":
                seen.append(event.data)
    node.app.bus.unsubscribe(events)
    assert [(e["limit_a"], e["source"]) for e in seen] == [(50, "grid"), (20, "curtailment:DSO"), (50, "grid")]
    assert seen[2]["previous_limit_a"] == 20

    async def audited() -> list[dict[str, Any]]:
        async with node.client() as http:
            items = (await http.get("/api/v1/audit", params={"limit": 100})).json()["items"]
        return [item for item in items if item["action"] == "site_limit_changed"]

    async with asyncio.timeout(10):
        while len(entries := await audited()) < 3:
            await asyncio.sleep(0.1)
    assert [(e["parameters"]["limit_a"], e["parameters"]["source"]) for e in reversed(entries)] == [
        (50, "grid"),
        (20, "curtailment:DSO"),
        (50, "grid"),
    ]
    assert all(e["method"] == "SYSTEM" and e["source"] == "energy" for e in entries)


async def test_weekly_schedule(node: Node) -> None:
    assert (await post_site(node, id="tou", grid_limit_a=80, timezone="Europe/Berlin")).status_code == 201
    async with node.client() as http:
        entries = [{"day": day, "start": "00:00", "limit_a": 25} for day in ("mon", "tue", "wed", "thu", "fri")]
        entries += [{"day": "sat", "start": "00:00", "limit_a": None}]
        answer = await http.put("/api/v1/sites/tou/schedule", json={"entries": entries})
        assert answer.status_code == 200, answer.text
        assert answer.json()["timezone"] == "Europe/Berlin" and len(answer.json()["entries"]) == 6
        bad = await http.put(
            "/api/v1/sites/tou/schedule",
            json={"entries": [{"day": "mon", "start": "10:00"}, {"day": "monday", "start": "10:00"}]},
        )
        assert bad.status_code == 422 and "two entries" in bad.text
        live = (await http.get("/api/v1/sites/tou")).json()["live"]["limit"]
        weekday = node.app.clock.now().astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin")).weekday()
        if weekday < 5:
            assert live["limit_a"] == 25 and live["source"] == "schedule"
        else:
            assert live["limit_a"] == 80 and live["source"] == "grid"
        assert live["next_change"] is not None


async def test_sites_are_fleet_objects_for_scoped_tokens(node: Node) -> None:
    assert (await post_site(node, id="fleet", grid_limit_a=50)).status_code == 201
    station_id = random_id()
    async with node.client() as http:
        assert (await http.post("/api/v1/stations", json={"id": station_id})).status_code == 201
        answer = await http.post(
            "/api/v1/tokens", json={"role": "admin", "name": "scoped-admin", "stations": [station_id]}
        )
        assert answer.status_code == 201, answer.text
        scoped = answer.json()["token"]
    async with node.client(scoped) as http:
        assert (await http.get("/api/v1/sites")).status_code == 403
        assert (await http.get("/api/v1/sites/fleet")).status_code == 403
        assert (await http.post("/api/v1/sites", json={"id": "x", "grid_limit_a": 5})).status_code == 403
        assert (await http.post("/api/v1/sites/fleet/limits", json={"limit_a": 5, "duration_s": 5})).status_code == 403
        assert (await http.get(f"/api/v1/stations/{station_id}/energy")).status_code == 403
        # its own station, but the site is not its own: the energy fields are refused, the others work
        answer = await http.patch(f"/api/v1/stations/{station_id}", json={"site_id": "fleet"})
        assert answer.status_code == 403 and "whole site" in answer.text
        answer = await http.patch(f"/api/v1/stations/{station_id}", json={"registration_status": "Pending"})
        assert answer.status_code == 200
    viewer = await node.token("viewer")
    async with node.client(viewer) as http:
        assert (await http.get("/api/v1/sites/fleet")).status_code == 200
        assert (await http.post("/api/v1/sites/fleet/limits", json={"limit_a": 5, "duration_s": 5})).status_code == 403
    operator = await node.token("operator")
    async with node.client(operator) as http:
        assert (await http.post("/api/v1/sites/fleet/limits", json={"limit_a": 5, "duration_s": 5})).status_code == 201
        assert (await http.post("/api/v1/sites", json={"id": "x", "grid_limit_a": 5})).status_code == 403


async def test_history_and_replan(node: Node) -> None:
    assert (await post_site(node, id="hist", grid_limit_a=30)).status_code == 201
    async with node.client() as http:
        answer = await http.post("/api/v1/sites/hist/replan")
        assert answer.status_code == 200, answer.text
        assert answer.json()["root"] == "hist" and answer.json()["allocations"] == {}
        points = (await http.get("/api/v1/sites/hist/history", params={"minutes": 5})).json()["points"]
        assert points and points[-1]["limit_a"] == 30 and points[-1]["allocations"] == {}
        assert (await http.get("/api/v1/sites/hist/history", params={"minutes": 0})).status_code == 422
