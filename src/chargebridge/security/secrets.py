"""Hashing of station passwords and API tokens; secrets are never stored or logged in clear.

Station passwords are hashed with argon2id (argon2-cffi). Hashes written by earlier versions
(stdlib scrypt, ``scrypt$N$r$p$salt$digest``) still verify; :func:`needs_rehash` says when a
stored hash should be replaced after a successful login. API tokens are long random values, so
a SHA-256 lookup hash is enough and lets a token be found by its hash in one indexed query.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
# argon2id with the OWASP minimum (19 MiB, 2 passes): a handshake costs a few ms of one thread.
_ARGON2 = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# OCPP 2.0.1 (SecurityCtrlr.BasicAuthPassword) and the 1.6 security whitepaper (AuthorizationKey).
STATION_PASSWORD_MIN, STATION_PASSWORD_MAX = 16, 40


class WeakPassword(ValueError):
    pass


def check_station_password(password: str) -> None:
    """Raise :class:`WeakPassword` unless the password fits OCPP's 16-40 character rule."""
    if not STATION_PASSWORD_MIN <= len(password) <= STATION_PASSWORD_MAX:
        raise WeakPassword(
            f"a station password must be {STATION_PASSWORD_MIN} to {STATION_PASSWORD_MAX} characters long"
        )
    if not password.isprintable() or ":" in password:
        raise WeakPassword("a station password must be printable and must not contain ':'")


def hash_password(password: str) -> str:
    return _ARGON2.hash(password)


def verify_password(password: str, stored: str) -> bool:
    if stored.startswith("$argon2"):
        try:
            return _ARGON2.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    return _verify_scrypt(password, stored)


def needs_rehash(stored: str) -> bool:
    """True for legacy (scrypt) hashes and argon2 hashes made with weaker parameters."""
    if not stored.startswith("$argon2"):
        return True
    try:
        return _ARGON2.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p), dklen=32)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


def legacy_scrypt_hash(password: str) -> str:
    """The hash format of earlier versions (kept so tests can prove old hashes still verify)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def new_api_token() -> tuple[str, str]:
    """Return (token_id, token). The token is shown once; only its hash is stored."""
    token_id = secrets.token_hex(8)
    return token_id, f"cb_{token_id}_{secrets.token_urlsafe(32)}"


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
