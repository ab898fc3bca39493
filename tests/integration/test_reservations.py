"""Reservations end to end over real sockets, with charge points of the public `ocpp` package on
both versions and both databases: ReserveNow / CancelReservation through the REST routes, the
1.6 rule that a reserved connector only starts for its token (or its group), consumption by a
transaction, expiry by the sweep, and the 2.0.1 ReservationStatusUpdate."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Cp16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import ChargePoint as Cp201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201

from chargebridge.authorization.extension import AuthorizationExtension
from tests.conftest import Node, random_id
from tests.integration.helpers import BOOT201, RawStation
from tests.integration.test_ocpp_library_clients import running
from tests.integration.test_security_api import scoped_token


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def now() -> datetime:
    return datetime.now(UTC)


def extension(node: Node) -> AuthorizationExtension:
    found = [ext for ext in node.app.extensions if isinstance(ext, AuthorizationExtension)]
    assert found, "the authorization extension is wired into every node"
    return found[0]


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


async def add_token(node: Node, token: str, status: str = "Accepted", group: str | None = None) -> None:
    async with node.client() as http:
        body: dict[str, Any] = {"id_token": token, "status": status}
        if group is not None:
            body["group_id"] = group
        response = await http.post("/api/v1/id-tokens", json=body)
        assert response.status_code == 201, response.text


class Reserving16(Cp16):
    reserve_calls: list[dict[str, Any]]
    cancel_calls: list[int]
    answer: str

    @on(Action16.reserve_now)
    async def on_reserve(self, **kwargs: Any) -> result16.ReserveNow:
        self.reserve_calls.append(kwargs)
        return result16.ReserveNow(status=self.answer)

    @on(Action16.cancel_reservation)
    async def on_cancel(self, reservation_id: int) -> result16.CancelReservation:
        self.cancel_calls.append(reservation_id)
        return result16.CancelReservation(status="Accepted")


class Reserving201(Cp201):
    reserve_calls: list[dict[str, Any]]
    cancel_calls: list[int]

    @on(Action201.reserve_now)
    async def on_reserve(self, **kwargs: Any) -> result201.ReserveNow:
        self.reserve_calls.append(kwargs)
        return result201.ReserveNow(status="Accepted")

    @on(Action201.cancel_reservation)
    async def on_cancel(self, reservation_id: int) -> result201.CancelReservation:
        self.cancel_calls.append(reservation_id)
        return result201.CancelReservation(status="Rejected")


async def test_ocpp16_reservation_token_mismatch_group_use_cancel_and_expiry(node: Node) -> None:
    station_id = random_id("RES16")
    await add_token(node, "TAG-RES", group="FLEET-1")
    await add_token(node, "TAG-MATE", group="FLEET-1")
    await add_token(node, "TAG-OTHER")
    async with websockets.connect(f"{node.ocpp_url}/{station_id}", subprotocols=["ocpp1.6"]) as ws:
        cp = Reserving16(station_id, ws)
        cp.reserve_calls, cp.cancel_calls, cp.answer = [], [], "Accepted"
        async with running(cp), node.client() as http:
            await cp.call(call16.BootNotification(charge_point_model="R1", charge_point_vendor="LibVendor"))
            expiry = now() + timedelta(hours=1)
            made = await http.post(
                f"/api/v1/stations/{station_id}/reservations",
                json={"id_token": "TAG-RES", "connector_id": 1, "expiry_date_time": iso(expiry)},
            )
            assert made.status_code == 201, made.text
            reservation = made.json()["reservation"]
            assert reservation["state"] == "accepted" and reservation["evse_id"] == 1
            assert made.json()["command"]["action"] == "ReserveNow"
            # The station got the 1.6 form: connectorId, idTag, the token's group as parentIdTag.
            sent = cp.reserve_calls[0]
            assert sent["connector_id"] == 1 and sent["id_tag"] == "TAG-RES"
            assert sent["parent_id_tag"] == "FLEET-1" and sent["reservation_id"] == reservation["id"]

            # Token mismatch: another token starts on the reserved connector -> Invalid, still recorded.
            wrong = await cp.call(
                call16.StartTransaction(connector_id=1, id_tag="TAG-OTHER", meter_start=0, timestamp=iso(now()))
            )
            assert wrong.id_tag_info["status"] == "Invalid"
            # The same token on another connector is none of the reservation's business.
            elsewhere = await cp.call(
                call16.StartTransaction(connector_id=2, id_tag="TAG-OTHER", meter_start=0, timestamp=iso(now()))
            )
            assert elsewhere.id_tag_info["status"] == "Accepted"
            still = (await http.get(f"/api/v1/stations/{station_id}/reservations/{reservation['id']}")).json()
            assert still["state"] == "accepted"

            # A token of the reservation's group (parentIdTag) may use it: consumed, linked to the transaction.
            start = await cp.call(
                call16.StartTransaction(
                    connector_id=1,
                    id_tag="TAG-MATE",
                    meter_start=100,
                    timestamp=iso(now()),
                    reservation_id=reservation["id"],
                )
            )
            assert start.id_tag_info["status"] == "Accepted"
            used = (await http.get(f"/api/v1/stations/{station_id}/reservations/{reservation['id']}")).json()
            assert used["state"] == "used" and used["transaction_id"] == str(start.transaction_id)
            assert used["active"] is False

            # Cancel (DELETE): CancelReservation reaches the station, the reservation ends cancelled.
            second = await http.post(
                f"/api/v1/stations/{station_id}/reservations",
                json={"id_token": "TAG-RES", "evse_id": 2, "expiry_date_time": iso(expiry)},
            )
            second_id = second.json()["reservation"]["id"]
            cancelled = await http.delete(f"/api/v1/stations/{station_id}/reservations/{second_id}")
            assert cancelled.status_code == 200, cancelled.text
            assert cancelled.json()["reservation"]["state"] == "cancelled"
            assert cp.cancel_calls == [second_id]
            again = await http.post(f"/api/v1/stations/{station_id}/reservations/{second_id}/cancel")
            assert again.status_code == 409

            # A refusal is recorded as the station's answer.
            cp.answer = "Occupied"
            occupied = await http.post(
                f"/api/v1/stations/{station_id}/reservations",
                json={"id_token": "TAG-RES", "evse_id": 1, "expiry_date_time": iso(expiry)},
            )
            assert occupied.json()["reservation"]["state"] == "occupied"
            cp.answer = "Accepted"

            # Expiry: the sweep ends a reservation whose expiry passed.
            short = await http.post(
                f"/api/v1/stations/{station_id}/reservations",
                json={"id_token": "TAG-RES", "evse_id": 3, "expiry_date_time": iso(now() + timedelta(seconds=1))},
            )
            short_id = short.json()["reservation"]["id"]

            async def expired() -> bool:
                row = (await http.get(f"/api/v1/stations/{station_id}/reservations/{short_id}")).json()
                return bool(row["state"] == "expired")

            await eventually(expired)

            # C12: a token the station may hold in its cache as Accepted is answered as it is now.
            await add_token(node, "TAG-CACHED")
            assert (await http.put("/api/v1/id-tokens/TAG-CACHED", json={"status": "Blocked"})).status_code == 200
            cached = await cp.call(
                call16.StartTransaction(connector_id=4, id_tag="TAG-CACHED", meter_start=0, timestamp=iso(now()))
            )
            assert cached.id_tag_info["status"] == "Blocked"

            # Bad input: an expiry in the past, a 1.6 idTag that is too long, a connector type (2.0.1 only).
            past = await http.post(
                f"/api/v1/stations/{station_id}/reservations",
                json={"id_token": "TAG-RES", "evse_id": 1, "expiry_date_time": iso(now() - timedelta(minutes=1))},
            )
            assert past.status_code == 422
            long_tag = await http.post(
                f"/api/v1/stations/{station_id}/reservations",
                json={"id_token": "T" * 30, "evse_id": 1, "expiry_date_time": iso(expiry)},
            )
            assert long_tag.status_code == 422 and "20" in long_tag.text
            typed = await http.post(
                f"/api/v1/stations/{station_id}/reservations",
                json={"id_token": "TAG-RES", "connector_type": "cType2", "expiry_date_time": iso(expiry)},
            )
            assert typed.status_code == 422
            listed = (await http.get(f"/api/v1/stations/{station_id}/reservations")).json()
            assert listed["total"] == 4  # refused requests left no rows
            active = (await http.get("/api/v1/reservations", params={"station_id": station_id, "active": True})).json()
            assert active["total"] == 0
            states = {r["id"]: r["state"] for r in listed["items"]}
            assert states[reservation["id"]] == "used" and states[short_id] == "expired"
        # A token scoped to another station sees none of these reservations; its own station's route is 404.
        other = await scoped_token(node, "viewer", ["SOMEWHERE-ELSE"])
        async with node.client(other) as scoped:
            assert (await scoped.get("/api/v1/reservations")).json()["total"] == 0
            assert (await scoped.get(f"/api/v1/stations/{station_id}/reservations")).status_code == 404
        mine = await scoped_token(node, "viewer", [station_id])
        async with node.client(mine) as scoped:
            assert (await scoped.get("/api/v1/reservations")).json()["total"] == 4
    async with node.client() as http:
        audit = (await http.get("/api/v1/audit", params={"station_id": station_id})).json()["items"]
        actions = {entry["action"] for entry in audit}
        assert {"create_reservation", "delete_reservation", "cancel_reservation"} <= actions


async def test_ocpp201_reservation_status_update_use_and_mismatch(node: Node) -> None:
    station_id = random_id("RES201")
    await add_token(node, "TOK-RES", group="GROUP-A")
    await add_token(node, "TOK-OTHER")
    async with websockets.connect(f"{node.ocpp_url}/{station_id}", subprotocols=["ocpp2.0.1"]) as ws:
        cp = Reserving201(station_id, ws)
        cp.reserve_calls, cp.cancel_calls = [], []
        async with running(cp), node.client() as http:
            await cp.call(
                call201.BootNotification(charging_station={"model": "R2", "vendor_name": "Lib"}, reason="PowerUp")
            )
            expiry = now() + timedelta(hours=1)

            async def reserve(**body: Any) -> dict[str, Any]:
                made = await http.post(
                    f"/api/v1/stations/{station_id}/reservations",
                    json={"id_token": "TOK-RES", "expiry_date_time": iso(expiry), **body},
                )
                assert made.status_code == 201, made.text
                return dict(made.json()["reservation"])

            first = await reserve(evse_id=1, connector_type="cType2", id_token_type="ISO14443")
            sent = cp.reserve_calls[0]
            assert sent["id"] == first["id"] and sent["evse_id"] == 1 and sent["connector_type"] == "cType2"
            assert sent["id_token"] == {"id_token": "TOK-RES", "type": "ISO14443"}
            assert sent["group_id_token"] == {"id_token": "GROUP-A", "type": "Central"}

            # ReservationStatusUpdate Expired / Removed: decoded, stored, answered (no NotSupported).
            update = call201.ReservationStatusUpdate
            await cp.call(update(reservation_id=first["id"], reservation_update_status="Expired"))
            row = (await http.get(f"/api/v1/stations/{station_id}/reservations/{first['id']}")).json()
            assert row["state"] == "expired" and row["last_status"] == "Expired"
            second = await reserve()  # any EVSE
            assert "evse_id" not in cp.reserve_calls[1]
            await cp.call(update(reservation_id=second["id"], reservation_update_status="Removed"))
            row = (await http.get(f"/api/v1/stations/{station_id}/reservations/{second['id']}")).json()
            assert row["state"] == "removed"
            # An unknown reservation id is acknowledged too (recorded as a station event).
            await cp.call(update(reservation_id=999_999, reservation_update_status="Expired"))

            # Token mismatch on the reserved EVSE -> Invalid; the reserved token with the reservationId uses it.
            third = await reserve(evse_id=2)

            def event(tx: str, token: str, seq: int, reservation_id: int | None = None) -> Any:
                return call201.TransactionEvent(
                    event_type="Started",
                    timestamp=iso(now()),
                    trigger_reason="Authorized",
                    seq_no=seq,
                    transaction_info={"transaction_id": tx},
                    id_token={"id_token": token, "type": "ISO14443"},
                    evse={"id": 2, "connector_id": 1},
                    reservation_id=reservation_id,
                )

            refused = await cp.call(event("TX-WRONG", "TOK-OTHER", 0))
            assert refused.id_token_info["status"] == "Invalid"
            accepted = await cp.call(event("TX-RES", "TOK-RES", 0, third["id"]))
            assert accepted.id_token_info["status"] == "Accepted"
            row = (await http.get(f"/api/v1/stations/{station_id}/reservations/{third['id']}")).json()
            assert row["state"] == "used" and row["transaction_id"] == "TX-RES"

            # CancelReservation that the station refuses leaves the reservation as it was, with the answer.
            fourth = await reserve(evse_id=3)
            answer = await http.post(f"/api/v1/stations/{station_id}/reservations/{fourth['id']}/cancel")
            assert answer.status_code == 200 and answer.json()["command"]["status"] == "Rejected"
            assert answer.json()["reservation"]["state"] == "accepted"
            assert cp.cancel_calls == [fourth["id"]]


async def test_reservation_without_a_usable_answer_is_kept_as_error(sqlite_node: Node) -> None:
    """A station that answers ReserveNow with a CALLERROR: 502 like any command, and the
    reservation stays on record as ``error`` with the reason (it may not hold an EVSE)."""
    station_id = random_id("RESERR")
    station = await RawStation.open(sqlite_node.ocpp_url, station_id, "2.0.1")
    await station.call("BootNotification", BOOT201)
    async with sqlite_node.client() as http:
        body = {"id_token": "ANY", "evse_id": 1, "expiry_date_time": iso(now() + timedelta(hours=1))}
        request = asyncio.create_task(http.post(f"/api/v1/stations/{station_id}/reservations", json=body))
        call = await station.recv()
        assert call[2] == "ReserveNow" and call[3]["evseId"] == 1
        await station.send_raw(json.dumps([4, call[1], "NotSupported", "no reservations here", {}]))
        answer = await request
        assert answer.status_code == 502 and answer.json()["detail"]["error_code"] == "NotSupported"
        rows = (await http.get(f"/api/v1/stations/{station_id}/reservations")).json()["items"]
        assert len(rows) == 1 and rows[0]["state"] == "error" and "NotSupported" in rows[0]["detail"]
        bad_type = {**body, "connector_type": "cType9"}
        assert (await http.post(f"/api/v1/stations/{station_id}/reservations", json=bad_type)).status_code == 422
    await station.close()
