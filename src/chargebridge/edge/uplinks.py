"""The edge's way to the server: https, MQTT or NATS JetStream, chosen by the upstream URL's scheme.

Each uplink does three things (:class:`Uplink`): send a batch and say up to which sequence number
the far side now holds it, deliver the server's commands to a handler, and return their answers.
Every failure to reach the far side is :class:`UplinkDown` (the runner backs off and reconnects;
nothing leaves the outbox until it was acknowledged).

- **https** (``https://host[:port]``, a chargebridge node or a reverse proxy before it): ``POST
  /api/v1/edges/{edge_id}/batches`` with ``Authorization: Bearer <token>``; the answer's
  ``acked_seq`` is what the server committed. Commands by long poll (``GET
  .../commands?state=pending&wait_s=20``), answers by ``POST .../commands/{id}/answer``.
- **mqtt** (``mqtt://`` or ``mqtts://``): each batch is one QoS 1 message on
  ``{topic_prefix}/{edge_id}/batches``; acknowledged once the broker's PUBACK came (the server's
  consumer applies it idempotently by seq). Commands arrive on ``.../commands`` (QoS 1), answers
  go to ``.../answers`` as ``{"id": ..., "status": ..., ...}``.
- **nats** (``nats://`` or ``tls://``): each batch is a JetStream publish on
  ``{subject_prefix}.{edge_id}.batches`` with ``Nats-Msg-Id: {edge_id}:{outbox_id}:{first}:{last}``
  (the stream drops an exact resend within its duplicate window; the server's seq check catches the
  rest); acknowledged by the stream's PubAck. Commands are NATS requests on
  ``{subject_prefix}.{edge_id}.commands``, answered with a reply.

Mutual TLS: ``client_cert`` / ``client_key`` (and ``ca_file`` for a private CA) apply to all three.
The token is a chargebridge API token for https, the broker password for MQTT (with ``username``)
and the NATS auth token for nats.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
from collections.abc import Awaitable, Callable
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import httpx
from pydantic import ValidationError

from chargebridge.edge.config import UplinkSection
from chargebridge.edge.protocol import Answer, Command

log = logging.getLogger(__name__)

CommandSink = Callable[[Command], Awaitable[Answer]]


class UplinkDown(Exception):
    """The far side cannot be reached or did not take the batch (retry later)."""


class Uplink(Protocol):
    kind: str

    async def open(self) -> None: ...

    async def send(self, batch: dict[str, Any]) -> int:
        """Deliver one batch; the highest sequence number the far side now holds."""
        ...

    async def serve_commands(self, handler: CommandSink) -> None:
        """Deliver commands to ``handler`` and return its answers until the link fails (UplinkDown)."""
        ...

    async def close(self) -> None: ...


def tls_context(config: UplinkSection) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
    if config.client_cert is not None and config.client_key is not None:
        context.load_cert_chain(str(config.client_cert), str(config.client_key))
    return context


def _last_seq(batch: dict[str, Any]) -> int:
    records = batch.get("records") or []
    return int(records[-1]["seq"]) if records else 0


def _command(raw: bytes | str) -> Command | None:
    try:
        return Command.model_validate(json.loads(raw))
    except (ValueError, ValidationError) as exc:
        log.warning("uplink: unreadable command ignored: %s", str(exc)[:200])
        return None


# -- https -------------------------------------------------------------------------------------


class HttpsUplink:
    kind = "https"

    def __init__(self, url: str, edge_id: str, config: UplinkSection):
        self.base = url.rstrip("/")
        self.edge_id = edge_id
        self.config = config
        self.client: httpx.AsyncClient | None = None

    def _path(self, tail: str) -> str:
        return f"/api/v1/edges/{quote(self.edge_id, safe='')}{tail}"

    async def open(self) -> None:
        headers = {"User-Agent": "chargebridge-edge"}
        token = self.config.secret()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        verify: ssl.SSLContext | bool = tls_context(self.config) if self.base.startswith("https:") else True
        self.client = httpx.AsyncClient(
            base_url=self.base,
            headers=headers,
            verify=verify,
            timeout=httpx.Timeout(self.config.timeout_s),
        )

    def _client(self) -> httpx.AsyncClient:
        if self.client is None:
            raise UplinkDown("not connected")
        return self.client

    async def _request(self, method: str, tail: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._client().request(method, self._path(tail), **kwargs)
        except httpx.HTTPError as exc:
            raise UplinkDown(f"{type(exc).__name__}: {exc}") from exc
        except ssl.SSLError as exc:
            raise UplinkDown(f"TLS: {exc}") from exc
        if response.status_code >= 300:
            detail = response.text[:300]
            raise UplinkDown(f"{method} {tail}: HTTP {response.status_code} {detail}")
        return response

    async def send(self, batch: dict[str, Any]) -> int:
        response = await self._request("POST", "/batches", json=batch)
        try:
            return int(response.json()["acked_seq"])
        except (ValueError, KeyError, TypeError) as exc:
            raise UplinkDown(f"unreadable answer to a batch: {response.text[:200]}") from exc

    async def serve_commands(self, handler: CommandSink) -> None:
        wait = self.config.command_wait_s
        while True:
            response = await self._request(
                "GET",
                "/commands",
                params={"state": "pending", "wait_s": wait},
                timeout=httpx.Timeout(self.config.timeout_s + wait),
            )
            for raw in response.json():
                command = _command(json.dumps(raw))
                if command is None:
                    continue
                answer = await handler(command)
                await self._request(
                    "POST", f"/commands/{quote(command.id, safe='')}/answer", json=answer.model_dump(mode="json")
                )

    async def close(self) -> None:
        if self.client is not None:
            client, self.client = self.client, None
            with contextlib.suppress(Exception):
                await client.aclose()


# -- mqtt --------------------------------------------------------------------------------------


class MqttUplink:
    kind = "mqtt"

    def __init__(self, url: str, edge_id: str, config: UplinkSection):
        self.url = urlsplit(url)
        self.edge_id = edge_id
        self.config = config
        self.topic = f"{config.topic_prefix.rstrip('/')}/{edge_id}"
        self._stack: contextlib.AsyncExitStack | None = None
        self.client: Any = None

    async def open(self) -> None:
        import aiomqtt

        secure = self.url.scheme == "mqtts"
        client = aiomqtt.Client(
            self.url.hostname or "127.0.0.1",
            self.url.port or (8883 if secure else 1883),
            username=self.config.username or self.url.username,
            password=self.config.secret() or self.url.password,
            identifier=f"chargebridge-edge-{self.edge_id}",
            tls_context=tls_context(self.config) if secure else None,
            timeout=self.config.timeout_s,
        )
        stack = contextlib.AsyncExitStack()
        try:
            await stack.enter_async_context(client)
        except Exception as exc:
            await stack.aclose()
            raise UplinkDown(f"MQTT: {type(exc).__name__}: {exc}") from exc
        self._stack, self.client = stack, client

    async def send(self, batch: dict[str, Any]) -> int:
        if self.client is None:
            raise UplinkDown("not connected")
        payload = json.dumps(batch, separators=(",", ":"))
        try:
            await self.client.publish(f"{self.topic}/batches", payload, qos=1, timeout=self.config.timeout_s)
        except Exception as exc:  # aiomqtt.MqttError, a timeout waiting for PUBACK
            raise UplinkDown(f"MQTT publish: {type(exc).__name__}: {exc}") from exc
        return _last_seq(batch)

    async def serve_commands(self, handler: CommandSink) -> None:
        if self.client is None:
            raise UplinkDown("not connected")
        try:
            await self.client.subscribe(f"{self.topic}/commands", qos=1)
            async for message in self.client.messages:
                command = _command(bytes(message.payload) if message.payload is not None else b"")
                if command is None:
                    continue
                answer = await handler(command)
                body = json.dumps({"id": command.id, **answer.model_dump(mode="json")}, separators=(",", ":"))
                await self.client.publish(f"{self.topic}/answers", body, qos=1, timeout=self.config.timeout_s)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise UplinkDown(f"MQTT: {type(exc).__name__}: {exc}") from exc
        raise UplinkDown("MQTT: the broker closed the connection")

    async def close(self) -> None:
        stack, self._stack, self.client = self._stack, None, None
        if stack is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await stack.aclose()


# -- nats --------------------------------------------------------------------------------------


class NatsUplink:
    kind = "nats"

    def __init__(self, url: str, edge_id: str, config: UplinkSection):
        self.url = url
        self.edge_id = edge_id
        self.config = config
        self.subject = f"{config.subject_prefix.rstrip('.')}.{edge_id}"
        self.nc: Any = None
        self.js: Any = None

    async def open(self) -> None:
        import nats

        secure = urlsplit(self.url).scheme == "tls" or self.config.client_cert is not None
        options: dict[str, Any] = {
            "servers": [self.url],
            "connect_timeout": self.config.timeout_s,
            "allow_reconnect": False,  # the runner reconnects (and backs off) itself
            "max_reconnect_attempts": 0,
        }
        token = self.config.secret()
        if token and self.config.username:
            options.update(user=self.config.username, password=token)
        elif token:
            options["token"] = token
        if secure:
            options["tls"] = tls_context(self.config)
        try:
            self.nc = await nats.connect(**options)
            self.js = self.nc.jetstream(timeout=self.config.timeout_s)
            await self._ensure_stream()
        except Exception as exc:
            await self.close()
            raise UplinkDown(f"NATS: {type(exc).__name__}: {exc}") from exc

    async def _ensure_stream(self) -> None:
        from nats.js.errors import NotFoundError

        subjects = f"{self.config.subject_prefix.rstrip('.')}.*.batches"
        try:
            await self.js.find_stream_name_by_subject(f"{self.subject}.batches")
        except NotFoundError:
            await self.js.add_stream(name=self.config.stream, subjects=[subjects], duplicate_window=600.0)

    async def send(self, batch: dict[str, Any]) -> int:
        if self.js is None:
            raise UplinkDown("not connected")
        records = batch.get("records") or []
        first = records[0]["seq"] if records else 0
        msg_id = f"{self.edge_id}:{batch['outbox_id']}:{first}:{_last_seq(batch)}"
        payload = json.dumps(batch, separators=(",", ":")).encode()
        try:
            await self.js.publish(f"{self.subject}.batches", payload, headers={"Nats-Msg-Id": msg_id})
        except Exception as exc:
            raise UplinkDown(f"NATS publish: {type(exc).__name__}: {exc}") from exc
        return _last_seq(batch)

    async def serve_commands(self, handler: CommandSink) -> None:
        if self.nc is None:
            raise UplinkDown("not connected")
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=64)

        async def on_message(msg: Any) -> None:
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(msg)

        sub = await self.nc.subscribe(f"{self.subject}.commands", cb=on_message)
        try:
            while True:
                try:
                    msg = await asyncio.wait_for(queue.get(), 1.0)
                except TimeoutError:
                    if self.nc is None or not self.nc.is_connected:
                        raise UplinkDown("NATS: connection lost") from None
                    continue
                command = _command(msg.data)
                if command is None:
                    continue
                answer = await handler(command)
                if msg.reply:
                    body = json.dumps({"id": command.id, **answer.model_dump(mode="json")}, separators=(",", ":"))
                    await msg.respond(body.encode())
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def close(self) -> None:
        nc, self.nc, self.js = self.nc, None, None
        if nc is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await nc.close()


def build_uplink(url: str, edge_id: str, config: UplinkSection) -> Uplink:
    scheme = urlsplit(url).scheme
    if scheme in ("https", "http"):
        return HttpsUplink(url, edge_id, config)
    if scheme in ("mqtt", "mqtts"):
        return MqttUplink(url, edge_id, config)
    if scheme in ("nats", "tls"):
        return NatsUplink(url, edge_id, config)
    raise ValueError(f"no uplink for {scheme!r}")
