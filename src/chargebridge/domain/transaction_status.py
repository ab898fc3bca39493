"""GetTransactionStatus (OCPP 2.0.1 E14): does the station still hold transaction messages for us?"""

from __future__ import annotations

from dataclasses import dataclass

from chargebridge.domain.commands import Command


@dataclass(frozen=True, slots=True)
class GetTransactionStatus(Command):
    """``transaction_id`` None asks about every transaction (the answer then has no ongoingIndicator)."""

    transaction_id: str | None = None
