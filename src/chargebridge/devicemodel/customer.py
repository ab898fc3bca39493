"""Customer information (OCPP 2.0.1 N09/N10): what a station holds about one customer, reported
and/or cleared on request, with the data-protection log of who asked.

Every request is a ``station_reports`` row of kind ``customer``: who asked (API token id and
name), when, about whom (customer identifier, id token or certificate hash), whether to report
and/or clear, the station's answer, and - once every NotifyCustomerInformation part arrived, in
any order - the assembled text. A request that could not be sent is kept as ``failed``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chargebridge.devicemodel.service import DeviceModelService, Requester
from chargebridge.domain import devicemodel as dm
from chargebridge.domain.commands import CertificateHashData
from chargebridge.domain.model import IdToken
from chargebridge.domain.requests import Ack
from chargebridge.store.repository import Row

CUSTOMER = "customer"


class CustomerInformationService:
    def __init__(self, core: DeviceModelService):
        self.core = core
        self.db = core.db

    def start(self) -> None:
        self.core.requests.register(dm.NotifyCustomerInformationRequest, self.on_part)

    async def request(
        self,
        station_id: str,
        *,
        report: bool,
        clear: bool,
        customer_identifier: str | None,
        id_token: IdToken | None,
        certificate: CertificateHashData | None,
        who: Requester,
    ) -> Row:
        self.core.version(station_id)
        parameters = {
            "report": report,
            "clear": clear,
            "customer_identifier": customer_identifier,
            "id_token": id_token.value if id_token else None,
            "id_token_type": id_token.type if id_token else None,
            "certificate": certificate.to_json() if certificate else None,
        }
        row = await self.db.create_report(
            station_id,
            CUSTOMER,
            "CustomerInformation",
            parameters,
            self.core.clock.now(),
            requested_by=who.token_id,
            requested_by_name=who.name,
        )
        command = dm.CustomerInformation(row["request_id"], report, clear, customer_identifier, id_token, certificate)

        def state_for(status: str) -> str:
            if status != "Accepted":
                return "rejected"
            return "accepted" if report else "complete"  # nothing to report: done when accepted

        return await self.core.send_request(
            station_id, row, command, dm.NotifyCustomerInformationRequest, "customer-information", who, state_for
        )

    async def on_part(
        self, station_id: str, version: str, request: dm.NotifyCustomerInformationRequest, now: datetime
    ) -> Ack:
        async def on_complete(conn: Any, report: Row) -> None:
            texts = await self.db.part_texts(conn, report["id"])
            await self.db.set_result(conn, report["id"], {"data": "".join(texts)})
            await self.db.forget_part_texts(conn, report["id"])  # kept once, in the assembled result

        outcome = await self.db.receive_part(
            station_id,
            CUSTOMER,
            request.request_id,
            request.seq_no,
            request.tbc,
            1,
            now,
            generated_at=request.generated_at,
            data=request.data,
            on_complete=on_complete,
        )
        if outcome.complete:
            self.core.requests.forget_expected(station_id, dm.NotifyCustomerInformationRequest, request.request_id)
            if outcome.new:
                self.core.report_completed(station_id, outcome.report)
        return Ack()
