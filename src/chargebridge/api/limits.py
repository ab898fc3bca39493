"""Request bodies are kept in bounds before the API reads them.

The OCPP gateway and the HTTP API share one event loop, so a request that makes the API read
and parse a huge body delays every charger. :class:`BodyLimitMiddleware` sits in front of the
FastAPI application and, for every HTTP request that has a body:

1. on ``/api/`` paths, checks the bearer token before reading a byte of the body: no valid
   token, 401 at once (the token check is :func:`chargebridge.api.auth.bearer_principal`,
   the same one the routes use; roles and station scopes are still checked by the route);
2. answers 413 at once when the declared ``Content-Length`` is over the route's cap, and 413
   as soon as a chunked body passes it; both close the connection, so the rest is never read;
3. for JSON bodies, refuses (422) nesting deeper than ``api_max_json_depth`` or an array or
   object with more than ``api_max_json_items`` items, before pydantic sees the body.

The cap is ``api_max_body_bytes`` (1 MiB) unless the route declares its own with
``openapi_extra=streamed_body(limit)``: such a route reads its body as a stream (a firmware
image, a diagnostics upload), the middleware only counts the bytes, and the route writes them
to disk with its own limit. See docs/security.md ("Hostile input").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chargebridge.api.auth import Refusal, bearer_principal

MAX_BODY_KEY = "x-max-body-bytes"


def streamed_body(max_bytes: int) -> dict[str, Any]:
    """``openapi_extra`` of a route that reads its own (non-JSON) body as a stream, up to ``max_bytes``."""
    return {MAX_BODY_KEY: max_bytes}


@dataclass(frozen=True, slots=True)
class BodyLimits:
    max_body_bytes: int = 1024 * 1024
    max_json_depth: int = 32
    max_json_items: int = 10_000


def too_large(limit: int) -> str:
    return f"the request body is larger than {limit} bytes, the limit for this route"


def json_problem(body: bytes, limits: BodyLimits) -> str | None:
    """Why a JSON body is refused (too deep, too many items in one array or object), or None.

    Linear in the size of the body: one parse by the C decoder (what FastAPI uses too, so a body
    it cannot parse is left for FastAPI's usual error) and one walk over the containers. A body
    with fewer commas than the item limit and fewer brackets than the depth limit cannot break
    either, and is not parsed here at all (FastAPI parses it once, as before): that is almost
    every request. The parse costs about 20-25 ms of loop time for a 1 MiB array of 500,000
    numbers (docs/benchmarks.md, "REST flood"); the body cap bounds it.
    """
    if body.count(b",") < limits.max_json_items and body.count(b"[") + body.count(b"{") <= limits.max_json_depth:
        return None
    deep = f"the JSON body is refused: it is nested deeper than {limits.max_json_depth} levels"
    try:
        value = json.loads(body)
    except RecursionError:
        return deep
    except ValueError:
        return None
    if not isinstance(value, dict | list):
        return None
    stack: list[tuple[dict[str, Any] | list[Any], int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if depth > limits.max_json_depth:
            return deep
        if len(children) > limits.max_json_items:
            return f"the JSON body is refused: an array or object has more than {limits.max_json_items} items"
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return None


def _is_json(content_type: bytes | None) -> bool:
    """FastAPI parses a body as JSON without a content type, or with application/json or +json."""
    if not content_type:
        return True
    main = content_type.split(b";", 1)[0].strip().lower()
    return main == b"application/json" or (main.startswith(b"application/") and main.endswith(b"+json"))


async def _answer(send: Send, code: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": code, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def streamed_routes(routers: Iterable[APIRouter]) -> list[StreamedRoute]:
    """The routes of these routers that declared :func:`streamed_body`, with their caps."""
    return [
        StreamedRoute(route.path_regex, frozenset(route.methods or ()), int(route.openapi_extra[MAX_BODY_KEY]))
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and route.openapi_extra and MAX_BODY_KEY in route.openapi_extra
    ]


@dataclass(frozen=True, slots=True)
class StreamedRoute:
    path: re.Pattern[str]
    methods: frozenset[str]
    max_bytes: int


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits | None = None, streamed: Iterable[StreamedRoute] = ()):
        self.app = app
        self.limits = limits or BodyLimits()
        self.streamed = list(streamed)

    def _streamed_cap(self, scope: Scope) -> int | None:
        """The cap a streaming route declared, or None for the default (buffered, JSON-checked)."""
        for route in self.streamed:
            if scope["method"] in route.methods and route.path.match(scope["path"]):
                return route.max_bytes
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if (length is None or length == b"0") and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body
            return
        if length is not None and not length.strip().isdigit():  # the HTTP server refuses these first
            await _answer(send, status.HTTP_400_BAD_REQUEST, "invalid Content-Length", {"Connection": "close"})
            return
        if scope["path"].startswith("/api/"):
            client = scope.get("client")
            checked = await bearer_principal(
                scope["app"].state.cb,
                client[0] if client else "unknown",
                headers.get(b"authorization", b"").decode("latin-1") or None,
                scope["method"],
                scope["path"],
            )
            if isinstance(checked, Refusal):
                await _answer(send, checked.status, checked.detail, {**checked.headers, "Connection": "close"})
                return
            principal = checked
            scope.setdefault("state", {})["principal"] = principal  # the audit log names who was refused
        streamed = self._streamed_cap(scope)
        cap = self.limits.max_body_bytes if streamed is None else streamed
        if length is not None and int(length) > cap:
            await _answer(send, status.HTTP_413_CONTENT_TOO_LARGE, too_large(cap), {"Connection": "close"})
            return
        if streamed is not None:
            await self.app(scope, _counting(receive, cap), send)
        else:
            await self._buffered(scope, receive, send, cap, _is_json(headers.get(b"content-type")))

    async def _buffered(self, scope: Scope, receive: Receive, send: Send, cap: int, is_json: bool) -> None:
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                await _answer(send, status.HTTP_413_CONTENT_TOO_LARGE, too_large(cap), {"Connection": "close"})
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        problem = json_problem(body, self.limits) if is_json and body else None
        if problem is not None:
            await _answer(send, status.HTTP_422_UNPROCESSABLE_CONTENT, problem)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _counting(receive: Receive, cap: int) -> Receive:
    """``receive`` that fails with 413 once more than ``cap`` bytes came in."""
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > cap:
                raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, too_large(cap), headers={"Connection": "close"})
        return message

    return counted
