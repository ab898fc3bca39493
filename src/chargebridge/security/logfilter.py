"""Credentials never reach a log handler.

:class:`RedactingFilter` rewrites every record it sees before it is formatted: the message (with
its arguments merged in), a formatted exception and a stack. :func:`install_log_redaction` puts
one on every handler of the root logger and of every logger that has its own (uvicorn's), so it
covers every library, including the ``websockets`` debug log that writes each handshake header,
``Authorization: Basic <base64 of id:password>`` among them.

What is redacted (replaced by ``***``):

- the value of ``Authorization`` / ``Proxy-Authorization`` headers, and any ``Basic``/``Bearer``/
  ``Digest`` credential wherever it appears;
- chargebridge API tokens (``cb_<id>_***`` keeps the token id, which is not secret);
- ``password=...``, ``"password": "..."`` and the like for password-, secret- and token-like
  names (``password``, ``passwd``, ``secret``, ``token``, ``api_key``, ``authorization_key``,
  ``private_key`` ...);
- ``user:password@`` in URLs (database URLs, ``ws://id:password@host``);
- argon2 password hashes (SQL parameters in database debug logs);
- the values in an OCPP configuration message that names ``AuthorizationKey`` or
  ``BasicAuthPassword``.
"""

from __future__ import annotations

import logging
import re

REDACTED = "***"

_HEADER = re.compile(r"(?i)\b((?:proxy-)?authorization)(\"?'?\s*[:=]\s*)(?:\"[^\"]*\"|'[^']*'|[^\r\n,}]*)")
_SCHEME = re.compile(r"(?i)\b(basic|bearer|digest)(\s+)([A-Za-z0-9._~+/=:-]{8,})")
_API_TOKEN = re.compile(r"\b(cb_[0-9a-f]{16}_)[A-Za-z0-9_-]+")
_SECRET_NAME = (
    r"[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|api_?key|apikey|access_?token|refresh_?token|api_?token"
    r"|authorization_?key|authorizationkey|private_?key|credentials?)|token"
)
_NAMED = re.compile(
    rf"(?i)(?<![A-Za-z0-9])(\"?'?)({_SECRET_NAME})(\1\s*[:=]\s*)(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[^\s,;&)}}\]]+)"
)
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+:)[^/\s@]+@")
_ARGON2 = re.compile(r"\$argon2(?:id|i|d)\$[A-Za-z0-9+/=$,.-]+")
_OCPP_SECRET_SETTING = re.compile(r"AuthorizationKey|BasicAuthPassword")
_OCPP_VALUE = re.compile(r"(\"?'?(?:value|attributeValue)\"?'?\s*:\s*)(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')")
# A cheap first look: most records contain none of these and are passed through untouched.
_TRIGGER = re.compile(
    r"(?i)authoriz|basic|bearer|digest|cb_|pass|pwd|secret|token|key|credential|://|\$argon2",
)


def _scheme(match: re.Match[str]) -> str:
    scheme, space, credential = match.groups()
    # A credential, not prose ("Basic authentication"): base64 and tokens have digits, symbols or capitals.
    if credential.isalpha() and credential[1:].islower():
        return match.group(0)
    return f"{scheme}{space}{REDACTED}"


def _named(match: re.Match[str]) -> str:
    quote, name, sep, value = match.groups()
    if name.lower() == "token" and value.strip("\"'").startswith(REDACTED):
        return match.group(0)
    wrapped = value[0] + REDACTED + value[0] if value[:1] in ("'", '"') else REDACTED
    return f"{quote}{name}{sep}{wrapped}"


def redact_text(text: str) -> str:
    """``text`` with every credential it shows replaced by ``***``."""
    if not _TRIGGER.search(text):
        return text
    text = _HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _SCHEME.sub(_scheme, text)
    text = _API_TOKEN.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    text = _NAMED.sub(_named, text)
    text = _URL_USERINFO.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)
    text = _ARGON2.sub(f"$argon2id${REDACTED}", text)
    if _OCPP_SECRET_SETTING.search(text):
        text = _OCPP_VALUE.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record's message, exception text and stack so that they show no credential."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it as usual
            return True
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_log_redaction() -> None:
    """Put the redacting filter on every handler of the root logger and of every logger with
    handlers of its own. Idempotent; call again after anything replaces handlers (uvicorn's
    logging set-up does, when its ``Config`` is built)."""
    loggers: list[logging.Logger] = [logging.getLogger()]
    loggers += [logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(_FILTER)
