"""Liveness and readiness for load balancers and orchestrators (``/healthz``, ``/readyz``).

``/healthz`` answers 200 while the process serves HTTP at all (its event loop runs): a
Kubernetes liveness probe, which must not fail because a dependency is away (restarting the
node would not bring the database back). ``/readyz`` runs every registered readiness check
(the database; in cluster mode NATS) and answers 200 when all pass, else 503 with each
check's result: a load balancer sends no new stations or requests to a node that is not ready.

``/readyz?checks=database`` runs only the named checks (comma-separated): what a load balancer
gates new stations on (deploy/, docs/scaling.md): a node without NATS still serves its own
stations with every guarantee, and a NATS outage must not take every node out of rotation at
once. The full ``/readyz`` is for monitoring.

Capabilities add their own checks with ``ReadinessChecks.add`` (a name and an async function
returning ``(ok, detail)``); each check gets ``timeout_s`` and a check that raises or times out
fails with its reason.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse

Check = Callable[[], Awaitable[tuple[bool, str]]]


class ReadinessChecks:
    def __init__(self, timeout_s: float = 2.0):
        self.timeout_s = timeout_s
        self._checks: dict[str, Check] = {}

    def add(self, name: str, check: Check) -> None:
        self._checks[name] = check

    def names(self) -> list[str]:
        return list(self._checks)

    async def run(self, only: set[str] | None = None) -> tuple[bool, dict[str, dict[str, Any]]]:
        async def one(check: Check) -> dict[str, Any]:
            started = time.perf_counter()
            try:
                ok, detail = await asyncio.wait_for(check(), self.timeout_s)
            except TimeoutError:
                ok, detail = False, f"no answer within {self.timeout_s:g} s"
            except Exception as exc:
                ok, detail = False, f"{type(exc).__name__}: {exc}"[:200]
            return {"ok": ok, "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}

        names = [n for n in self._checks if only is None or n in only]
        results = await asyncio.gather(*(one(self._checks[n]) for n in names))
        checks = dict(zip(names, results, strict=True))
        return all(r["ok"] for r in results), checks


def install_health(app: FastAPI, checks: ReadinessChecks) -> None:
    @app.get("/healthz", tags=["system"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers (no dependency is asked)."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["system"], responses={503: {"description": "a dependency is not reachable"}})
    async def readyz(checks_: Annotated[str | None, Query(alias="checks", max_length=200)] = None) -> JSONResponse:
        """Readiness: every check (database, NATS in cluster mode) passes; ``?checks=database``: those named."""
        only = {c.strip() for c in checks_.split(",") if c.strip()} if checks_ else None
        unknown = sorted((only or set()) - set(checks.names()))
        if unknown:
            return JSONResponse({"detail": f"unknown checks: {', '.join(unknown)}"}, status_code=422)
        ok, results = await checks.run(only)
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "checks": results}, status_code=200 if ok else 503
        )
