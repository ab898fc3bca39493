"""CDR building and accuracy verdicts (pure): each check holds the CDR when, and only when, it should."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chargebridge.billing.cdr import Bounds, CdrInput, build_cdr, credit_body, dumps, loads
from chargebridge.billing.tariff import parse_tariff

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
END = START + timedelta(hours=1)
TARIFF = parse_tariff(
    {
        "id": "T",
        "currency": "EUR",
        "elements": [
            {
                "price_components": [
                    {"type": "ENERGY", "price": Decimal("0.30"), "step_size": 1},
                    {"type": "FLAT", "price": Decimal("1.00"), "step_size": 1},
                ]
            }
        ],
    }
)


def tx(**changes: Any) -> dict[str, Any]:
    row = {
        "pk": 7,
        "transaction_id": "42",
        "ocpp_version": "1.6",
        "evse_id": 1,
        "connector_id": 1,
        "id_token": "TOKEN",
        "started_at": START,
        "stopped_at": END,
        "meter_start_wh": 1000.0,
        "meter_stop_wh": 13_500.0,
        "energy_wh": 12_500.0,
        "energy_mismatch": False,
        "energy_note": None,
        "stop_reason": "Local",
        "orphan": False,
        "offline": False,
        "remote_start_id": None,
    }
    row.update(changes)
    return row


def sample(minutes: float, measurand: str, value: float, unit: str) -> dict[str, Any]:
    return {
        "timestamp": START + timedelta(minutes=minutes),
        "measurand": measurand,
        "value": value,
        "unit": unit,
        "phase": None,
    }


def build(**changes: Any) -> Any:
    data = {
        "station_id": "CP-1",
        "transaction": tx(),
        "samples": [],
        "signed": [],
        "received_at": END + timedelta(seconds=1),
        "tariff": TARIFF,
        "tariff_source": "station",
    }
    data.update(changes)
    return build_cdr(CdrInput(**data))


def codes(cdr: Any) -> set[str]:
    return {r.code for r in cdr.reasons if r.severity == "review"}


def test_a_clean_session_is_ok_and_priced() -> None:
    cdr = build()
    assert cdr.verdict == "ok" and cdr.reasons == ()
    assert cdr.total_cost.excl_vat == Decimal("4.75")
    assert cdr.body["total_energy"] == Decimal("12.5") and cdr.body["total_time"] == Decimal(1)
    assert cdr.body["cdr_location"] == {
        "id": "CP-1",
        "station_id": "CP-1",
        "evse_uid": "CP-1*1",
        "evse_id": "1",
        "connector_id": "1",
    }
    assert loads(dumps(cdr.body))["total_cost"]["excl_vat"] == Decimal("4.75")


def test_each_check_holds_the_cdr() -> None:
    assert codes(build(transaction=tx(orphan=True))) >= {"orphan_stop"}
    incomplete = build(transaction=tx(completeness="incomplete", finalise_note="seqNo 3 never arrived"))
    assert "events_missing" in codes(incomplete)
    assert "events_missing" not in codes(build(transaction=tx(completeness="complete")))
    assert codes(build(transaction=tx(meter_start_wh=None))) >= {"no_meter_reading"}
    assert codes(build(transaction=tx(energy_mismatch=True, energy_note="x"))) == {"energy_cross_check"}
    assert codes(build(samples=[sample(10, "Energy.Active.Import.Register", -5, "Wh")])) >= {"negative_register"}
    falling = [
        sample(10, "Energy.Active.Import.Register", 5000, "Wh"),
        sample(20, "Energy.Active.Import.Register", 4000, "Wh"),
    ]
    assert codes(build(samples=falling)) == {"non_monotonic_register"}
    assert codes(build(bounds=Bounds(max_power_w=11_000))) == {"energy_implausible"}
    assert codes(build(received_at=END + timedelta(days=2))) == {"late_stop"}
    assert codes(build(received_at=END - timedelta(hours=1))) == {"clock_skew"}
    online_201 = tx(ocpp_version="2.0.1", transaction_id="T-1")
    assert codes(build(transaction=online_201, received_at=END + timedelta(hours=1))) == {"clock_skew"}
    assert codes(build(transaction={**online_201, "offline": True}, received_at=END + timedelta(hours=1))) == set()
    assert codes(build(tariff=None)) == {"no_tariff"}


def test_power_that_does_not_add_up_to_the_energy_is_a_mislabelled_unit() -> None:
    minutes = (0, 20, 40, 60)
    powers = [sample(m, "Power.Active.Import", 12_500, "W") for m in minutes]
    registers = [sample(m, "Energy.Active.Import.Register", 1000 + m * 12_500 / 60, "Wh") for m in minutes]
    assert codes(build(samples=powers + registers)) == set()  # 12.5 kW for an hour is 12.5 kWh
    # the same power, but the meter reported kWh numbers labelled Wh: 12.5 "Wh"
    tiny = tx(meter_start_wh=1.0, meter_stop_wh=13.5, energy_wh=12.5)
    labelled = [sample(m, "Energy.Active.Import.Register", 1 + m * 12.5 / 60, "Wh") for m in minutes]
    assert codes(build(transaction=tiny, samples=powers + labelled)) == {"energy_power_mismatch"}
    # power stopping between two readings (the EV is full) is no unit problem
    stopping = [sample(m, "Power.Active.Import", 12_500 if m < 40 else 0, "W") for m in minutes]
    flat = [sample(m, "Energy.Active.Import.Register", 1000 + min(m, 40) * 12_500 / 60, "Wh") for m in minutes]
    assert "energy_power_mismatch" not in codes(build(samples=stopping + flat))


def ocmf(key: ec.EllipticCurvePrivateKey, kind: str, wh: int, tamper: bool = False) -> str:
    reading = {
        "TM": "2026-03-02T10:00:00,000+0000 S",
        "TX": kind,
        "RV": wh / 1000,
        "RI": "1-b:1.8.0",
        "RU": "kWh",
        "ST": "G",
    }
    payload = json.dumps({"FV": "1.0", "GI": "G", "GS": "S", "PG": "T1", "RD": [reading]}, separators=(",", ":"))
    signature = key.sign(payload.encode(), ec.ECDSA(hashes.SHA256())).hex()
    if tamper:
        payload = payload.replace(f'"RV":{wh / 1000}', f'"RV":{wh / 1000 + 2}')
    return f'OCMF|{payload}|{{"SA":"ECDSA-secp256r1-SHA256","SD":"{signature}"}}'


def signed(record: str, minutes: float, context: str) -> dict[str, Any]:
    return {
        "timestamp": START + timedelta(minutes=minutes),
        "encoding_method": "OCMF",
        "data": record,
        "context": context,
    }


def test_signed_readings_are_verified_against_the_registered_key() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    public = (
        key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo).hex()
    )
    good = [signed(ocmf(key, "B", 1000), 0, "Transaction.Begin"), signed(ocmf(key, "E", 13_500), 60, "Transaction.End")]
    cdr = build(signed=good, public_keys=(public,))
    assert cdr.verdict == "ok", cdr.reasons
    assert [v["nature"] for v in cdr.body["signed_data"]["signed_values"]] == ["Start", "End"]
    tampered = [good[0], signed(ocmf(key, "E", 13_500, tamper=True), 60, "Transaction.End")]
    assert "signature_invalid" in codes(build(signed=tampered, public_keys=(public,)))
    other = ec.generate_private_key(ec.SECP256R1())
    foreign = [
        signed(ocmf(other, "B", 1000), 0, "Transaction.Begin"),
        signed(ocmf(other, "E", 13_500), 60, "Transaction.End"),
    ]
    assert "signature_invalid" in codes(build(signed=foreign, public_keys=(public,)))
    short = [good[0], signed(ocmf(key, "E", 12_000), 60, "Transaction.End")]
    assert codes(build(signed=short, public_keys=(public,))) == {"signed_energy_mismatch"}
    assert codes(build(signed=good[:1], public_keys=(public,))) == {"signed_incomplete"}
    assert codes(build(public_keys=(public,))) == {"unsigned_readings"}
    assert codes(build(require_signed=True)) == {"unsigned_readings"}
    assert codes(build(signed=good)) == {"signature_invalid"}  # signed, but no key to check it with


def test_credit_negates_every_amount() -> None:
    cdr = build()
    credit = credit_body(loads(dumps(cdr.body)), cdr.id + "-C", END, "wrong tariff")
    assert credit["credit"] is True and credit["credit_reference_id"] == cdr.id
    assert credit["total_cost"]["excl_vat"] == Decimal("-4.75") and credit["total_energy"] == Decimal("-12.5")
