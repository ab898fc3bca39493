"""The server's side of the MQTT and NATS uplinks: take batches from the broker, relay commands.

- **MQTT**: one session subscribed to ``{topic_prefix}/+/batches`` and ``{topic_prefix}/+/answers``
  (QoS 1). A batch message is acknowledged to the broker (PUBACK) only after its records are
  committed, so a server that stops in between gets it again (and applies it once, by seq).
  Commands go to ``{topic_prefix}/{edge_id}/commands`` (QoS 1).
- **NATS**: a durable JetStream pull consumer on the edges' stream; a message is acked after the
  commit (redelivered otherwise). Commands are NATS requests to ``{subject_prefix}.{edge_id}.commands``;
  the reply is the answer.

The broker authenticates the edges (its ACLs decide who may publish as which edge id); the topic's
edge id must be the batch's. Commands created while an edge was away are relayed again when its
next batch arrives (the edge answers a command id once).
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import json
import logging
import random
import ssl
from collections import OrderedDict
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from chargebridge.domain.timeutil import format_datetime
from chargebridge.edge.protocol import Answer, Batch
from chargebridge.edges.config import EdgesConfig
from chargebridge.edges.service import EdgeService
from chargebridge.store.repository import Row
from chargebridge.tasks import cancel_and_wait

log = logging.getLogger(__name__)

# A pending command is relayed again with the edge's next batch after this long (the edge may have
# been away when it was first sent; it answers a command id once, so a second copy is harmless).
RELAY_AGAIN_S = 10.0


def command_payload(row: Row) -> bytes:
    return json.dumps(
        {
            "id": row["id"],
            "type": row["type"],
            "params": row["params"],
            "created_at": format_datetime(row["created_at"]),
            "expires_at": format_datetime(row["expires_at"]),
        },
        separators=(",", ":"),
    ).encode()


def _tls(config: EdgesConfig) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
    if config.cert_file is not None and config.key_file is not None:
        context.load_cert_chain(str(config.cert_file), str(config.key_file))
    return context


class _Consumer(abc.ABC):
    kind = ""

    def __init__(self, config: EdgesConfig, service: EdgeService):
        self.config = config
        self.service = service
        self.connected = asyncio.Event()
        self.batches = 0
        self.refused = 0
        self._relayed: OrderedDict[str, float] = OrderedDict()  # command id -> when relayed (loop time)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.service.relays[self.kind] = self.relay
        self._task = asyncio.create_task(self._run(), name=f"edges-{self.kind}")

    async def stop(self) -> None:
        self.service.relays.pop(self.kind, None)
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None

    async def _run(self) -> None:
        delay = 0.5
        while True:
            try:
                await self._session()
                delay = 0.5
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("edges %s consumer: %s: %s", self.kind, type(exc).__name__, exc)
            finally:
                self.connected.clear()
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))
            delay = min(delay * 2, self.config.reconnect_max_s)

    @abc.abstractmethod
    async def _session(self) -> None:
        """One connection to the broker: subscribe and apply batches until it drops."""

    @abc.abstractmethod
    async def relay(self, edge_id: str, row: Row) -> None:
        """Send one command row to the edge over this broker."""

    async def _ingest(self, topic_edge: str, payload: bytes) -> bool:
        """Apply one batch message; False when it can never be applied (it is dropped and logged)."""
        try:
            batch = Batch.model_validate_json(payload)
        except ValidationError as exc:
            self.refused += 1
            log.warning("edges %s: unreadable batch from %s dropped: %s", self.kind, topic_edge, str(exc)[:300])
            return False
        if batch.edge_id != topic_edge:
            self.refused += 1
            log.warning("edges %s: batch of %r on the topic of %r dropped", self.kind, batch.edge_id, topic_edge)
            return False
        await self.service.ingest(batch, token_id=None, uplink=self.kind)
        self.batches += 1
        await self._relay_pending(batch.edge_id)
        return True

    async def _relay_pending(self, edge_id: str) -> None:
        rows = await self.service.db.commands(edge_id, pending_at=self.service.clock.now(), limit=50)
        now = asyncio.get_running_loop().time()
        for row in rows:
            relayed = self._relayed.get(row["id"])
            if relayed is not None and now - relayed < RELAY_AGAIN_S:
                continue
            await self.relay(edge_id, row)

    def _remember(self, command_id: str) -> None:
        self._relayed[command_id] = asyncio.get_running_loop().time()
        self._relayed.move_to_end(command_id)
        while len(self._relayed) > 10_000:
            self._relayed.popitem(last=False)

    def stats(self) -> dict[str, float]:
        return {f"{self.kind}_batches_total": self.batches, f"{self.kind}_refused_total": self.refused}


class MqttConsumer(_Consumer):
    kind = "mqtt"

    def __init__(self, config: EdgesConfig, service: EdgeService):
        super().__init__(config, service)
        self.prefix = config.topic_prefix.rstrip("/")
        self.client: Any = None

    async def _session(self) -> None:
        import aiomqtt

        assert self.config.mqtt_url is not None
        url = urlsplit(self.config.mqtt_url)
        secure = url.scheme == "mqtts"
        client = aiomqtt.Client(
            url.hostname or "127.0.0.1",
            url.port or (8883 if secure else 1883),
            username=self.config.mqtt_username,
            password=self.config.mqtt_secret(),
            identifier=self.config.mqtt_client_id,
            clean_session=False,  # the broker keeps our subscription and queues batches while we are away
            tls_context=_tls(self.config) if secure else None,
            timeout=10,
        )
        # Acknowledge a batch only once it is committed (paho's manual acknowledgement; aiomqtt does
        # not expose it): a server that stops before the commit gets the message again.
        manual = hasattr(client._client, "_manual_ack")
        if manual:
            client._client._manual_ack = True
        async with client:
            self.client = client
            self.connected.set()
            try:
                await client.subscribe(f"{self.prefix}/+/batches", qos=1)
                await client.subscribe(f"{self.prefix}/+/answers", qos=1)
                async for message in client.messages:
                    await self._message(message)
                    if manual and message.qos > 0:
                        client._client.ack(message.mid, message.qos)
            finally:
                self.client = None

    async def _message(self, message: Any) -> None:
        parts = str(message.topic).split("/")
        if len(parts) < 3:
            return
        edge_id, leaf = parts[-2], parts[-1]
        payload = bytes(message.payload or b"")
        if leaf == "batches":
            await self._ingest(edge_id, payload)
        elif leaf == "answers":
            try:
                raw = json.loads(payload)
                answer = Answer.model_validate({k: v for k, v in raw.items() if k != "id"})
                command_id = str(raw["id"])
            except (ValueError, KeyError, TypeError, ValidationError):
                log.warning("edges mqtt: unreadable answer from %s dropped", edge_id)
                return
            row = await self.service.db.command(command_id)
            if row is not None and row["edge_id"] == edge_id:
                await self.service.answer(command_id, answer)

    async def relay(self, edge_id: str, row: Row) -> None:
        if self.client is None:
            return  # relayed with the edge's next batch once we are connected
        await self.client.publish(f"{self.prefix}/{edge_id}/commands", command_payload(row), qos=1)
        self._remember(row["id"])


class NatsConsumer(_Consumer):
    kind = "nats"

    def __init__(self, config: EdgesConfig, service: EdgeService):
        super().__init__(config, service)
        self.prefix = config.subject_prefix.rstrip(".")
        self.nc: Any = None
        self._requests: set[asyncio.Task[None]] = set()

    async def _session(self) -> None:
        import nats
        from nats.js.api import AckPolicy, ConsumerConfig
        from nats.js.errors import NotFoundError

        assert self.config.nats_url is not None
        options: dict[str, Any] = {
            "servers": [self.config.nats_url],
            "connect_timeout": 10,
            "allow_reconnect": False,
            "max_reconnect_attempts": 0,
        }
        token = self.config.nats_secret()
        if token:
            options["token"] = token
        if urlsplit(self.config.nats_url).scheme == "tls" or self.config.cert_file is not None:
            options["tls"] = _tls(self.config)
        nc = await nats.connect(**options)
        try:
            js = nc.jetstream(timeout=10)
            subjects = f"{self.prefix}.*.batches"
            try:
                await js.find_stream_name_by_subject(subjects)
            except NotFoundError:
                await js.add_stream(name=self.config.stream, subjects=[subjects], duplicate_window=600.0)
            sub = await js.pull_subscribe(
                subjects,
                durable=self.config.durable,
                stream=self.config.stream,
                # One message in flight: the next is delivered after this one is acked, so batches are
                # applied in the order the edge sent them, also after a redelivery.
                config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=60, max_ack_pending=1),
            )
            self.nc = nc
            self.connected.set()
            while nc.is_connected:
                try:
                    messages = await sub.fetch(1, timeout=1.0)
                except TimeoutError:
                    continue
                except nats.errors.TimeoutError:
                    continue
                for msg in messages:
                    edge_id = msg.subject.split(".")[-2]
                    await self._ingest(edge_id, msg.data)  # dropped batches are acked too: never applicable
                    await msg.ack()
            raise ConnectionError("NATS connection lost")
        finally:
            self.nc = None
            for task in list(self._requests):
                await cancel_and_wait(task)
            with contextlib.suppress(Exception):
                await nc.close()

    async def relay(self, edge_id: str, row: Row) -> None:
        if self.nc is None:
            return
        self._remember(row["id"])
        task = asyncio.create_task(self._request(edge_id, row), name=f"edges-nats-command-{row['id']}")
        self._requests.add(task)
        task.add_done_callback(self._requests.discard)

    async def _request(self, edge_id: str, row: Row) -> None:
        nc = self.nc
        if nc is None:
            return
        try:
            reply = await nc.request(
                f"{self.prefix}.{edge_id}.commands", command_payload(row), timeout=self.config.command_timeout_s
            )
            raw = json.loads(reply.data)
            answer = Answer.model_validate({k: v for k, v in raw.items() if k != "id"})
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # no responders (edge away), timeout, unreadable reply
            self._relayed.pop(row["id"], None)  # try again with the edge's next batch
            log.info("edges nats: command %s to %s not answered: %s", row["id"], edge_id, type(exc).__name__)
            return
        await self.service.answer(row["id"], answer)
