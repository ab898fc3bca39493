"""OCPP-J RPC: framing, schema validation and call tracking, with no I/O."""

from chargebridge.rpc.endpoint import (
    CallReceived,
    ErrorReceived,
    ProtocolViolation,
    ResultReceived,
    RpcEndpoint,
    RpcEvent,
    UnmatchedReply,
)
from chargebridge.rpc.errors import (
    CallInProgress,
    CallRejected,
    CallTimeout,
    ChargebridgeError,
    ErrorCode,
    OcppError,
    StationNotConnected,
    StationUnreachable,
)
from chargebridge.rpc.schemas import SchemaSet, schemas_for
from chargebridge.rpc.version import OcppVersion, select_subprotocol

__all__ = [
    "CallInProgress",
    "CallReceived",
    "CallRejected",
    "CallTimeout",
    "ChargebridgeError",
    "ErrorCode",
    "ErrorReceived",
    "OcppError",
    "OcppVersion",
    "ProtocolViolation",
    "ResultReceived",
    "RpcEndpoint",
    "RpcEvent",
    "SchemaSet",
    "StationNotConnected",
    "StationUnreachable",
    "UnmatchedReply",
    "schemas_for",
    "select_subprotocol",
]
