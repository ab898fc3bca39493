"""Leases in a NATS JetStream key-value bucket (``{prefix}-leases``, max age = the lease TTL).

Taking a lease is ``create`` (succeeds only when the key is absent, deleted or expired);
renewing is ``update`` with the revision we wrote last (fails if anyone else wrote since);
releasing on a clean stop is a revision-checked ``delete``, so another node takes it at once.
A holder that cannot renew (NATS away, its loop stalled) stops counting the lease as held
before the key can expire (see :class:`chargebridge.cluster.leases.LeaseState`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from chargebridge.cluster.leases import LeaseRecord, LeaseState, Work, may_take_over, safety_for
from chargebridge.cluster.names import key_token
from chargebridge.tasks import cancel_and_wait

log = logging.getLogger(__name__)


class _Lease:
    def __init__(self, name: str, ttl_s: float):
        self.name = name
        self.key = key_token(name)
        self.state = LeaseState(ttl_s, safety_for(ttl_s))
        self.changed = asyncio.Event()  # set whenever held() may have changed
        self.task: asyncio.Task[None] | None = None
        self.users = 0


class KvLeases:
    distributed = True

    def __init__(self, kv: KeyValue, node: str, boot: str, ttl_s: float):
        self.kv = kv
        self.node = node
        self.boot = boot
        self.ttl_s = ttl_s
        self.record = LeaseRecord(node, boot)
        self._leases: dict[str, _Lease] = {}
        self._closing = False

    # -- the protocol ----------------------------------------------------------------------

    def held(self, name: str) -> bool:
        lease = self._leases.get(name)
        return lease is not None and lease.state.held(time.monotonic())

    async def run_while_held(self, name: str, work: Work) -> None:
        lease = self._want(name)
        lease.users += 1
        try:
            while True:
                await self._until(lease, held=True)
                log.info("lease %s: held by this node (%s); starting its work", name, self.node)
                task = asyncio.create_task(work(), name=f"lease:{name}")
                lost = asyncio.create_task(self._until(lease, held=False))
                try:
                    await asyncio.wait({task, lost}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    if lost.done() and not task.done() and not self._closing:
                        log.warning("lease %s: lost; its work on this node stops", name)
                    await cancel_and_wait(lost)
                    await cancel_and_wait(task)
                if task.done() and not task.cancelled() and task.exception() is not None:
                    log.error("lease %s: its work failed", name, exc_info=task.exception())
                    await asyncio.sleep(1.0)
                elif task.done() and not task.cancelled():
                    await self._until(lease, held=False)  # finished: nothing to do until it is lost
        finally:
            lease.users -= 1

    def stats(self) -> dict[str, object]:
        now = time.monotonic()
        return {
            name: {"held": lease.state.held(now), "acquired": lease.state.acquired, "lost": lease.state.lost_count}
            for name, lease in self._leases.items()
        }

    # -- lifecycle -------------------------------------------------------------------------

    async def stop(self) -> None:
        """Release every lease we hold (another node takes them at once)."""
        self._closing = True
        for lease in list(self._leases.values()):
            if lease.task is not None:
                await cancel_and_wait(lease.task)
            if lease.state.revision:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.kv.delete(lease.key, last=lease.state.revision), 2.0)
            lease.state.lost()
            lease.changed.set()

    # -- internals -------------------------------------------------------------------------

    def _want(self, name: str) -> _Lease:
        lease = self._leases.get(name)
        if lease is None:
            lease = self._leases[name] = _Lease(name, self.ttl_s)
            lease.task = asyncio.create_task(self._keep(lease), name=f"lease-keeper:{name}")
        return lease

    async def _until(self, lease: _Lease, *, held: bool) -> None:
        while lease.state.held(time.monotonic()) != held:
            lease.changed.clear()
            timeout = None
            if not held:  # the lease lapses at valid_until even if no renewal ever answers
                timeout = max(0.0, lease.state.valid_until - time.monotonic())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lease.changed.wait(), timeout)

    async def _keep(self, lease: _Lease) -> None:
        state = lease.state
        while not self._closing:
            was = state.held(time.monotonic())
            try:
                await self._attempt(lease)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NATS away or slow: the lease lapses by itself (valid_until)
                log.debug("lease %s: renewal failed: %s", lease.name, exc)
            if state.held(time.monotonic()) != was:
                lease.changed.set()
            # Not held: try again soon (a lapsed key is free within the bucket's expiry timer).
            await asyncio.sleep(state.renew_every() if state.revision else min(1.0, state.renew_every()))

    async def _attempt(self, lease: _Lease) -> None:
        state = lease.state
        sent = time.monotonic()
        value = self.record.encode(time.time())
        if state.revision:
            try:
                revision = await asyncio.wait_for(self.kv.update(lease.key, value, last=state.revision), 2.0)
            except KeyWrongLastSequenceError:
                log.warning("lease %s: taken by another node (it had lapsed here)", lease.name)
                state.lost()
                return
            state.renewed(revision, sent)
            return
        try:
            revision = await asyncio.wait_for(self.kv.create(lease.key, value), 2.0)
        except KeyWrongLastSequenceError:
            current = await self._current(lease)
            if current is None or not may_take_over(current[0], node=self.node, boot=self.boot):
                return
            revision = await asyncio.wait_for(self.kv.update(lease.key, value, last=current[1]), 2.0)
        state.renewed(revision, sent)

    async def _current(self, lease: _Lease) -> tuple[LeaseRecord, int] | None:
        try:
            entry = await asyncio.wait_for(self.kv.get(lease.key), 2.0)
        except KeyNotFoundError:
            return None
        if entry.value is None:
            return None
        try:
            return LeaseRecord.decode(entry.value), int(entry.revision or 0)
        except ValueError:
            return None
