"""Hostile HTTP bodies (issue 11, items 2 and 7): the token is checked before a byte of the body
is read, bodies are capped per route (413), JSON depth and sizes are capped before pydantic sees
them, firmware images stream to disk, and 422 answers never echo secrets or huge values."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
import tracemalloc
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import pytest
from bench.flood import http_exchange, http_status

from chargebridge.api.limits import too_large
from chargebridge.sim.firmware import make_image
from tests.conftest import Node, random_id, start_node

STATIONS = "/api/v1/stations"


async def raw_exchange(
    node: Node, head: str, body: Iterable[bytes] = (), timeout: float = 10.0
) -> tuple[int, dict[str, Any]]:
    """Send a request head (and maybe a body, piece by piece), return the answer's status and JSON."""
    answer = await asyncio.to_thread(http_exchange, node.http_url, head.replace("\n", "\r\n").encode(), body, timeout)
    assert http_status(answer), answer
    return int(http_status(answer)), json.loads(answer.split(b"\r\n\r\n", 1)[1])


def post_head(path: str, length: int, token: str | None = None, content_type: str = "application/json") -> str:
    auth = f"Authorization: Bearer {token}\n" if token else ""
    return f"POST {path} HTTP/1.1\nHost: x\nContent-Type: {content_type}\n{auth}Content-Length: {length}\n\n"


async def test_body_without_a_token_is_refused_before_it_is_read(sqlite_node: Node) -> None:
    # 30 MB announced, 1 KB sent: the answer must come without waiting for the rest.
    started = time.monotonic()
    status, body = await raw_exchange(sqlite_node, post_head(STATIONS, 30_000_000), [b"[" * 1024] * 20)
    assert status == 401 and "Bearer" in body["detail"]
    assert time.monotonic() - started < 5
    status, _ = await raw_exchange(sqlite_node, post_head(STATIONS, 30_000_000, "cb_0000_not-a-token"), [b"{"])
    assert status == 401


async def test_declared_body_over_the_cap_is_refused_before_it_is_read(sqlite_node: Node) -> None:
    token = sqlite_node.admin_token
    status, body = await raw_exchange(sqlite_node, post_head(STATIONS, 30_000_000, token), [b"{"] * 20)
    assert status == 413
    assert body["detail"] == "the request body is larger than 1048576 bytes, the limit for this route"


async def test_chunked_body_over_the_cap_is_refused_once_it_passes_it(sqlite_node: Node) -> None:
    head = (
        f"POST {STATIONS} HTTP/1.1\nHost: x\nContent-Type: application/json\n"
        f"Authorization: Bearer {sqlite_node.admin_token}\nTransfer-Encoding: chunked\n\n"
    )
    piece = b" " * 65536
    chunks = [b"%x\r\n" % len(piece) + piece + b"\r\n"] * 64 + [b"0\r\n\r\n"]  # 4 MiB
    status, body = await raw_exchange(sqlite_node, head, chunks)
    assert status == 413
    assert body["detail"] == "the request body is larger than 1048576 bytes, the limit for this route"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ('{"id": ' + "[" * 100 + "]" * 100 + "}", "nested deeper than 32 levels"),
        ("[" * 200_000 + "]" * 200_000, "nested deeper than 32 levels"),
        ('{"id": [' + ",".join(["0"] * 20_000) + "]}", "an array or object has more than 10000 items"),
        ("{" + ",".join(f'"k{i}": 0' for i in range(20_000)) + "}", "an array or object has more than 10000 items"),
    ],
    ids=["deep", "very-deep", "long-array", "wide-object"],
)
async def test_json_too_deep_or_too_long_is_refused_before_validation(
    sqlite_node: Node, body: str, fragment: str
) -> None:
    async with sqlite_node.client() as client:
        response = await client.post(STATIONS, content=body, headers={"Content-Type": "application/json"})
        audit = (await client.get("/api/v1/audit", params={"limit": 1})).json()["items"]
    assert response.status_code == 422, response.text
    assert fragment in response.json()["detail"]
    # The refusal is audited (a body too deep to parse is recorded by its size).
    assert audit and audit[0]["status_code"] == 422 and audit[0]["method"] == "POST"


async def test_ordinary_json_and_invalid_json_still_reach_the_api(sqlite_node: Node) -> None:
    async with sqlite_node.client() as client:
        created = await client.post(STATIONS, json={"id": random_id()})
        broken = await client.post(STATIONS, content=b'{"id": ', headers={"Content-Type": "application/json"})
    assert created.status_code == 201, created.text
    assert broken.status_code == 422 and broken.json()["detail"][0]["type"] == "json_invalid"


# -- 422 answers never echo secrets or huge values ----------------------------------------------


async def test_validation_errors_do_not_echo_passwords(sqlite_node: Node) -> None:
    password = "Sup3r-Secret-Station-Pw"
    async with sqlite_node.client() as client:
        too_short = await client.post(STATIONS, json={"id": random_id(), "password": "sh0rt-secret"})
        # a model-level error: pydantic's input is the whole body, password included
        wrong_profile = await client.post(
            STATIONS, json={"id": random_id(), "password": password, "security_profile": 0}
        )
        missing = await client.put(f"{STATIONS}/CP-1/security", json={"password": password})
    for response in (too_short, wrong_profile, missing):
        assert response.status_code == 422, response.text
        assert "sh0rt-secret" not in response.text and password not in response.text, response.text
    assert too_short.json()["detail"][0]["loc"] == ["body", "password"]
    assert "input" not in too_short.json()["detail"][0]
    assert wrong_profile.json()["detail"][0]["input"]["password"] == "***"
    assert wrong_profile.json()["detail"][0]["input"]["security_profile"] == 0


async def test_validation_errors_do_not_echo_huge_values(tmp_path: Path) -> None:
    node = await start_node(tmp_path, None, api_max_body_bytes=32 * 2**20)
    try:
        huge = "A" * (20 * 2**20)
        async with node.client() as client:
            response = await client.post(STATIONS, json={"id": huge})
            renamed = await client.put("/api/v1/firmware/hardware", json={huge: {"hardware_revision": 5}})
        assert response.status_code == 422
        assert len(response.content) < 2048, len(response.content)
        error = response.json()["detail"][0]
        assert error["loc"] == ["body", "id"] and error["type"] == "string_too_long"
        assert error["input"].startswith("A" * 64) and len(error["input"]) < 120
        assert "20971520 characters" in error["input"]
        assert renamed.status_code == 422 and len(renamed.content) < 2048
    finally:
        await node.app.stop()


# -- firmware images stream to disk ----------------------------------------------------------


async def test_firmware_image_streams_to_disk_without_buffering(tmp_path: Path) -> None:
    node = await start_node(tmp_path, None)
    try:
        image = make_image("9.9.9") + bytes(range(256)) * (32 * 4096)  # 32 MiB
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            async with node.client() as client:
                response = await client.post(
                    "/api/v1/firmware/images",
                    params={"vendor": "V", "model": "M", "version": "9.9.9"},
                    content=_pieces(image),
                )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert response.status_code == 201, response.text
        row = response.json()
        assert row["size"] == len(image) and row["sha256"] == _sha256(image)
        stored = tmp_path / "data" / "firmware" / "images" / row["id"]
        assert stored.read_bytes() == image
        assert peak < 8 * 2**20, f"peak traced memory {peak / 2**20:.1f} MiB for a 32 MiB image"
        async with node.client() as client:
            shown = (await client.get(f"/api/v1/firmware/images/{row['id']}")).json()
        assert shown["signature_valid"] is True
        _verify(shown["signature"], shown["signing_certificate"], image)
    finally:
        await node.app.stop()


async def test_firmware_image_upload_limits_and_multipart(tmp_path: Path) -> None:
    node = await start_node(tmp_path, None, firmware_max_image_bytes=2**20)
    params = {"vendor": "V", "model": "M", "version": "1.0.0"}
    try:
        async with node.client() as client:
            path = "/api/v1/firmware/images?vendor=V&model=M&version=1"
            declared = await raw_exchange(node, post_head(path, 30_000_000, node.admin_token, "x/y"), [b"x"] * 20)
            assert declared == (413, {"detail": too_large(2**20 + 64 * 1024)})
            # Under the route's cap (image limit + multipart slack) but over the image limit: 413 while streaming.
            head = f"POST {path} HTTP/1.1\nHost: x\nAuthorization: Bearer {node.admin_token}\n"
            piece = b"x" * 65536
            chunks = [b"%x\r\n" % len(piece) + piece + b"\r\n"] * 17 + [b"0\r\n\r\n"]
            chunked = await raw_exchange(node, head + "Transfer-Encoding: chunked\n\n", chunks)
            assert chunked == (413, {"detail": "the image is larger than 1048576 bytes"})
            image = make_image("1.0.0")
            files = {"file": ("fw-1.0.0.bin", image, "application/octet-stream")}
            multipart = await client.post(
                "/api/v1/firmware/images", params=params, data={"notes": "a form field first"}, files=files
            )
            assert multipart.status_code == 201, multipart.text
            assert multipart.json()["filename"] == "fw-1.0.0.bin" and multipart.json()["size"] == len(image)
            assert multipart.json()["sha256"] == _sha256(image)
            empty = await client.post("/api/v1/firmware/images", params=params, content=b"")
            assert empty.status_code == 422 and "empty" in empty.json()["detail"]
            viewer = node.client(await node.token("viewer"))
            async with viewer:
                forbidden = await viewer.post("/api/v1/firmware/images", params=params, content=image)
            assert forbidden.status_code == 403
        images = list((tmp_path / "data" / "firmware" / "images").iterdir())
        assert len(images) == 1  # refused uploads leave nothing behind
        assert not any((tmp_path / "data" / "firmware" / "incoming").iterdir())
    finally:
        await node.app.stop()


async def _pieces(data: bytes, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _verify(signature_b64: str, certificate_pem: str, data: bytes) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = x509.load_pem_x509_certificate(certificate_pem.encode()).public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(base64.b64decode(signature_b64), data, ec.ECDSA(hashes.SHA256()))  # raises if wrong
