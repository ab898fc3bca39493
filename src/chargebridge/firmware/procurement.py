"""Certification records in the compatibility matrix: the matrix view per vendor/model/firmware
(compatibility entries, OCA certificates, metering approvals, the validation bench's level), the
procurement check of a requirement set, and a station's required profiles.

The judging is pure (``requirements.py``); this module reads the firmware tables and asks the
matrix annotators (the validation bench's validated level) for the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chargebridge.firmware.requirements import Verdict, evidence_from, judge
from chargebridge.firmware.store import FirmwareStore
from chargebridge.store.repository import Row

Key = tuple[str, str, str]  # vendor, model, firmware version

_KEY_FIELDS = ("vendor", "model", "firmware_version")
# A matrix item's fields when the validation bench does not run on this node.
_NO_VALIDATION = {"validated_level": None, "validation_run_id": None, "validated_at": None, "quirks": 0}


def record_view(row: Row) -> dict[str, Any]:
    """A certification record as the API shows it (only the fields of its kind)."""
    view = {key: row[key] for key in ("id", "vendor", "model", "firmware_version", "kind", "certificate_id")}
    if row["kind"] == "oca":
        view |= {"ocpp_version": row["ocpp_version"], "profiles": list(row["profiles"] or [])}
    else:
        view["scheme"] = row["scheme"]
    issued = row["issued_on"]
    view |= {
        "issued_on": issued.isoformat() if hasattr(issued, "isoformat") else issued,
        "link": row["link"],
        "notes": row["notes"],
        "created_at": row["created_at"],
        "created_by": row["created_by"],
    }
    return view


class Procurement:
    def __init__(self, db: FirmwareStore, annotators: Sequence[Any]):
        self.db = db
        # The FirmwareService's list (other capabilities append to it when they start).
        self.annotators = annotators

    async def matrix(
        self, *, vendor: str | None = None, model: str | None = None, firmware_version: str | None = None
    ) -> list[dict[str, Any]]:
        """One item per vendor/model/firmware known to the matrix or to a certification record."""
        filters = {"vendor": vendor, "model": model, "firmware_version": firmware_version}
        compat = await self.db.list_compat(**filters)
        records = await self.db.list_certifications(**filters)
        keys: dict[Key, dict[str, Any]] = {}
        for row in [*compat, *records]:
            key = (row["vendor"], row["model"], row["firmware_version"])
            keys.setdefault(key, dict(zip(_KEY_FIELDS, key, strict=True)))
        items = [keys[key] for key in sorted(keys)]
        for item in items:
            item.update(_NO_VALIDATION)
        for annotate in self.annotators:
            await annotate(items)
        by_key = {(i["vendor"], i["model"], i["firmware_version"]): i for i in items}
        for item in items:
            item |= {"compatibility": [], "certifications": [], "metering_approvals": []}
        for row in compat:
            entry = {k: v for k, v in row.items() if k not in _KEY_FIELDS}
            by_key[(row["vendor"], row["model"], row["firmware_version"])]["compatibility"].append(entry)
        for row in records:
            item = by_key[(row["vendor"], row["model"], row["firmware_version"])]
            item["certifications" if row["kind"] == "oca" else "metering_approvals"].append(record_view(row))
        return items

    async def check(
        self, requires: Sequence[str], *, vendor: str | None = None, model: str | None = None
    ) -> list[dict[str, Any]]:
        """Every vendor/model/firmware of the matrix judged against ``requires`` (parsed names):
        those that meet it first, each with the evidence per requirement and what is missing."""
        items = await self.matrix(vendor=vendor, model=model)
        out = []
        for item in items:
            verdict = judge(requires, evidence_from(_records_of(item), item))
            out.append({key: item[key] for key in _KEY_FIELDS} | verdict.as_json())
        out.sort(key=lambda entry: not entry["meets"])  # stable: matrix order within each group
        return out

    async def judge_firmware(self, vendor: str, model: str, firmware_version: str, requires: Sequence[str]) -> Verdict:
        items = await self.matrix(vendor=vendor, model=model, firmware_version=firmware_version)
        item = items[0] if items else {"certifications": [], "metering_approvals": []}
        return judge(requires, evidence_from(_records_of(item), item))


def _records_of(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [*item.get("certifications", []), *item.get("metering_approvals", [])]
