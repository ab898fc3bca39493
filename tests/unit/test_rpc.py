"""The sans-I/O RPC core: framing, validation, call tracking; fuzzed with Hypothesis."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chargebridge.rpc import (
    CallInProgress,
    CallReceived,
    ErrorReceived,
    OcppVersion,
    ProtocolViolation,
    ResultReceived,
    RpcEndpoint,
    UnmatchedReply,
    schemas_for,
)
from chargebridge.rpc.errors import ErrorCode, parse_wire_code, wire_code
from chargebridge.rpc.frames import Call, CallError, CallResult, FrameError, encode_frame, parse_frame
from chargebridge.rpc.version import select_subprotocol

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
payloads = st.dictionaries(st.text(max_size=10), json_values, max_size=5)
message_ids = st.text(min_size=1, max_size=36)


@given(
    st.one_of(
        st.builds(Call, message_ids, st.text(min_size=1, max_size=30), payloads),
        st.builds(CallResult, message_ids, payloads),
        st.builds(CallError, message_ids, st.text(max_size=30), st.text(max_size=100), payloads),
    )
)
def test_frames_round_trip(frame: Call | CallResult | CallError) -> None:
    assert parse_frame(encode_frame(frame)) == frame


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=100), json_values.map(json.dumps)))
def test_endpoint_never_raises_on_arbitrary_input(data: str | bytes) -> None:
    endpoint = RpcEndpoint(schemas_for(OcppVersion.V201))
    events = endpoint.receive(data)
    assert len(events) == 1
    for frame in endpoint.data_to_send():
        decoded = json.loads(frame)
        assert decoded[0] == 4 and isinstance(decoded[1], str) and isinstance(decoded[2], str)


def test_parse_errors_carry_message_id_when_readable() -> None:
    with pytest.raises(FrameError) as err:
        parse_frame('[2, "abc", "Heartbeat"]')
    assert err.value.message_id == "abc" and err.value.code is ErrorCode.RPC_FRAMEWORK_ERROR
    with pytest.raises(FrameError) as err:
        parse_frame('[2, 5, "Heartbeat", {}]')
    assert err.value.message_id == "-1"
    with pytest.raises(FrameError) as err:
        parse_frame('[3, "x"]')
    assert not err.value.answerable  # a broken reply is never answered


def test_validation_does_not_inject_defaults() -> None:
    endpoint = RpcEndpoint(schemas_for(OcppVersion.V201))
    payload: dict[str, Any] = {
        "eventType": "Started",
        "timestamp": "2026-01-01T00:00:00Z",
        "triggerReason": "Authorized",
        "seqNo": 0,
        "transactionInfo": {"transactionId": "T"},
    }
    [event] = endpoint.receive(json.dumps([2, "1", "TransactionEvent", payload]))
    assert isinstance(event, CallReceived) and "offline" not in event.payload


def test_one_outstanding_call_and_reply_matching() -> None:
    endpoint = RpcEndpoint(schemas_for(OcppVersion.V16), new_message_id=iter(["a", "b"]).__next__)
    assert endpoint.send_call("Reset", {"type": "Soft"}) == "a"
    with pytest.raises(CallInProgress):
        endpoint.send_call("ClearCache", {})
    assert endpoint.receive('[3, "zzz", {"status": "Accepted"}]') == [UnmatchedReply("zzz", "result")]
    [result] = endpoint.receive('[3, "a", {"status": "Accepted"}]')
    assert result == ResultReceived("a", "Reset", {"status": "Accepted"})
    endpoint.send_call("ClearCache", {})
    endpoint.cancel_call("b")  # timed out
    assert endpoint.receive('[3, "b", {"status": "Accepted"}]') == [UnmatchedReply("b", "result")]


def test_invalid_result_becomes_error_for_the_caller() -> None:
    endpoint = RpcEndpoint(schemas_for(OcppVersion.V16), new_message_id=lambda: "a")
    endpoint.send_call("Reset", {"type": "Soft"})
    [event] = endpoint.receive('[3, "a", {"status": "Maybe"}]')
    assert isinstance(event, ErrorReceived) and event.code == "PropertyConstraintViolation"


def test_outbound_calls_are_validated() -> None:
    endpoint = RpcEndpoint(schemas_for(OcppVersion.V16))
    with pytest.raises(Exception) as err:
        endpoint.send_call("Reset", {"type": "Sideways"})
    assert "type" in str(err.value)
    assert endpoint.pending_call is None and endpoint.data_to_send() == []


def test_not_accepted_direction_is_not_supported() -> None:
    endpoint = RpcEndpoint(schemas_for(OcppVersion.V16), accepts=lambda action: action != "Reset")
    [event] = endpoint.receive('[2, "1", "Reset", {"type": "Soft"}]')
    assert isinstance(event, ProtocolViolation) and event.code is ErrorCode.NOT_SUPPORTED


@pytest.mark.parametrize(
    ("code", "v16", "v201"),
    [
        (ErrorCode.FORMAT_VIOLATION, "FormationViolation", "FormatViolation"),
        (ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION, "OccurenceConstraintViolation", "OccurrenceConstraintViolation"),
        (ErrorCode.RPC_FRAMEWORK_ERROR, "ProtocolError", "RpcFrameworkError"),
        (ErrorCode.NOT_IMPLEMENTED, "NotImplemented", "NotImplemented"),
    ],
)
def test_error_codes_are_spelled_per_version(code: ErrorCode, v16: str, v201: str) -> None:
    assert wire_code(code, OcppVersion.V16) == v16
    assert wire_code(code, OcppVersion.V201) == v201
    assert parse_wire_code(v201) is code
    assert parse_wire_code("SomethingNew") is ErrorCode.GENERIC_ERROR


def test_subprotocol_preference() -> None:
    assert select_subprotocol(["ocpp1.6", "ocpp2.0.1"]) == "ocpp2.0.1"
    assert select_subprotocol(["ocpp1.6"]) == "ocpp1.6"
    assert select_subprotocol(["ocpp1.5"]) is None


def test_a_call_with_its_payload_already_encoded_is_the_same_frame() -> None:
    from chargebridge.rpc.frames import encode_call

    payload = {"idTag": "TAG-ü", "n": [1, 2.5]}
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    assert encode_call("m-1", "Authorize", payload, text) == encode_call("m-1", "Authorize", payload)
