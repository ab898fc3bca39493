"""MQTT bridge: bus events out to a broker, optional commands in (aiomqtt).

Topic tree (``{station}`` has ``%``, ``+`` and ``#`` percent-encoded)::

    {prefix}/{station}/connection   station.connected|disconnected        retained
    {prefix}/{station}/status       status.changed                        retained
    {prefix}/{station}/meter        meter.sampled
    {prefix}/{station}/transaction  transaction.started|updated|ended
    {prefix}/{station}/fault        fault.raised|cleared
    {prefix}/{station}/event        every other kind
    {prefix}/{station}/command/{name}         commands in (off by default)
    {prefix}/{station}/command/{name}/reply   their answers
    {prefix}/site:{site}/command/{name}       site commands in (energy management: set-limit, clear-limit)

Payloads are ``DomainEvent.to_json()``. Buffering: the bridge's bus subscription is the
buffer (``queue_size`` events, drop-oldest, counted by the bus); while the broker is away
events wait there, the one in flight is kept and re-sent after the reconnect (so a broker
may see it twice: at-least-once). Reconnects back off exponentially with jitter.

A command message is an envelope carrying an API token (see
:mod:`chargebridge.integrations.mqtt_auth`); each one gets one reply and one audit entry.

Cluster mode (docs/scaling.md): each node publishes the events of its own stations (a
``local_only`` subscription: the broker gets each event once), connects with its own client id
(``client_id``-``node id``), and reads commands through the shared subscription
``$share/chargebridge/{prefix}/+/command/+``, so one node runs each command and sends it to
whichever node holds the station. A nonce is remembered network-wide (a replay sent to another
node is refused too).

A station id never contains ``:``, so ``site:{site}`` names a site (the level its telemetry is
published under too); site commands go through the same checks (operator role,
``[[mqtt.commands.rules]]`` with ``stations`` matching ``site:...``) and refuse tokens limited to
stations: sites are fleet objects.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import logging
import random
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import aiomqtt
from fastapi import APIRouter
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator

from chargebridge.api.auth import Principal, Role, principal_of_token
from chargebridge.api.commands import ADMIN_COMMANDS, COMMAND_BODIES, RemoteStartBody, to_command
from chargebridge.domain.commands import CommandNotSupported
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.gateway.station_ids import MAX_STATION_ID_LENGTH
from chargebridge.integrations.base import Section, StrictModel, check_env, resolve_secret
from chargebridge.integrations.mqtt_auth import (
    CommandEnvelope,
    CommandRefused,
    ReplayGuard,
    parse_envelope,
    read_payload,
    token_of,
)
from chargebridge.rpc import CallRejected, CallTimeout, OcppError, StationNotConnected
from chargebridge.rpc.errors import CallInProgress, StationUnreachable
from chargebridge.security.audit import redact
from chargebridge.security.certificates import record_command_outcome
from chargebridge.security.profiles import SecurityEvent
from chargebridge.security.store import AuditEntry, SecurityStore

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext
    from chargebridge.bus.memory import Subscription
    from chargebridge.cluster.once import Once

log = logging.getLogger(__name__)

TOPIC_OF_KIND: dict[EventKind, str] = {
    EventKind.STATION_CONNECTED: "connection",
    EventKind.STATION_DISCONNECTED: "connection",
    EventKind.STATUS_CHANGED: "status",
    EventKind.METER_SAMPLED: "meter",
    EventKind.TRANSACTION_STARTED: "transaction",
    EventKind.TRANSACTION_UPDATED: "transaction",
    EventKind.TRANSACTION_ENDED: "transaction",
    EventKind.FAULT_RAISED: "fault",
    EventKind.FAULT_CLEARED: "fault",
    EventKind.CDR_CREATED: "cdr",
}
STATE_TOPICS = frozenset({"connection", "status"})
CLIENT_ID_PROPERTY = "client-id"
SITE_PREFIX = "site:"
# (site id, command name, body, principal) -> result; raises CommandRefused. Installed by energy management.
SiteCommandHandler = Callable[[str, str, dict[str, Any], Principal], Awaitable[dict[str, Any]]]


class MqttTls(StrictModel):
    enabled: bool = False
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    insecure: bool = False  # skip the broker host name check (testing only)


class CommandRule(StrictModel):
    """Which authenticated senders may command what over MQTT. All three lists are glob patterns
    (fnmatch); ``clients`` match the name or the id of the API token the command carries."""

    clients: list[str] = Field(default_factory=lambda: ["*"])
    stations: list[str] = Field(min_length=1)
    commands: list[str] = Field(default_factory=lambda: ["*"])

    def allows(self, principal: Principal, station_id: str, command: str) -> bool:
        names = [name for name in (principal.name, principal.token_id) if name]
        return (
            any(fnmatch.fnmatchcase(name, p) for p in self.clients for name in names)
            and any(fnmatch.fnmatchcase(station_id, p) for p in self.stations)
            and any(fnmatch.fnmatchcase(command, p) for p in self.commands)
        )


class MqttCommands(StrictModel):
    enabled: bool = False
    qos: Literal[0, 1, 2] = 1
    rules: list[CommandRule] = Field(default_factory=list)
    max_concurrent: int = Field(default=16, ge=1)
    timeout_s: float | None = Field(default=None, gt=0)
    replay_window_s: float = Field(default=60.0, gt=0, le=3600)

    def allows(self, principal: Principal, station_id: str, command: str) -> bool:
        return any(rule.allows(principal, station_id, command) for rule in self.rules)


class MqttConfig(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=1883, ge=1, le=65535)
    client_id: str = Field(default="chargebridge", min_length=1, max_length=128)
    username: str | None = None
    password: SecretStr | None = None
    password_env: str | None = None
    protocol: Literal["auto", "5", "3.1.1"] = "auto"
    topic_prefix: str = "chargebridge"
    qos: Literal[0, 1, 2] = 1
    retain_state: bool = True
    kinds: list[EventKind] | None = None
    keepalive_s: int = Field(default=30, ge=5)
    queue_size: int = Field(default=10_000, ge=1)
    publish_timeout_s: float = Field(default=10.0, gt=0)
    reconnect_min_s: float = Field(default=0.5, gt=0)
    reconnect_max_s: float = Field(default=30.0, gt=0)
    tls: MqttTls = MqttTls()
    commands: MqttCommands = MqttCommands()

    @field_validator("topic_prefix")
    @classmethod
    def _valid_prefix(cls, value: str) -> str:
        if not value or value.startswith("/") or value.endswith("/") or any(c in value for c in "+#\0"):
            raise ValueError("must be a non-empty topic without wildcards or a leading/trailing '/'")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> MqttConfig:
        check_env(self.password_env, "password_env")
        if self.reconnect_max_s < self.reconnect_min_s:
            raise ValueError("reconnect_max_s must not be below reconnect_min_s")
        return self


def encode_station(station_id: str) -> str:
    return station_id.replace("%", "%25").replace("+", "%2B").replace("#", "%23")


def decode_station(level: str) -> str:
    return level.replace("%23", "#").replace("%2B", "+").replace("%25", "%")


def topic_for(prefix: str, event: DomainEvent) -> str:
    return f"{prefix}/{encode_station(event.station_id)}/{TOPIC_OF_KIND.get(event.kind, 'event')}"


@dataclass(slots=True)
class _Attempt:
    """What is known about one command message, for its reply, audit entry and security event."""

    topic: str
    station_id: str
    name: str
    client_id: str | None  # the MQTT 5 user property "client-id": declared by the sender, never an identity
    principal: Principal | None = None
    payload_bytes: int = 0
    envelope: CommandEnvelope | None = None
    unparsed: dict[str, Any] | None = None  # the message's JSON object without its token, until it is an envelope


class MqttBridge:
    name = "mqtt"

    def __init__(self, config: MqttConfig):
        self.config = config
        self._password = resolve_secret(config.password, config.password_env)
        self._v5 = config.protocol != "3.1.1"
        self._context: ApiContext | None = None
        self._sub: Subscription | None = None
        self._task: asyncio.Task[None] | None = None
        self._pending: DomainEvent | None = None
        self._commands: set[asyncio.Task[None]] = set()
        self._command_slots = asyncio.Semaphore(config.commands.max_concurrent)
        self._replays = ReplayGuard(config.commands.replay_window_s)
        self._client_id = config.client_id
        self._shared = False  # cluster mode: commands through a shared subscription
        self._nonces: Once | None = None  # cluster mode: nonces remembered network-wide
        self.connected = asyncio.Event()
        self.published = 0
        self.connects = 0
        self.connect_failures = 0
        self.commands_run = 0
        self.commands_refused = 0
        self.commands_denied = 0
        self.replies_lost = 0
        self.site_commands: SiteCommandHandler | None = None

    def routers(self) -> list[APIRouter]:
        return []

    def stats(self) -> dict[str, float]:
        sub = self._sub
        return {
            "connected": 1.0 if self.connected.is_set() else 0.0,
            "published_total": self.published,
            "connects_total": self.connects,
            "connect_failures_total": self.connect_failures,
            "buffered": (sub.queue.qsize() if sub else 0) + (1 if self._pending else 0),
            "dropped_total": sub.dropped if sub else 0,
            "commands_total": self.commands_run,
            "commands_refused_total": self.commands_refused,
            "commands_denied_total": self.commands_denied,
        }

    async def start(self, context: ApiContext) -> None:
        self._context = context
        kinds = set(self.config.kinds) if self.config.kinds else None
        cluster = context.cluster
        if cluster is not None:
            from chargebridge.cluster.once import Once

            self._client_id = f"{self.config.client_id}-{cluster.node}"
            self._shared = True
            if self.config.commands.enabled and cluster.js is not None:
                bucket = f"{cluster.names.prefix}-mqtt-nonces"
                self._nonces = await Once.open(cluster.js, bucket, 2 * self.config.commands.replay_window_s)
        self._sub = context.bus.subscribe(
            "mqtt", kinds, queue_size=self.config.queue_size, local_only=cluster is not None
        )
        self._task = asyncio.create_task(self._run(self._sub), name="mqtt-bridge")

    async def stop(self) -> None:
        tasks = [task for task in [self._task, *self._commands] if task is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5.0)  # never hold up the node's shutdown
        self._task = None
        if self._sub is not None and self._context is not None:
            self._context.bus.unsubscribe(self._sub)

    # -- connection ------------------------------------------------------------------------

    def _client(self) -> aiomqtt.Client:
        c = self.config
        tls = None
        if c.tls.enabled:
            tls = aiomqtt.TLSParameters(
                ca_certs=str(c.tls.ca_file) if c.tls.ca_file else None,
                certfile=str(c.tls.cert_file) if c.tls.cert_file else None,
                keyfile=str(c.tls.key_file) if c.tls.key_file else None,
                cert_reqs=ssl.CERT_REQUIRED,
            )
        return aiomqtt.Client(
            c.host,
            c.port,
            username=c.username,
            password=self._password,
            identifier=self._client_id,
            protocol=aiomqtt.ProtocolVersion.V5 if self._v5 else aiomqtt.ProtocolVersion.V311,
            keepalive=c.keepalive_s,
            timeout=c.publish_timeout_s,
            tls_params=tls,
            tls_insecure=c.tls.insecure if c.tls.enabled else None,
        )

    async def _run(self, sub: Subscription) -> None:
        delay = self.config.reconnect_min_s
        while True:
            was_connected, error = await self._session(sub)
            if error is not None and self._maybe_fall_back(error):
                continue
            if was_connected:
                delay = self.config.reconnect_min_s
            else:
                self.connect_failures += 1
            log.warning("MQTT broker %s:%s unavailable: %s", self.config.host, self.config.port, error)
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))
            delay = min(delay * 2, self.config.reconnect_max_s)

    async def _session(self, sub: Subscription) -> tuple[bool, BaseException | None]:
        """One connection, until it fails. Returns whether it got connected and why it ended."""
        client = self._client()  # a fresh client each time: paho must not re-send on its own
        error: BaseException | None = None
        was_connected = False
        try:
            async with client:
                was_connected = True
                self.connects += 1
                self.connected.set()
                log.info("MQTT bridge connected to %s:%s", self.config.host, self.config.port)
                async with asyncio.TaskGroup() as group:
                    group.create_task(self._publish_loop(client, sub))
                    group.create_task(self._listen(client))
        except* aiomqtt.MqttError as failure:
            error = failure.exceptions[0]
        finally:
            self.connected.clear()
            _release_socket(client)
        return was_connected, error

    def _maybe_fall_back(self, exc: BaseException) -> bool:
        """``protocol = "auto"``: a broker that refuses MQTT 5 is spoken to in 3.1.1 from then on."""
        if self.config.protocol != "auto" or not self._v5 or not isinstance(exc, aiomqtt.MqttCodeError):
            return False
        rc = exc.rc
        value = rc.value if rc is not None and not isinstance(rc, int) else rc
        if value in (1, 132):  # 3.1.1 "unacceptable protocol version" / 5 "unsupported protocol version"
            log.info("MQTT broker does not speak MQTT 5; using 3.1.1")
            self._v5 = False
            return True
        return False

    # -- telemetry out ---------------------------------------------------------------------

    async def _publish_loop(self, client: aiomqtt.Client, sub: Subscription) -> None:
        properties = None
        if self._v5:
            properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            properties.ContentType = "application/json"
        while True:
            if self._pending is None:
                self._pending = await sub.get()
            event = self._pending
            topic = topic_for(self.config.topic_prefix, event)
            retain = self.config.retain_state and topic.rsplit("/", 1)[1] in STATE_TOPICS
            payload = json.dumps(event.to_json(), separators=(",", ":"), default=str)
            await client.publish(topic, payload, qos=self.config.qos, retain=retain, properties=properties)
            self._pending = None
            self.published += 1
            _reraise_swallowed_cancel()

    # -- commands in -----------------------------------------------------------------------

    async def _listen(self, client: aiomqtt.Client) -> None:
        """Reads commands; also how a lost connection is noticed (the iterator raises)."""
        if self.config.commands.enabled:
            topics = f"{self.config.topic_prefix}/+/command/+"
            if self._shared:  # one node of the cluster gets each command
                topics = f"$share/chargebridge/{topics}"
            await client.subscribe(topics, qos=self.config.commands.qos)
        async for message in client.messages:
            task = asyncio.create_task(self._command(client, message))
            self._commands.add(task)
            task.add_done_callback(self._commands.discard)

    async def _command(self, client: aiomqtt.Client, message: aiomqtt.Message) -> None:
        """Run one command message: exactly one reply, one audit entry (and a security event when
        the sender is refused); nothing reaches the station unless every check passed."""
        prefix = self.config.topic_prefix
        topic = str(message.topic)
        levels = topic[len(prefix) + 1 :].split("/")
        if len(levels) != 3 or levels[1] != "command":
            return
        props = message.properties
        attempt = _Attempt(topic, decode_station(levels[0]), levels[2], _user_property(props, CLIENT_ID_PROPERTY))
        async with self._command_slots:
            try:
                result = await self._execute(attempt, message)
                reply: dict[str, Any] = {"ok": True, **result}
                self.commands_run += 1
                await self._audit(attempt, 200, "ok", result)
            except CommandRefused as exc:
                self.commands_refused += 1
                error = {"code": exc.code, "reason": exc.reason, "details": exc.details}
                reply = {"ok": False, "error": error}
                if exc.denied:
                    self.commands_denied += 1
                    self._security_event(attempt, exc)
                await self._audit(attempt, exc.code, "refused" if exc.denied else "error", error)
            except Exception:  # our own failure (a bug, the database away): answered, never silent
                log.exception("MQTT command %s to %s failed", attempt.name, attempt.station_id)
                self.commands_refused += 1
                error = {"code": 500, "reason": "internal error", "details": None}
                reply = {"ok": False, "error": error}
                await self._audit(attempt, 500, "error", error)
        if attempt.envelope is not None:
            reply["nonce"] = attempt.envelope.nonce  # lets MQTT 3.1.1 senders match replies too
        reply_props = None
        correlation = getattr(props, "CorrelationData", None) if props is not None else None
        if self._v5 and correlation is not None:
            reply_props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            reply_props.CorrelationData = correlation
        try:
            await client.publish(
                f"{topic}/reply",
                json.dumps(reply, default=str),
                qos=self.config.commands.qos,
                properties=reply_props,
            )
        except aiomqtt.MqttError:
            self.replies_lost += 1
            log.warning("MQTT reply to %s %s lost: broker went away", attempt.station_id, attempt.name)

    async def _authenticate(self, attempt: _Attempt, message: aiomqtt.Message) -> tuple[Principal, CommandEnvelope]:
        """The checks of the REST API's bearer authentication, plus freshness and replay."""
        assert self._context is not None
        ctx = self._context
        if message.retain:  # a retained command would run again on every reconnect
            raise CommandRefused(400, "retained command messages are not run", denied=True)
        payload = message.payload if isinstance(message.payload, bytes | bytearray | str) else None
        attempt.payload_bytes = len(payload or b"")
        data = read_payload(payload)
        attempt.unparsed = {key: value for key, value in data.items() if key != "token"}
        principal = await principal_of_token(ctx.store, token_of(data), ctx.clock.now())
        if principal is None:
            raise CommandRefused(401, "a valid API token is required (unknown, revoked or expired)", denied=True)
        attempt.principal = principal
        envelope = parse_envelope(data)
        attempt.envelope = envelope
        self._replays.check(principal.token_id, envelope.nonce, envelope.sent_at, ctx.clock.now())
        if self._nonces is not None and not await self._nonces.first(principal.token_id, envelope.nonce):
            raise CommandRefused(409, "replayed command: this nonce was already used", denied=True)
        return principal, envelope

    async def _execute(self, attempt: _Attempt, message: aiomqtt.Message) -> dict[str, Any]:
        assert self._context is not None
        ctx = self._context
        station_id, name = attempt.station_id, attempt.name
        principal, envelope = await self._authenticate(attempt, message)
        if principal.role < Role.OPERATOR:
            raise CommandRefused(403, "this needs the operator role", denied=True)
        if name in ADMIN_COMMANDS and principal.role < Role.ADMIN:
            raise CommandRefused(403, "this needs the admin role", denied=True)
        if station_id.startswith(SITE_PREFIX):
            return await self._site_command(attempt, principal, envelope)
        if not principal.can_access(station_id):  # as the REST API: as if the station did not exist
            raise CommandRefused(404, f"station {station_id!r} is not registered", denied=True)
        if name not in COMMAND_BODIES:
            raise CommandRefused(404, f"unknown command {name!r}", sorted(COMMAND_BODIES))
        if not self.config.commands.allows(principal, station_id, name):
            who = principal.name or principal.token_id
            raise CommandRefused(
                403, f"no [[mqtt.commands.rules]] entry lets {who!r} send {name} to {station_id!r}", denied=True
            )
        try:
            parsed = COMMAND_BODIES[name].model_validate(envelope.body)
        except ValidationError as exc:
            raise CommandRefused(422, "invalid command body", json.loads(exc.json())) from exc
        if not ctx.gateway.is_connected(station_id):  # on any node of a cluster
            raise CommandRefused(409, f"station {station_id!r} is not connected")
        if isinstance(parsed, RemoteStartBody) and parsed.id_token_type is None:
            # as the REST API: 2.0.1 stations match the token type too, use the type it is registered with
            stored = await ctx.store.get_id_token(parsed.id_token)
            if stored is not None and stored["type"]:
                parsed = parsed.model_copy(update={"id_token_type": stored["type"]})
        neutral = to_command(name, parsed)
        try:
            answer = await ctx.gateway.execute(station_id, neutral, self.config.commands.timeout_s)
        except CallTimeout as exc:
            raise CommandRefused(504, str(exc)) from exc
        except CallRejected as exc:
            raise CommandRefused(502, "the station answered with a CALLERROR", {"error_code": exc.code}) from exc
        except StationUnreachable as exc:  # cluster mode: the holding node cannot be reached now
            raise CommandRefused(503, str(exc)) from exc
        except (StationNotConnected, ConnectionError, CallInProgress) as exc:
            raise CommandRefused(409, str(exc)) from exc
        except (CommandNotSupported, OcppError) as exc:
            raise CommandRefused(422, str(exc)) from exc
        await record_command_outcome(ctx.store, station_id, neutral, answer.outcome, ctx.clock.now())
        result = {
            "command": name,
            "action": answer.action,
            "status": answer.outcome.status,
            "response": answer.outcome.response,
            "round_trip_ms": round(answer.round_trip_ms, 3),
        }
        ctx.bus.publish(
            DomainEvent(
                EventKind.COMMAND_COMPLETED,
                station_id,
                ctx.clock.now(),
                {**result, "by": principal.token_id, "via": "mqtt"},
            )
        )
        return result

    async def _site_command(self, attempt: _Attempt, principal: Principal, envelope: CommandEnvelope) -> dict[str, Any]:
        if principal.scoped:
            raise CommandRefused(403, "sites are fleet objects: this token is limited to certain stations", denied=True)
        if not self.config.commands.allows(principal, attempt.station_id, attempt.name):
            who = principal.name or principal.token_id
            raise CommandRefused(
                403,
                f"no [[mqtt.commands.rules]] entry lets {who!r} send {attempt.name} to {attempt.station_id!r}",
                denied=True,
            )
        if self.site_commands is None:
            raise CommandRefused(404, "energy management is not running on this node")
        site_id = attempt.station_id[len(SITE_PREFIX) :]
        return await self.site_commands(site_id, attempt.name, envelope.body, principal)

    # -- audit -----------------------------------------------------------------------------

    def _source(self, attempt: _Attempt) -> str:
        return f"mqtt:{attempt.client_id}" if attempt.client_id else "mqtt"

    async def _audit(self, attempt: _Attempt, status_code: int, result: str, detail: Any) -> None:
        """One audit entry per command message, like a REST command's (written before the reply)."""
        assert self._context is not None
        ctx = self._context
        principal = attempt.principal
        parameters: dict[str, Any] = {
            "via": "mqtt",
            "topic": attempt.topic,
            "client_id": attempt.client_id,
            "payload_bytes": attempt.payload_bytes,
        }
        if attempt.station_id.startswith(SITE_PREFIX):
            parameters["site_id"] = attempt.station_id[len(SITE_PREFIX) :]
        if attempt.envelope is not None:
            parameters["nonce"] = attempt.envelope.nonce
            parameters["sent_at"] = attempt.envelope.sent_at.isoformat()
            parameters["body"] = redact(attempt.envelope.body)
        elif attempt.unparsed is not None:
            parameters["envelope"] = redact(attempt.unparsed)
        entry = AuditEntry(
            at=ctx.clock.now(),
            action=f"send_command:{attempt.name}",
            method="MQTT",
            path=attempt.topic,
            result=result,
            status_code=status_code,
            actor=principal.token_id if principal else None,
            actor_name=principal.name if principal else None,
            role=principal.role.name.lower() if principal else None,
            station_id=None if attempt.station_id.startswith(SITE_PREFIX) else attempt.station_id,
            parameters=parameters,
            detail=redact(detail),
            source=self._source(attempt),
        )
        try:
            await SecurityStore(ctx.store).append_audit(entry)
        except Exception:
            log.exception("could not write the audit entry for MQTT command %s to %s", attempt.name, attempt.station_id)

    def _security_event(self, attempt: _Attempt, refusal: CommandRefused) -> None:
        assert self._context is not None
        principal = attempt.principal
        station_id = attempt.station_id if 0 < len(attempt.station_id) <= MAX_STATION_ID_LENGTH else None
        if attempt.station_id.startswith(SITE_PREFIX):
            station_id = None
        log.warning(
            "MQTT command %s to %s refused (%s): %s", attempt.name, attempt.station_id, refusal.code, refusal.reason
        )
        self._context.gateway.record_security_event(
            station_id,
            SecurityEvent.MQTT_COMMAND_REFUSED,
            self._source(attempt),
            self.config.tls.enabled,
            None,
            refusal.reason,
            command=attempt.name,
            code=refusal.code,
            client_id=attempt.client_id,
            actor=principal.token_id if principal else None,
        )


def _reraise_swallowed_cancel() -> None:
    """On Python 3.11 ``asyncio.wait_for`` (used by aiomqtt's publish) drops a cancellation that
    arrives together with the PUBACK; the task still counts it, so honour it here."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _release_socket(client: aiomqtt.Client) -> None:
    """Unregister and close the socket of a broken connection.

    aiomqtt leaves it registered with the event loop when reading failed; once the socket is
    garbage-collected its file descriptor number is reused by the next connection, whose
    reader then cannot be registered and whose CONNACK is never read (a hang until timeout).
    """
    paho = client._client
    sock = paho.socket()
    if sock is None:
        return
    loop = asyncio.get_running_loop()
    with contextlib.suppress(Exception):
        fd = sock.fileno()
        if fd >= 0:
            loop.remove_reader(fd)
            loop.remove_writer(fd)
    with contextlib.suppress(Exception):
        paho._sock_close()


def _user_property(props: Properties | None, key: str) -> str | None:
    for name, value in getattr(props, "UserProperty", None) or []:
        if name == key:
            return str(value)
    return None
