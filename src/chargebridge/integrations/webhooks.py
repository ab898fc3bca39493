"""Webhooks: signed HTTP POSTs of bus events to subscribed URLs, with retries and dead letters.

Each event gets an id (UUID) that stays the same across retries, so receivers de-duplicate on
``X-Chargebridge-Event-Id`` (delivery is at-least-once). The signature is
``X-Chargebridge-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`` with
``<timestamp>`` the ``X-Chargebridge-Timestamp`` header (Unix seconds). A delivery that is not
answered 2xx is retried with exponential back-off; after ``max_attempts`` it becomes a dead
letter (stored, listed by the API, re-sent on request). Deliveries of one subscription are
sent in order by one worker; a subscription whose backlog exceeds ``queue_size`` dead-letters
the overflow instead of growing without bound. Pending (not yet dead) deliveries live in
memory only: a restart loses them (see docs/integrations.md).

In cluster mode (docs/scaling.md) deliveries go through a JetStream work queue shared by every
node instead (:mod:`chargebridge.integrations.webhook_queue`): each event is delivered once by
one node, pending deliveries survive a node's death, attempts are counted by JetStream, and
the ``X-Chargebridge-Node`` header names the node that sent it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
from fastapi import APIRouter, HTTPException, Response, status
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field
from sqlalchemy import delete, func, insert, select

from chargebridge.api.auth import Admin, Scope, scope
from chargebridge.api.deps import Context, Limit, Offset, RowId
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.integrations.base import Section
from chargebridge.integrations.webhook_tables import webhook_dead_letters, webhook_subscriptions
from chargebridge.tasks import cancel_and_wait, raise_if_cancelling, stop_within

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from chargebridge.api.deps import ApiContext
    from chargebridge.bus.memory import Subscription
    from chargebridge.integrations.webhook_queue import ClusterDeliveries
    from chargebridge.store.repository import Store

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Chargebridge-Signature"
EVENT_ID_HEADER = "X-Chargebridge-Event-Id"
TIMESTAMP_HEADER = "X-Chargebridge-Timestamp"
NODE_HEADER = "X-Chargebridge-Node"  # cluster mode: the node that sent this attempt


class WebhooksConfig(Section):
    enabled: bool = True
    max_attempts: int = Field(default=8, ge=1, le=100)
    initial_backoff_s: float = Field(default=1.0, gt=0)
    max_backoff_s: float = Field(default=300.0, gt=0)
    timeout_s: float = Field(default=10.0, gt=0)
    queue_size: int = Field(default=1000, ge=1)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Chargebridge-Signature`` value for a body sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does (constant-time compare); also used by the tests."""
    try:
        expected = sign(secret, int(timestamp), body)
    except ValueError:
        return False
    return hmac.compare_digest(expected, signature)


# -- persistence ---------------------------------------------------------------------------


class WebhookStore:
    """Subscriptions and dead letters, through the node's store (writes via the group-commit writer)."""

    def __init__(self, store: Store):
        self.store = store

    async def _fetch(self, query: Any) -> list[dict[str, Any]]:
        async with self.store.engine.connect() as conn:
            return [dict(r) for r in (await conn.execute(query)).mappings()]

    async def add_subscription(self, row: dict[str, Any]) -> None:
        async def op(conn: AsyncConnection) -> None:
            await conn.execute(insert(webhook_subscriptions).values(**row))

        await self.store.writer.run(op)

    async def subscriptions(self) -> list[dict[str, Any]]:
        return await self._fetch(select(webhook_subscriptions).order_by(webhook_subscriptions.c.created_at))

    async def subscription(self, sub_id: str) -> dict[str, Any] | None:
        rows = await self._fetch(select(webhook_subscriptions).where(webhook_subscriptions.c.id == sub_id))
        return rows[0] if rows else None

    async def delete_subscription(self, sub_id: str) -> bool:
        async def op(conn: AsyncConnection) -> int:
            await conn.execute(delete(webhook_dead_letters).where(webhook_dead_letters.c.subscription_id == sub_id))
            result = await conn.execute(delete(webhook_subscriptions).where(webhook_subscriptions.c.id == sub_id))
            return int(result.rowcount)

        return await self.store.writer.run(op) > 0

    async def add_dead_letter(self, row: dict[str, Any]) -> None:
        async def op(conn: AsyncConnection) -> None:
            await conn.execute(insert(webhook_dead_letters).values(**row))

        await self.store.writer.run(op)

    async def dead_letters(
        self, subscription_id: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        query = select(webhook_dead_letters)
        count = select(func.count()).select_from(webhook_dead_letters)
        if subscription_id is not None:
            query = query.where(webhook_dead_letters.c.subscription_id == subscription_id)
            count = count.where(webhook_dead_letters.c.subscription_id == subscription_id)
        async with self.store.engine.connect() as conn:
            rows = [
                dict(r)
                for r in (
                    await conn.execute(query.order_by(webhook_dead_letters.c.id).limit(limit).offset(offset))
                ).mappings()
            ]
            total = int((await conn.execute(count)).scalar_one())
        return rows, total

    async def take_dead_letter(self, letter_id: int) -> dict[str, Any] | None:
        async def op(conn: AsyncConnection) -> dict[str, Any] | None:
            row = (
                (await conn.execute(select(webhook_dead_letters).where(webhook_dead_letters.c.id == letter_id)))
                .mappings()
                .first()
            )
            if row is None:
                return None
            await conn.execute(delete(webhook_dead_letters).where(webhook_dead_letters.c.id == letter_id))
            return dict(row)

        return await self.store.writer.run(op)


# -- delivery ------------------------------------------------------------------------------


@dataclass(slots=True)
class Delivery:
    event_id: str
    kind: str
    station_id: str
    body: dict[str, Any]
    attempts: int = 0


@dataclass(eq=False)
class _Target:
    """One subscription as the dispatcher holds it: its filter, secret, queue and worker."""

    id: str
    url: str
    kinds: frozenset[str]
    secret: str
    queue: asyncio.Queue[Delivery]
    worker: asyncio.Task[None] | None = None
    delivered: int = 0
    failed_attempts: int = 0
    dead: int = 0
    pending: int = 0  # cluster mode: left in the shared queue, as last seen

    def wants(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


class WebhooksExtension:
    name = "webhooks"

    def __init__(self, config: WebhooksConfig, *, http: httpx.AsyncClient | None = None):
        self.config = config
        self._http = http
        self._own_http = http is None
        self._context: ApiContext | None = None
        self._repo: WebhookStore | None = None
        self._sub: Subscription | None = None
        self._task: asyncio.Task[None] | None = None
        self._targets: dict[str, _Target] = {}
        self._spill: set[asyncio.Task[None]] = set()
        self._queue: ClusterDeliveries | None = None  # cluster mode
        self._node: str | None = None
        self.delivered = 0
        self.failed_attempts = 0
        self.dead_lettered = 0

    def stats(self) -> dict[str, float]:
        return {
            "subscriptions": len(self._targets),
            "pending": sum(t.queue.qsize() + t.pending for t in self._targets.values()),
            "delivered_total": self.delivered,
            "failed_attempts_total": self.failed_attempts,
            "dead_lettered_total": self.dead_lettered,
        }

    @property
    def repo(self) -> WebhookStore:
        if self._repo is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "webhooks are not running")
        return self._repo

    async def start(self, context: ApiContext) -> None:
        self._context = context
        self._repo = WebhookStore(context.store)
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.config.timeout_s, follow_redirects=False)
        if context.cluster is not None:
            from chargebridge.integrations.webhook_queue import ClusterDeliveries

            self._node = context.cluster.node
            self._queue = ClusterDeliveries(self, context.cluster)
            await self._queue.start()
            await self._queue.reload()
        else:
            for row in await self._repo.subscriptions():
                if row["enabled"]:
                    self._add_target(row)
        # Cluster mode: only this node's events (each event is enqueued once per network).
        local_only = self._queue is not None
        size = max(10_000, self.config.queue_size)
        self._sub = context.bus.subscribe("webhooks", queue_size=size, local_only=local_only)
        self._update_kinds()
        self._task = asyncio.create_task(self._fan_out(self._sub), name="webhooks")

    async def stop(self) -> None:
        """Bounded: a worker that swallows its cancellation (an HTTP client's time limit firing
        together with it) is cancelled again and, at worst, left behind with a warning; pending
        deliveries are in memory only (see the module docstring)."""
        tasks = [t for t in (self._task, *(t.worker for t in self._targets.values()), *self._spill) if t is not None]
        if self._queue is not None:
            queue = self._queue
            await stop_within("webhook work queue", queue.stop, 3.0)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*(cancel_and_wait(task, timeout_s=3.0) for task in tasks))
        self._targets.clear()
        if self._sub is not None and self._context is not None:
            self._context.bus.unsubscribe(self._sub)
        if self._own_http and self._http is not None:
            http, self._http = self._http, None
            try:
                async with asyncio.timeout(2.0):
                    await http.aclose()
            except TimeoutError:
                log.warning("webhooks: HTTP client not closed within 2 s")

    def _add_target(self, row: dict[str, Any]) -> None:
        target = _Target(row["id"], row["url"], frozenset(row["kinds"]), row["secret"], asyncio.Queue())
        work = self._queue.work(target) if self._queue is not None else self._work(target)
        target.worker = asyncio.create_task(work, name=f"webhook:{target.id}")
        self._targets[target.id] = target
        self._update_kinds()

    def _remove_target(self, sub_id: str) -> None:
        target = self._targets.pop(sub_id, None)
        if target is not None and target.worker is not None:
            target.worker.cancel()
        self._update_kinds()

    def _update_kinds(self) -> None:
        """Take from the bus only the kinds some subscription wants (none without subscriptions),
        so that events nobody would be sent are not even built (``EventBus.interested``)."""
        if self._sub is None or self._context is None:
            return
        kinds: set[EventKind] | None = set()
        for target in self._targets.values():
            if not target.kinds:
                kinds = None
                break
            assert kinds is not None
            kinds.update(EventKind(k) for k in target.kinds if k in EventKind._value2member_map_)
        self._context.bus.set_kinds(self._sub, kinds)

    async def _fan_out(self, sub: Subscription) -> None:
        while True:
            event = await sub.get()
            self.enqueue(event)

    def enqueue(self, event: DomainEvent) -> None:
        event_id = str(uuid.uuid4())
        body = {"id": event_id, **event.to_json()}
        for target in list(self._targets.values()):
            if not target.wants(event.kind.value):
                continue
            delivery = Delivery(event_id, event.kind.value, event.station_id, body)
            if self._queue is not None:
                self._queue.enqueue(target, delivery)
            elif target.queue.qsize() >= self.config.queue_size:
                self._spill_dead(target, delivery, "backlog full (queue_size)")
            else:
                target.queue.put_nowait(delivery)

    def _spill_dead(self, target: _Target, delivery: Delivery, error: str) -> None:
        task = asyncio.create_task(self._dead_letter(target, delivery, error))
        self._spill.add(task)
        task.add_done_callback(self._spill.discard)

    async def _work(self, target: _Target) -> None:
        while True:
            delivery = await target.queue.get()
            error = await self._deliver_with_retries(target, delivery)
            if error is not None:
                await self._dead_letter(target, delivery, error)

    def backoff(self, attempt: int) -> float:
        """Delay before attempt ``attempt + 1``: initial x 2^(attempt-1), capped, with +-20 % jitter."""
        base = min(self.config.initial_backoff_s * 2 ** (attempt - 1), self.config.max_backoff_s)
        return float(base * random.uniform(0.8, 1.2))

    async def _deliver_with_retries(self, target: _Target, delivery: Delivery) -> str | None:
        error = "not attempted"
        while delivery.attempts < self.config.max_attempts:
            if delivery.attempts > 0:
                await asyncio.sleep(self.backoff(delivery.attempts))
            delivery.attempts += 1
            error = await self._post(target, delivery)
            raise_if_cancelling()  # a cancellation swallowed inside the HTTP client must still end us
            if not error:
                self.delivered += 1
                target.delivered += 1
                return None
            self.failed_attempts += 1
            target.failed_attempts += 1
            log.info("webhook %s: attempt %s for %s failed: %s", target.id, delivery.attempts, delivery.kind, error)
        return error

    async def _post(self, target: _Target, delivery: Delivery) -> str:
        assert self._http is not None
        body = json.dumps(delivery.body, separators=(",", ":"), default=str).encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "chargebridge-webhooks",
            EVENT_ID_HEADER: delivery.event_id,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(target.secret, timestamp, body),
            "X-Chargebridge-Event": delivery.kind,
            "X-Chargebridge-Attempt": str(delivery.attempts),
        }
        if self._node is not None:
            headers[NODE_HEADER] = self._node
        try:
            response = await self._http.post(target.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"[:255]
        if 200 <= response.status_code < 300:
            return ""
        return f"HTTP {response.status_code}"

    async def _dead_letter(self, target: _Target, delivery: Delivery, error: str) -> None:
        assert self._context is not None
        self.dead_lettered += 1
        target.dead += 1
        try:
            await self.repo.add_dead_letter(
                {
                    "subscription_id": target.id,
                    "event_id": delivery.event_id,
                    "kind": delivery.kind,
                    "station_id": delivery.station_id,
                    "payload": delivery.body,
                    "attempts": delivery.attempts,
                    "last_error": error[:255],
                    "failed_at": self._context.clock.now(),
                }
            )
        except Exception:  # e.g. the subscription was deleted meanwhile (foreign key)
            log.warning("webhook %s: could not store dead letter %s", target.id, delivery.event_id, exc_info=True)

    # -- API -------------------------------------------------------------------------------

    def routers(self) -> list[APIRouter]:
        router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
        ext = self

        @router.post("", status_code=status.HTTP_201_CREATED, openapi_extra=scope(Scope.FLEET))
        async def create_subscription(ctx: Context, _: Admin, body: SubscriptionCreate) -> dict[str, Any]:
            row = {
                "id": uuid.uuid4().hex,
                "url": str(body.url),
                "kinds": sorted({k.value for k in body.kinds}),
                "secret": body.secret or secrets.token_urlsafe(32),
                "description": body.description,
                "enabled": True,
                "created_at": ctx.clock.now(),
            }
            await ext.repo.add_subscription(row)
            if ext._queue is not None:
                await ext._queue.created(row)  # its consumer, and every node starts delivering it
            else:
                ext._add_target(row)
            return {**_subscription_view(row), "secret": row["secret"]}

        @router.get("", openapi_extra=scope(Scope.FLEET))
        async def list_subscriptions(_: Admin) -> dict[str, Any]:
            return {"items": [_subscription_view(r) for r in await ext.repo.subscriptions()]}

        @router.get("/dead-letters", openapi_extra=scope(Scope.FLEET))
        async def list_dead_letters(
            _: Admin,
            subscription_id: str | None = None,
            limit: Limit = 100,
            offset: Offset = 0,
        ) -> dict[str, Any]:
            rows, total = await ext.repo.dead_letters(subscription_id, limit, offset)
            return {"items": [_dead_letter_view(r) for r in rows], "total": total, "limit": limit, "offset": offset}

        @router.post(
            "/dead-letters/{letter_id}/retry", status_code=status.HTTP_202_ACCEPTED, openapi_extra=scope(Scope.FLEET)
        )
        async def retry_dead_letter(_: Admin, letter_id: RowId) -> dict[str, Any]:
            row = await ext.repo.take_dead_letter(letter_id)
            if row is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such dead letter")
            target = ext._targets.get(row["subscription_id"])
            if target is None:
                raise HTTPException(status.HTTP_409_CONFLICT, "its subscription is gone")
            delivery = Delivery(row["event_id"], row["kind"], row["station_id"], row["payload"])
            if ext._queue is not None:
                await ext._queue.retry(target, delivery)
            else:
                target.queue.put_nowait(delivery)
            return {"event_id": row["event_id"], "queued": True}

        @router.get("/{sub_id}", openapi_extra=scope(Scope.FLEET))
        async def get_subscription(_: Admin, sub_id: str) -> dict[str, Any]:
            row = await ext.repo.subscription(sub_id)
            if row is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such webhook subscription")
            target = ext._targets.get(sub_id)
            view = _subscription_view(row)
            if target is not None:
                view["stats"] = {
                    "pending": target.queue.qsize() + target.pending,
                    "delivered": target.delivered,
                    "failed_attempts": target.failed_attempts,
                    "dead_lettered": target.dead,
                }
            return view

        @router.delete("/{sub_id}", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=scope(Scope.FLEET))
        async def delete_subscription(_: Admin, sub_id: str) -> Response:
            ext._remove_target(sub_id)
            if not await ext.repo.delete_subscription(sub_id):
                raise HTTPException(status.HTTP_404_NOT_FOUND, "no such webhook subscription")
            if ext._queue is not None:
                await ext._queue.deleted(sub_id)
            return Response(status_code=status.HTTP_204_NO_CONTENT)

        return [router]


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: AnyHttpUrl
    kinds: list[EventKind] = Field(default_factory=list, description="event kinds to send; empty = all")
    secret: str | None = Field(default=None, min_length=16, max_length=255, description="generated when omitted")
    description: str | None = Field(default=None, max_length=255)


def _iso(value: datetime | None) -> str | None:
    from chargebridge.domain.timeutil import format_datetime

    return format_datetime(value) if value is not None else None


def _subscription_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "url": row["url"],
        "kinds": row["kinds"],
        "description": row["description"],
        "enabled": row["enabled"],
        "created_at": _iso(row["created_at"]),
    }


def _dead_letter_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "subscription_id": row["subscription_id"],
        "event_id": row["event_id"],
        "kind": row["kind"],
        "station_id": row["station_id"],
        "attempts": row["attempts"],
        "last_error": row["last_error"],
        "failed_at": _iso(row["failed_at"]),
        "payload": row["payload"],
    }
