"""How stations and transactions look in the API (JSON-ready dicts)."""

from __future__ import annotations

from typing import Any

from chargebridge.security.profiles import effective_profile
from chargebridge.store.repository import Row


def station_view(row: Row, connectors: list[Row], faults: list[Row], *, live: bool) -> dict[str, Any]:
    evses: dict[int, dict[str, Any]] = {}
    station_status = None
    for conn in connectors:
        entry = {
            "connector_id": conn["connector_id"],
            "status": conn["status"],
            "error_code": conn["error_code"],
            "vendor_error_code": conn["vendor_error_code"],
            "updated_at": conn["updated_at"],
        }
        if conn["evse_id"] == 0:
            station_status = conn["status"]
            continue
        evses.setdefault(conn["evse_id"], {"evse_id": conn["evse_id"], "connectors": []})["connectors"].append(entry)
    profile = effective_profile(row["security_profile"], row["password_hash"])
    return {
        "id": row["id"],
        "ocpp_version": row["ocpp_version"],
        "connected": live,
        "vendor": row["vendor"],
        "model": row["model"],
        "serial_number": row["serial_number"],
        "firmware_version": row["firmware_version"],
        "registration_status": row["registration_status"],
        "boot_status": row["boot_status"],
        "status": station_status,
        "last_seen": row["last_seen"],
        "last_boot_at": row["last_boot_at"],
        "connected_at": row["connected_at"],
        # The station's clock: its last offset beyond clock_skew_limit_s (s, positive: ahead), null when in time.
        "clock_skew": (
            {"skew_s": row["clock_skew_s"], "at": row["clock_skew_at"]} if row.get("clock_skew_s") is not None else None
        ),
        "has_password": bool(row["password_hash"]),
        # Profile 0: no password, no certificate; anyone who knows the id can connect as the station.
        "security_profile": profile,
        "unauthenticated": profile == 0,
        "evses": [evses[k] for k in sorted(evses)],
        "faults": [fault_view(f) for f in faults],
    }


def fault_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "evse_id": row["evse_id"],
        "connector_id": row["connector_id"],
        "source": row["source"],
        "code": row["code"],
        "vendor_code": row["vendor_code"],
        "info": row["info"],
        "raised_at": row["raised_at"],
        "cleared_at": row["cleared_at"],
    }


def transaction_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["transaction_id"],
        "station_id": row["station_id"],
        "ocpp_version": row["ocpp_version"],
        "evse_id": row["evse_id"],
        "connector_id": row["connector_id"],
        "id_token": row["id_token"],
        "id_token_status": row["id_token_status"],
        "started_at": row["started_at"],
        "stopped_at": row["stopped_at"],
        "meter_start_wh": row["meter_start_wh"],
        "meter_stop_wh": row["meter_stop_wh"],
        "energy_wh": row["energy_wh"],
        "active": row["active"],
        "stop_reason": row["stop_reason"],
        "energy_mismatch": row["energy_mismatch"],
        "energy_note": row["energy_note"],
        "orphan": row["orphan"],
        "offline": row["offline"],
        "charging_state": row["charging_state"],
        # Finalisation: complete | awaiting_events (missing seqNos listed) | incomplete; null while active.
        "completeness": row["completeness"],
        "finalised_at": row["finalised_at"],
        "missing_seq_nos": row["missing_seq_nos"],
        "finalise_note": row["finalise_note"],
        # Times from a wrong station clock, stored as sent and flagged (billing reads these).
        "start_in_future": row["start_in_future"],
        "end_before_start": row["end_before_start"],
        "time_note": row["time_note"],
    }


def meter_value_view(row: Row) -> dict[str, Any]:
    return {
        "timestamp": row["timestamp"],
        "evse_id": row["evse_id"],
        "connector_id": row["connector_id"],
        "transaction_id": row["transaction_id"],
        "measurand": row["measurand"],
        "value": row["value"],
        "unit": row["unit"],
        "phase": row["phase"],
        "location": row["location"],
        "context": row["context"],
    }


def id_token_view(row: Row) -> dict[str, Any]:
    return {
        "id_token": row["id_token"],
        "type": row["type"],
        "status": row["status"],
        "expires_at": row["expires_at"],
        "group_id": row["group_id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
