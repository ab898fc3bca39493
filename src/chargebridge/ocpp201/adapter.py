"""The OCPP 2.0.1 :class:`~chargebridge.domain.adapter.VersionAdapter`.

A thin facade over the routing table of :mod:`.inbound` (station -> CSMS) and the encoders
of :mod:`.outbound` (CSMS -> station). It holds no state and reads no clock.
"""

from __future__ import annotations

from typing import Any

from chargebridge.domain.adapter import run_decoder
from chargebridge.domain.commands import Command, CommandOutcome
from chargebridge.domain.requests import Decoded, StationResponse
from chargebridge.ocpp201 import inbound, outbound
from chargebridge.rpc.version import OcppVersion


class Ocpp201Adapter:
    """2.0.1 payloads <-> version-neutral requests, responses, commands and outcomes."""

    version: OcppVersion = OcppVersion.V201

    def accepts(self, action: str) -> bool:
        return action in inbound.DECODERS

    def decode(self, action: str, payload: dict[str, Any]) -> Decoded:
        return run_decoder(inbound.DECODERS, action, payload, "2.0.1")

    def encode_response(self, action: str, response: StationResponse) -> dict[str, Any]:
        return outbound.encode_response(action, response)

    def encode_command(self, command: Command) -> tuple[str, dict[str, Any]]:
        return outbound.encode_command(command)

    def decode_outcome(self, action: str, payload: dict[str, Any]) -> CommandOutcome:
        return outbound.decode_outcome(action, payload)
