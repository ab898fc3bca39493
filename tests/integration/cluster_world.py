"""A cluster for tests: nodes (``chargebridge serve`` processes or in-process apps) on one
PostgreSQL schema and one NATS server, under a random network prefix so parallel runs never
see each other; everything is removed afterwards (schema, streams, buckets)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from chargebridge.security.secrets import hash_api_token, new_api_token
from chargebridge.services.clock import SystemClock
from chargebridge.store.repository import Store
from tests.conftest import PG_HOST, PG_PORT

NATS_HOST, NATS_PORT = "127.0.0.1", 4222
NATS_URL = f"nats://{NATS_HOST}:{NATS_PORT}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def purge_network(nats_url: str, prefix: str) -> None:
    """Delete every stream and bucket of the network ``prefix``."""
    import nats

    nc = await nats.connect(nats_url, connect_timeout=2, max_reconnect_attempts=0)
    try:
        js = nc.jetstream()
        for info in await js.streams_info():
            name = info.config.name or ""
            if name.startswith((f"{prefix}-", f"KV_{prefix}-")):
                with contextlib.suppress(Exception):
                    await js.delete_stream(name)
    finally:
        await nc.close()


@dataclass
class NodeProcess:
    node_id: str
    ocpp_port: int
    http_port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def ocpp_url(self) -> str:
        return f"ws://127.0.0.1:{self.ocpp_port}/ocpp"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def terminate(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class ClusterWorld:
    tmp_path: Path
    nats_url: str = NATS_URL
    prefix: str = field(default_factory=lambda: f"t{uuid.uuid4().hex[:10]}")
    schema: str = field(default_factory=lambda: f"cb_test_{uuid.uuid4().hex[:12]}")
    nodes: dict[str, NodeProcess] = field(default_factory=dict)
    apps: list[Any] = field(default_factory=list)
    token: str = ""

    @property
    def database_url(self) -> str:
        return f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/test?schema={self.schema}"

    @property
    def data_dir(self) -> Path:
        return self.tmp_path / "shared-data"  # one data directory for every node (firmware files)

    async def open(self) -> None:
        conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
        try:
            await conn.execute(f'CREATE SCHEMA "{self.schema}"')
        finally:
            await conn.close()
        store = await Store.open(self.database_url)  # migrations, once, before any node
        try:
            token_id, token = new_api_token()
            await store.add_api_token(
                token_id=token_id,
                name="test-admin",
                token_hash=hash_api_token(token),
                role="admin",
                now=SystemClock().now(),
                expires_at=None,
            )
            self.token = token
        finally:
            await store.close()

    async def close(self) -> None:
        for node in self.nodes.values():
            node.kill()
        for app in self.apps:
            with contextlib.suppress(Exception):
                await app.stop()
        with contextlib.suppress(Exception):
            await purge_network(self.nats_url, self.prefix)
        conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
        finally:
            await conn.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def env(self, **settings: object) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGEBRIDGE_")}
        env["CHARGEBRIDGE_CLUSTER_PREFIX"] = self.prefix
        for key, value in settings.items():
            env[f"CHARGEBRIDGE_{key.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
        return env

    async def start_process(self, node_id: str, **settings: object) -> NodeProcess:
        """``chargebridge serve`` as its own process, ready (``/readyz`` 200) when this returns."""
        ocpp_port, http_port = free_port(), free_port()
        log = self.tmp_path / f"node-{node_id}.log"
        command = [
            sys.executable,
            "-c",
            "from chargebridge.cli import main; main()",
            "serve",
            "--database-url",
            self.database_url,
            "--nats-url",
            self.nats_url,
            "--node-id",
            node_id,
            "--data-dir",
            str(self.data_dir),
            "--ocpp-port",
            str(ocpp_port),
            "--http-port",
            str(http_port),
            "--auto-register",
            "--log-level",
            "warning",
        ]
        defaults: dict[str, object] = {"call_timeout_s": 5.0, "cluster_node_ttl_s": 3.0, "cluster_lease_ttl_s": 4.0}
        defaults.update(settings)
        with log.open("wb") as out:
            proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=self.env(**defaults))  # noqa: ASYNC220
        node = NodeProcess(node_id, ocpp_port, http_port, proc, log)
        self.nodes[node_id] = node
        await self.wait_ready(node)
        return node

    async def wait_ready(self, node: NodeProcess, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=2.0) as http:
            while time.monotonic() < deadline:
                if node.proc.poll() is not None:
                    raise AssertionError(f"node {node.node_id} exited:\n{node.log_tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{node.http_url}/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.2)
        raise AssertionError(f"node {node.node_id} not ready in {timeout_s} s:\n{node.log_tail()}")

    async def start_app(self, tmp: Path, node_id: str, **settings: object) -> Any:
        """An in-process node (tests.conftest.start_node) of this network."""
        from tests.conftest import start_node

        defaults: dict[str, object] = {
            "nats_url": self.nats_url,
            "node_id": node_id,
            "cluster_prefix": self.prefix,
            "auto_register": True,
            "cluster_node_ttl_s": 3.0,
            "cluster_lease_ttl_s": 4.0,
        }
        defaults.update(settings)
        node = await start_node(tmp / node_id, self.database_url, **defaults)
        self.apps.append(node.app)
        return node

    def client(self, http_url: str, timeout: float = 15.0) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=http_url, headers={"Authorization": f"Bearer {self.token}"}, timeout=timeout)

    async def station_row(self, station_id: str) -> dict[str, Any] | None:
        conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
        try:
            row = await conn.fetchrow(f'SELECT * FROM "{self.schema}".stations WHERE id = $1', station_id)
        finally:
            await conn.close()
        return dict(row) if row is not None else None

    async def query(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
        try:
            await conn.execute(f'SET search_path TO "{self.schema}"')
            return [dict(r) for r in await conn.fetch(sql, *args)]
        finally:
            await conn.close()


async def until(condition: Any, timeout_s: float = 20.0, every_s: float = 0.1, what: str = "condition") -> Any:
    """Poll ``condition`` (sync or async callable) until it returns something truthy."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        await asyncio.sleep(every_s)
