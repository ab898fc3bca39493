"""The log filter redacts credentials from any record, whatever logged it (issue 11, item 7)."""

from __future__ import annotations

import base64
import io
import logging

import pytest

from chargebridge.cli import configure_logging
from chargebridge.security.logfilter import RedactingFilter, install_log_redaction, redact_text

BASIC = base64.b64encode(b"CP-1:Corr3ct-Horse-Battery").decode()
TOKEN = "cb_0123456789abcdef_Zm9vYmFyLWJhei1xdXV4LTEyMzQ1Njc4OTA"


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        (f"< Authorization: Basic {BASIC}", BASIC, "< Authorization: ***"),
        (f"> Proxy-Authorization: Basic {BASIC}", BASIC, "Proxy-Authorization: ***"),
        (f"headers {{'authorization': 'Basic {BASIC}', 'host': 'x'}}", BASIC, "'host': 'x'"),
        (f"sent Bearer {TOKEN} again", "Zm9vYmFy", "Bearer ***"),
        (f"token {TOKEN} for the api", "Zm9vYmFy", "cb_0123456789abcdef_***"),
        ('{"id": "CP-1", "password": "s3cret-Passw0rd!"}', "s3cret-Passw0rd!", '"id": "CP-1"'),
        ("new_password=s3cret-Passw0rd&x=1", "s3cret-Passw0rd", "&x=1"),
        ("basic_auth_password: s3cret-Passw0rd", "s3cret-Passw0rd", "basic_auth_password: ***"),
        ("client_secret='abc123XYZ'", "abc123XYZ", "client_secret='***'"),
        ("postgresql+asyncpg://cb:pg-Passw0rd@db/cb", "pg-Passw0rd", "postgresql+asyncpg://cb:***@db/cb"),
        ("ws://CP-1:Corr3ct-Horse@host:9000/ocpp/CP-1", "Corr3ct-Horse", "ws://CP-1:***@host"),
        ("params ('CP-1', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA')", "aGFzaA", "'CP-1'"),
        (
            '[2,"7","ChangeConfiguration",{"key":"AuthorizationKey","value":"0011AABBCCDD"}]',
            "0011AABBCCDD",
            '"key":"AuthorizationKey"',
        ),
        (
            '{"attributeValue": "n3w-Station-Passw0rd", "variable": {"name": "BasicAuthPassword"}}',
            "n3w-Station-Passw0rd",
            "BasicAuthPassword",
        ),
    ],
)
def test_credentials_are_redacted(text: str, secret: str, kept: str) -> None:
    redacted = redact_text(text)
    assert secret not in redacted
    assert kept in redacted, redacted


@pytest.mark.parametrize(
    "text",
    [
        "Basic authentication failed for CP-1",
        "CP-1: logged in with its new password; the old one no longer works",
        "handshake from 127.0.0.1 refused: unknown station 'CP-9'",
        "Heartbeat from CP-1 answered in 1.2 ms",
    ],
)
def test_ordinary_messages_are_left_alone(text: str) -> None:
    assert redact_text(text) == text


def test_the_filter_redacts_arguments_exceptions_and_stacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("chargebridge.test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("< %s: %s", "Authorization", f"Basic {BASIC}")
        try:
            raise ValueError(f"bad header Authorization: Basic {BASIC}")
        except ValueError:
            logger.exception("failed with password=%s", "hunter2-Passw0rd")
        logger.warning("stack", stack_info=True, extra={})
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert BASIC not in text and "hunter2-Passw0rd" not in text
    assert "< Authorization: ***" in text and "ValueError: bad header Authorization: ***" in text


def test_install_covers_every_handler_once_and_the_cli_installs_it() -> None:
    root = logging.getLogger()
    own = logging.getLogger("chargebridge.test.own-handler")
    root_handler, own_handler = logging.StreamHandler(io.StringIO()), logging.StreamHandler(io.StringIO())
    root.addHandler(root_handler)
    own.addHandler(own_handler)
    try:
        install_log_redaction()
        install_log_redaction()
        for handler in (root_handler, own_handler):
            assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
    finally:
        root.removeHandler(root_handler)
        own.removeHandler(own_handler)
    before = list(root.handlers)
    try:
        configure_logging("warning")
        assert all(any(isinstance(f, RedactingFilter) for f in h.filters) for h in root.handlers)
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
