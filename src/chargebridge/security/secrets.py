"""Hashing of station passwords and API tokens; secrets are never stored or logged in clear.

Passwords use scrypt (memory-hard, in the standard library) with a per-password salt;
API tokens are long random values, so a keyed SHA-256 lookup hash is enough and lets a
token be found by its hash in one indexed query.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p), dklen=32)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


def new_api_token() -> tuple[str, str]:
    """Return (token_id, token). The token is shown once; only its hash is stored."""
    token_id = secrets.token_hex(8)
    return token_id, f"cb_{token_id}_{secrets.token_urlsafe(32)}"


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
