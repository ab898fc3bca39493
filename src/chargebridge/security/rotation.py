"""Station password rotation, the protocol side (no I/O): which passwords each OCPP version can
carry, how a strong one is made, how it is sent, and what the station's answer means.

The two versions encode the password differently:

- **OCPP 1.6** (security whitepaper, A00.FR.205 and the ``AuthorizationKey`` key): the password
  is 16 to 20 bytes, and ``ChangeConfiguration`` carries it *hexadecimal represented* (up to 40
  hex digits). The station decodes the hex and sends the bytes themselves in HTTP Basic (the
  OCPP 1.6 test tool checks exactly that). Generated passwords are printable ASCII so that the
  decoded bytes are also a valid Basic-auth text, whatever the charger stores them in.
- **OCPP 2.0.1** (``SecurityCtrlr.BasicAuthPassword``, a ``passwordString``): 16 to 40
  characters, sent as they are with ``SetVariables``; the spec limits the characters to letters,
  digits and a few symbols.

The gateway accepts the old password until the station first connects with the new one (see
:mod:`chargebridge.gateway.passwords`).
"""

from __future__ import annotations

import re
import secrets
import string

from chargebridge.domain.commands import SetConfiguration, VariableRef
from chargebridge.rpc import OcppVersion
from chargebridge.security.secrets import STATION_PASSWORD_MIN, WeakPassword, check_station_password

AUTHORIZATION_KEY = "AuthorizationKey"
BASIC_AUTH_PASSWORD = VariableRef("SecurityCtrlr", "BasicAuthPassword")
# 1.6: "minimal length 16 bytes ... 20 bytes maximum, represented as a string of up to 40 hexadecimal digits".
AUTHORIZATION_KEY_MAX_BYTES = 20
PASSWORD_STRING_MAX = 40
# 2.0.1 passwordString: letters, digits and these symbols (':' is left out: it separates user and
# password in HTTP Basic, and station passwords here never contain it).
PASSWORD_STRING_SYMBOLS = "*-_=+|@."
_PASSWORD_STRING = frozenset(string.ascii_letters + string.digits + PASSWORD_STRING_SYMBOLS)
# Generated passwords use a subset every reading of both specs allows.
GENERATED_ALPHABET = string.ascii_letters + string.digits + "*-_=+|."
# A 1.6 station that (wrongly) sends the hex form of its AuthorizationKey as its password.
_HEX_KEY = re.compile(r"(?:[0-9A-Fa-f]{2}){16,20}")
# A station answer that means "the new password is stored" (RebootRequired: used after the reboot).
ACCEPTED_STATUSES = frozenset({"Accepted", "RebootRequired"})


def max_password_length(version: OcppVersion) -> int:
    return AUTHORIZATION_KEY_MAX_BYTES if version is OcppVersion.V16 else PASSWORD_STRING_MAX


def generate_password(version: OcppVersion) -> str:
    """A random password of the longest length the version carries (20 or 40 characters)."""
    return "".join(secrets.choice(GENERATED_ALPHABET) for _ in range(max_password_length(version)))


def check_rotation_password(version: OcppVersion, password: str) -> None:
    """Raise :class:`WeakPassword` unless ``password`` can be given to a station of ``version``."""
    check_station_password(password)
    if version is OcppVersion.V16:
        size = len(password.encode("utf-8"))
        if not STATION_PASSWORD_MIN <= size <= AUTHORIZATION_KEY_MAX_BYTES:
            raise WeakPassword(
                f"an OCPP 1.6 AuthorizationKey is {STATION_PASSWORD_MIN} to {AUTHORIZATION_KEY_MAX_BYTES} bytes long"
            )
    elif not set(password) <= _PASSWORD_STRING:
        raise WeakPassword(
            f"an OCPP 2.0.1 BasicAuthPassword may only contain letters, digits and {' '.join(PASSWORD_STRING_SYMBOLS)}"
        )


def password_command(version: OcppVersion, password: str) -> SetConfiguration:
    """1.6 ChangeConfiguration AuthorizationKey (hex of the password's bytes) / 2.0.1 SetVariables
    SecurityCtrlr.BasicAuthPassword (the password itself)."""
    if version is OcppVersion.V16:
        return SetConfiguration(value=authorization_key(password), key=AUTHORIZATION_KEY)
    return SetConfiguration(value=password, variable=BASIC_AUTH_PASSWORD)


def authorization_key(password: str) -> str:
    """The 1.6 AuthorizationKey value for ``password``: its UTF-8 bytes in hexadecimal."""
    return password.encode("utf-8").hex()


def password_from_authorization_key(value: str) -> str | None:
    """The password a 1.6 AuthorizationKey value stands for (None unless 32-40 hex digits of text)."""
    if _HEX_KEY.fullmatch(value) is None:
        return None
    try:
        password = bytes.fromhex(value).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return password if password.isprintable() else None
