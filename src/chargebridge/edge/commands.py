"""The server's commands to an edge and their answers (see ``protocol.py`` for the shapes).

:class:`CommandHandler` answers each command exactly once per edge process: a command delivered
twice (an https poll racing the answer, an MQTT redelivery) gets the first answer again without
running a second time. Every failure is an ``error`` answer naming the reason.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from chargebridge.domain.timeutil import format_datetime
from chargebridge.edge.devices import DeviceError, EdgeDevice
from chargebridge.edge.outbox import Outbox
from chargebridge.edge.protocol import Answer, Command, ReadRegisterParams, SetLimitParams
from chargebridge.services.clock import Clock

log = logging.getLogger(__name__)

REMEMBERED_ANSWERS = 256
LIMITS_KEY = "limits"


class Limits:
    """The limits the server set (``set_limit``), kept in the outbox's state across restarts."""

    def __init__(self, outbox: Outbox):
        self.outbox = outbox
        self.values: dict[str, dict[str, Any]] = {}

    async def restore(self) -> None:
        saved = await self.outbox.get_state(LIMITS_KEY)
        if isinstance(saved, dict):
            self.values = {str(k): dict(v) for k, v in saved.items() if isinstance(v, dict)}

    async def set(self, params: SetLimitParams, set_at: str, command_id: str) -> dict[str, Any]:
        entry = {
            "value": params.value,
            "unit": params.unit,
            "valid_until": format_datetime(params.valid_until) if params.valid_until else None,
            "set_at": set_at,
            "command_id": command_id,
        }
        self.values[params.name] = entry
        await self.outbox.put_state(LIMITS_KEY, self.values)
        return entry


class CommandHandler:
    def __init__(
        self,
        devices: Mapping[str, EdgeDevice],
        limits: Limits,
        clock: Clock,
        status: Callable[[], dict[str, Any]],
    ):
        self.devices = devices
        self.limits = limits
        self.clock = clock
        self.status = status
        self._answers: OrderedDict[str, Answer] = OrderedDict()
        self.handled = 0
        self.failed = 0

    async def handle(self, command: Command) -> Answer:
        known = self._answers.get(command.id)
        if known is not None:
            return known
        if command.expires_at is not None and command.expires_at <= self.clock.now():
            answer = Answer(status="error", error="the command expired before it reached the edge")
        else:
            try:
                answer = Answer(status="ok", result=await self._run(command))
            except (DeviceError, ValueError) as exc:
                answer = Answer(status="error", error=str(exc)[:1000])
            except Exception as exc:  # a bug must not leave the server without an answer
                log.exception("command %s (%s) failed", command.id, command.type)
                answer = Answer(status="error", error=f"internal error: {type(exc).__name__}")
        self.handled += 1
        if answer.status == "error":
            self.failed += 1
        self._answers[command.id] = answer
        while len(self._answers) > REMEMBERED_ANSWERS:
            self._answers.popitem(last=False)
        return answer

    async def _run(self, command: Command) -> dict[str, Any]:
        now = format_datetime(self.clock.now())
        if command.type == "ping":
            return {"pong": True, "at": now}
        if command.type == "status":
            return self.status()
        try:
            if command.type == "read_register":
                p = ReadRegisterParams.model_validate(command.params)
                device = self.devices.get(p.device)
                if device is None:
                    raise DeviceError(f"no device {p.device!r} on this edge (devices: {', '.join(self.devices)})")
                registers = await device.read_register(p.register_type, p.address, p.count, p.device_id)
                return {
                    "device": p.device,
                    "register_type": p.register_type,
                    "address": p.address,
                    "registers": registers,
                    "read_at": format_datetime(self.clock.now()),
                }
            if command.type == "set_limit":
                limit = SetLimitParams.model_validate(command.params)
                entry = await self.limits.set(limit, now, command.id)
                log.info("limit %s set to %g %s", limit.name, limit.value, limit.unit)
                return {"name": limit.name, **entry}
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ValueError(f"bad params: {problems}") from None
        raise ValueError(f"unknown command type {command.type!r}")
