"""Billing's neutral command: the running cost of a transaction (OCPP 2.0.1 CostUpdated).

1.6 has no CostUpdated: its adapter has no encoder for it, so sending it to a 1.6 station answers
``CommandNotSupported`` (the California Pricing DataTransfer is not implemented).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from chargebridge.domain.commands import Command


@dataclass(frozen=True, slots=True)
class CostUpdated(Command):
    """2.0.1 CostUpdated: ``total_cost`` so far, incl. taxes, in the station's configured currency."""

    transaction_id: str
    total_cost: Decimal


def encode_cost_updated_201(command: CostUpdated) -> tuple[str, dict[str, object]]:
    # a JSON number; the Decimal's text is exact to the cent, so the float that carries it is too
    return "CostUpdated", {"totalCost": float(command.total_cost), "transactionId": command.transaction_id}
