"""OCPP-J message frames: CALL, CALLRESULT and CALLERROR, parsed from and encoded to text.

Parsing never raises anything but :class:`FrameError`, which carries the CALLERROR the
receiver should answer with (message id ``"-1"`` when none could be read).

JSON is read and written by orjson when it is installed (three times faster than the standard
library on a MeterValues frame). Whatever orjson refuses (broken JSON, lone surrogates, integers
beyond 64 bits on output, non-string keys) goes through the standard library's path as before, so
a malformed frame gets exactly the same answer. One known difference on well-formed input: orjson
reads an integer outside the signed 64-bit range as a float, so schema validation then reports a
type error for it where the standard library would have passed the integer on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the standard library still works
    orjson = None  # type: ignore[assignment]

from chargebridge.rpc.errors import ErrorCode

MAX_MESSAGE_ID_LENGTH = 36
UNKNOWN_MESSAGE_ID = "-1"


class MessageType(IntEnum):
    CALL = 2
    CALL_RESULT = 3
    CALL_ERROR = 4


@dataclass(frozen=True, slots=True)
class Call:
    message_id: str
    action: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CallResult:
    message_id: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CallError:
    message_id: str
    code: str
    description: str
    details: dict[str, Any]


Frame = Call | CallResult | CallError


class FrameError(Exception):
    """A frame that cannot be read. ``answerable`` is False for broken replies (never answered)."""

    def __init__(self, message_id: str, code: ErrorCode, description: str, *, answerable: bool = True):
        super().__init__(description)
        self.message_id = message_id
        self.code = code
        self.description = description
        self.answerable = answerable


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]!r} is out of range")
    return value


_decoder = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)


def _loads_stdlib(text: str) -> Any:
    return _decoder.decode(text)


def _loads_fast(text: str) -> Any:
    # orjson rejects NaN/Infinity literals and out-of-range numbers as the standard decoder does
    # here; anything it refuses is re-read by the standard decoder, which decides the answer.
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return _decoder.decode(text)


_loads: Callable[[str], Any] = _loads_stdlib if orjson is None else _loads_fast


def parse_frame(data: str | bytes) -> Frame:
    """Parse one WebSocket message into a frame or raise :class:`FrameError`."""
    if isinstance(data, bytes):
        raise FrameError(UNKNOWN_MESSAGE_ID, ErrorCode.RPC_FRAMEWORK_ERROR, "OCPP-J frames are text, not binary")
    try:
        message = _loads(data)
    except (ValueError, RecursionError) as exc:
        raise FrameError(UNKNOWN_MESSAGE_ID, ErrorCode.RPC_FRAMEWORK_ERROR, "frame is not valid JSON") from exc
    if not isinstance(message, list) or not message:
        raise FrameError(UNKNOWN_MESSAGE_ID, ErrorCode.RPC_FRAMEWORK_ERROR, "frame is not a JSON array")
    message_id = _read_message_id(message)
    type_id = message[0]
    if not isinstance(type_id, int) or isinstance(type_id, bool):
        raise FrameError(message_id, ErrorCode.RPC_FRAMEWORK_ERROR, "message type id is not an integer")
    if message_id == UNKNOWN_MESSAGE_ID:
        raise FrameError(
            UNKNOWN_MESSAGE_ID,
            ErrorCode.RPC_FRAMEWORK_ERROR,
            "message id could not be read",
            answerable=type_id == MessageType.CALL or type_id not in (3, 4),
        )
    if type_id == MessageType.CALL:
        return _parse_call(message, message_id)
    if type_id == MessageType.CALL_RESULT:
        if len(message) != 3 or not isinstance(message[2], dict):
            raise FrameError(message_id, ErrorCode.RPC_FRAMEWORK_ERROR, "malformed CALLRESULT", answerable=False)
        return CallResult(message_id, message[2])
    if type_id == MessageType.CALL_ERROR:
        if (
            len(message) != 5
            or not isinstance(message[2], str)
            or not isinstance(message[3], str)
            or not isinstance(message[4], dict)
        ):
            raise FrameError(message_id, ErrorCode.RPC_FRAMEWORK_ERROR, "malformed CALLERROR", answerable=False)
        return CallError(message_id, message[2], message[3], message[4])
    raise FrameError(message_id, ErrorCode.MESSAGE_TYPE_NOT_SUPPORTED, f"message type {type_id} is not supported")


def _read_message_id(message: list[Any]) -> str:
    if len(message) < 2:
        return UNKNOWN_MESSAGE_ID
    candidate = message[1]
    if not isinstance(candidate, str) or not candidate or len(candidate) > MAX_MESSAGE_ID_LENGTH:
        return UNKNOWN_MESSAGE_ID
    return candidate


def _parse_call(message: list[Any], message_id: str) -> Call:
    if len(message) != 4:
        raise FrameError(message_id, ErrorCode.RPC_FRAMEWORK_ERROR, "a CALL has exactly 4 elements")
    action, payload = message[2], message[3]
    if not isinstance(action, str) or not action:
        raise FrameError(message_id, ErrorCode.RPC_FRAMEWORK_ERROR, "action is not a string")
    if not isinstance(payload, dict):
        raise FrameError(message_id, ErrorCode.FORMAT_VIOLATION, "payload is not a JSON object")
    return Call(message_id, action, payload)


def _dumps_stdlib(value: list[Any]) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


if orjson is not None:
    _ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _dumps_fast(value: list[Any]) -> str:
    try:
        out = orjson.dumps(value, option=_ORJSON_OPTIONS)
    except TypeError:  # non-str keys, huge integers, lone surrogates, unknown types: as before
        return _dumps_stdlib(value)
    if b"null" in out:  # orjson writes NaN/Infinity as null where the standard library raises
        return _dumps_stdlib(value)
    return out.decode()


_dumps: Callable[[list[Any]], str] = _dumps_stdlib if orjson is None else _dumps_fast


def encode_call(message_id: str, action: str, payload: dict[str, Any], encoded_payload: str | None = None) -> str:
    """``encoded_payload``: the payload already as JSON text (a caller that stored it so), used as is."""
    if encoded_payload is None:
        return _dumps([MessageType.CALL.value, message_id, action, payload])
    head = _dumps([MessageType.CALL.value, message_id, action])
    return f"{head[:-1]},{encoded_payload}]"


def encode_result(message_id: str, payload: dict[str, Any]) -> str:
    return _dumps([MessageType.CALL_RESULT.value, message_id, payload])


def encode_error(message_id: str, code: str, description: str = "", details: dict[str, Any] | None = None) -> str:
    return _dumps([MessageType.CALL_ERROR.value, message_id, code, description[:255], details or {}])


def encode_frame(frame: Frame) -> str:
    if isinstance(frame, Call):
        return encode_call(frame.message_id, frame.action, frame.payload)
    if isinstance(frame, CallResult):
        return encode_result(frame.message_id, frame.payload)
    return encode_error(frame.message_id, frame.code, frame.description, frame.details)
