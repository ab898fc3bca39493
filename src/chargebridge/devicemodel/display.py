"""Display messages (OCPP 2.0.1 block O): set, list, report and clear the messages a station shows.

The messages a station accepted (SetDisplayMessage) or reported (NotifyDisplayMessages) are
stored per station. A complete GetDisplayMessages report without a filter replaces them (an
``Unknown`` answer to it means the station shows none).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chargebridge.devicemodel.service import DeviceModelService, Requester, answer_state
from chargebridge.domain import devicemodel as dm
from chargebridge.domain.requests import Ack
from chargebridge.gateway.server import CommandAnswer
from chargebridge.store.repository import Row

DISPLAY = "display"


def message_row(
    station_id: str, message: dm.DisplayMessage, source: str, now: datetime, report_id: int | None = None
) -> Row:
    display = message.display
    return {
        "station_id": station_id,
        "message_id": message.id,
        "priority": message.priority,
        "state": message.state,
        "format": message.format,
        "language": message.language,
        "content": message.content,
        "start_at": message.start_at,
        "end_at": message.end_at,
        "transaction_id": message.transaction_id,
        "display": (
            {
                "name": display.name,
                "instance": display.instance,
                "evse_id": display.evse_id,
                "connector_id": display.connector_id,
            }
            if display is not None
            else None
        ),
        "source": source,
        "report_id": report_id,
        "updated_at": now,
    }


class DisplayMessageService:
    def __init__(self, core: DeviceModelService):
        self.core = core
        self.db = core.db

    def start(self) -> None:
        self.core.requests.register(dm.NotifyDisplayMessagesRequest, self.on_part)

    async def set_message(self, station_id: str, message: dm.DisplayMessage, who: Requester) -> CommandAnswer:
        answer = await self.core.gateway.execute(station_id, dm.SetDisplayMessage(message))
        if answer.outcome.status == "Accepted":
            await self.db.save_message(message_row(station_id, message, "set", self.core.clock.now()))
        self.core.completed(station_id, "set-display-message", answer, who.token_id)
        return answer

    async def clear_message(self, station_id: str, message_id: int, who: Requester) -> CommandAnswer:
        answer = await self.core.gateway.execute(station_id, dm.ClearDisplayMessage(message_id))
        if answer.outcome.status in ("Accepted", "Unknown"):  # Unknown: the station does not show it either
            await self.db.delete_message(station_id, message_id)
        self.core.completed(station_id, "clear-display-message", answer, who.token_id)
        return answer

    async def request_report(
        self, station_id: str, *, ids: Sequence[int], priority: str | None, state: str | None, who: Requester
    ) -> Row:
        self.core.version(station_id)
        parameters = {"ids": list(ids), "priority": priority, "state": state}
        report = await self.db.create_report(
            station_id,
            DISPLAY,
            "GetDisplayMessages",
            parameters,
            self.core.clock.now(),
            requested_by=who.token_id,
            requested_by_name=who.name,
        )
        command = dm.GetDisplayMessages(report["request_id"], tuple(ids), priority, state)
        unfiltered = not ids and priority is None and state is None

        def state_for(status: str) -> str:
            return "empty" if status == "Unknown" else answer_state(status)

        row = await self.core.send_request(
            station_id, report, command, dm.NotifyDisplayMessagesRequest, "get-display-messages", who, state_for
        )
        if row["status"] == "Unknown" and unfiltered:
            await self.core.store.writer.run(
                lambda conn: self.db.drop_unreported_messages(conn, station_id, report["id"])
            )
        return row

    async def on_part(
        self, station_id: str, version: str, request: dm.NotifyDisplayMessagesRequest, now: datetime
    ) -> Ack:
        async def apply(conn: Any, report: Row) -> None:
            rows = [message_row(station_id, m, "report", now, report["id"]) for m in request.messages]
            await self.db.upsert_messages(conn, rows)

        async def on_complete(conn: Any, report: Row) -> None:
            parameters = report["parameters"] or {}
            filtered = parameters.get("ids") or parameters.get("priority") or parameters.get("state")
            if report["action"] and not filtered:
                await self.db.drop_unreported_messages(conn, station_id, report["id"])

        # 2.0.1 NotifyDisplayMessages carries no seqNo: parts are numbered as they arrive.
        outcome = await self.db.receive_part(
            station_id,
            DISPLAY,
            request.request_id,
            None,
            request.tbc,
            len(request.messages),
            now,
            apply=apply,
            on_complete=on_complete,
        )
        if outcome.complete:
            self.core.requests.forget_expected(station_id, dm.NotifyDisplayMessagesRequest, request.request_id)
            if outcome.new:
                self.core.report_completed(station_id, outcome.report)
        return Ack()
