"""Cluster mode: several identical chargebridge nodes run one network on NATS JetStream and
PostgreSQL (docs/scaling.md, ADR 0004).

Pure parts, unit-tested without sockets: :mod:`.names` (subjects, buckets, keys),
:mod:`.takeover` (presence entries, liveness, the replacement rules across nodes),
:mod:`.leases` (the lease protocol and decisions), :mod:`.wire` (node-to-node messages).
NATS parts: :mod:`.presence`, :mod:`.bus`, :mod:`.kv_leases`, :mod:`.node` (the composition).
"""
