"""REST command bodies mean the same on both OCPP versions."""

from __future__ import annotations

import pytest

from chargebridge.api.commands import COMMAND_BODIES, to_command
from chargebridge.domain import commands as c
from chargebridge.ocpp16.adapter import Ocpp16Adapter
from chargebridge.ocpp201.adapter import Ocpp201Adapter


def command(name: str, body: dict[str, object]) -> c.Command:
    return to_command(name, COMMAND_BODIES[name].model_validate(body))


@pytest.mark.parametrize(
    ("name", "body", "v16", "v201"),
    [
        (
            "change-availability",
            {"operational": False, "connector_id": 2},
            {"connectorId": 2, "type": "Inoperative"},
            {"operationalStatus": "Inoperative", "evse": {"id": 2}},
        ),
        ("unlock", {"connector_id": 2}, {"connectorId": 2}, {"evseId": 2, "connectorId": 1}),
        (
            "trigger-message",
            {"message": "StatusNotification", "connector_id": 2},
            {"requestedMessage": "StatusNotification", "connectorId": 2},
            {"requestedMessage": "StatusNotification", "evse": {"id": 2}},
        ),
        ("reset", {"type": "hard", "evse_id": 0}, {"type": "Hard"}, {"type": "Immediate"}),
    ],
)
def test_connector_only_bodies_mean_the_same_evse(
    name: str, body: dict[str, object], v16: dict[str, object], v201: dict[str, object]
) -> None:
    cmd = command(name, body)
    assert Ocpp16Adapter().encode_command(cmd)[1] == v16
    assert Ocpp201Adapter().encode_command(cmd)[1] == v201


def test_remote_start_gets_a_remote_start_id() -> None:
    cmd = command("remote-start", {"id_token": "T"})
    assert isinstance(cmd, c.RemoteStart) and 0 < cmd.remote_start_id < 2**31
