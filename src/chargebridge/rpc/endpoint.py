"""One side of an OCPP-J connection as a sans-I/O state machine.

Text frames go in through :meth:`RpcEndpoint.receive`, which returns events; frames to
send come out of :meth:`RpcEndpoint.data_to_send`. The endpoint validates every inbound
CALL and every outbound CALL / CALLRESULT against the official schemas, answers broken
frames with the right CALLERROR itself, and tracks the single outstanding outbound CALL
the protocol allows. It reads no clock and does no I/O: the gateway, the simulator and
the tests all drive this same class.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chargebridge.rpc.errors import CallInProgress, ErrorCode, OcppError, wire_code
from chargebridge.rpc.frames import (
    Call,
    CallError,
    CallResult,
    FrameError,
    encode_call,
    encode_error,
    encode_result,
    parse_frame,
)
from chargebridge.rpc.schemas import SchemaSet
from chargebridge.rpc.version import OcppVersion


@dataclass(frozen=True, slots=True)
class CallReceived:
    """A valid CALL from the peer; answer it with send_result or send_error."""

    message_id: str
    action: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ResultReceived:
    """The valid CALLRESULT to our outstanding CALL."""

    message_id: str
    action: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ErrorReceived:
    """A CALLERROR answering our outstanding CALL, or a CALLRESULT that broke the schema."""

    message_id: str
    action: str
    code: str
    description: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class UnmatchedReply:
    """A reply to no outstanding CALL (late after a timeout, or unknown): logged and dropped."""

    message_id: str
    kind: str


@dataclass(frozen=True, slots=True)
class ProtocolViolation:
    """The peer sent something broken; a CALLERROR was queued if the frame could be answered."""

    message_id: str
    code: ErrorCode
    description: str
    action: str | None = None


RpcEvent = CallReceived | ResultReceived | ErrorReceived | UnmatchedReply | ProtocolViolation


# Given (action, payload, violation), return a normalised payload to accept, or None to refuse.
RelaxHook = Callable[[str, dict[str, Any], OcppError], dict[str, Any] | None]


@dataclass(frozen=True, slots=True)
class PendingCall:
    message_id: str
    action: str
    payload: dict[str, Any]


def _uuid_message_id() -> str:
    return str(uuid.uuid4())


class RpcEndpoint:
    """OCPP-J framing, validation and call tracking for one connection (either side)."""

    def __init__(
        self,
        schemas: SchemaSet,
        *,
        accepts: Callable[[str], bool] | None = None,
        new_message_id: Callable[[], str] = _uuid_message_id,
        validate_outbound: bool = True,
        relax: RelaxHook | None = None,
    ):
        self.schemas = schemas
        self.version: OcppVersion = schemas.version
        self._accepts = accepts
        # Optional vendor-quirk hook: given (action, payload, schema error) of an inbound CALL it
        # returns a normalised payload to validate again, or None to reject as usual. Must not raise.
        self._relax = relax
        self._new_message_id = new_message_id
        self._validate_outbound = validate_outbound
        self._outbox: list[str] = []
        self._pending: PendingCall | None = None

    # -- inbound ---------------------------------------------------------------------------

    def receive(self, data: str | bytes) -> list[RpcEvent]:
        """Feed one WebSocket message; returns what it means."""
        try:
            frame = parse_frame(data)
        except FrameError as exc:
            if exc.answerable:
                self._queue_error(exc.message_id, exc.code, exc.description)
            return [ProtocolViolation(exc.message_id, exc.code, exc.description)]
        if isinstance(frame, Call):
            return [self._receive_call(frame)]
        return [self._receive_reply(frame)]

    def _receive_call(self, call: Call) -> RpcEvent:
        payload = call.payload
        try:
            payload = self._validated_request(call.action, payload)
            if self._accepts is not None and not self._accepts(call.action):
                raise OcppError(ErrorCode.NOT_SUPPORTED, f"{call.action} is not accepted in this direction")
        except OcppError as exc:
            self._queue_error(call.message_id, exc.code, exc.description)
            return ProtocolViolation(call.message_id, exc.code, exc.description, call.action)
        return CallReceived(call.message_id, call.action, payload)

    def _validated_request(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload if valid, else what the relax hook normalises it to (at most 8 rounds), else raise."""
        for _ in range(8):
            try:
                self.schemas.validate_request(action, payload)
                return payload
            except OcppError as exc:
                relaxed = self._relax(action, payload, exc) if self._relax is not None else None
                if relaxed is None:
                    raise
                payload = relaxed
        self.schemas.validate_request(action, payload)
        return payload

    def _receive_reply(self, reply: CallResult | CallError) -> RpcEvent:
        pending = self._pending
        kind = "result" if isinstance(reply, CallResult) else "error"
        if pending is None or pending.message_id != reply.message_id:
            return UnmatchedReply(reply.message_id, kind)
        self._pending = None
        if isinstance(reply, CallError):
            return ErrorReceived(reply.message_id, pending.action, reply.code, reply.description, reply.details)
        try:
            self.schemas.validate_response(pending.action, reply.payload)
        except OcppError as exc:
            return ErrorReceived(
                reply.message_id,
                pending.action,
                wire_code(exc.code, self.version),
                f"invalid {pending.action} response: {exc.description}",
                {},
            )
        return ResultReceived(reply.message_id, pending.action, reply.payload)

    # -- outbound --------------------------------------------------------------------------

    @property
    def pending_call(self) -> PendingCall | None:
        return self._pending

    def send_call(
        self, action: str, payload: dict[str, Any], encoded_payload: str | None = None, *, validate: bool = True
    ) -> str:
        """Queue a CALL and return its message id. Raises OcppError if the payload is invalid
        (``validate`` False: sent as given, e.g. a deliberately malformed probe).
        ``encoded_payload``: ``payload`` as JSON text already (it is not encoded again)."""
        if self._pending is not None:
            raise CallInProgress(f"{self._pending.action} ({self._pending.message_id}) is still outstanding")
        if self._validate_outbound and validate:
            self.schemas.validate_request(action, payload)
        message_id = self._new_message_id()
        self._pending = PendingCall(message_id, action, payload)
        self._outbox.append(encode_call(message_id, action, payload, encoded_payload))
        return message_id

    def cancel_call(self, message_id: str) -> None:
        """Forget the outstanding CALL (after a timeout): a late reply is then unmatched."""
        if self._pending is not None and self._pending.message_id == message_id:
            self._pending = None

    def send_result(self, message_id: str, action: str, payload: dict[str, Any]) -> None:
        """Queue a CALLRESULT. Raises OcppError if our own answer breaks the schema (a bug)."""
        if self._validate_outbound:
            self.schemas.validate_response(action, payload)
        self._outbox.append(encode_result(message_id, payload))

    def send_error(
        self, message_id: str, code: ErrorCode, description: str = "", details: dict[str, Any] | None = None
    ) -> None:
        self._queue_error(message_id, code, description, details)

    def _queue_error(
        self, message_id: str, code: ErrorCode, description: str, details: dict[str, Any] | None = None
    ) -> None:
        self._outbox.append(encode_error(message_id, wire_code(code, self.version), description, details))

    def data_to_send(self) -> list[str]:
        """Frames to write to the socket, in order. Empties the outbox."""
        out, self._outbox = self._outbox, []
        return out
