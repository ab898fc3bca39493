"""The error tree of the RPC layer and the OCPP-J error codes it carries.

::

    ChargebridgeError
    ├── OcppError                 the peer broke the protocol or the call failed: becomes / came as a CALLERROR
    │   └── (code: ErrorCode)     rendered with each version's spelling
    ├── CallRejected              a CALLERROR received from the peer in answer to our CALL
    ├── CallTimeout               our CALL got no answer in time
    ├── CallInProgress            a second outbound CALL while one is outstanding (a local bug)
    └── StationNotConnected       a command for a station with no live socket
        └── StationUnreachable    (cluster) its node cannot be reached now

Errors caused by the remote peer become CALLERRORs; errors of our own making are bugs and
are raised, never sent.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from chargebridge.rpc.version import OcppVersion


class ErrorCode(StrEnum):
    """Version-neutral OCPP-J error codes. Render with :func:`wire_code`."""

    NOT_IMPLEMENTED = "NotImplemented"
    NOT_SUPPORTED = "NotSupported"
    INTERNAL_ERROR = "InternalError"
    PROTOCOL_ERROR = "ProtocolError"
    SECURITY_ERROR = "SecurityError"
    FORMAT_VIOLATION = "FormatViolation"
    PROPERTY_CONSTRAINT_VIOLATION = "PropertyConstraintViolation"
    OCCURRENCE_CONSTRAINT_VIOLATION = "OccurrenceConstraintViolation"
    TYPE_CONSTRAINT_VIOLATION = "TypeConstraintViolation"
    GENERIC_ERROR = "GenericError"
    RPC_FRAMEWORK_ERROR = "RpcFrameworkError"
    MESSAGE_TYPE_NOT_SUPPORTED = "MessageTypeNotSupported"


# OCPP-J 1.6 spells two codes differently and lacks the 2.0.1 framework codes.
_V16_SPELLING: dict[ErrorCode, str] = {
    ErrorCode.FORMAT_VIOLATION: "FormationViolation",
    ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION: "OccurenceConstraintViolation",
    ErrorCode.RPC_FRAMEWORK_ERROR: "ProtocolError",
    ErrorCode.MESSAGE_TYPE_NOT_SUPPORTED: "ProtocolError",
}


def wire_code(code: ErrorCode, version: OcppVersion) -> str:
    """The error code as the given OCPP version spells it on the wire."""
    if version is OcppVersion.V16:
        return _V16_SPELLING.get(code, code.value)
    return code.value


_FROM_V16_SPELLING: dict[str, ErrorCode] = {
    "FormationViolation": ErrorCode.FORMAT_VIOLATION,
    "OccurenceConstraintViolation": ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION,
}


def parse_wire_code(text: str) -> ErrorCode:
    """Read a wire error code of either version; unknown codes become GenericError."""
    if text in _FROM_V16_SPELLING:
        return _FROM_V16_SPELLING[text]
    try:
        return ErrorCode(text)
    except ValueError:
        return ErrorCode.GENERIC_ERROR


class ChargebridgeError(Exception):
    """Root of every error chargebridge raises on purpose."""


class OcppError(ChargebridgeError):
    """A failure that is answered (or was answered) with a CALLERROR."""

    def __init__(self, code: ErrorCode, description: str = "", details: dict[str, Any] | None = None):
        super().__init__(f"{code.value}: {description}" if description else code.value)
        self.code = code
        self.description = description
        self.details: dict[str, Any] = details or {}


class CallRejected(ChargebridgeError):
    """The peer answered our CALL with a CALLERROR."""

    def __init__(self, action: str, code: str, description: str, details: dict[str, Any]):
        super().__init__(f"{action} answered with CALLERROR {code}: {description}")
        self.action = action
        self.code = code
        self.description = description
        self.details = details


class CallTimeout(ChargebridgeError):
    """Our CALL got no answer within the configured time."""

    def __init__(self, action: str, timeout_s: float):
        super().__init__(f"{action} got no answer within {timeout_s:g} s")
        self.action = action
        self.timeout_s = timeout_s


class CallInProgress(ChargebridgeError):
    """A second outbound CALL was attempted while one is outstanding (OCPP-J allows one)."""


class StationNotConnected(ChargebridgeError):
    """A command was addressed to a station that has no live connection."""

    def __init__(self, station_id: str):
        super().__init__(f"station {station_id!r} is not connected")
        self.station_id = station_id


class StationUnreachable(StationNotConnected):
    """Cluster mode: the station's socket may be on another node that cannot be reached now (the
    cluster's messaging is down). The API answers 503 (retry later); code that only knows
    StationNotConnected treats it as not connected from here."""

    def __init__(self, station_id: str, reason: str):
        super().__init__(station_id)
        self.args = (f"station {station_id!r} is on another node that cannot be reached now: {reason}",)
        self.reason = reason
