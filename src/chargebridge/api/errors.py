"""422 answers tell what was wrong without echoing secrets or huge values.

FastAPI's default answer to a request that fails validation echoes each rejected ``input`` in
full: a station password that was too short, or a 20 MB string. :func:`validation_error_handler`
answers the same shape (``{"detail": [{"type", "loc", "msg", "input", "ctx"}, ...]}``) with:

- no ``input`` for a field whose name is secret-like (password, token, secret, key,
  authorization, credential ...), or for every error of a body that sets an OCPP credential
  (``AuthorizationKey`` / ``BasicAuthPassword``);
- secret-like members of an echoed object replaced by ``***``;
- strings cut to :data:`MAX_ECHO` characters (with the full length said), objects and arrays
  echoed two levels deep and ten members wide at most, location parts and messages cut too;
- at most :data:`MAX_ERRORS` errors, then one ``too_many_errors`` entry with the count.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from fastapi import Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

MAX_ECHO = 64
MAX_MESSAGE = 300
MAX_ERRORS = 50
MAX_MEMBERS = 10
REDACTED = "***"
_SECRET_PARTS = ("password", "passwd", "secret", "token", "authorization", "credential", "private", "apikey", "api_key")
_SECRET_SETTINGS = frozenset({"AuthorizationKey", "BasicAuthPassword"})


def is_secret_name(name: object) -> bool:
    if not isinstance(name, str):
        return False
    lowered = name.lower().replace("-", "_")
    return lowered in ("pin", "pwd") or lowered.endswith("key") or any(part in lowered for part in _SECRET_PARTS)


def _cut(text: str, limit: int = MAX_ECHO) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def echo(value: Any, depth: int = 0) -> Any:
    """A small, secret-free copy of a rejected value that is safe to send back."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 10**18 else _cut(str(value))
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return _cut(value)
    if isinstance(value, bytes | bytearray):
        text = bytes(value[:MAX_ECHO]).decode("utf-8", "replace")
        return text if len(value) <= MAX_ECHO else f"{text}... ({len(value)} bytes)"
    if isinstance(value, dict):
        if depth >= 2 or len(value) > MAX_MEMBERS:
            return f"<an object with {len(value)} members, not echoed>"
        return {_cut(str(k)): REDACTED if is_secret_name(k) else echo(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if depth >= 2 or len(value) > MAX_MEMBERS:
            return f"<an array of {len(value)} items, not echoed>"
        return [echo(item, depth + 1) for item in value]
    return _cut(str(value))


def _sets_secret_setting(body: Any, budget: int = 10_000) -> bool:
    """Whether a request body names AuthorizationKey / BasicAuthPassword anywhere (bounded walk)."""
    stack = [body]
    while stack and budget > 0:
        budget -= 1
        node = stack.pop()
        if isinstance(node, str) and node in _SECRET_SETTINGS:
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def safe_errors(errors: Sequence[Any], body: Any = None) -> list[dict[str, Any]]:
    hide_all_inputs = _sets_secret_setting(body)
    out: list[dict[str, Any]] = []
    for error in errors[:MAX_ERRORS]:
        loc = list(error.get("loc", ()))
        item: dict[str, Any] = {
            "type": error.get("type"),
            "loc": [part if isinstance(part, int) else _cut(str(part)) for part in loc],
            "msg": _cut(str(error.get("msg", "")), MAX_MESSAGE),
        }
        if "input" in error and not hide_all_inputs and not any(is_secret_name(part) for part in loc):
            item["input"] = echo(error["input"])
        if error.get("ctx"):
            ctx = error["ctx"].items()
            item["ctx"] = {str(k): echo(v if isinstance(v, int | float | str) else str(v)) for k, v in ctx}
        out.append(item)
    if len(errors) > MAX_ERRORS:
        more = len(errors) - MAX_ERRORS
        out.append({"type": "too_many_errors", "loc": [], "msg": f"{more} more errors are not shown"})
    return out


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": safe_errors(exc.errors(), exc.body)}
    )
