"""What nodes send each other over NATS request/reply (no I/O here).

A command for a station on another node travels as the CALL the station will get (the
sending node encodes the neutral command with the station's version adapter, read from the
presence entry), so the holding node only sends it and returns the answer. Every outcome a
local call can have crosses the wire and is raised again on the sending node as the same
exception, so the API answers with the same HTTP codes on every node:

=================  ===========================  =========================================
reply ``error``     raised again as               HTTP (api/routes.py)
=================  ===========================  =========================================
``timeout``        ``CallTimeout``               504
``callerror``      ``CallRejected``              502 (code, description, details kept)
``not_connected``  ``StationNotConnected``       409 (or a retry: the station just moved)
``closed``         ``ConnectionError``           409
``in_progress``    ``CallInProgress``            409
``ocpp``           ``OcppError``                 422 (our payload broke the schema)
``internal``       ``StationUnreachable``        503
=================  ===========================  =========================================
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chargebridge.gateway.connection import CallAnswer
from chargebridge.rpc import CallInProgress, CallRejected, CallTimeout, ErrorCode, OcppError, StationNotConnected
from chargebridge.rpc.errors import StationUnreachable

# How much longer than the CALL's own timeout the sending node waits for the reply: the
# holding node answers ``timeout`` itself at the CALL's timeout.
REPLY_MARGIN_S = 2.0


@dataclass(frozen=True, slots=True)
class CallRequest:
    station_id: str
    action: str
    payload: dict[str, Any]
    timeout_s: float

    def encode(self) -> bytes:
        body = {"station": self.station_id, "action": self.action, "payload": self.payload, "timeout_s": self.timeout_s}
        return json.dumps(body, separators=(",", ":"), default=str).encode()

    @classmethod
    def decode(cls, data: bytes) -> CallRequest:
        try:
            body = json.loads(data)
            payload = body["payload"]
            if not isinstance(payload, dict):
                raise TypeError("payload is not an object")
            return cls(str(body["station"]), str(body["action"]), payload, float(body["timeout_s"]))
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"not a call request: {exc}") from exc


def encode_answer(answer: CallAnswer) -> bytes:
    return json.dumps({"ok": {"payload": answer.payload, "round_trip_ms": answer.round_trip_ms}}, default=str).encode()


def encode_failure(exc: BaseException, station_id: str) -> bytes:
    """The reply for a call that failed on the holding node."""
    error: dict[str, Any]
    match exc:
        case CallTimeout():
            error = {"error": "timeout", "action": exc.action, "timeout_s": exc.timeout_s}
        case CallRejected():
            error = {
                "error": "callerror",
                "action": exc.action,
                "code": exc.code,
                "description": exc.description,
                "details": exc.details,
            }
        case StationNotConnected():
            error = {"error": "not_connected"}
        case CallInProgress():
            error = {"error": "in_progress", "message": str(exc)}
        case OcppError():
            error = {"error": "ocpp", "code": exc.code.value, "description": exc.description, "details": exc.details}
        case ConnectionError():
            error = {"error": "closed", "message": str(exc)}
        case _:
            error = {"error": "internal", "message": f"{type(exc).__name__} on the holding node"}
    return json.dumps(error, default=str).encode()


def decode_reply(data: bytes, station_id: str) -> CallAnswer:
    """The answer, or the failure raised again (see the table in the module doc)."""
    try:
        body = json.loads(data)
    except ValueError as exc:
        raise StationUnreachable(station_id, "unreadable reply from the holding node") from exc
    if not isinstance(body, dict):
        raise StationUnreachable(station_id, "unreadable reply from the holding node")
    if "ok" in body:
        ok = body["ok"]
        return CallAnswer(dict(ok["payload"]), float(ok["round_trip_ms"]))
    match body.get("error"):
        case "timeout":
            raise CallTimeout(str(body["action"]), float(body["timeout_s"]))
        case "callerror":
            raise CallRejected(
                str(body["action"]),
                str(body["code"]),
                str(body.get("description", "")),
                dict(body.get("details") or {}),
            )
        case "not_connected":
            raise StationNotConnected(station_id)
        case "in_progress":
            raise CallInProgress(str(body.get("message", "a CALL is still outstanding")))
        case "ocpp":
            raise OcppError(ErrorCode(body["code"]), str(body.get("description", "")), dict(body.get("details") or {}))
        case "closed":
            raise ConnectionError(str(body.get("message", f"{station_id} disconnected")))
        case _:
            raise StationUnreachable(station_id, str(body.get("message", "the holding node failed")))


@dataclass(frozen=True, slots=True)
class CloseRequest:
    """Node ``by_node`` took the station over: its holder closes the old socket."""

    station_id: str
    by_node: str
    reason: str = "replaced by a new connection"

    def encode(self) -> bytes:
        return json.dumps({"station": self.station_id, "by": self.by_node, "reason": self.reason}).encode()

    @classmethod
    def decode(cls, data: bytes) -> CloseRequest:
        try:
            body = json.loads(data)
            return cls(str(body["station"]), str(body["by"]), str(body.get("reason") or "replaced by a new connection"))
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"not a close request: {exc}") from exc
