"""2.0.1 GetTransactionStatus (E14) <-> the neutral command and its outcome."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from chargebridge.domain.commands import CommandOutcome
from chargebridge.domain.transaction_status import GetTransactionStatus


def _get_transaction_status(command: GetTransactionStatus) -> tuple[str, dict[str, Any]]:
    payload = {"transactionId": command.transaction_id} if command.transaction_id is not None else {}
    return "GetTransactionStatus", payload


def _outcome(payload: dict[str, Any]) -> CommandOutcome:
    # The answer has no status: the station answered; messagesInQueue says whether more is coming.
    return CommandOutcome("Accepted", payload)


COMMAND_ENCODERS: Mapping[type, Callable[[Any], tuple[str, dict[str, Any]]]] = MappingProxyType(
    {GetTransactionStatus: _get_transaction_status}
)
OUTCOME_DECODERS: Mapping[str, Callable[[dict[str, Any]], CommandOutcome]] = MappingProxyType(
    {"GetTransactionStatus": _outcome}
)
