"""The validation bench's vocabulary (pure): levels, results, verdicts, run settings and the
rule that turns case results into the level a station reached."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    NONE = "none"
    BASIC = "basic"
    STANDARD = "standard"
    ADVANCED = "advanced"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Level.NONE: 0, Level.BASIC: 1, Level.STANDARD: 2, Level.ADVANCED: 3}
# The levels a run can ask for, lowest first; each includes every case of the ones before it.
LEVELS: tuple[Level, ...] = (Level.BASIC, Level.STANDARD, Level.ADVANCED)


class Result(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


class RunStatus(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    ABORTED = "aborted"


@dataclass(frozen=True, slots=True)
class Quirk:
    """Something odd the station did that is worth telling its manufacturer (recorded against
    its vendor/model/firmware), e.g. ``energy_unit_mislabelled``."""

    code: str
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a judge decided about one case: the result, why, the facts it looked at, and the
    quirks it noticed on the way."""

    result: Result
    reason: str
    facts: dict[str, Any] = field(default_factory=dict)
    quirks: tuple[Quirk, ...] = ()

    @classmethod
    def passed(cls, reason: str, quirks: Iterable[Quirk] = (), /, **facts: Any) -> Verdict:
        return cls(Result.PASSED, reason, facts, tuple(quirks))

    @classmethod
    def failed(cls, reason: str, quirks: Iterable[Quirk] = (), /, **facts: Any) -> Verdict:
        return cls(Result.FAILED, reason, facts, tuple(quirks))

    @classmethod
    def skipped(cls, reason: str, /, **facts: Any) -> Verdict:
        return cls(Result.SKIPPED, reason, facts)

    @property
    def ok(self) -> bool:
        return self.result is Result.PASSED


def level_reached(requested: Level, results: Iterable[tuple[Level, Result]]) -> Level:
    """The highest level (up to ``requested``) all of whose cases, and those of every level below
    it, passed. A skipped case counts as not passed; a level with no case at all is not reached."""
    by_level: dict[Level, list[Result]] = {level: [] for level in LEVELS}
    for level, result in results:
        if level in by_level:
            by_level[level].append(result)
    reached = Level.NONE
    for level in LEVELS:
        if level.rank > requested.rank:
            break
        outcomes = by_level[level]
        if not outcomes or any(r is not Result.PASSED for r in outcomes):
            break
        reached = level
    return reached


@dataclass(frozen=True, slots=True)
class RunSettings:
    """How one run behaves; every wait is bounded by one of these (seconds unless named otherwise).

    ``manual_step_timeout_s`` bounds what needs a person (present a card, plug in, stop the
    session); ``response_timeout_s`` bounds what the station should do by itself after a command
    (answer, start the transaction, send the status); ``reboot_timeout_s`` bounds a reboot from the
    disconnect to the accepted BootNotification; ``firmware_timeout_s`` an update from the
    request to the new version's boot."""

    level: Level = Level.ADVANCED
    manual_step_timeout_s: float = 300.0
    response_timeout_s: float = 30.0
    reboot_timeout_s: float = 180.0
    firmware_timeout_s: float = 600.0
    # Heartbeats: the interval the bench asks for, and how long it watches (default 3.5 intervals).
    heartbeat_interval_s: int = 10
    heartbeat_window_s: float | None = None
    # Meter values: the sample interval the bench asks for, and how many samples it wants to see
    # in a session (and after each charging limit) before it moves on.
    meter_interval_s: int = 10
    meter_samples: int = 3
    # Measured power may exceed a charging limit by this fraction plus ``power_margin_w``.
    power_tolerance: float = 0.1
    power_margin_w: float = 100.0
    # How long the bench keeps the station offline in the offline case (default 3 meter intervals).
    offline_s: float | None = None
    evse_id: int = 1
    id_token: str | None = None  # the bench's token (created for the run unless it exists)
    firmware_image_id: str | None = None  # the image to install (default: the newest other version)
    security_upgrade: bool = True  # may the bench raise the station's security profile (not reversible)

    @property
    def heartbeat_window(self) -> float:
        return self.heartbeat_window_s if self.heartbeat_window_s is not None else 3.5 * self.heartbeat_interval_s

    @property
    def offline_window(self) -> float:
        return self.offline_s if self.offline_s is not None else 3.0 * self.meter_interval_s

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "manual_step_timeout_s": self.manual_step_timeout_s,
            "response_timeout_s": self.response_timeout_s,
            "reboot_timeout_s": self.reboot_timeout_s,
            "firmware_timeout_s": self.firmware_timeout_s,
            "heartbeat_interval_s": self.heartbeat_interval_s,
            "heartbeat_window_s": self.heartbeat_window,
            "meter_interval_s": self.meter_interval_s,
            "meter_samples": self.meter_samples,
            "power_tolerance": self.power_tolerance,
            "power_margin_w": self.power_margin_w,
            "offline_s": self.offline_window,
            "evse_id": self.evse_id,
            "id_token": self.id_token,
            "firmware_image_id": self.firmware_image_id,
            "security_upgrade": self.security_upgrade,
        }


# Response-time limits (p95 per command) of the Standard and Advanced levels.
STANDARD_P95_MS = 5000.0
ADVANCED_P95_MS = 1000.0
