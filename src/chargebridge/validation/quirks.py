"""Quirks seen in the frames of a whole run (pure): messages of the station that broke the
official schema (the CSMS answered them with a CALLERROR, or we could not accept an answer) and
answers of the station that break the response schema. The judges add what they notice on the
way (units, timestamps, status sequences)."""

from __future__ import annotations

from collections.abc import Iterable

from chargebridge.rpc import OcppError, OcppVersion, schemas_for
from chargebridge.validation.evidence import CALL, CALLERROR, CALLRESULT, Frame
from chargebridge.validation.model import Quirk

SCHEMA_CODES = frozenset(
    {
        "FormationViolation",
        "FormatViolation",
        "TypeConstraintViolation",
        "PropertyConstraintViolation",
        "OccurenceConstraintViolation",
        "OccurrenceConstraintViolation",
        "ProtocolError",
        "RpcFrameworkError",
    }
)


def frame_quirks(
    version: OcppVersion, frames: Iterable[Frame], *, probe_ids: frozenset[str] = frozenset()
) -> list[Quirk]:
    """Schema violations in either direction of the station's side of the conversation.
    ``probe_ids``: message ids of the bench's deliberately malformed requests (not the station's fault)."""
    schemas = schemas_for(version)
    frames = list(frames)
    station_calls = {f.message_id: f for f in frames if f.type == CALL and f.from_station}
    quirks: list[Quirk] = []
    for frame in frames:
        if frame.message_id in probe_ids:
            continue
        if frame.type is None and frame.from_station:
            quirks.append(Quirk("invalid_frame", f"not an OCPP-J frame: {frame.text[:80]}"))
        elif frame.type == CALLERROR and not frame.from_station and isinstance(frame.payload, dict):
            # Our CALLERROR to a station CALL: its message broke the schema (or the framing).
            code = str(frame.payload.get("code"))
            if code in SCHEMA_CODES:
                call = station_calls.get(frame.message_id)
                action = call.action if call is not None else (frame.action or "?")
                description = str(frame.payload.get("description", ""))[:160]
                quirks.append(Quirk("schema_violation", f"{action}: {code} {description}".strip()))
        elif frame.type == CALLRESULT and frame.from_station and frame.action and isinstance(frame.payload, dict):
            try:
                schemas.validate_response(frame.action, frame.payload)
            except OcppError as exc:
                quirks.append(Quirk("schema_violation", f"{frame.action} answer: {exc.description[:160]}"))
    return list(dict.fromkeys(quirks))
