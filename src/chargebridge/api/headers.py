"""Security headers on every ``/api`` response (answers, errors, streams and exports alike).

The API serves JSON, CSV, XML and an event stream to programs and to the dashboard's
``fetch``; nothing under ``/api`` is a page. So the policy is the strictest there is: no content
of any kind may load from an answer (``default-src 'none'``), no page may frame one, nothing
is cached (answers carry station data and secrets shown once) and no referrer leaves. The
dashboard's own headers are in :mod:`chargebridge.web.extension`.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class ApiSecurityHeaders:
    """Pure ASGI middleware (streams pass through untouched): sets :data:`API_SECURITY_HEADERS`
    on responses to paths under ``/api/``, replacing any value a route set for the same header."""

    def __init__(self, app: ASGIApp, prefix: str = "/api/"):
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefix):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in API_SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
