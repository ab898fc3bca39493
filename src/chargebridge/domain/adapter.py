"""The contract every OCPP version adapter fulfils (one per version, both directions)."""

from __future__ import annotations

from typing import Any, Protocol

from chargebridge.domain.commands import Command, CommandOutcome
from chargebridge.domain.requests import Decoded, StationResponse
from chargebridge.rpc.version import OcppVersion


class VersionAdapter(Protocol):
    version: OcppVersion

    def accepts(self, action: str) -> bool:
        """True for the station-to-CSMS actions this adapter decodes."""
        ...

    def decode(self, action: str, payload: dict[str, Any]) -> Decoded:
        """A schema-valid inbound CALL payload -> a neutral request.

        Raises ``OcppError`` (e.g. PropertyConstraintViolation for an unparseable timestamp)
        when the payload is schema-valid but semantically unusable."""
        ...

    def encode_response(self, action: str, response: StationResponse) -> dict[str, Any]:
        """A neutral response -> this version's CALLRESULT payload for ``action``."""
        ...

    def encode_command(self, command: Command) -> tuple[str, dict[str, Any]]:
        """A neutral command -> (action, payload). Raises CommandNotSupported."""
        ...

    def decode_outcome(self, action: str, payload: dict[str, Any]) -> CommandOutcome:
        """The station's CALLRESULT payload for ``action`` -> status and payload."""
        ...
