"""Firmware and diagnostics pieces of the simulator: faults per hardware batch, the simulated
image format, signature checking and a small HTTP client for downloads and uploads.

A simulated image is any bytes; a line ``version: X`` (or ``version=X``) in it names the version
the station runs after installing it (no such line: the version does not change).

Faults model a hardware batch that misbehaves with *new* firmware: they apply when the image's
version differs from the station's factory firmware (the profile's), so re-flashing the factory
version — a rollback — works on a faulty batch.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from chargebridge.firmware.signing import verify_signature


class FirmwareFault(StrEnum):
    DOWNLOAD_FAILURE = "download_failure"
    INSTALL_FAILURE = "install_failure"
    INVALID_SIGNATURE = "invalid_signature"
    BOOT_LOOP = "boot_loop"  # reboots several times on the new version before it stays up
    VERSION_UNCHANGED = "version_unchanged"  # says Installed, boots the old version


@dataclass(frozen=True, slots=True)
class FirmwareBatch:
    """Stations of one hardware revision; a fleet deals its stations out to its batches in turn."""

    hardware_revision: str
    fault: FirmwareFault | None = None


_VERSION = re.compile(rb"^\s*version\s*[:=]\s*([^\s]+)\s*$", re.MULTILINE | re.IGNORECASE)


def image_version(data: bytes) -> str | None:
    match = _VERSION.search(data)
    return match.group(1).decode(errors="replace")[:50] if match else None


def make_image(version: str, size: int = 4096) -> bytes:
    """A simulated image of ``version`` (tests and demos)."""
    head = f"chargebridge simulated firmware\nversion: {version}\n".encode()
    return head + bytes((i * 7) % 251 for i in range(max(0, size - len(head))))


def signature_ok(data: bytes, signature: str | None, certificate: str | None) -> bool:
    if signature is None or certificate is None:
        return True  # nothing to check (1.6 UpdateFirmware)
    return verify_signature(data, signature, certificate)


class HttpError(Exception):
    pass


async def http_request(
    method: str, url: str, body: bytes | None = None, *, content_type: str | None = None, timeout_s: float = 30.0
) -> tuple[int, bytes]:
    """One HTTP/1.1 request over a fresh connection (plain http only); returns (status, body)."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise HttpError(f"unsupported URL {url!r}")
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    port = parts.port or 80
    lines = [f"{method} {path} HTTP/1.1", f"Host: {parts.hostname}:{port}", "Connection: close"]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
        lines.append(f"Content-Type: {content_type or 'application/octet-stream'}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")
    try:
        async with asyncio.timeout(timeout_s):
            reader, writer = await asyncio.open_connection(parts.hostname, port)
            try:
                writer.write(request)
                await writer.drain()
                raw = await reader.read()
            finally:
                writer.close()
    except (OSError, TimeoutError) as exc:
        raise HttpError(str(exc) or type(exc).__name__) from exc
    head, _, rest = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(status_line.split()[1])
    except (IndexError, ValueError) as exc:
        raise HttpError("bad HTTP response") from exc
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    if headers.get("transfer-encoding", "").lower() == "chunked":
        rest = _dechunk(rest)
    elif "content-length" in headers:
        rest = rest[: int(headers["content-length"])]
    return status, rest


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out.extend(data[:size])
        data = data[size + 2 :]
    return bytes(out)
