"""Readiness: named checks that say whether this node can serve now (``GET /readyz``).

The database check is built in; any component can add its own (a message broker, for example)
with ``context.readiness.add(check)`` in its extension's ``start``. Each check is bounded in
time; a check that does not answer in time counts as failed. No web framework here.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from chargebridge.domain.timeutil import format_datetime
from chargebridge.store.health import DatabaseHealth


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    detail: dict[str, Any] = field(default_factory=dict)


class ReadinessCheck(Protocol):
    name: str

    async def check(self) -> CheckResult: ...


class DatabaseCheck:
    """Ready while the database answers a probe. During a known outage: not ready at once, with
    the reason and since when; otherwise a probe, at most one a second (the route has no token)."""

    name = "database"

    def __init__(self, health: DatabaseHealth, max_age_s: float = 1.0):
        self.health = health
        self.max_age_s = max_age_s
        self._last: tuple[float, bool] | None = None

    async def check(self) -> CheckResult:
        if self.health.up:
            now = time.monotonic()
            if self._last is None or now - self._last[0] > self.max_age_s or not self._last[1]:
                self._last = (now, await self.health.check())
        if self.health.up:
            return CheckResult(True, {"status": "up"})
        snap = self.health.snapshot()
        return CheckResult(
            False,
            {
                "status": "unreachable",
                "reason": snap.reason,
                "since": format_datetime(snap.down_since) if snap.down_since else None,
                "outage_s": round(snap.outage_s, 1),
            },
        )


class _Broker(Protocol):
    def ready(self) -> tuple[bool, str]: ...


class NatsCheck:
    """Cluster mode: ready while the node's NATS connection is up (it routes commands and shares
    events through it). A load balancer gates new stations on the database alone
    (``/readyz?checks=database``, see docs/scaling.md): a node without NATS still serves its own."""

    name = "nats"

    def __init__(self, broker: _Broker):
        self.broker = broker

    async def check(self) -> CheckResult:
        ok, detail = self.broker.ready()
        return CheckResult(ok, {"status": "up" if ok else "unreachable", "detail" if ok else "reason": detail})


class Readiness:
    def __init__(self, timeout_s: float = 5.0):
        self.timeout_s = timeout_s
        self.shutting_down = False
        self._checks: dict[str, ReadinessCheck] = {}

    def add(self, check: ReadinessCheck) -> None:
        self._checks[check.name] = check

    def remove(self, name: str) -> None:
        self._checks.pop(name, None)

    @property
    def names(self) -> list[str]:
        return list(self._checks)

    async def evaluate(self, only: set[str] | None = None) -> tuple[bool, dict[str, dict[str, Any]]]:
        """(ready, {check name: {"ok": bool, ...detail}}), the checks run concurrently; ``only``:
        just the checks of these names."""
        checks = [check for name, check in self._checks.items() if only is None or name in only]
        results = await asyncio.gather(*(self._bounded(check) for check in checks))
        report = {check.name: {"ok": result.ok, **result.detail} for check, result in zip(checks, results, strict=True)}
        ready = all(result.ok for result in results) and not self.shutting_down
        return ready, report

    async def _bounded(self, check: ReadinessCheck) -> CheckResult:
        try:
            async with asyncio.timeout(self.timeout_s):
                return await check.check()
        except TimeoutError:
            return CheckResult(False, {"reason": f"no answer within {self.timeout_s:g} s"})
        except Exception as exc:
            return CheckResult(False, {"reason": f"{type(exc).__name__}: {exc}"[:200]})
