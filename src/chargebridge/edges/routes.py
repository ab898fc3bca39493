"""``/api/v1/edges``: ingest, list and inspect edges, commands and field diagnostics.

Every route is fleet-wide (``Scope.FLEET``: station-scoped tokens are refused). An edge reports
with an operator token of its own; the edge is pinned to the token of its first batch, and another
non-admin token gets 403 for it (an admin token takes the edge over).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from chargebridge.api.auth import Operator, Principal, Role, Scope, Viewer, scope
from chargebridge.api.deps import Context
from chargebridge.edge.protocol import COMMAND_TYPES, NAME_PATTERN, Answer, Batch, BatchAnswer
from chargebridge.edges.service import EdgeService
from chargebridge.edges.store import EdgeForbidden
from chargebridge.store.repository import Row

if TYPE_CHECKING:
    from chargebridge.edges.extension import EdgesExtension

EdgeId = Annotated[str, Path(pattern=NAME_PATTERN)]
CommandId = Annotated[str, Path(min_length=1, max_length=32)]


class CommandBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["ping", "read_register", "set_limit", "status"]
    params: dict[str, Any] = {}
    ttl_s: float = Field(default=300.0, gt=0, le=7 * 86_400)  # undelivered after this: expired
    wait_s: float = Field(default=0.0, ge=0, le=60)  # wait this long for the answer


class ReadRegisterBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device: str = Field(pattern=NAME_PATTERN)
    register_type: Literal["holding", "input"] = "holding"
    address: int = Field(ge=0, le=65535)
    count: int = Field(default=1, ge=1, le=125)
    device_id: int | None = Field(default=None, ge=0, le=255)
    timeout_s: float = Field(default=15.0, gt=0, le=60)


def command_view(row: Row, now: datetime) -> dict[str, Any]:
    state = row["state"]
    if state == "pending" and row["expires_at"] <= now:
        state = "expired"
    return {
        "id": row["id"],
        "edge_id": row["edge_id"],
        "type": row["type"],
        "params": row["params"],
        "state": state,
        "created_at": row["created_at"],
        "expires_at": row["expires_at"],
        "created_by": row["created_by"],
        "answered_at": row["answered_at"],
        "answer": row["answer"],
    }


def device_view(row: Row) -> dict[str, Any]:
    return {
        "device": row["device"],
        "transport": row["transport"],
        "station_id": row["station_id"],
        "site_id": row["site_id"],
        "evse_id": row["evse_id"],
        "reachable": row["reachable"],
        "last_good_read_at": row["last_good_read_at"],
        "last_sample_at": row["last_sample_at"],
        "last_error": row["last_error"],
        "counters": row["counters"] or {},
        "active_faults": row["active_faults"] or {},
    }


def edge_view(service: EdgeService, row: Row, devices: list[Row], now: datetime) -> dict[str, Any]:
    reported = row["status"] or {}
    return {
        "id": row["id"],
        "online": service.online(row, now),
        "uplink": row["uplink"],
        "version": reported.get("version"),
        "first_seen_at": row["first_seen_at"],
        "last_seen_at": row["last_seen_at"],
        "last_seq": row["last_seq"],
        "outbox_id": row["outbox_id"],
        "outbox_depth": reported.get("outbox_depth"),
        "outbox_dropped": reported.get("outbox_dropped"),
        "records_total": row["records_total"],
        "duplicates_total": row["duplicates_total"],
        "rejected_total": row["rejected_total"],
        "limits": reported.get("limits", {}),
        "devices_total": len(devices),
        "devices_unreachable": sum(1 for d in devices if d["reachable"] is False),
        "active_faults": sum(len(d["active_faults"] or {}) for d in devices),
    }


def build_router(ext: EdgesExtension) -> APIRouter:
    api = APIRouter(prefix="/api/v1/edges", tags=["edges"])

    def service() -> EdgeService:
        if ext.service is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "edges are not running")
        return ext.service

    async def edge_row(edge_id: str) -> Row:
        row = await service().db.edge(edge_id)
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no edge {edge_id!r} has reported")
        return row

    def check_pinned(row: Row, principal: Principal) -> None:
        if row["token_id"] is not None and row["token_id"] != principal.token_id and principal.role < Role.ADMIN:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"edge {row['id']!r} reports with another token")

    @api.post("/{edge_id}/batches", response_model=BatchAnswer, openapi_extra=scope(Scope.FLEET))
    async def ingest(edge_id: EdgeId, batch: Batch, principal: Operator) -> BatchAnswer:
        """An edge's batch of records; idempotent by (edge id, seq). Answers how far it is applied."""
        if batch.edge_id != edge_id:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "edge_id of the body is not the one of the path")
        try:
            return await service().ingest(
                batch, token_id=principal.token_id, may_take_over=principal.role >= Role.ADMIN, uplink="https"
            )
        except EdgeForbidden as exc:
            raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc

    @api.get("", openapi_extra=scope(Scope.FLEET))
    async def list_edges(ctx: Context, _: Viewer) -> list[dict[str, Any]]:
        """Every edge with its status (online, uplink, outbox, device counts)."""
        svc = service()
        devices = await svc.db.devices()
        by_edge: dict[str, list[Row]] = {}
        for d in devices:
            by_edge.setdefault(d["edge_id"], []).append(d)
        now = ctx.clock.now()
        return [edge_view(svc, row, by_edge.get(row["id"], []), now) for row in await svc.db.edges()]

    @api.get("/{edge_id}", openapi_extra=scope(Scope.FLEET))
    async def get_edge(ctx: Context, edge_id: EdgeId, _: Viewer) -> dict[str, Any]:
        """One edge with its devices: reachability, last good read, error counters, active faults."""
        svc = service()
        row = await edge_row(edge_id)
        devices = await svc.db.devices(edge_id)
        return {
            **edge_view(svc, row, devices, ctx.clock.now()),
            "status": row["status"],
            "status_at": row["status_at"],
            "devices": [device_view(d) for d in devices],
        }

    @api.get("/{edge_id}/samples", openapi_extra=scope(Scope.FLEET))
    async def samples(
        edge_id: EdgeId,
        _: Viewer,
        device: Annotated[str | None, Query(pattern=NAME_PATTERN)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[dict[str, Any]]:
        """The edge's latest samples (newest first)."""
        await edge_row(edge_id)
        rows = await service().db.samples(edge_id, device, limit)
        return [
            {"seq": r["seq"], "device": r["device"], "timestamp": r["timestamp"], "values": r["sampled_values"]}
            for r in rows
        ]

    @api.post("/{edge_id}/commands", openapi_extra=scope(Scope.FLEET))
    async def create_command(ctx: Context, edge_id: EdgeId, body: CommandBody, principal: Operator) -> dict[str, Any]:
        """Queue a command for the edge (``set_limit``, ``read_register``, ``ping``, ``status``); with
        ``wait_s``, wait that long for its answer. ``state`` says where it is."""
        svc = service()
        row = await svc.create_command(await edge_row(edge_id), body.type, body.params, body.ttl_s, principal.name)
        if body.wait_s > 0:
            row = await svc.wait_answer(row["id"], body.wait_s) or row
        return command_view(row, ctx.clock.now())

    @api.get("/{edge_id}/commands", openapi_extra=scope(Scope.FLEET))
    async def list_commands(
        ctx: Context,
        edge_id: EdgeId,
        _: Viewer,
        state: Literal["pending", "all"] = "all",
        wait_s: Annotated[float, Query(ge=0, le=60)] = 0.0,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> list[dict[str, Any]]:
        """The edge's commands, newest first; ``state=pending`` (oldest first) with ``wait_s`` is the
        edge's long poll."""
        svc = service()
        await edge_row(edge_id)
        now = ctx.clock.now()
        if state == "pending":
            rows = await svc.pending(edge_id, wait_s, limit)
        else:
            rows = await svc.db.commands(edge_id, pending_at=None, limit=limit)
        return [command_view(r, now) for r in rows]

    @api.get("/{edge_id}/commands/{command_id}", openapi_extra=scope(Scope.FLEET))
    async def get_command(ctx: Context, edge_id: EdgeId, command_id: CommandId, _: Viewer) -> dict[str, Any]:
        row = await service().db.command(command_id)
        if row is None or row["edge_id"] != edge_id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such command")
        return command_view(row, ctx.clock.now())

    @api.post("/{edge_id}/commands/{command_id}/answer", openapi_extra=scope(Scope.FLEET))
    async def answer_command(
        ctx: Context, edge_id: EdgeId, command_id: CommandId, answer: Answer, principal: Operator
    ) -> dict[str, Any]:
        """The edge's answer to a command (the first answer counts)."""
        svc = service()
        check_pinned(await edge_row(edge_id), principal)
        row = await svc.db.command(command_id)
        if row is None or row["edge_id"] != edge_id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such command")
        recorded = await svc.answer(command_id, answer)
        row = await svc.db.command(command_id)
        assert row is not None
        return {**command_view(row, ctx.clock.now()), "recorded": recorded}

    @api.post("/{edge_id}/diagnostics/read-register", openapi_extra=scope(Scope.FLEET))
    async def read_register(edge_id: EdgeId, body: ReadRegisterBody, principal: Operator) -> dict[str, Any]:
        """Read raw registers of one of the edge's Modbus devices, relayed to the edge and answered
        (504 if the edge does not answer within ``timeout_s``, 502 with the edge's reason if the
        read failed)."""
        svc = service()
        params = body.model_dump(exclude={"timeout_s"}, exclude_none=True)
        row = await svc.create_command(await edge_row(edge_id), "read_register", params, body.timeout_s, principal.name)
        answered = await svc.wait_answer(row["id"], body.timeout_s)
        if answered is None:
            raise HTTPException(
                status.HTTP_504_GATEWAY_TIMEOUT, f"edge {edge_id!r} did not answer within {body.timeout_s:g} s"
            )
        answer = answered["answer"] or {}
        if answer.get("status") != "ok":
            raise HTTPException(status.HTTP_502_BAD_GATEWAY, f"the edge could not read: {answer.get('error')}")
        return {"command_id": row["id"], **(answer.get("result") or {})}

    assert set(COMMAND_TYPES) == {"ping", "read_register", "set_limit", "status"}
    return api
