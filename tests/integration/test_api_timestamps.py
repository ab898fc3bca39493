"""Every timestamp the API emits carries its offset (issue #19, item 3).

A time without ``Z`` or ``+hh:mm`` is read by a browser as *its* local time, so the same fault
showed different hours on two dashboard pages in a non-UTC zone. The test walks every GET
operation of the served OpenAPI document against a node seeded with data of every kind (the
world of the station-scope tests: transactions, faults, security events, firmware images and
campaigns, diagnostics, reservations, certificates, webhooks, tokens ...) and asserts that every
string that looks like a date-time, anywhere in a JSON answer (or in a text answer such as a CSV
export), has an offset.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.scoped_world import World, seed_world, start_world_node
from tests.integration.test_scope_walk import operations, path_variants

# A date and a time of day: what a browser's Date() would read as a point in time.
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", re.IGNORECASE)
# GETs whose answer is not a document (a live stream read elsewhere, a firmware image's bytes).
SKIPPED_TYPES = ("text/event-stream", "application/octet-stream")


def naive_datetimes(value: Any, where: str = "$") -> Iterator[str]:
    """Every date-time text without an offset inside a decoded JSON value, with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from naive_datetimes(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from naive_datetimes(item, f"{where}[{index}]")
    elif isinstance(value, str):
        yield from (f"{where}: {text}" for text in naive_in_text(value))


def naive_in_text(text: str) -> list[str]:
    return [match.group(0) for match in DATETIME.finditer(text) if match.group(1) is None]


def test_the_check_itself() -> None:
    assert list(naive_datetimes({"a": "2030-01-01T10:00:00", "b": ["2030-01-01 10:00:00.123"]})) == [
        "$.a: 2030-01-01T10:00:00",
        "$.b[0]: 2030-01-01 10:00:00.123",
    ]
    fine = {"a": "2030-01-01T10:00:00Z", "b": "2030-01-01T10:00:00.5+00:00", "c": "2030-01-01", "d": "10:00"}
    assert list(naive_datetimes(fine)) == []
    assert naive_in_text("id,at\n1,2030-01-01T10:00:00\n2,2030-01-01T10:00:00-05:00\n") == ["2030-01-01T10:00:00"]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    node = await start_world_node(tmp_path, api_auth_failure_limit=100_000)
    try:
        world = await seed_world(node)
    except BaseException:
        await node.app.stop()
        raise
    try:
        yield world
    finally:
        await world.close()


@pytest.mark.timeout(300)
async def test_every_get_answer_has_only_timestamps_with_an_offset(world: World) -> None:
    problems: list[str] = []
    checked = 0
    async with world.client() as http:
        ops = [(method, template, op) for method, template, op in await operations(http) if method == "GET"]
        assert len(ops) > 50, len(ops)
        for _method, template, op in ops:
            params = op.get("parameters", [])
            query = {
                p["name"]: {"vendor": "Acme", "model": "A1", "version": "2.0.0"}.get(p["name"], "x")
                for p in params
                if p["in"] == "query" and p.get("required")
            }
            for values, _out in path_variants(world, "GET", template, params)[:1]:
                url = re.sub(r"\{([^}]+)\}", lambda m, v=values: v[m.group(1)], template)  # type: ignore[misc]
                async with http.stream("GET", url, params=query) as answer:
                    kind = answer.headers.get("content-type", "")
                    if kind.startswith(SKIPPED_TYPES) or answer.status_code >= 400:
                        continue
                    body = (await answer.aread()).decode(errors="replace")
                checked += 1
                found = list(naive_datetimes(json.loads(body))) if "json" in kind else naive_in_text(body)
                problems.extend(f"GET {url}: {item}" for item in found)
        # The fleet feeds and the exports, with the filters the dashboard uses.
        for url, query in [
            ("/api/v1/fleet/faults", {"active": "false", "limit": "100"}),
            ("/api/v1/fleet/events", {"limit": "100"}),
            ("/api/v1/fleet/sessions", {"limit": "100"}),
            ("/api/v1/exports/transactions.csv", {}),
        ]:
            answer = await http.get(url, params=query)
            if answer.status_code == 404 and url.startswith("/api/v1/exports"):
                continue
            assert answer.status_code == 200, (url, answer.status_code, answer.text[:200])
            body = answer.text
            assert DATETIME.search(body), f"{url} holds no timestamp to check: {body[:200]}"
            is_json = "json" in answer.headers["content-type"]
            found = list(naive_datetimes(answer.json())) if is_json else naive_in_text(body)
            problems.extend(f"GET {url}: {item}" for item in found)
    assert checked > 50, checked
    assert not problems, f"{len(problems)} naive timestamps:\n" + "\n".join(problems[:60])


async def test_stored_times_read_back_aware_on_sqlite_and_postgresql(node: Any) -> None:
    """The column type hands back aware UTC datetimes whatever the database (SQLite keeps no zone)."""
    from datetime import UTC, datetime, timedelta, timezone

    from sqlalchemy import insert, select

    from chargebridge.store.schema import station_events

    store = node.app.store
    at = datetime(2030, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))  # 10:00 UTC
    async with store.engine.begin() as conn:
        await conn.execute(insert(station_events).values(station_id="TZ-1", at=at, kind="probe", data={}))
    async with store.engine.connect() as conn:
        value = (await conn.execute(select(station_events.c.at).where(station_events.c.kind == "probe"))).scalar_one()
    assert value == datetime(2030, 1, 1, 10, 0, tzinfo=UTC)
    assert value.utcoffset() == timedelta(0)
    async with httpx.AsyncClient(base_url=node.http_url, headers={"Authorization": f"Bearer {node.admin_token}"}) as h:
        items = (await h.get("/api/v1/fleet/events", params={"kind": "probe"})).json()["items"]
    assert [item["at"] for item in items] in (["2030-01-01T10:00:00Z"], ["2030-01-01T10:00:00+00:00"])
