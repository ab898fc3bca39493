"""OCPP protocol versions and their WebSocket subprotocol names."""

from __future__ import annotations

from enum import StrEnum


class OcppVersion(StrEnum):
    V16 = "1.6"
    V201 = "2.0.1"

    @property
    def subprotocol(self) -> str:
        return SUBPROTOCOLS[self]

    @classmethod
    def from_subprotocol(cls, name: str) -> OcppVersion:
        for version, sub in SUBPROTOCOLS.items():
            if sub == name:
                return version
        raise ValueError(f"unsupported subprotocol {name!r}")


SUBPROTOCOLS: dict[OcppVersion, str] = {
    OcppVersion.V16: "ocpp1.6",
    OcppVersion.V201: "ocpp2.0.1",
}

# Preference order when a charger offers several: the newest first.
PREFERRED_SUBPROTOCOLS: tuple[str, ...] = ("ocpp2.0.1", "ocpp1.6")


def select_subprotocol(
    offered: list[str] | tuple[str, ...], preferred: tuple[str, ...] = PREFERRED_SUBPROTOCOLS
) -> str | None:
    """Pick the subprotocol we speak from what the charger offered (by default 2.0.1 wins)."""
    for name in preferred:
        if name in offered:
            return name
    return None
