"""The JSON shape check and the 422 echo rules, without sockets (issue 11, items 2 and 7)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from chargebridge.api.errors import MAX_ERRORS, echo, is_secret_name, safe_errors
from chargebridge.api.limits import BodyLimits, json_problem

LIMITS = BodyLimits(max_body_bytes=2**20, max_json_depth=32, max_json_items=10_000)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"id": "CP-1", "password": null}', None),
        (b"[" * 32 + b"]" * 32, None),
        (b"[" * 33 + b"]" * 33, "nested deeper than 32 levels"),
        (b"[" * 300_000 + b"]" * 300_000, "nested deeper than 32 levels"),  # past the C decoder's recursion
        (json.dumps(list(range(10_000))).encode(), None),
        (json.dumps(list(range(10_001))).encode(), "more than 10000 items"),
        (json.dumps({f"k{i}": i for i in range(10_001)}).encode(), "more than 10000 items"),
        (json.dumps([[0] * 5_000 for _ in range(40)]).encode(), None),  # many containers, each within the limit
        (b'{"a": [{"b": [{"c": ' + b"[" * 30 + b"1" + b"]" * 30 + b"}]}]}", "deeper"),  # 35 levels
        (b'{"broken": ', None),  # left to FastAPI's own "json_invalid" error
        (b"[" * 40, None),  # unparseable too
        (b"17", None),
    ],
)
def test_json_problem(body: bytes, problem: str | None) -> None:
    found = json_problem(body, LIMITS)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_json_problem_is_linear() -> None:
    """Twice the body, about twice the time (a quadratic check would take four times)."""

    def seconds(body: bytes) -> float:
        best = float("inf")
        for _ in range(9):  # the best of several: a loaded machine only ever makes a run slower
            started = time.perf_counter()
            json_problem(body, LIMITS)
            best = min(best, time.perf_counter() - started)
        return best

    item = b'{"a": [1, 2, {"b": "xyz"}]},'
    small = b"[" + item * 4_000 + b"{}]"
    large = b"[" + item * 8_000 + b"{}]"
    assert json_problem(large, BodyLimits(max_json_items=100_000)) is None
    assert seconds(large) < 3.5 * seconds(small)


def test_secret_names() -> None:
    for name in ("password", "new_password", "BasicAuthPassword", "token", "api_token", "AuthorizationKey", "key"):
        assert is_secret_name(name), name
    for name in ("id", "station_id", "registration_status", "vendor", 3):
        assert not is_secret_name(name), name


def test_echo_is_small_and_secret_free() -> None:
    assert echo("A" * (20 * 2**20)) == "A" * 64 + f"... ({20 * 2**20} characters)"
    assert echo({"id": "CP-1", "password": "x" * 20, "nested": {"token": "t"}}) == {
        "id": "CP-1",
        "password": "***",
        "nested": {"token": "***"},
    }
    assert echo(list(range(100))) == "<an array of 100 items, not echoed>"
    assert echo({"a": {"b": {"c": 1}}}) == {"a": {"b": "<an object with 1 members, not echoed>"}}
    assert echo(10**100).endswith("(101 characters)")
    assert echo(float("nan")) == "nan"
    assert echo(b"\x00" * 100).endswith("(100 bytes)")


def test_safe_errors() -> None:
    errors: list[dict[str, Any]] = [
        {"type": "string_too_short", "loc": ("body", "password"), "msg": "too short", "input": "hunter2", "ctx": {}},
        {"type": "missing", "loc": ("body", "profile"), "msg": "Field required", "input": {"password": "hunter2"}},
        {"type": "string_too_long", "loc": ("body", "K" * 1000), "msg": "m" * 1000, "input": "v"},
        {"type": "value_error", "loc": ("body",), "msg": "bad", "input": 1, "ctx": {"error": ValueError("why")}},
    ]
    safe = safe_errors(errors)
    assert "input" not in safe[0]
    assert safe[1]["input"] == {"password": "***"}
    assert len(safe[2]["loc"][1]) < 100 and len(safe[2]["msg"]) < 400
    assert safe[3]["ctx"] == {"error": "why"}
    assert "hunter2" not in json.dumps(safe)
    setting = {"key": "AuthorizationKey", "value": "00112233"}
    hidden = safe_errors([{"type": "x", "loc": ("body", "value"), "msg": "m", "input": "00112233"}], setting)
    assert "input" not in hidden[0]
    many = safe_errors([{"type": "x", "loc": ("body", i), "msg": "m", "input": i} for i in range(500)])
    assert len(many) == MAX_ERRORS + 1 and many[-1]["type"] == "too_many_errors" and "450" in many[-1]["msg"]
