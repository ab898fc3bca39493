"""Signed meter values of a simulated station: OCMF records signed with the station's own key.

Each station that signs gets an ECDSA secp256r1 key derived from its random generator (a seeded
fleet gets the same keys every run); its public key (hex DER) is what an operator registers at
``POST /api/v1/stations/{id}/meter-keys``. The quirk ``tamper_signed_reading`` changes the
value of one signed reading (the transaction's end) after signing, as a manipulated meter
record would look.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

SIGNING_METHOD = "ECDSA-secp256r1-SHA256"
_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # secp256r1 group order


@dataclass(frozen=True, slots=True)
class MeterSigner:
    key: ec.EllipticCurvePrivateKey
    gateway: str
    serial: str
    tamper_end: bool = False

    @classmethod
    def for_station(cls, rng: random.Random, gateway: str, serial: str, *, tamper_end: bool = False) -> MeterSigner:
        secret = rng.randrange(1, _ORDER)
        return cls(ec.derive_private_key(secret, ec.SECP256R1()), gateway[:50], serial[:50], tamper_end)

    @property
    def public_key_hex(self) -> str:
        return (
            self.key.public_key()
            .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
            .hex()
        )

    def record(self, kind: str, at: datetime, energy_wh: int, id_token: str) -> str:
        """An OCMF record of one energy register reading (``kind`` B: begin, E: end, T: intermediate)."""
        reading = {
            "TM": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S,") + f"{at.microsecond // 1000:03d}+0000 S",
            "TX": kind,
            "RV": energy_wh / 1000,
            "RI": "1-b:1.8.0",
            "RU": "kWh",
            "RT": "AC",
            "ST": "G",
        }
        payload = {
            "FV": "1.0",
            "GI": self.gateway,
            "GS": self.serial,
            "PG": f"T{energy_wh % 100_000}",
            "MV": "Chargebridge",
            "MM": "SimMeter",
            "MS": self.serial,
            "IS": True,
            "IL": "VERIFIED",
            "IF": ["RFID_PLAIN"],
            "IT": "CENTRAL",
            "ID": id_token[:40],
            "RD": [reading],
        }
        text = json.dumps(payload, separators=(",", ":"))
        signature = self.key.sign(text.encode(), ec.ECDSA(hashes.SHA256())).hex()
        if self.tamper_end and kind == "E":
            text = text.replace(f'"RV":{energy_wh / 1000}', f'"RV":{(energy_wh + 500) / 1000}')
        return f'OCMF|{text}|{{"SA":"{SIGNING_METHOD}","SD":"{signature}"}}'
