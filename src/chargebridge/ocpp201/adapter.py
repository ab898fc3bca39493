"""The OCPP 2.0.1 :class:`~chargebridge.domain.adapter.VersionAdapter`.

A thin facade over the routing table of :mod:`.inbound` (station -> CSMS) and the encoders
of :mod:`.outbound` (CSMS -> station). It holds no state and reads no clock.
"""

from __future__ import annotations

from typing import Any

from chargebridge.domain.commands import Command, CommandOutcome
from chargebridge.domain.requests import Decoded, StationResponse
from chargebridge.ocpp201 import inbound, outbound
from chargebridge.rpc.errors import ErrorCode, OcppError
from chargebridge.rpc.version import OcppVersion


class Ocpp201Adapter:
    """2.0.1 payloads <-> version-neutral requests, responses, commands and outcomes."""

    version: OcppVersion = OcppVersion.V201

    def accepts(self, action: str) -> bool:
        return action in inbound.DECODERS

    def decode(self, action: str, payload: dict[str, Any]) -> Decoded:
        decoder = inbound.DECODERS.get(action)
        if decoder is None:
            raise OcppError(ErrorCode.NOT_SUPPORTED, f"{action[:64]} is not handled from a 2.0.1 station")
        notes: list[str] = []
        try:
            request = decoder(payload, notes)
        # The rpc layer validated the payload; these only fire if it was bypassed.
        except KeyError as exc:
            raise OcppError(ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION, f"{action} lacks a required field") from exc
        except TypeError as exc:
            raise OcppError(ErrorCode.TYPE_CONSTRAINT_VIOLATION, f"{action} has a field of the wrong type") from exc
        except ValueError as exc:
            raise OcppError(ErrorCode.PROPERTY_CONSTRAINT_VIOLATION, f"{action} has a value out of range") from exc
        return Decoded(request, tuple(notes))

    def encode_response(self, action: str, response: StationResponse) -> dict[str, Any]:
        return outbound.encode_response(action, response)

    def encode_command(self, command: Command) -> tuple[str, dict[str, Any]]:
        return outbound.encode_command(command)

    def decode_outcome(self, action: str, payload: dict[str, Any]) -> CommandOutcome:
        return outbound.decode_outcome(action, payload)
