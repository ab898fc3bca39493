"""The contract every OCPP version adapter fulfils (one per version, both directions)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from chargebridge.domain.commands import Command, CommandOutcome
from chargebridge.domain.requests import Decoded, StationRequest, StationResponse
from chargebridge.rpc.errors import ErrorCode, OcppError
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


Decoder = Callable[[dict[str, Any], list[str]], StationRequest]


def run_decoder(decoders: Mapping[str, Decoder], action: str, payload: dict[str, Any], version: str) -> Decoded:
    """Look up the action's decoder and run it, collecting its notes.

    The rpc layer validated the payload against the schema already; the error mapping here
    only fires for callers that bypass validation (or a schema the decoder disagrees with)."""
    decoder = decoders.get(action)
    if decoder is None:
        raise OcppError(ErrorCode.NOT_SUPPORTED, f"{action[:64]} is not accepted from an OCPP {version} station")
    notes: list[str] = []
    try:
        request = decoder(payload, notes)
    except KeyError as exc:
        raise OcppError(ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION, f"{action} lacks a required field") from exc
    except TypeError as exc:
        raise OcppError(ErrorCode.TYPE_CONSTRAINT_VIOLATION, f"{action} has a field of the wrong type") from exc
    except ValueError as exc:
        raise OcppError(ErrorCode.PROPERTY_CONSTRAINT_VIOLATION, f"{action} has a value out of range") from exc
    return Decoded(request, tuple(notes))


def checked_id(value: Any, field: str, minimum: int) -> int:
    """An EVSE or connector id the schema only types as integer, held to the specification's
    range (``minimum`` 0: "0 is the whole station / main meter"; 1: "> 0"). Out of range is a
    PropertyConstraintViolation: storing connector -5 would invent a connector."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{field} is not an integer")
    if value < minimum:
        raise OcppError(
            ErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
            f"{field} must be {'>= 0' if minimum == 0 else f'>= {minimum}'}, got {value}",
        )
    return value
