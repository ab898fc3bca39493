"""OCMF records a 1.6 station sends by DataTransfer (a common vendor form besides SignedData values).

Recognised: ``messageId`` ``OCMF`` / ``SignedMeterValue`` (any vendor), ``data`` either the OCMF
record itself (plain, hex or base64) or a JSON object with ``transactionId``, ``connectorId`` and
the record in ``signedMeterData`` (or ``ocmf`` / ``data``). The record is stored with the
transaction's signed readings; without a ``transactionId`` it goes to the station's active
transaction on that connector. Readings must arrive before the stop to count for its CDR.
Anything else is left to the next DataTransfer handler (vendor decoders).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from pyocmf import OCMF, PyOCMFError

from chargebridge.domain.model import MeterSample, ReadingContext, SignedMeterValue
from chargebridge.domain.requests import DataTransferRequest, DataTransferResponse, DataTransferStatus
from chargebridge.domain.sampling import signed_text
from chargebridge.store.repository import Store, signed_rows

MESSAGE_IDS = frozenset({"ocmf", "signedmetervalue"})
Hook = Callable[[str, DataTransferRequest, datetime], Awaitable[DataTransferResponse | None]]
_CONTEXT = {"B": ReadingContext.TRANSACTION_BEGIN, "E": ReadingContext.TRANSACTION_END}


def parse(data: Any) -> tuple[str | None, int | None, str] | None:
    """(transaction id, connector id, OCMF record) of a DataTransfer ``data``, or None."""
    fields: dict[str, Any] = {}
    text = data
    if isinstance(data, str):
        try:
            decoded = json.loads(data)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict):
            fields = decoded
    elif isinstance(data, dict):
        fields = data
    if fields:
        text = fields.get("signedMeterData") or fields.get("ocmf") or fields.get("data")
    if not isinstance(text, str):
        return None
    kind, record = signed_text(text)
    if kind != "OCMF":
        return None
    tx = fields.get("transactionId")
    connector = fields.get("connectorId")
    return (
        str(tx) if isinstance(tx, int | str) and not isinstance(tx, bool) else None,
        connector if isinstance(connector, int) and not isinstance(connector, bool) else None,
        record,
    )


def _reading(record: str) -> tuple[datetime | None, ReadingContext]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            readings = OCMF.from_string(record).payload.RD
    except PyOCMFError:
        return None, ReadingContext.OTHER
    if not readings:
        return None, ReadingContext.OTHER
    first = readings[0]
    kind = str(first.TX.value if hasattr(first.TX, "value") else first.TX) if first.TX is not None else ""
    return first.TM.timestamp, _CONTEXT.get(kind, ReadingContext.SAMPLE_PERIODIC)


def data_transfer_hook(store: Store, following: Hook | None) -> Hook:
    async def hook(station_id: str, request: DataTransferRequest, now: datetime) -> DataTransferResponse | None:
        if (request.message_id or "").lower() not in MESSAGE_IDS or (parsed := parse(request.data)) is None:
            return await following(station_id, request, now) if following is not None else None
        transaction_id, connector_id, record = parsed
        if transaction_id is None:
            active, _ = await store.list_transactions(station_id=station_id, active=True, limit=10)
            matching = [t for t in active if connector_id is None or t["connector_id"] == connector_id]
            if len(matching) != 1:
                return DataTransferResponse(DataTransferStatus.REJECTED, "no single active transaction to attach to")
            transaction_id, connector_id = matching[0]["transaction_id"], matching[0]["connector_id"]
        at, context = _reading(record)
        signed = SignedMeterValue("Energy.Active.Import.Register", context, "OCMF", record)
        sample = MeterSample(at or now, (), (signed,))
        rows = signed_rows(station_id, connector_id or 0, connector_id, transaction_id, (sample,), now)

        async def op(conn: Any) -> None:
            from sqlalchemy import insert

            from chargebridge.store.schema import signed_meter_values

            await conn.execute(insert(signed_meter_values), rows)

        await store.writer.run(op)
        return DataTransferResponse(DataTransferStatus.ACCEPTED)

    return hook
