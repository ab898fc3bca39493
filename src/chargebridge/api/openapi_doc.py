"""The OpenAPI document of the operator API without a running node (no sockets, no database):
what the client SDK is generated from (``scripts/gen_sdk.py``).

Every extension is built with every optional integration turned on, so the document has every
route a node can serve, whatever its configuration."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from chargebridge.api.app import create_api
from chargebridge.api.deps import ApiContext
from chargebridge.bus.memory import EventBus
from chargebridge.config import Settings
from chargebridge.extensions import build_extensions
from chargebridge.services.clock import SystemClock

_ALL_INTEGRATIONS = ("modbus", "canbus", "vendors", "metrics")


def openapi_document() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="chargebridge-openapi-") as tmp:
        root = Path(tmp)
        config = root / "integrations.toml"
        config.write_text("".join(f"[{name}]\nenabled = true\n" for name in _ALL_INTEGRATIONS))
        settings = Settings(data_dir=root, config_file=config)
        context = ApiContext(
            store=None,  # type: ignore[arg-type]  # building routes touches neither
            gateway=None,  # type: ignore[arg-type]
            bus=EventBus(),
            clock=SystemClock(),
            settings=settings,
            requests=None,  # type: ignore[arg-type]
        )
        routers = [router for ext in build_extensions(settings) for router in ext.routers()]
        document: dict[str, Any] = create_api(context, routers).openapi()
    return document
