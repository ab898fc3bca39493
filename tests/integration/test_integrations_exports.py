"""CSV / XML exports of transactions: streamed, filtered, and the XML valid against the shipped XSD."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.integrations.exports import COLUMNS, XML_NAMESPACE, xsd_text
from chargebridge.store.schema import transactions
from tests.conftest import Node, random_id, start_node
from tests.integration.helpers import BOOT16, RawStation

T0 = datetime(2024, 5, 1, tzinfo=UTC)
BULK = 1203


@pytest.fixture
async def export_node(tmp_path: Path) -> AsyncIterator[Node]:
    config = tmp_path / "cb.toml"
    config.write_text("[exports]\npage_size = 100\n")
    node = await start_node(tmp_path, None, auto_register=True, config_file=config)
    try:
        yield node
    finally:
        await node.app.stop()


async def add_bulk(node: Node, station_id: str, count: int) -> None:
    rows = [
        {
            "station_id": station_id,
            "transaction_id": f"bulk-{i}",
            "ocpp_version": "2.0.1",
            "evse_id": 1,
            "connector_id": 1,
            "started_at": T0 + timedelta(minutes=i),
            "stopped_at": T0 + timedelta(minutes=i, seconds=90),
            "meter_start_wh": 1000.0 * i,
            "meter_stop_wh": 1000.0 * i + 750.5,
            "energy_wh": 750.5,
            "active": False,
            "stop_reason": "Local",
            "updated_at": T0,
        }
        for i in range(count)
    ]

    async def op(conn: AsyncConnection) -> None:
        await conn.execute(insert(transactions), rows)

    assert node.app.store is not None
    await node.app.store.writer.run(op)


async def real_transaction(node: Node, station_id: str, id_tag: str) -> None:
    station = await RawStation.open(node.ocpp_url, station_id)
    try:
        await station.call("BootNotification", BOOT16)
        started = await station.call(
            "StartTransaction",
            {"connectorId": 1, "idTag": id_tag, "meterStart": 100, "timestamp": "2024-06-01T10:00:00Z"},
        )
        assert started[0] == 3
        await station.call(
            "StopTransaction",
            {"transactionId": started[2]["transactionId"], "meterStop": 5100, "timestamp": "2024-06-01T11:30:00Z"},
        )
    finally:
        await station.close()


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def validated(text: str) -> Any:
    schema = xmlschema.XMLSchema(xsd_text())
    schema.validate(text)  # raises with the exact violation
    return schema.to_dict(text)


async def test_csv_and_xml_exports_stream_all_pages_and_validate(export_node: Node) -> None:
    node = export_node
    bulk_station, real_station = random_id("BULK"), random_id()
    await add_bulk(node, bulk_station, BULK)
    await real_transaction(node, real_station, "=1+2<&>\x01")
    async with node.client() as api:
        async with api.stream("GET", "/api/v1/exports/transactions.csv") as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/csv")
            assert "content-length" not in response.headers  # streamed
            chunks = [chunk async for chunk in response.aiter_bytes()]
        rows = parse_csv(b"".join(chunks).decode())
        assert len(rows) == BULK + 1
        assert list(rows[0]) == [c.name for c in COLUMNS]
        assert [r["transaction_id"] for r in rows[:BULK]] == [f"bulk-{i}" for i in range(BULK)]
        assert rows[5]["started_at"] == "2024-05-01T00:05:00.000Z" and rows[5]["duration_s"] == "90.0"
        assert rows[5]["energy_wh"] == "750.5" and rows[5]["active"] == "false" and rows[5]["id_token"] == ""
        real = rows[-1]
        assert real["station_id"] == real_station and real["energy_wh"] == "5000.0"
        assert real["id_token"] == "'=1+2<&>\x01"  # neutralised formula
        assert real["duration_s"] == "5400.0" and real["ocpp_version"] == "1.6"

        response = await api.get("/api/v1/exports/transactions.xml")
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
        document = validated(response.text)
        items = document["transaction"]
        assert len(items) == BULK + 1
        assert items[-1]["id_token"] == "=1+2<&>\ufffd"  # escaped, illegal XML character replaced
        assert items[0]["energy_wh"] == 750.5 and items[0]["active"] is False
        assert "evse_id" in items[0] and "id_token" not in items[0]  # unknown values are left out
        assert f'xmlns="{XML_NAMESPACE}"' in response.text[:300]

        xsd = await api.get("/api/v1/exports/transactions.xsd")
        assert xsd.status_code == 200 and xsd.text == xsd_text()


async def test_filters_station_since_until_active(export_node: Node) -> None:
    node = export_node
    a, b = random_id("A"), random_id("B")
    await add_bulk(node, a, 30)
    await add_bulk(node, b, 5)
    viewer = await node.token("viewer")
    async with node.client(viewer) as api:
        rows = parse_csv((await api.get("/api/v1/exports/transactions.csv", params={"station_id": b})).text)
        assert {r["station_id"] for r in rows} == {b} and len(rows) == 5
        params = {"station_id": a, "since": "2024-05-01T00:10:00Z", "until": "2024-05-01T00:20:00Z"}
        rows = parse_csv((await api.get("/api/v1/exports/transactions.csv", params=params)).text)
        assert [r["transaction_id"] for r in rows] == [f"bulk-{i}" for i in range(10, 20)]
        xml = await api.get("/api/v1/exports/transactions.xml", params=params)
        assert [t["transaction_id"] for t in validated(xml.text)["transaction"]] == [f"bulk-{i}" for i in range(10, 20)]
        assert parse_csv((await api.get("/api/v1/exports/transactions.csv", params={"active": "true"})).text) == []
        empty = await api.get("/api/v1/exports/transactions.xml", params={"station_id": "nobody"})
        assert validated(empty.text).get("transaction", []) == []
        backwards = {"since": "2024-05-02T00:00:00Z", "until": "2024-05-01T00:00:00Z"}
        assert (await api.get("/api/v1/exports/transactions.csv", params=backwards)).status_code == 422
    async with node.client("not-a-token") as anonymous:
        assert (await anonymous.get("/api/v1/exports/transactions.csv")).status_code == 401


def test_xsd_lists_exactly_the_export_columns() -> None:
    schema = xmlschema.XMLSchema(xsd_text())
    transaction_type = schema.types["Transaction"]
    names = [element.local_name for element in transaction_type.content.iter_elements()]
    assert names == [c.name for c in COLUMNS]
