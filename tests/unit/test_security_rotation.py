"""Password rotation rules per OCPP version, the TLS failure classifier, and the simulator's side
of a password change (all sans I/O)."""

from __future__ import annotations

import ssl

import pytest

from chargebridge.ocpp16.adapter import Ocpp16Adapter
from chargebridge.ocpp201.adapter import Ocpp201Adapter
from chargebridge.rpc import OcppVersion, schemas_for
from chargebridge.security.profiles import SecurityEvent, tls_refusal
from chargebridge.security.rotation import (
    GENERATED_ALPHABET,
    authorization_key,
    check_rotation_password,
    generate_password,
    password_command,
    password_from_authorization_key,
)
from chargebridge.security.secrets import WeakPassword
from chargebridge.sim.commands import ChangePassword, answer
from chargebridge.sim.state import ConfigStore, StationState

V16, V201 = OcppVersion.V16, OcppVersion.V201


@pytest.mark.parametrize(("version", "length"), [(V16, 20), (V201, 40)])
def test_generated_passwords_fit_their_version(version: OcppVersion, length: int) -> None:
    passwords = {generate_password(version) for _ in range(50)}
    assert len(passwords) == 50  # random
    for password in passwords:
        assert len(password) == length and set(password) <= set(GENERATED_ALPHABET)
        check_rotation_password(version, password)


def test_16_authorization_key_is_the_hex_of_16_to_20_bytes() -> None:
    password = "0123456789abcdef-+|."  # 20 bytes
    key = authorization_key(password)
    assert key == password.encode().hex() and len(key) == 40
    assert password_from_authorization_key(key) == password
    assert password_from_authorization_key(key.upper()) == password
    assert password_from_authorization_key("00" * 16) is None  # not printable text
    assert password_from_authorization_key("ab" * 15) is None  # 15 bytes: too short
    assert password_from_authorization_key("ab" * 21) is None  # 21 bytes: too long
    assert password_from_authorization_key(password) is None  # not hex at all
    with pytest.raises(WeakPassword, match="20 bytes"):
        check_rotation_password(V16, "x" * 21)
    with pytest.raises(WeakPassword, match="20 bytes"):
        check_rotation_password(V16, "ü" * 16)  # 16 characters, 32 bytes
    check_rotation_password(V16, "a-password-16-ch")


def test_201_password_is_a_password_string() -> None:
    check_rotation_password(V201, "A" * 40)
    check_rotation_password(V201, "letters-digits_0123=+|@.*")
    for bad in ("has a space in it!", "x" * 41, "short", "colon:is-not-allowed"):
        with pytest.raises(WeakPassword):
            check_rotation_password(V201, bad)


@pytest.mark.parametrize("version", [V16, V201])
def test_password_commands_are_schema_valid(version: OcppVersion) -> None:
    password = generate_password(version)
    adapter = Ocpp16Adapter() if version is V16 else Ocpp201Adapter()
    action, payload = adapter.encode_command(password_command(version, password))
    schemas_for(version).validate_request(action, payload)
    if version is V16:
        assert (action, payload) == (
            "ChangeConfiguration",
            {"key": "AuthorizationKey", "value": password.encode().hex()},
        )
    else:
        assert action == "SetVariables"
        assert payload["setVariableData"][0]["attributeValue"] == password


def _ssl_error(cls: type[ssl.SSLError], reason: str, **attributes: str) -> ssl.SSLError:
    error = cls(1, reason)
    error.reason = reason
    for name, value in attributes.items():
        setattr(error, name, value)
    return error


def test_tls_failures_are_named() -> None:
    expired = _ssl_error(
        ssl.SSLCertVerificationError, "CERTIFICATE_VERIFY_FAILED", verify_message="certificate has expired"
    )
    cases: list[tuple[BaseException, SecurityEvent | None, bool]] = [
        (expired, SecurityEvent.CERT_REJECTED, True),
        (_ssl_error(ssl.SSLError, "UNSUPPORTED_PROTOCOL"), SecurityEvent.TLS_VERSION_REFUSED, True),
        (_ssl_error(ssl.SSLError, "NO_SHARED_CIPHER"), SecurityEvent.TLS_CIPHER_REFUSED, True),
        (_ssl_error(ssl.SSLError, "HTTP_REQUEST"), SecurityEvent.TLS_HANDSHAKE_FAILED, True),
        (_ssl_error(ssl.SSLError, "TLSV1_ALERT_UNKNOWN_CA"), SecurityEvent.TLS_HANDSHAKE_FAILED, False),
        (ConnectionResetError(), None, False),
    ]
    for exc, event, counts in cases:
        refusal = tls_refusal(exc)
        assert (refusal.event if refusal else None) is event, exc
        if refusal is not None:
            assert refusal.counts is counts and len(refusal.tech_info) <= 255
    refusal = tls_refusal(expired)
    assert refusal is not None and "certificate has expired" in refusal.tech_info
    timed_out = tls_refusal(ConnectionAbortedError("slow"), timed_out=True)
    assert timed_out is not None and timed_out.event is SecurityEvent.TLS_HANDSHAKE_FAILED and timed_out.counts


def _state() -> StationState:
    return StationState(connectors={}, config=ConfigStore({}))


def test_simulator_16_takes_a_hex_authorization_key() -> None:
    ok = answer(V16, "ChangeConfiguration", {"key": "AuthorizationKey", "value": authorization_key("x" * 18)}, _state())
    assert ok.payload == {"status": "Accepted"} and ok.intents == (ChangePassword("x" * 18),)
    assert "x" * 18 not in repr(ok.intents)  # never printed
    raw = answer(V16, "ChangeConfiguration", {"key": "AuthorizationKey", "value": "x" * 18}, _state())
    assert raw.payload == {"status": "Rejected"} and raw.intents == ()


def test_simulator_201_takes_a_basic_auth_password() -> None:
    def set_password(value: str) -> tuple[str, tuple[object, ...]]:
        item = {
            "attributeValue": value,
            "component": {"name": "SecurityCtrlr"},
            "variable": {"name": "BasicAuthPassword"},
        }
        result = answer(V201, "SetVariables", {"setVariableData": [item]}, _state())
        schemas_for(V201).validate_response("SetVariables", result.payload)
        return result.payload["setVariableResult"][0]["attributeStatus"], result.intents

    assert set_password("y" * 40) == ("Accepted", (ChangePassword("y" * 40),))
    assert set_password("too short") == ("Rejected", ())
