"""Every node's station registration cache kept in step across the cluster.

Each node caches what a handshake needs of a station's row (:mod:`chargebridge.store.station_cache`)
for a few seconds. A change made through one node (a password set or rotated, a station blocked,
its profile raised, the station deleted; a boot) invalidates that node's entry at once; this module
tells the other nodes too, so that their next handshake of the station reads the row again instead
of admitting it on what was true before the change.

Announcements are plain NATS messages on ``{prefix}.ctl.station-cache`` (no JetStream: a node that
misses one while NATS is away still forgets the entry after the cache's TTL). Changes are gathered
for a moment and sent as one message of up to ``max_ids`` station ids, so a boot storm does not
become one NATS message per boot. A node ignores its own announcements.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

from chargebridge.cluster.names import Names
from chargebridge.store.station_cache import StationCache
from chargebridge.tasks import cancel_and_wait

log = logging.getLogger(__name__)

TOPIC = "station-cache"


class StationCacheSync:
    def __init__(
        self,
        nc: NATS,
        names: Names,
        node: str,
        cache: StationCache,
        *,
        gather_s: float = 0.002,
        max_ids: int = 500,
    ):
        self.nc = nc
        self.subject = names.control(TOPIC)
        self.node = node
        self.cache = cache
        self.gather_s = gather_s
        self.max_ids = max_ids
        self._pending: set[str] = set()
        self._everything = False
        self._sender: asyncio.Task[None] | None = None
        self._sub: Any = None
        self.announced = 0  # station ids sent (an "every station" counts one)
        self.received = 0  # station ids dropped on another node's word
        self.failures = 0

    async def start(self) -> None:
        self._sub = await self.nc.subscribe(self.subject, cb=self._on_message)
        self.cache.on_change = self.changed

    async def stop(self) -> None:
        self.cache.on_change = None
        if self._sender is not None:
            await cancel_and_wait(self._sender)
            self._sender = None
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
            self._sub = None

    # -- this node's changes ----------------------------------------------------------------

    def changed(self, station_id: str | None) -> None:
        if station_id is None:
            self._everything = True
        else:
            self._pending.add(station_id)
        if self._sender is None or self._sender.done():
            self._sender = asyncio.get_running_loop().create_task(self._send(), name="station-cache-sync")

    async def _send(self) -> None:
        await asyncio.sleep(self.gather_s)
        while self._pending or self._everything:
            if self._everything:
                self._everything = False
                self._pending.clear()
                body: dict[str, Any] = {"node": self.node, "all": True}
                count = 1
            else:
                ids = [self._pending.pop() for _ in range(min(self.max_ids, len(self._pending)))]
                body = {"node": self.node, "stations": ids}
                count = len(ids)
            try:
                await self.nc.publish(self.subject, json.dumps(body, separators=(",", ":")).encode())
                self.announced += count
            except Exception as exc:  # NATS away: the other nodes' entries expire after the TTL
                self.failures += 1
                log.debug("cluster: could not announce station cache changes: %s", exc)

    # -- the other nodes' changes -----------------------------------------------------------

    async def _on_message(self, msg: Msg) -> None:
        try:
            body = json.loads(msg.data)
            if body.get("node") == self.node:
                return
            if body.get("all"):
                self.cache.drop(None)
                self.received += 1
                return
            stations = body.get("stations") or []
            for station_id in stations:
                if isinstance(station_id, str):
                    self.cache.drop(station_id)
            self.received += len(stations)
        except (ValueError, AttributeError, TypeError) as exc:
            log.warning("cluster: ignored a broken station cache announcement: %s", exc)
