"""What every integration shares: the config section base class and the stats hook for /metrics."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, SecretStr


class Section(BaseModel):
    """One ``[section]`` of the integrations TOML file. Unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False


class StrictModel(BaseModel):
    """A nested table inside a section (same rules as :class:`Section`, without ``enabled``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def resolve_secret(value: SecretStr | None, env_name: str | None) -> str | None:
    """A secret given inline or, better, as the name of an environment variable (checked at load time)."""
    if value is not None:
        return value.get_secret_value()
    if env_name is not None:
        return os.environ[env_name]
    return None


def check_env(name: str | None, key: str) -> None:
    """For validators: a secret named by environment variable must be there when the file is loaded."""
    if name is not None and name not in os.environ:
        raise ValueError(f"{key}: environment variable {name} is not set")


@runtime_checkable
class ReportsStats(Protocol):
    """An integration whose counters /metrics exports as ``chargebridge_<name>_<stat>``.

    Stats whose name ends in ``_total`` are counters; the others are gauges.
    """

    name: str

    def stats(self) -> Mapping[str, float]: ...
