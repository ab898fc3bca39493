"""At debug level nothing logs a station's password, its Basic header or an API token (issue 11, item 7).

The ``websockets`` library logs every handshake header at DEBUG, ``Authorization: Basic ...``
included, on the server and on the client side. The node's log filter redacts them on every
handler, whichever library logged them.
"""

from __future__ import annotations

import base64
import io
import logging
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus

from tests.conftest import random_id, start_node
from tests.integration.helpers import BOOT16, RawStation


async def test_debug_logs_of_a_profile_1_connect_show_no_credentials(tmp_path: Path) -> None:
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    station_id = random_id("SECRET")
    password = "Corr3ct-Horse-Battery-Stap"
    basic = base64.b64encode(f"{station_id}:{password}".encode()).decode()
    wrong = base64.b64encode(f"{station_id}:Wr0ng-Password-Guess-1".encode()).decode()
    try:
        node = await start_node(tmp_path, None, log_level="debug")
        try:
            async with node.client() as client:
                created = await client.post("/api/v1/stations", json={"id": station_id, "password": password})
                assert created.status_code == 201, created.text
            with pytest.raises(InvalidStatus):
                await RawStation.open(node.ocpp_url, station_id, additional_headers={"Authorization": f"Basic {wrong}"})
            station = await RawStation.open(
                node.ocpp_url, station_id, additional_headers={"Authorization": f"Basic {basic}"}
            )
            try:
                assert (await station.call("BootNotification", BOOT16))[2]["status"] == "Accepted"
            finally:
                await station.close()
            logging.getLogger("chargebridge.test").debug("token %s for %s", node.admin_token, "api")
        finally:
            await node.app.stop()
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    text = captured.getvalue()
    # The handshake was logged at debug level, headers and all (else this test proves nothing) ...
    assert f"GET /ocpp/{station_id} HTTP/1.1" in text
    assert "Authorization: ***" in text
    assert "cb_" in text and "token cb_" in text
    # ... and no credential made it into the log.
    for secret in (password, basic, wrong, "Wr0ng-Password-Guess-1", node.admin_token):
        assert secret not in text, f"{secret!r} was logged"
    assert node.admin_token.rsplit("_", 1)[1] not in text
