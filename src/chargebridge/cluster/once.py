"""Once per network: the first node to claim a key wins (a NATS key-value ``create``).

Used where a per-node memory would let something happen once per node instead of once per
network, e.g. an MQTT command's nonce (a replay delivered to another node is refused too).
Keys expire with the bucket's TTL.
"""

from __future__ import annotations

import asyncio

from nats.js import JetStreamContext
from nats.js.errors import KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from chargebridge.cluster.names import station_token
from chargebridge.cluster.presence import OP_TIMEOUT_S, ensure_bucket


class Once:
    def __init__(self, kv: KeyValue):
        self.kv = kv

    @classmethod
    async def open(cls, js: JetStreamContext, bucket: str, ttl_s: float) -> Once:
        return cls(await ensure_bucket(js, bucket, ttl_s))

    async def first(self, *parts: str) -> bool:
        """True for the first claim of this key within the TTL, False for any later one."""
        key = ".".join(station_token(part) for part in parts)
        try:
            await asyncio.wait_for(self.kv.create(key, b"1"), OP_TIMEOUT_S)
        except KeyWrongLastSequenceError:
            return False
        return True
