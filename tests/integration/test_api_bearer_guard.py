"""Refused bearer tokens are answered clearly, counted (Prometheus), logged with the source address
(never the token) and throttled per address (issue #11 item 10, issue #19 item 4); every /api answer
carries the security headers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Node, start_node

UNKNOWN = "cb_0123456789abcdef_not-a-real-token-at-all"


@pytest.fixture
async def strict_node(tmp_path: Path) -> AsyncIterator[Node]:
    node = await start_node(tmp_path, None, api_auth_failure_limit=3, api_auth_lockout_s=1.0)
    try:
        yield node
    finally:
        await node.app.stop()


def client(node: Node, token: str | None, source: str = "127.0.0.1") -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    transport = httpx.AsyncHTTPTransport(local_address=source)
    return httpx.AsyncClient(base_url=node.http_url, headers=headers, transport=transport, timeout=15)


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{name} not in the metrics")


async def test_each_refusal_has_its_own_message(sqlite_node: Node) -> None:
    async with sqlite_node.client() as http:
        created = (await http.post("/api/v1/tokens", json={"role": "viewer", "name": "gone"})).json()
        assert (await http.delete(f"/api/v1/tokens/{created['id']}")).status_code == 204
    cases = {
        None: "a valid 'Authorization: Bearer <token>' header is required",
        UNKNOWN: "token not recognised or revoked",
        created["token"]: "token not recognised or revoked",
    }
    for token, detail in cases.items():
        async with client(sqlite_node, token) as http:
            answer = await http.get("/api/v1/stations")
            assert answer.status_code == 401 and answer.json()["detail"] == detail
            assert answer.headers["www-authenticate"] == "Bearer"
    async with sqlite_node.client() as http:
        basic = await http.get("/api/v1/stations", headers={"Authorization": "Basic dXNlcjpwYXNz"})
        assert basic.json()["detail"] == cases[None]
    store = sqlite_node.app.store
    assert store is not None
    from chargebridge.security.secrets import hash_api_token, new_api_token

    token_id, expired = new_api_token()
    now = sqlite_node.app.clock.now()
    await store.add_api_token(
        token_id=token_id, name="old", token_hash=hash_api_token(expired), role="viewer", now=now, expires_at=now
    )
    async with client(sqlite_node, expired) as http:
        answer = await http.get("/api/v1/stations")
        assert answer.status_code == 401 and answer.json()["detail"] == "token expired"


async def test_wrong_tokens_are_counted_logged_and_locked_out_per_address(
    strict_node: Node, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="chargebridge.security.bearer")
    async with client(strict_node, None) as anonymous:
        for _ in range(5):  # a missing header guesses nothing: never locked out
            assert (await anonymous.get("/api/v1/stations")).status_code == 401
    async with client(strict_node, UNKNOWN) as wrong:
        for _ in range(3):
            answer = await wrong.get("/api/v1/stations")
            assert answer.status_code == 401
        locked = await wrong.get("/api/v1/stations")
        assert locked.status_code == 429 and 1 <= int(locked.headers["retry-after"]) <= 1
    async with client(strict_node, strict_node.admin_token) as right:
        assert (await right.get("/api/v1/stations")).status_code == 429  # even a right token, from there
    async with client(strict_node, strict_node.admin_token, source="127.0.0.2") as elsewhere:
        assert (await elsewhere.get("/api/v1/stations")).status_code == 200  # other addresses are not affected
        scraped = (await elsewhere.get("/metrics")).text
    assert metric(scraped, 'chargebridge_api_auth_failures_total{reason="unknown"}') == 3
    assert metric(scraped, 'chargebridge_api_auth_failures_total{reason="missing"}') == 5
    assert metric(scraped, "chargebridge_api_auth_lockouts_total") == 1
    assert metric(scraped, "chargebridge_api_auth_throttled_total") == 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum("refused (unknown) from 127.0.0.1: GET /api/v1/stations" in w for w in warnings) == 3
    assert any("127.0.0.1 locked out of the API" in w for w in warnings)
    assert not any(UNKNOWN in r.getMessage() or "not-a-real" in r.getMessage() for r in caplog.records)
    await asyncio.sleep(1.1)  # the lockout ends
    async with client(strict_node, strict_node.admin_token) as right:
        assert (await right.get("/api/v1/stations")).status_code == 200


async def test_api_answers_carry_security_headers(sqlite_node: Node) -> None:
    async with sqlite_node.client() as http:
        answers = [
            await http.get("/api/v1/stations"),
            await http.get("/api/v1/stations/NOPE"),
            await http.get("/api/v1/no-such-route"),
            await http.get("/api/v1/exports/transactions.csv"),
            await http.post("/api/v1/stations", json={"id": ""}),
            await http.get("/api/v1/stations", headers={"Authorization": ""}),
        ]
        dashboard = await http.get("/")
    for answer in answers:
        headers = answer.headers
        assert headers["x-content-type-options"] == "nosniff", answer.request.url
        assert headers["cache-control"] == "no-store"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["content-security-policy"].startswith("default-src 'none'")
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert [a.status_code for a in answers] == [200, 404, 404, 200, 422, 401]
    assert dashboard.headers["content-security-policy"].startswith("default-src 'self'")  # the page keeps its own
