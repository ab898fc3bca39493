"""Issue 18, lever 1: the event loop chosen at start-up, and orjson behind the frame codec."""

from __future__ import annotations

import asyncio
import json
import math

import pytest

from chargebridge import eventloop
from chargebridge.rpc import frames
from chargebridge.rpc.frames import FrameError, encode_result, parse_frame


def test_auto_runs_on_uvloop_when_installed() -> None:
    pytest.importorskip("uvloop")

    async def name() -> str:
        return eventloop.loop_name()

    assert eventloop.run(name()) == "uvloop"
    assert eventloop.run(name(), "asyncio") == "asyncio"


def test_loop_name_outside_a_loop() -> None:
    assert eventloop.loop_name() == "none"
    loop = asyncio.new_event_loop()
    try:
        assert eventloop.loop_name(loop) == "asyncio"
    finally:
        loop.close()


@pytest.mark.parametrize(
    "text",
    [
        '[2,"1","Heartbeat",{"s":"\\ud800"}]',  # a lone surrogate escape: orjson refuses, json reads it
        '[2,"1","Heartbeat",{"n":1e400}]',
        '[2,"1","Heartbeat",{"n":NaN}]',
        '[2,"1","Heartbeat",{}',
        '[2,"1","Heartbeat",{"a":1,"a":2}]',
        '\ufeff[2,"1","Heartbeat",{}]',
        '[2,"1","Heartbeat",{"x":"\x01"}]',
    ],
)
def test_parse_matches_the_standard_library(text: str) -> None:
    def outcome(loads: object) -> object:
        saved = frames._loads
        frames._loads = loads  # type: ignore[assignment]
        try:
            return parse_frame(text)
        except FrameError as exc:
            return (exc.message_id, exc.code, exc.description, exc.answerable)
        finally:
            frames._loads = saved

    assert outcome(frames._loads) == outcome(frames._loads_stdlib)


def test_encode_matches_the_standard_library() -> None:
    payloads: list[dict[str, object]] = [
        {"status": "Accepted", "currentTime": "2026-12-05T00:00:00Z", "interval": 300},
        {"value": 1.5, "big": 2**70, "text": "Grüße \u2603"},
        {1: "int key"},  # type: ignore[dict-item]
        {"s": "\ud800"},
    ]
    for payload in payloads:
        assert encode_result("m", payload) == frames._dumps_stdlib([3, "m", payload])
        assert json.loads(encode_result("m", payload)) == json.loads(frames._dumps_stdlib([3, "m", payload]))
    with pytest.raises(ValueError):
        encode_result("m", {"value": math.nan})
