"""Billing end to end on a real node (SQLite and PostgreSQL): tariffs, assignment, CDRs written
with the stop, verdicts, OCMF verification, totalCost, exports, statements, credits, bad input."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import xmlschema
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chargebridge.billing.exports import xsd_text
from chargebridge.domain.timeutil import format_datetime
from tests.conftest import Node, random_id
from tests.integration.helpers import BOOT16, BOOT201, RawStation

ENERGY_FLAT = {
    "id": "ENERGY-FLAT",
    "currency": "EUR",
    "elements": [
        {
            "price_components": [
                {"type": "ENERGY", "price": 0.30, "vat": 19.0, "step_size": 1},
                {"type": "FLAT", "price": 1.00, "vat": 19.0, "step_size": 1},
            ]
        }
    ],
}


def ts(at: datetime) -> str:
    return format_datetime(at)


def exact(response: Any) -> Any:
    return json.loads(response.text, parse_float=Decimal)


async def create_tariff(node: Node, body: dict[str, Any]) -> None:
    async with node.client() as http:
        answer = await http.post("/api/v1/tariffs", json=body)
        assert answer.status_code == 201, answer.text


async def cdrs(node: Node, station_id: str) -> list[dict[str, Any]]:
    async with node.client() as http:
        answer = await http.get("/api/v1/cdrs", params={"station_id": station_id})
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = exact(answer)["items"]
        return items


async def test_tariff_bad_input_is_refused_and_nothing_half_written(node: Node) -> None:
    async with node.client() as http:
        for body, needle in (
            ({**ENERGY_FLAT, "id": "BAD1", "currency": "EUX"}, "ISO 4217"),
            (
                {
                    **ENERGY_FLAT,
                    "id": "BAD2",
                    "elements": [{"price_components": [{"type": "ENERGY", "price": -0.1, "step_size": 1}]}],
                },
                "negative",
            ),
            (
                {
                    **ENERGY_FLAT,
                    "id": "BAD3",
                    "elements": [
                        {
                            "price_components": [{"type": "TIME", "price": 1, "step_size": 60}],
                            "restrictions": {"start_time": "08:00", "end_time": "12:00"},
                        },
                        {
                            "price_components": [{"type": "TIME", "price": 2, "step_size": 60}],
                            "restrictions": {"start_time": "11:00", "end_time": "13:00"},
                        },
                    ],
                },
                "overlapping",
            ),
        ):
            answer = await http.post("/api/v1/tariffs", json=body)
            assert answer.status_code == 422, answer.text
            assert needle in answer.text
            assert (await http.get(f"/api/v1/tariffs/{body['id']}")).status_code == 404
        assert (await http.post("/api/v1/tariffs", json=ENERGY_FLAT)).status_code == 201
        assert (await http.post("/api/v1/tariffs", json=ENERGY_FLAT)).status_code == 409
        station_id = random_id("TB")
        assert (await http.post("/api/v1/stations", json={"id": station_id})).status_code == 201
        # an unknown tariff on PATCH: refused, and the password in the same request is not written either
        refused = await http.patch(
            f"/api/v1/stations/{station_id}", json={"tariff_id": "NOPE", "registration_status": "Rejected"}
        )
        assert refused.status_code == 422
        assert (await http.get(f"/api/v1/stations/{station_id}")).json()["registration_status"] == "Accepted"
        assert (
            await http.patch(f"/api/v1/stations/{station_id}", json={"tariff_id": "ENERGY-FLAT"})
        ).status_code == 200
        deleted = await http.delete("/api/v1/tariffs/ENERGY-FLAT")
        assert deleted.status_code == 409
        assert deleted.json()["detail"]["assignments"] == [{"scope": "station", "key": station_id}]
        assert (await http.get("/api/v1/tariffs/ENERGY-FLAT")).status_code == 200
        assert (await http.get(f"/api/v1/stations/{station_id}/billing")).json()["tariff_id"] == "ENERGY-FLAT"
        assert (await http.patch(f"/api/v1/stations/{station_id}", json={"tariff_id": None})).status_code == 200
        assert (await http.delete("/api/v1/tariffs/ENERGY-FLAT")).status_code == 204
        assert (await http.get("/api/v1/tariffs/ENERGY-FLAT")).status_code == 404


async def test_v16_cdr_in_the_stop_commit_with_exact_cost_exports_and_credit(node: Node) -> None:
    await create_tariff(node, ENERGY_FLAT)
    station_id = random_id("B16")
    station = await RawStation.open(node.ocpp_url, station_id, "1.6")
    await station.call("BootNotification", BOOT16)
    async with node.client() as http:
        await http.patch(f"/api/v1/stations/{station_id}", json={"tariff_id": "ENERGY-FLAT"})
        await http.post(
            "/api/v1/id-tokens", json={"id_token": "FLEET-A-1", "status": "Accepted", "group_id": "FLEET-A"}
        )
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    answer = await station.call(
        "StartTransaction", {"connectorId": 1, "idTag": "FLEET-A-1", "meterStart": 100_000, "timestamp": ts(start)}
    )
    tx_id = answer[2]["transactionId"]
    await station.call(
        "MeterValues",
        {
            "connectorId": 1,
            "transactionId": tx_id,
            "meterValue": [
                {
                    "timestamp": ts(start + timedelta(minutes=30)),
                    "sampledValue": [
                        {"value": "106.25", "unit": "kWh"},
                        {"value": "12.5", "unit": "kW", "measurand": "Power.Active.Import"},
                    ],
                }
            ],
        },
    )
    stop = {
        "transactionId": tx_id,
        "meterStop": 112_500,
        "timestamp": ts(start + timedelta(hours=1)),
        "reason": "Local",
    }
    assert (await station.call("StopTransaction", stop))[0] == 3
    # the CDR is there as soon as the stop is acknowledged: written in the same commit
    [cdr] = await cdrs(node, station_id)
    assert cdr["total_cost"] == {"excl_vat": Decimal("4.75"), "incl_vat": Decimal("5.65")}
    assert cdr["total_energy"] == Decimal("12.5") and cdr["verdict"] == "ok", cdr["reasons"]
    assert cdr["cdr_token"]["uid"] == "FLEET-A-1" and cdr["cdr_token"]["contract_id"] == "FLEET-A"
    assert cdr["cdr_location"]["evse_id"] == "1" and cdr["tariffs"][0]["id"] == "ENERGY-FLAT"
    assert cdr["charging_periods"][0]["dimensions"][0] == {"type": "ENERGY", "volume": Decimal("12.5")}
    await station.call("StopTransaction", stop)  # a repeated stop writes no second CDR
    assert len(await cdrs(node, station_id)) == 1
    async with node.client() as http:
        text = (await http.get("/api/v1/exports/cdrs.csv", params={"station_id": station_id})).text
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows[0]["total_cost_excl_vat"] == "4.75" and rows[0]["total_energy_kwh"] == "12.5"
        xml = (await http.get("/api/v1/exports/cdrs.xml", params={"station_id": station_id})).text
        xmlschema.XMLSchema(xsd_text()).validate(xml)
        credit = await http.post(f"/api/v1/cdrs/{cdr['id']}/credit", json={"remark": "goodwill"})
        assert credit.status_code == 201, credit.text
        credited = exact(credit)
        assert credited["credit"] is True and credited["credit_reference_id"] == cdr["id"]
        assert credited["total_cost"]["excl_vat"] == Decimal("-4.75")
        assert (await http.post(f"/api/v1/cdrs/{cdr['id']}/credit", json={})).status_code == 409
        month = start.strftime("%Y-%m")
        statement = (await http.get("/api/v1/exports/statements/FLEET-A.csv", params={"month": month})).text
        lines = list(csv.reader(io.StringIO(statement)))
        total = next(line for line in lines if line[0].startswith("TOTAL"))
        assert total[6] == "0.00"  # the CDR and its credit cancel out
        for odd in ("0000-01", "9999-12"):  # months whose bounds no date can hold: a clear 422, not a 500
            answer = await http.get("/api/v1/exports/statements/FLEET-A.csv", params={"month": odd})
            assert answer.status_code == 422, (odd, answer.text)
    await station.close()


def ocmf(key: ec.EllipticCurvePrivateKey, kind: str, at: datetime, wh: int, *, tamper: bool = False) -> str:
    payload = json.dumps(
        {
            "FV": "1.0",
            "GI": "TEST",
            "GS": "SN1",
            "PG": "T1",
            "MV": "Meter",
            "MS": "M1",
            "IS": True,
            "IL": "VERIFIED",
            "IF": ["RFID_PLAIN"],
            "IT": "CENTRAL",
            "ID": "TOKEN",
            "RD": [
                {
                    "TM": at.strftime("%Y-%m-%dT%H:%M:%S,000+0000 S"),
                    "TX": kind,
                    "RV": wh / 1000,
                    "RI": "1-b:1.8.0",
                    "RU": "kWh",
                    "RT": "AC",
                    "ST": "G",
                }
            ],
        },
        separators=(",", ":"),
    )
    signature = key.sign(payload.encode(), ec.ECDSA(hashes.SHA256())).hex()
    if tamper:
        payload = payload.replace(f'"RV":{wh / 1000}', f'"RV":{wh / 1000 + 1}')
    return f'OCMF|{payload}|{{"SA":"ECDSA-secp256r1-SHA256","SD":"{signature}"}}'


def signed_event(
    event_type: str, seq: int, at: datetime, wh: int, context: str, record: str, **extra: Any
) -> dict[str, Any]:
    value = {
        "value": wh,
        "context": context,
        "measurand": "Energy.Active.Import.Register",
        "signedMeterValue": {
            "signedMeterData": base64.b64encode(record.encode()).decode(),
            "signingMethod": "ECDSA-secp256r1-SHA256",
            "encodingMethod": "OCMF",
            "publicKey": "",
        },
    }
    return {
        "eventType": event_type,
        "timestamp": ts(at),
        "triggerReason": "Authorized" if event_type == "Started" else "EVDeparted",
        "seqNo": seq,
        "transactionInfo": {"transactionId": extra.pop("tx", "TX-SIGNED")} | extra,
        "evse": {"id": 1, "connectorId": 1},
        "meterValue": [{"timestamp": ts(at), "sampledValue": [value]}],
    }


async def _signed_session(node: Node, station_id: str, key: ec.EllipticCurvePrivateKey, tamper: bool) -> dict[str, Any]:
    station = await RawStation.open(node.ocpp_url, station_id, "2.0.1")
    await station.call("BootNotification", BOOT201)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    end = start + timedelta(minutes=30)
    begin = signed_event("Started", 0, start, 50_000, "Transaction.Begin", ocmf(key, "B", start, 50_000))
    begin["idToken"] = {"idToken": "SIGNER", "type": "Central"}
    await station.call("TransactionEvent", begin)
    record = ocmf(key, "E", end, 55_000, tamper=tamper)
    answer = await station.call(
        "TransactionEvent",
        signed_event("Ended", 1, end, 55_000, "Transaction.End", record, stoppedReason="Local"),
    )
    await station.close()
    return answer[2]  # type: ignore[no-any-return]


async def test_v201_ocmf_verified_and_tampered_reading_held_and_total_cost(node: Node) -> None:
    await create_tariff(node, ENERGY_FLAT)
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    good, bad = random_id("SIG"), random_id("TAMP")
    async with node.client() as http:
        await http.put("/api/v1/billing/default-tariff", json={"tariff_id": "ENERGY-FLAT"})
        await http.post("/api/v1/id-tokens", json={"id_token": "SIGNER", "status": "Accepted"})
        for station_id in (good, bad):
            assert (await http.post("/api/v1/stations", json={"id": station_id})).status_code == 201
            added = await http.post(
                f"/api/v1/stations/{station_id}/meter-keys", json={"public_key": base64.b64encode(public).decode()}
            )
            assert added.status_code == 201, added.text
            profile = await http.put(f"/api/v1/stations/{station_id}/billing", json={"running_cost": True})
            assert profile.json()["running_cost"] is True
        refused = await http.post(f"/api/v1/stations/{good}/meter-keys", json={"public_key": "00" * 40})
        assert refused.status_code == 422
    ended = await _signed_session(node, good, key, tamper=False)
    assert ended["totalCost"] == 2.98  # (5 kWh x 0.30 + 1.00) x 1.19 = 2.975 -> 2.98
    [cdr] = await cdrs(node, good)
    assert cdr["verdict"] == "ok", cdr["reasons"]
    assert cdr["signed_data"]["encoding_method"] == "OCMF"
    assert [v["nature"] for v in cdr["signed_data"]["signed_values"]] == ["Start", "End"]
    held = await _signed_session(node, bad, key, tamper=True)
    assert "totalCost" not in held  # a held CDR's amount is not told to the driver
    [cdr] = await cdrs(node, bad)
    assert cdr["verdict"] == "needs_review"
    assert "signature_invalid" in {r["code"] for r in cdr["reasons"]}
    async with node.client() as http:
        listed = exact(await http.get("/api/v1/cdrs", params={"verdict": "needs_review", "station_id": bad}))
        assert listed["total"] == 1
        reviewed = await http.post(f"/api/v1/cdrs/{cdr['id']}/review", json={"decision": "approved"})
        assert reviewed.status_code == 200 and exact(reviewed)["review"]["decision"] == "approved"


async def test_unsigned_station_that_should_sign_and_implausible_energy_are_held(node: Node) -> None:
    await create_tariff(node, ENERGY_FLAT)
    station_id = random_id("UNS")
    async with node.client() as http:
        await http.put("/api/v1/billing/default-tariff", json={"tariff_id": "ENERGY-FLAT"})
        assert (await http.post("/api/v1/stations", json={"id": station_id})).status_code == 201
        await http.put(f"/api/v1/stations/{station_id}/billing", json={"require_signed": True, "max_power_kw": 11})
    station = await RawStation.open(node.ocpp_url, station_id, "1.6")
    await station.call("BootNotification", BOOT16)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    answer = await station.call(
        "StartTransaction", {"connectorId": 1, "idTag": "ANY", "meterStart": 0, "timestamp": ts(start)}
    )
    stop = {
        "transactionId": answer[2]["transactionId"],
        "meterStop": 50_000,
        "timestamp": ts(start + timedelta(minutes=10)),
    }
    await station.call("StopTransaction", stop)
    await station.close()
    [cdr] = await cdrs(node, station_id)
    codes = {r["code"] for r in cdr["reasons"]}
    assert cdr["verdict"] == "needs_review"
    assert {"unsigned_readings", "energy_implausible"} <= codes, codes


async def test_cost_updated_from_the_api_and_running_cost(node: Node) -> None:
    await create_tariff(node, ENERGY_FLAT)
    station_id = random_id("CU")
    async with node.client() as http:
        await http.put("/api/v1/billing/default-tariff", json={"tariff_id": "ENERGY-FLAT"})
    station = await RawStation.open(node.ocpp_url, station_id, "2.0.1")
    await station.call("BootNotification", BOOT201)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    begin = {
        "eventType": "Started",
        "timestamp": ts(start),
        "triggerReason": "Authorized",
        "seqNo": 0,
        "transactionInfo": {"transactionId": "TX-CU"},
        "evse": {"id": 1, "connectorId": 1},
        "meterValue": [{"timestamp": ts(start), "sampledValue": [{"value": 10_000, "context": "Transaction.Begin"}]}],
    }
    await station.call("TransactionEvent", begin)
    update = dict(
        begin,
        eventType="Updated",
        seqNo=1,
        triggerReason="MeterValuePeriodic",
        timestamp=ts(start + timedelta(minutes=20)),
    )
    update["meterValue"] = [
        {
            "timestamp": ts(start + timedelta(minutes=20)),
            "sampledValue": [{"value": 14_000, "context": "Sample.Periodic"}],
        }
    ]
    await station.call("TransactionEvent", update)
    async with node.client() as http:
        cost = exact(await http.get(f"/api/v1/stations/{station_id}/transactions/TX-CU/cost"))
        # 4 kWh so far: 1.20 + 1.00 flat, 19 % VAT
        assert cost["active"] is True and cost["total_cost"] == {
            "excl_vat": Decimal("2.20"),
            "incl_vat": Decimal("2.62"),
        }
        sending = asyncio.create_task(
            http.post(f"/api/v1/stations/{station_id}/cost-updated", json={"transaction_id": "TX-CU"})
        )
        call = await station.recv()
        assert call[2] == "CostUpdated" and call[3] == {"totalCost": 2.62, "transactionId": "TX-CU"}
        await station.send_raw(json.dumps([3, call[1], {}]))
        answer = await sending
        assert answer.status_code == 200, answer.text
    await station.close()
    # 1.6 has no CostUpdated
    other = random_id("CU16")
    station16 = await RawStation.open(node.ocpp_url, other, "1.6")
    await station16.call("BootNotification", BOOT16)
    async with node.client() as http:
        refused = await http.post(
            f"/api/v1/stations/{other}/cost-updated", json={"transaction_id": "1", "total_cost": 1}
        )
        assert refused.status_code == 422 and "no OCPP 1.6 form" in refused.text
    await station16.close()


async def test_v16_ocmf_by_data_transfer_counts_for_the_cdr(node: Node) -> None:
    await create_tariff(node, ENERGY_FLAT)
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    station_id = random_id("DT16")
    async with node.client() as http:
        await http.put("/api/v1/billing/default-tariff", json={"tariff_id": "ENERGY-FLAT"})
        assert (await http.post("/api/v1/stations", json={"id": station_id})).status_code == 201
        await http.post(f"/api/v1/stations/{station_id}/meter-keys", json={"public_key": public.hex()})
    station = await RawStation.open(node.ocpp_url, station_id, "1.6")
    await station.call("BootNotification", BOOT16)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
    end = start + timedelta(minutes=20)
    answer = await station.call(
        "StartTransaction", {"connectorId": 1, "idTag": "ANY", "meterStart": 20_000, "timestamp": ts(start)}
    )
    tx_id = answer[2]["transactionId"]
    begin = await station.call(
        "DataTransfer", {"vendorId": "com.meter", "messageId": "OCMF", "data": ocmf(key, "B", start, 20_000)}
    )
    assert begin[2]["status"] == "Accepted"
    data = json.dumps({"transactionId": tx_id, "signedMeterData": ocmf(key, "E", end, 23_000)})
    assert (
        await station.call("DataTransfer", {"vendorId": "com.meter", "messageId": "SignedMeterValue", "data": data})
    )[2]["status"] == "Accepted"
    other = await station.call("DataTransfer", {"vendorId": "com.unknown", "messageId": "Temp", "data": "41"})
    assert other[2]["status"] == "UnknownVendorId"  # not OCMF: left to the vendor decoders
    await station.call("StopTransaction", {"transactionId": tx_id, "meterStop": 23_000, "timestamp": ts(end)})
    await station.close()
    [cdr] = await cdrs(node, station_id)
    assert cdr["verdict"] == "ok", cdr["reasons"]
    assert [v["nature"] for v in cdr["signed_data"]["signed_values"]] == ["Start", "End"]


async def test_a_failing_cdr_build_never_costs_the_stop(node: Node, monkeypatch: Any) -> None:
    import chargebridge.billing.service as service_module

    def broken(_: Any) -> Any:
        raise RuntimeError("bug in the CDR builder")

    monkeypatch.setattr(service_module, "build_cdr", broken)
    station_id = random_id("BUG")
    station = await RawStation.open(node.ocpp_url, station_id, "1.6")
    await station.call("BootNotification", BOOT16)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    answer = await station.call(
        "StartTransaction", {"connectorId": 1, "idTag": "ANY", "meterStart": 0, "timestamp": ts(start)}
    )
    stop = {
        "transactionId": answer[2]["transactionId"],
        "meterStop": 500,
        "timestamp": ts(start + timedelta(minutes=5)),
    }
    stopped = await station.call("StopTransaction", stop)
    assert stopped[0] == 3  # acknowledged: the stop is recorded
    await station.close()
    async with node.client() as http:
        [tx] = (await http.get("/api/v1/transactions", params={"station_id": station_id})).json()["items"]
        assert tx["active"] is False and tx["energy_wh"] == 500
    [cdr] = await cdrs(node, station_id)
    assert cdr["verdict"] == "needs_review" and cdr["reasons"][0]["code"] == "cdr_build_failed"
