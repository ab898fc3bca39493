"""Pure logic behind the gateway's handshake defences: the replacement policy, the limiters'
keys, trusted proxies with X-Forwarded-For, the PROXY protocol parser, the profile-0 warning
and the station path (issue 11 items 4, 8 and 10; issue 12 item 10)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chargebridge.gateway.proxy import (
    ProxyProtocolError,
    TrustedProxies,
    parse_networks,
    parse_proxy_header,
    proxy_v1_header,
    proxy_v2_header,
)
from chargebridge.gateway.station_ids import InvalidStationId, parse_station_path
from chargebridge.security.profiles import unauthenticated_warning
from chargebridge.security.ratelimit import FailureLimiter
from chargebridge.security.replacement import ReplacementPolicy, Session, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failure_limiter_window_and_lockout() -> None:
    now = [0.0]
    limiter: FailureLimiter[str] = FailureLimiter(3, window_s=10, lockout_s=5, max_keys=2, monotonic=lambda: now[0])
    assert not limiter.failure("a") and not limiter.failure("a")
    now[0] = 11  # the first two failures left the window
    assert not limiter.failure("a") and not limiter.failure("a")
    assert limiter.failure("a")  # third within the window
    assert limiter.retry_after("a") == 5
    now[0] = 16.5
    assert limiter.retry_after("a") is None
    for key in ("b", "c", "d"):  # bounded memory
        limiter.failure(key)
    assert len(limiter._failures._events) <= 2


def test_failures_of_one_pair_never_lock_another() -> None:
    limiter: FailureLimiter[tuple[str, str]] = FailureLimiter(2, 60, 30)
    limiter.failure(("192.0.2.1", "A"))
    assert limiter.failure(("192.0.2.1", "A"))
    assert limiter.retry_after(("192.0.2.1", "A")) is not None
    assert limiter.retry_after(("192.0.2.1", "B")) is None
    assert limiter.retry_after(("192.0.2.2", "A")) is None


def session(source: str, *, authenticated: bool = False, since: float = 1000.0) -> Session:
    return Session(source, authenticated, since)


def test_replacement_rules() -> None:
    clock = Clock()
    policy = ReplacementPolicy(2, 60, monotonic=clock)
    assert policy.decide("S", None, "a", authenticated=False) is Verdict.NEW
    # 1. authenticated beats unauthenticated, whatever the counts
    for _ in range(5):
        assert policy.decide("S", session("x"), "y", authenticated=True) is Verdict.UPGRADE
    # 2. never the other way round
    verdict = policy.decide("S", session("x", authenticated=True), "y", authenticated=False)
    assert verdict is Verdict.UNAUTHENTICATED and verdict.refused
    # 3. the live connection's own address: a reconnect, never limited
    for _ in range(20):
        assert policy.decide("S", session("x"), "x", authenticated=False) is Verdict.RECONNECT
    # 5. another address: counted, then refused
    assert policy.decide("S", session("x"), "attacker", authenticated=False) is Verdict.COUNTED
    assert policy.decide("S", session("x"), "attacker", authenticated=False) is Verdict.COUNTED
    assert policy.decide("S", session("x"), "attacker", authenticated=False) is Verdict.LIMITED
    assert policy.decide("T", session("x"), "attacker", authenticated=False) is Verdict.COUNTED  # per station
    clock.now += 61
    assert policy.decide("S", session("x", since=clock.now), "attacker", authenticated=False) is Verdict.COUNTED


def test_the_established_address_always_comes_back() -> None:
    """The station that held its socket for a window is never refused, however often an impostor
    from ever new addresses took it over in between."""
    clock = Clock()
    policy = ReplacementPolicy(1, 60, monotonic=clock)
    real = session("real", since=clock.now)
    clock.now += 60
    for i in range(10):
        assert policy.decide("S", real, f"attacker-{i}", authenticated=False) is Verdict.COUNTED
        attacker = session(f"attacker-{i}", since=clock.now)
        assert policy.decide("S", attacker, "real", authenticated=False) is Verdict.RETURNING
        real = session("real", since=clock.now)
        clock.now += 1
    assert policy.established("S") == "real"


def test_a_session_that_ended_after_a_window_is_established() -> None:
    clock = Clock()
    policy = ReplacementPolicy(1, 60, monotonic=clock)
    policy.ended("S", session("short", since=clock.now))
    assert policy.established("S") is None
    clock.now += 120
    policy.ended("S", session("long", since=clock.now - 90))
    assert policy.established("S") == "long"


def test_trusted_proxies_and_x_forwarded_for() -> None:
    proxies = TrustedProxies(parse_networks(["127.0.0.1", "10.0.0.0/8", "2001:db8:1::/48"]))
    assert proxies.trusts("127.0.0.1") and proxies.trusts("10.9.8.7") and proxies.trusts("::ffff:10.0.0.1")
    assert not proxies.trusts("192.0.2.1") and not proxies.trusts("unknown") and not proxies.trusts(None)
    # untrusted peer: its header is not believed
    assert proxies.client_address("192.0.2.1", ["203.0.113.5"]) == "192.0.2.1"
    # right-most untrusted entry, several header lines in order
    assert proxies.client_address("127.0.0.1", ["6.6.6.6, 203.0.113.5", "10.0.0.2"]) == "203.0.113.5"
    assert proxies.client_address("127.0.0.1", ["203.0.113.5:4711"]) == "203.0.113.5"
    assert proxies.client_address("127.0.0.1", ['"[2001:db8::9]:443"']) == "2001:db8::9"
    # a malformed entry ends the walk at the last address seen
    assert proxies.client_address("127.0.0.1", ["203.0.113.5, not-an-ip, 10.0.0.3"]) == "10.0.0.3"
    assert proxies.client_address("127.0.0.1", []) == "127.0.0.1"
    assert not TrustedProxies() and TrustedProxies().client_address("127.0.0.1", ["1.2.3.4"]) == "127.0.0.1"
    with pytest.raises(ValueError, match="not-a-network"):
        parse_networks(["not-a-network"])


def test_proxy_v1_headers() -> None:
    header = proxy_v1_header("192.0.2.7", "192.0.2.1", 5555, 9000)
    parsed = parse_proxy_header(header + b"GET / HTTP/1.1\r\n")
    assert parsed is not None and parsed.length == len(header)
    assert (parsed.source, parsed.source_port) == ("192.0.2.7", 5555)
    assert parse_proxy_header(header[:10]) is None  # more bytes needed
    assert parse_proxy_header(b"") is None
    unknown = parse_proxy_header(b"PROXY UNKNOWN ignored fields\r\nGET")
    assert unknown is not None and unknown.source is None and unknown.length == len(b"PROXY UNKNOWN ignored fields\r\n")
    v6 = parse_proxy_header(proxy_v1_header("2001:db8::2", "2001:db8::1", 1, 2))
    assert v6 is not None and v6.source == "2001:db8::2"
    for bad in (
        b"GET /ocpp/X HTTP/1.1\r\n",
        b"PROXY TCP4 192.0.2.7 192.0.2.1 5555\r\n",
        b"PROXY TCP4 2001:db8::2 192.0.2.1 1 2\r\n",  # family and address disagree
        b"PROXY TCP4 192.0.2.7 192.0.2.1 70000 2\r\n",
        b"PROXY TCP4 192.0.2.7 192.0.2.1 05 2\r\n",
        b"PROXY TCP4 300.0.0.1 192.0.2.1 1 2\r\n",
        b"PROXY " + b"x" * 120,
    ):
        with pytest.raises(ProxyProtocolError):
            parse_proxy_header(bad)


def test_proxy_v2_headers() -> None:
    header = proxy_v2_header("198.51.100.4", "192.0.2.1", 40000, 443)
    parsed = parse_proxy_header(header + b"\x16\x03\x01")
    assert parsed is not None and (parsed.source, parsed.source_port, parsed.length) == ("198.51.100.4", 40000, 28)
    assert parse_proxy_header(header[:20]) is None and parse_proxy_header(header[:5]) is None
    v6 = parse_proxy_header(proxy_v2_header("2001:db8::5", "2001:db8::1", 1, 2))
    assert v6 is not None and v6.source == "2001:db8::5" and v6.length == 16 + 36
    # LOCAL (health check): no client address; TLVs after the addresses are skipped
    local = parse_proxy_header(header[:12] + bytes([0x20, 0x00, 0x00, 0x03]) + b"abc" + b"GET")
    assert local is not None and local.source is None and local.length == 19
    with_tlv = header[:14] + (len(header) - 16 + 4).to_bytes(2, "big") + header[16:] + b"\x04\x00\x01x"
    parsed = parse_proxy_header(with_tlv)
    assert parsed is not None and parsed.source == "198.51.100.4" and parsed.length == len(with_tlv)
    with pytest.raises(ProxyProtocolError):
        parse_proxy_header(header[:12] + bytes([0x11]) + header[13:])  # version 1 in a v2 header
    with pytest.raises(ProxyProtocolError):
        parse_proxy_header(header[:12] + bytes([0x21, 0x11, 0x00, 0x04]) + b"\x00" * 4)  # too short for IPv4


@given(st.binary(max_size=300))
def test_the_proxy_parser_never_fails_unexpectedly(data: bytes) -> None:
    try:
        parsed = parse_proxy_header(data)
    except ProxyProtocolError:
        return
    assert parsed is None or 0 < parsed.length <= len(data)


def test_profile_zero_warning() -> None:
    assert unauthenticated_warning(0, [], auto_register=False, require_security=False) is None
    text = unauthenticated_warning(7, ["A", "B", "C", "D", "E"], auto_register=True, require_security=False)
    assert text is not None
    assert "7 station(s)" in text and "WITHOUT AUTHENTICATION" in text and "A, B, C, D, E, ..." in text
    assert "--auto-register is ON" in text
    refused = unauthenticated_warning(1, ["A"], auto_register=True, require_security=True)
    assert refused is not None and "will be refused" in refused and "auto-register" not in refused
    only_auto = unauthenticated_warning(0, [], auto_register=True, require_security=False)
    assert only_auto is not None and "--auto-register is ON" in only_auto


def test_invalid_utf8_in_the_station_path_is_a_plain_error() -> None:
    with pytest.raises(InvalidStationId) as exc:
        parse_station_path("/ocpp/%FF%FE")
    assert str(exc.value) == "station id is not valid percent-encoded UTF-8"
    assert parse_station_path("/ocpp/%C3%A9t%C3%A9") == "été"
