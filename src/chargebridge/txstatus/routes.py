"""``GET /api/v1/stations/{id}/transactions/{transaction_id}/status``: GetTransactionStatus, and
where chargebridge stands with the transaction (its completeness, missing seqNos)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, HTTPException, Path, status

from chargebridge.api.auth import Operator, Scope, scope
from chargebridge.api.deps import Context
from chargebridge.api.routes import COMMAND_FAILURES, _call_failure, _live_station
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.transaction_status import GetTransactionStatus
from chargebridge.store.repository import Row

if TYPE_CHECKING:
    from chargebridge.txstatus.extension import TransactionStatusExtension

StationId = Annotated[str, Path(min_length=1, max_length=48)]
TransactionId = Annotated[str, Path(min_length=1, max_length=36)]


def completeness_view(row: Row | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "active": row["active"],
        "completeness": row["completeness"],
        "missing_seq_nos": row["missing_seq_nos"],
        "awaiting_since": row["awaiting_since"],
        "finalise_after": row["finalise_after"],
        "finalised_at": row["finalised_at"],
        "finalise_note": row["finalise_note"],
        "last_seq_no": row["last_seq_no"],
        "end_seq_no": row["end_seq_no"],
    }


def build_router(ext: TransactionStatusExtension) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["transactions"])

    async def ask(ctx: Any, principal: Any, station_id: str, transaction_id: str | None) -> dict[str, Any]:
        await _live_station(ctx, station_id)
        try:
            answer = await ctx.gateway.execute(station_id, GetTransactionStatus(transaction_id))
        except COMMAND_FAILURES as exc:
            raise _call_failure(exc) from exc
        response = answer.outcome.response
        result: dict[str, Any] = {
            "transaction_id": transaction_id,
            "action": answer.action,
            "messages_in_queue": response.get("messagesInQueue"),
            "ongoing_indicator": response.get("ongoingIndicator"),
            "response": response,
            "round_trip_ms": round(answer.round_trip_ms, 3),
        }
        ctx.bus.publish(
            DomainEvent(
                EventKind.COMMAND_COMPLETED,
                station_id,
                ctx.clock.now(),
                {"command": "get-transaction-status", **result, "by": principal.token_id},
            )
        )
        return result

    @api.get(
        "/stations/{station_id}/transactions/{transaction_id}/status",
        openapi_extra=scope(Scope.STATION),
    )
    async def transaction_status(
        ctx: Context, principal: Operator, station_id: StationId, transaction_id: TransactionId
    ) -> dict[str, Any]:
        """Send GetTransactionStatus for one transaction (2.0.1) and return the station's answer
        (``messages_in_queue``, ``ongoing_indicator``) with chargebridge's own record of it
        (``transaction``: completeness, missing seqNos). 404 when the transaction is unknown here."""
        row = await ctx.store.get_transaction(station_id, transaction_id)
        if row is None:  # ask about transactions of this station only; /transaction-status asks about any
            await _live_station(ctx, station_id)  # an unknown station is 404 first
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such transaction")
        result = await ask(ctx, principal, station_id, transaction_id)
        result["transaction"] = completeness_view(await ctx.store.get_transaction(station_id, transaction_id))
        return result

    @api.get("/stations/{station_id}/transaction-status", openapi_extra=scope(Scope.STATION))
    async def station_transaction_status(ctx: Context, principal: Operator, station_id: StationId) -> dict[str, Any]:
        """GetTransactionStatus without a transaction id: does the station hold any transaction messages?"""
        return await ask(ctx, principal, station_id, None)

    @api.get("/transactions-awaiting-events", openapi_extra=scope(Scope.FILTERED))
    async def awaiting(ctx: Context, principal: Operator) -> dict[str, Any]:
        """Ended transactions still waiting for missing events, oldest first, with when they will be
        finalised anyway."""
        service = ext.service
        if service is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the transaction status service is not running")
        from chargebridge.txstatus.service import deadline_of

        rows = [
            row
            for row in await ctx.store.awaiting_transactions()
            if principal.stations is None or row["station_id"] in principal.stations
        ]
        return {
            "items": [
                {
                    "station_id": row["station_id"],
                    "transaction_id": row["transaction_id"],
                    **(completeness_view(row) or {}),
                    "finalise_at": deadline_of(row, service.settings.wait_s),
                }
                for row in rows
            ]
        }

    return api
