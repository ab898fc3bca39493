"""The audit log of the operator API: every request that changes something is recorded.

:class:`AuditMiddleware` wraps the API. For every authenticated ``/api/`` request with a method
other than GET/HEAD/OPTIONS - remote commands, raw calls, station/token/id-token changes, security
settings - it appends one entry (who, what, which station, parameters, result, time) before the
last byte of the response goes out, so a client that got an answer finds its entry. Failures are
recorded too (result ``error`` with the HTTP status and the error detail). Secrets in parameters
and answers (passwords, API tokens, AuthorizationKey / BasicAuthPassword values) are redacted.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chargebridge.security.store import AuditEntry, SecurityStore

log = logging.getLogger(__name__)

_READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})
_MAX_CAPTURE = 64 * 1024
REDACTED = "***"
SECRET_KEYS = frozenset(
    {"password", "new_password", "token", "secret", "private_key", "authorization_key", "basic_auth_password"}
)
# Configuration keys / variables whose value is a credential (OCPP 1.6 security whitepaper, 2.0.1 SecurityCtrlr).
SECRET_SETTINGS = frozenset({"AuthorizationKey", "BasicAuthPassword"})


def redact(value: Any) -> Any:
    """A copy of a JSON value with credentials replaced by ``***``."""
    if isinstance(value, list):
        return [redact(item) for item in value]
    if not isinstance(value, dict):
        return value
    names_secret = any(
        (isinstance(v, str) and v in SECRET_SETTINGS) or (isinstance(v, dict) and v.get("name") in SECRET_SETTINGS)
        for v in value.values()
    )
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key.lower() in SECRET_KEYS or (names_secret and key in ("value", "attributeValue")):
            out[key] = REDACTED
        else:
            out[key] = redact(item)
    return out


def _json_or_none(body: bytes) -> Any:
    if not body:
        return None
    try:
        # Redacted here too: a body nested too deep for either is recorded by its size (the API
        # refuses such bodies, and the refusal is audited).
        return redact(json.loads(body))
    except (ValueError, RecursionError):
        return {"unparsed_bytes": len(body)}


def _station_in_body(action: str, body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    value = body.get("station_id") or (body.get("id") if action == "create_station" else None)
    return value if isinstance(value, str) else None


class AuditMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _READ_ONLY or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        request_body = bytearray()
        response_body = bytearray()
        status_code = 500

        async def capture_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(request_body) < _MAX_CAPTURE:
                request_body.extend(message.get("body", b"")[: _MAX_CAPTURE - len(request_body)])
            return message

        async def capture_send(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = int(message["status"])
            elif message["type"] == "http.response.body":
                if len(response_body) < _MAX_CAPTURE:
                    response_body.extend(message.get("body", b"")[: _MAX_CAPTURE - len(response_body)])
                if not message.get("more_body", False):
                    await self._record(scope, bytes(request_body), status_code, bytes(response_body))
            await send(message)

        await self.app(scope, capture_receive, capture_send)

    async def _record(self, scope: Scope, request_body: bytes, status_code: int, response_body: bytes) -> None:
        principal = scope.get("state", {}).get("principal")
        if principal is None:  # never authenticated: nothing was done, nobody to name
            return
        try:
            entry = _entry(scope, principal, request_body, status_code, response_body)
            context = scope["app"].state.cb
            await SecurityStore(context.store).append_audit(entry)
        except Exception:
            log.exception("could not write the audit entry for %s %s", scope["method"], scope["path"])


def _entry(scope: Scope, principal: Any, request_body: bytes, status_code: int, response_body: bytes) -> AuditEntry:
    path_params: dict[str, Any] = dict(scope.get("path_params") or {})
    route = scope.get("route")
    endpoint = scope.get("endpoint")
    action = getattr(endpoint, "__name__", None) or scope["path"]
    for detail_param in ("command", "action"):
        if detail_param in path_params:
            action = f"{action}:{path_params[detail_param]}"
    query = scope.get("query_string", b"").decode("latin-1")
    parameters: dict[str, Any] = {"path": path_params}
    if query:
        parameters["query"] = query
    body = _json_or_none(request_body)
    if body is not None:
        parameters["body"] = body
    client = scope.get("client")
    context = scope["app"].state.cb
    return AuditEntry(
        at=context.clock.now(),
        action=action,
        method=scope["method"],
        path=str(getattr(route, "path", scope["path"])),
        result="ok" if status_code < 400 else "error",
        status_code=status_code,
        actor=principal.token_id,
        actor_name=principal.name,
        role=principal.role.name.lower(),
        station_id=path_params.get("station_id") or _station_in_body(action, body),
        parameters=parameters,
        detail=redact(_json_or_none(response_body)),
        source=str(client[0]) if client else None,
    )
