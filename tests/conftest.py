"""Shared fixtures: a real chargebridge node on free loopback ports, on SQLite or PostgreSQL."""

from __future__ import annotations

import os
import secrets
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from chargebridge.app import Chargebridge
from chargebridge.config import Settings
from chargebridge.security.secrets import hash_api_token, new_api_token

PG_HOST, PG_PORT = "127.0.0.1", 5432
REQUIRE_SERVICES = os.environ.get("CHARGEBRIDGE_REQUIRE_SERVICES") == "1"


def service_available(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def need_service(name: str, host: str, port: int) -> None:
    if service_available(host, port):
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{name} on {host}:{port} is required (CHARGEBRIDGE_REQUIRE_SERVICES=1) but not reachable")
    pytest.skip(f"{name} is not running on {host}:{port}")


@dataclass
class Node:
    app: Chargebridge
    ocpp_url: str
    http_url: str
    admin_token: str

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token or self.admin_token}"}
        return httpx.AsyncClient(base_url=self.http_url, headers=headers, timeout=15)

    async def token(self, role: str) -> str:
        token_id, token = new_api_token()
        assert self.app.store is not None
        await self.app.store.add_api_token(
            token_id=token_id,
            name=role,
            token_hash=hash_api_token(token),
            role=role,
            now=self.app.clock.now(),
            expires_at=None,
        )
        return token


async def start_node(tmp_path: Path, database_url: str | None = None, **settings: object) -> Node:
    defaults: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "database_url": database_url,
        "ocpp_port": 0,
        "http_port": 0,
        "heartbeat_interval_s": 60,
        "call_timeout_s": 5.0,
        "log_level": "warning",
    }
    defaults.update(settings)
    app = Chargebridge(Settings(**defaults))  # type: ignore[arg-type]
    running = await app.start()
    node = Node(app, f"ws://127.0.0.1:{running.ocpp_port}/ocpp", f"http://127.0.0.1:{running.http_port}", "")
    node.admin_token = await node.token("admin")
    return node


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def node(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Node]:
    """A running node, once on SQLite and once on PostgreSQL."""
    url = None
    schema = None
    if request.param == "postgresql":
        need_service("PostgreSQL", PG_HOST, PG_PORT)
        import asyncpg

        schema = f"cb_test_{uuid.uuid4().hex[:12]}"
        conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        await conn.close()
        url = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/test?schema={schema}"
    node = await start_node(tmp_path, url, auto_register=True)
    try:
        yield node
    finally:
        await node.app.stop()
        if schema is not None:
            import asyncpg

            conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
            await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await conn.close()


@pytest.fixture
async def pg_schema_url() -> AsyncIterator[str]:
    """A PostgreSQL URL whose tables go to a fresh schema, dropped afterwards."""
    need_service("PostgreSQL", PG_HOST, PG_PORT)
    import asyncpg

    schema = f"cb_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/test?schema={schema}"
    finally:
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()


@pytest.fixture
async def sqlite_node(tmp_path: Path) -> AsyncIterator[Node]:
    node = await start_node(tmp_path, None, auto_register=True)
    try:
        yield node
    finally:
        await node.app.stop()


def random_id(prefix: str = "CP") -> str:
    return f"{prefix}-{secrets.token_hex(4)}"
