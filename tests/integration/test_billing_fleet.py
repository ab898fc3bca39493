"""A simulated fleet against the real server, billed: CDR energies equal the simulator's ledger to
the Wh, costs equal an independent recomputation to the cent, and a station with a tampered OCMF
reading and one that mislabels its units each end as needs_review (issue 15)."""

from __future__ import annotations

import asyncio
import json
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from chargebridge.sim.fleet import Fleet, SimConfig, station_id
from chargebridge.sim.signing import MeterSigner
from tests.conftest import Node, start_node

TOKENS = ("BILL-TOKEN-1", "BILL-TOKEN-2")
TARIFF = {
    "id": "FLEET-ENERGY",
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


def expected_cost(energy_wh: int) -> tuple[Decimal, Decimal]:
    """The tariff by hand: 0.30/kWh per Wh plus 1.00, 19 % VAT, rounded once to the cent."""
    excl = Decimal(energy_wh) / 1000 * Decimal("0.30") + Decimal("1.00")
    cent = Decimal("0.01")
    return excl.quantize(cent, ROUND_HALF_UP), (excl * Decimal("1.19")).quantize(cent, ROUND_HALF_UP)


async def all_cdrs(node: Node) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    async with node.client() as http:
        offset = 0
        while True:
            answer = await http.get("/api/v1/cdrs", params={"limit": 1000, "offset": offset})
            page = json.loads(answer.text, parse_float=Decimal)
            items += page["items"]
            if page["next_offset"] is None:
                return items
            offset = page["next_offset"]


def fleet(node: Node, prefix: str, stations: int, profile: str, seed: int) -> Fleet:
    return Fleet(
        SimConfig(
            url=node.ocpp_url,
            stations=stations,
            version="mixed",
            scenario="charging",
            profile=Path(profile),
            time_scale=120.0,
            seed=seed,
            duration=10.0,
            meter_interval_s=60.0,
            id_tokens=TOKENS,
            id_prefix=prefix,
            connect_concurrency=20,
            dc_share=0.0,
        )
    )


async def test_simulated_fleet_is_billed_exactly_and_bad_meters_are_held(tmp_path: Path) -> None:
    # The simulator runs its clock 120x faster than the wall clock: its stops are dated up to
    # twenty minutes away from when they arrive, which is no station clock fault here.
    config = tmp_path / "chargebridge.toml"
    config.write_text("[billing]\nclock_skew_s = 86400\n", encoding="utf-8")
    node = await start_node(tmp_path, None, auto_register=True, config_file=config)
    try:
        fleets = {
            "BILL-": fleet(node, "BILL-", 12, "signing-meter-fw1.0", 21),
            "TAMP-": fleet(node, "TAMP-", 2, "tampering-meter-fw1.0", 22),
            "UNIT-": fleet(node, "UNIT-", 2, "kilowatt-labelled-fw3.2", 23),
        }
        async with node.client() as http:
            assert (await http.post("/api/v1/tariffs", json=TARIFF)).status_code == 201
            assert (
                await http.put("/api/v1/billing/default-tariff", json={"tariff_id": TARIFF["id"]})
            ).status_code == 200
            for token in TOKENS:
                assert (await http.post("/api/v1/id-tokens", json={"id_token": token})).status_code == 201
            for prefix, count in (("BILL-", 12), ("TAMP-", 2)):
                for index in range(1, count + 1):
                    sid = station_id(prefix, index, count)
                    assert (await http.post("/api/v1/stations", json={"id": sid})).status_code == 201
                    key = MeterSigner.for_station(random.Random(f"ocmf:{sid}"), "", "").public_key_hex
                    added = await http.post(f"/api/v1/stations/{sid}/meter-keys", json={"public_key": key})
                    assert added.status_code == 201, added.text
        results = await asyncio.gather(*(f.run() for f in fleets.values()))
        assert all(stats.errors == 0 for stats in results)
        cdrs = await all_cdrs(node)
        by_station: dict[str, list[dict[str, Any]]] = {}
        for cdr in cdrs:
            by_station.setdefault(cdr["station_id"], []).append(cdr)

        ledger = [e for e in fleets["BILL-"].ledger if e.acknowledged]
        assert len(ledger) >= 10, f"only {len(ledger)} sessions finished"
        assert {e.ocpp_version for e in ledger} == {"1.6", "2.0.1"}
        ours = {(c["station_id"], c["transaction_id"]): c for c in cdrs if c["station_id"].startswith("BILL-")}
        assert len(ours) == len(ledger)  # one CDR per finished transaction, none missing or extra
        total_wh = sum(Decimal(c["total_energy"]) * 1000 for c in ours.values())
        assert total_wh == sum(e.energy_wh for e in ledger)  # to the Wh
        for entry in ledger:
            cdr = ours[(entry.station_id, entry.transaction_id)]
            assert cdr["verdict"] == "ok", (entry, cdr["reasons"])
            assert Decimal(cdr["total_energy"]) * 1000 == entry.energy_wh
        costs = [expected_cost(e.energy_wh) for e in ledger]
        assert sum(Decimal(c["total_cost"]["excl_vat"]) for c in ours.values()) == sum(c[0] for c in costs)
        assert sum(Decimal(c["total_cost"]["incl_vat"]) for c in ours.values()) == sum(c[1] for c in costs)

        for prefix, code in (("TAMP-", "signature_invalid"), ("UNIT-", None)):
            held = [c for c in cdrs if c["station_id"].startswith(prefix)]
            assert held, f"no CDR from the {prefix} stations"
            for cdr in held:
                codes = {r["code"] for r in cdr["reasons"]}
                assert cdr["verdict"] == "needs_review", (cdr["station_id"], cdr["reasons"])
                if code is not None:
                    assert code in codes
                else:
                    assert codes & {"energy_cross_check", "energy_power_mismatch"}, codes
    finally:
        await node.app.stop()
