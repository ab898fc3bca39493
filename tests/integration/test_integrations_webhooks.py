"""Webhooks: signed deliveries to a local receiver, retries with back-off, dead letters, persistence."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from pathlib import Path
from typing import Any

from chargebridge.integrations.webhooks import sign, verify
from tests.conftest import Node, random_id, start_node
from tests.integration.helpers import BOOT16, RawStation

SECRET = "a-webhook-secret-of-some-length"


class Receiver:
    """A minimal HTTP/1.1 server on a free loopback port that records requests."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        self.url = ""
        self._server: asyncio.Server | None = None
        self._arrived = asyncio.Event()

    async def __aenter__(self) -> Receiver:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/hook"
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while line := await reader.readline():
                assert line.startswith(b"POST /hook ")
                headers = {}
                while (header := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = header.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests.append((headers, body))
                self._arrived.set()
                writer.write(f"HTTP/1.1 {self.status} Whatever\r\nContent-Length: 0\r\n\r\n".encode())
                await writer.drain()
        writer.close()

    async def wait_for(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            assert time.monotonic() < deadline, f"only {len(self.requests)} of {count} requests arrived"
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), 0.1)


async def subscribe(node: Node, url: str, kinds: list[str], secret: str | None = SECRET) -> dict[str, Any]:
    async with node.client() as api:
        response = await api.post("/api/v1/webhooks", json={"url": url, "kinds": kinds, "secret": secret})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_signature_covers_timestamp_and_body() -> None:
    body = b'{"id":"1"}'
    signature = sign(SECRET, 1700000000, body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify(SECRET, "1700000000", body, signature)
    assert not verify(SECRET, "1700000001", body, signature)
    assert not verify(SECRET, "1700000000", body + b" ", signature)
    assert not verify("another-secret-entirely", "1700000000", body, signature)


async def test_signed_events_arrive_filtered_by_kind(node: Node) -> None:
    async with Receiver() as receiver:
        created = await subscribe(node, receiver.url, ["station.connected", "station.booted"])
        assert created["secret"] == SECRET
        async with node.client() as api:
            listed = (await api.get("/api/v1/webhooks")).json()["items"]
            assert [s["id"] for s in listed] == [created["id"]] and "secret" not in listed[0]
            viewer = await node.token("viewer")
            assert (await api.get("/api/v1/webhooks", headers={"Authorization": f"Bearer {viewer}"})).status_code == 403

        station_id = random_id()
        station = await RawStation.open(node.ocpp_url, station_id)
        await station.call("BootNotification", BOOT16)
        await station.call("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available"})
        await station.close()
        await receiver.wait_for(2)
        await asyncio.sleep(0.2)  # nothing else (status, disconnect) may follow
        assert len(receiver.requests) == 2
        kinds = []
        for headers, body in receiver.requests:
            assert verify(SECRET, headers["x-chargebridge-timestamp"], body, headers["x-chargebridge-signature"])
            assert abs(int(headers["x-chargebridge-timestamp"]) - time.time()) < 60
            assert headers["content-type"] == "application/json"
            payload = json.loads(body)
            assert payload["id"] == headers["x-chargebridge-event-id"] == str(uuid.UUID(payload["id"]))
            assert payload["station_id"] == station_id and headers["x-chargebridge-event"] == payload["kind"]
            kinds.append(payload["kind"])
        assert kinds == ["station.connected", "station.booted"]


async def test_failing_receiver_gets_retries_then_dead_letter_then_replay(tmp_path: Path) -> None:
    config = tmp_path / "cb.toml"
    config.write_text("[webhooks]\nmax_attempts = 3\ninitial_backoff_s = 0.05\nmax_backoff_s = 0.2\n")
    node = await start_node(tmp_path, None, auto_register=True, config_file=config)
    try:
        async with Receiver() as receiver, node.client() as api:
            receiver.status = 500
            created = await subscribe(node, receiver.url, ["station.connected"], secret=None)
            secret = created["secret"]
            assert len(secret) >= 32
            station = await RawStation.open(node.ocpp_url, random_id())
            await receiver.wait_for(3)
            event_ids = {h["x-chargebridge-event-id"] for h, _ in receiver.requests}
            assert len(event_ids) == 1  # the same event, retried
            assert [h["x-chargebridge-attempt"] for h, _ in receiver.requests] == ["1", "2", "3"]
            for headers, body in receiver.requests:
                assert verify(secret, headers["x-chargebridge-timestamp"], body, headers["x-chargebridge-signature"])

            letters: list[dict[str, Any]] = []
            for _ in range(100):
                letters = (await api.get("/api/v1/webhooks/dead-letters")).json()["items"]
                if letters:
                    break
                await asyncio.sleep(0.02)
            assert len(letters) == 1
            letter = letters[0]
            assert letter["event_id"] in event_ids and letter["attempts"] == 3
            assert letter["last_error"] == "HTTP 500" and letter["subscription_id"] == created["id"]
            assert letter["payload"]["kind"] == "station.connected"
            await asyncio.sleep(0.3)
            assert len(receiver.requests) == 3  # no fourth attempt

            receiver.status = 204
            retried = await api.post(f"/api/v1/webhooks/dead-letters/{letter['id']}/retry")
            assert retried.status_code == 202
            await receiver.wait_for(4)
            assert receiver.requests[3][0]["x-chargebridge-event-id"] == letter["event_id"]
            assert (await api.get("/api/v1/webhooks/dead-letters")).json()["total"] == 0
            stats = (await api.get(f"/api/v1/webhooks/{created['id']}")).json()["stats"]
            assert stats == {"pending": 0, "delivered": 1, "failed_attempts": 3, "dead_lettered": 1}
            assert (await api.post(f"/api/v1/webhooks/dead-letters/{letter['id']}/retry")).status_code == 404
            await station.close()
    finally:
        await node.app.stop()


async def test_subscriptions_persist_across_restarts_and_can_be_deleted(tmp_path: Path) -> None:
    node = await start_node(tmp_path, None, auto_register=True)
    try:
        created = await subscribe(node, "http://127.0.0.1:9/never", [])
    finally:
        await node.app.stop()
    node = await start_node(tmp_path, None, auto_register=True)
    try:
        async with node.client() as api:
            got = await api.get(f"/api/v1/webhooks/{created['id']}")
            assert (
                got.status_code == 200 and got.json()["kinds"] == [] and got.json()["url"] == "http://127.0.0.1:9/never"
            )
            assert (await api.delete(f"/api/v1/webhooks/{created['id']}")).status_code == 204
            assert (await api.delete(f"/api/v1/webhooks/{created['id']}")).status_code == 404
            assert (await api.get("/api/v1/webhooks")).json()["items"] == []
            bad = await api.post("/api/v1/webhooks", json={"url": "not a url", "kinds": ["no.such.kind"]})
            assert bad.status_code == 422
    finally:
        await node.app.stop()
