"""The technician's view of an edge: a tiny read-only HTTP server (loopback by default).

``GET /`` an HTML page (refreshes every 5 s), ``GET /status`` the same as JSON (what
``chargebridge edge status`` prints), ``GET /limits`` the limits the server set. Nothing can be
changed from here; anything else is 404/405. It is plain asyncio (no web framework on a small box).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 8192


def render_html(status: dict[str, Any]) -> str:
    e = html.escape
    uplink = status.get("uplink", {})
    outbox = status.get("outbox", {})
    rows = []
    for d in status.get("devices", []):
        reach = {True: "yes", False: "NO", None: "not yet"}[d.get("reachable")]
        faults = ", ".join(f"{k}: {v}" for k, v in d.get("active_faults", {}).items()) or "-"
        counters = ", ".join(f"{k} {v}" for k, v in d.get("counters", {}).items())
        rows.append(
            "<tr>"
            f"<td>{e(str(d.get('name')))}</td><td>{e(str(d.get('transport')))}</td>"
            f"<td>{e(str(d.get('where', '')))}</td>"
            f"<td>{e(reach)}</td><td>{e(str(d.get('last_good_read_at') or '-'))}</td>"
            f"<td>{e(counters)}</td><td>{e(faults)}</td>"
            "</tr>"
        )
    limits = "".join(
        f"<li>{e(name)}: {e(str(v.get('value')))} {e(str(v.get('unit')))}</li>"
        for name, v in status.get("limits", {}).items()
    )
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>chargebridge edge {e(str(status.get("edge_id")))}</title>
<style>body{{font-family:sans-serif;margin:1.5em}}
td,th{{border-bottom:1px solid #ccc;padding:.3em .6em;text-align:left}}
table{{border-collapse:collapse}}</style></head><body>
<h1>Edge {e(str(status.get("edge_id")))}</h1>
<p>Uplink {e(str(uplink.get("url")))}: <b>{"connected" if uplink.get("connected") else "DOWN"}</b>
(last acknowledged {e(str(uplink.get("last_ack_at") or "never"))};
last error {e(str(uplink.get("last_error") or "-"))})</p>
<p>Outbox: {e(str(outbox.get("depth")))} records waiting, {e(str(outbox.get("dropped")))} dropped,
last seq {e(str(outbox.get("last_seq")))}, acknowledged {e(str(outbox.get("acked_seq")))}</p>
<h2>Devices</h2>
<table><tr><th>device</th><th>transport</th><th>where</th><th>reachable</th><th>last good read</th>
<th>counters</th><th>active faults</th></tr>{"".join(rows)}</table>
<h2>Limits from the server</h2><ul>{limits or "<li>none</li>"}</ul>
</body></html>"""


class StatusPage:
    def __init__(self, host: str, port: int, status: Callable[[], dict[str, Any]]):
        self.host = host
        self.port = port
        self.status = status
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = int(self.server.sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2):
                    await self.server.wait_closed()
            self.server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(5):
                head = await reader.readuntil(b"\r\n\r\n")
            if len(head) > MAX_REQUEST_BYTES:
                raise ValueError("request too large")
            method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
            path = target.split("?", 1)[0]
            if method not in ("GET", "HEAD"):
                await self._send(writer, 405, "text/plain", b"read-only\n", {"Allow": "GET, HEAD"})
            elif path == "/":
                await self._send(writer, 200, "text/html; charset=utf-8", render_html(self.status()).encode())
            elif path == "/status":
                await self._send(writer, 200, "application/json", json.dumps(self.status(), indent=1).encode())
            elif path == "/limits":
                body = json.dumps(self.status().get("limits", {}), indent=1).encode()
                await self._send(writer, 200, "application/json", body)
            else:
                await self._send(writer, 404, "text/plain", b"not found\n")
        except (TimeoutError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        except Exception:
            log.exception("status page: request failed")
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    @staticmethod
    async def _send(
        writer: asyncio.StreamWriter, code: int, content_type: str, body: bytes, extra: dict[str, str] | None = None
    ) -> None:
        reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed"}[code]
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "Cache-Control": "no-store",
            "Connection": "close",
            **(extra or {}),
        }
        head = f"HTTP/1.1 {code} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        writer.write(head.encode("latin-1") + body)
        await writer.drain()
