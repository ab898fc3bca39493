"""The operations dashboard: a static single-page app served at ``/`` plus the read routes and
event stream it uses (:mod:`chargebridge.api.live`). Always on.

The page holds no secrets and talks to the node only through ``/api/v1`` with the bearer
token the operator types in, so it can do nothing a ``curl`` user with that token cannot.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse, RedirectResponse

from chargebridge.api.live import LiveState, build_router
from chargebridge.services.clock import SystemClock

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext
    from chargebridge.config import Settings
    from chargebridge.services.clock import Clock

STATIC_DIR = Path(__file__).resolve().parent / "static"

# The page loads only its own files; no inline script, no third-party origins.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


def static_router(root: Path = STATIC_DIR) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    base = root.resolve()

    def serve(relative: str) -> FileResponse:
        target = (base / relative).resolve()
        if not target.is_relative_to(base) or not target.is_file():
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
        media = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return FileResponse(target, media_type=media, headers=SECURITY_HEADERS)

    @router.get("/")
    async def index() -> FileResponse:
        return serve("index.html")

    @router.get("/dashboard")
    async def dashboard() -> RedirectResponse:
        return RedirectResponse("/")

    @router.get("/ui/{path:path}")
    async def asset(path: str) -> FileResponse:
        return serve(path)

    return router


class DashboardExtension:
    """Serves the dashboard and keeps the live fleet power figures it shows."""

    name = "dashboard"

    def __init__(self, settings: Settings | None = None, *, clock: Clock | None = None, step_s: float = 5.0):
        self.live = LiveState(clock or SystemClock(), step_s=step_s)
        self._routers = [build_router(self.live), static_router()]

    def routers(self) -> list[APIRouter]:
        return self._routers

    async def start(self, context: ApiContext) -> None:
        self.live.clock = context.clock
        await self.live.start(context.bus)

    async def stop(self) -> None:
        await self.live.stop()
