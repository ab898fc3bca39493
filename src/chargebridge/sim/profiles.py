"""OEM quirk profiles: how a vendor's firmware deviates from the specification.

A profile is a TOML data file (the shipped ones live in ``sim/profiles/``)::

    name = "acme-ac22"
    vendor = "Acme"              # BootNotification vendor (1.6: at most 20 characters)
    model = "AC22"
    firmware = "1.2.0"
    serial_number = "ACME-{station_id}"   # {station_id} is replaced
    description = "..."

    [quirks]
    energy_kwh_labelled_wh = true    # meter values carry kWh numbers with unit Wh
    omit_meter_timestamps = true     # meter values without timestamp (sent raw, breaks the schema)
    status_before_boot = true        # StatusNotification before BootNotification
    duplicate_stop = true            # every StopTransaction / TransactionEvent Ended sent twice
    late_stop_s = 600                # transaction end reported this many simulated seconds late
    late_event_s = 30                # 2.0.1: one offline-queued Updated event per session is held back
                                     # and sent this many simulated seconds after the Ended event
    sign_meter_values = true         # Transaction.Begin/End energy readings signed (OCMF)
    tamper_signed_reading = true     # the signed end reading is altered after signing
    transaction_id_after_reset = -1  # 1.6: StopTransaction id after a reboot lost the id
    ignores_charging_profiles = true # accepts charging profiles (and reports them) but charges at full power
    ignores_remote_start = true      # answers a remote start Accepted but starts nothing
    no_reconnect_after_reset = true  # goes down on Reset and never comes back
    [[quirks.vendor_errors]]         # non-standard error codes used for faults
    error_code = "OtherError"
    vendor_error_code = "E-0x3F21"
    info = "GFCI trip"
    [quirks.data_transfer]           # periodic vendor DataTransfer
    vendor_id = "com.acme"
    message_id = "Diagnostics"
    data = "{\"temp\": 41}"
    interval_s = 900
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from chargebridge.rpc import OcppError, OcppVersion, schemas_for

SERIAL_MAX_LENGTH = 25  # BootNotification serial number limit in both versions' schemas
_TOP_KEYS = frozenset({"name", "vendor", "model", "firmware", "serial_number", "description", "quirks"})
_QUIRK_KEYS = frozenset(
    {
        "energy_kwh_labelled_wh",
        "omit_meter_timestamps",
        "status_before_boot",
        "duplicate_stop",
        "late_stop_s",
        "late_event_s",
        "transaction_id_after_reset",
        "ignores_charging_profiles",
        "ignores_remote_start",
        "no_reconnect_after_reset",
        "vendor_errors",
        "data_transfer",
        "sign_meter_values",
        "tamper_signed_reading",
    }
)


class ProfileError(ValueError):
    """A quirk profile file that cannot be used."""


@dataclass(frozen=True, slots=True)
class VendorError:
    """A fault as the vendor reports it: a 1.6 ChargePointErrorCode plus vendor code and text."""

    error_code: str
    vendor_error_code: str
    info: str = ""


@dataclass(frozen=True, slots=True)
class VendorDataTransfer:
    vendor_id: str
    message_id: str
    data: str = ""
    interval_s: float = 900.0


@dataclass(frozen=True, slots=True)
class QuirkProfile:
    name: str = "standard"
    vendor: str = "Chargebridge"
    model: str = "SimCharger"
    firmware: str = "1.0.0"
    serial_number: str = "SN-{station_id}"
    description: str = "Follows the specification"
    energy_kwh_labelled_wh: bool = False
    omit_meter_timestamps: bool = False
    status_before_boot: bool = False
    duplicate_stop: bool = False
    late_stop_s: float = 0.0
    late_event_s: float = 0.0
    transaction_id_after_reset: int | None = None
    ignores_charging_profiles: bool = False
    ignores_remote_start: bool = False
    no_reconnect_after_reset: bool = False
    vendor_errors: tuple[VendorError, ...] = field(default_factory=tuple)
    data_transfer: VendorDataTransfer | None = None
    sign_meter_values: bool = False
    tamper_signed_reading: bool = False

    def serial_for(self, station_id: str) -> str:
        return self.serial_number.replace("{station_id}", station_id)

    def raw_actions(self, station_id: str) -> frozenset[str]:
        """Actions this firmware sends in a shape that breaks the schema (sent without validation)."""
        raw: set[str] = set()
        if len(self.serial_for(station_id)) > SERIAL_MAX_LENGTH:
            raw.add("BootNotification")
        if self.omit_meter_timestamps:
            raw.update({"MeterValues", "StopTransaction", "TransactionEvent"})
        return frozenset(raw)


STANDARD = QuirkProfile()


def parse_profile(data: dict[str, Any], *, source: str = "<profile>") -> QuirkProfile:
    """Build a profile from parsed TOML; raises :class:`ProfileError` for unknown or bad keys."""
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ProfileError(f"{source}: unknown keys {sorted(unknown)}")
    quirks = data.get("quirks", {})
    if not isinstance(quirks, dict):
        raise ProfileError(f"{source}: [quirks] must be a table")
    unknown = set(quirks) - _QUIRK_KEYS
    if unknown:
        raise ProfileError(f"{source}: unknown quirks {sorted(unknown)}")
    try:
        errors = tuple(VendorError(**item) for item in quirks.get("vendor_errors", []))
        transfer_data = quirks.get("data_transfer")
        transfer = VendorDataTransfer(**transfer_data) if transfer_data is not None else None
        after_reset = quirks.get("transaction_id_after_reset")
        profile = QuirkProfile(
            name=str(data.get("name", source)),
            vendor=str(data.get("vendor", STANDARD.vendor)),
            model=str(data.get("model", STANDARD.model)),
            firmware=str(data.get("firmware", STANDARD.firmware)),
            serial_number=str(data.get("serial_number", STANDARD.serial_number)),
            description=str(data.get("description", "")),
            energy_kwh_labelled_wh=bool(quirks.get("energy_kwh_labelled_wh", False)),
            omit_meter_timestamps=bool(quirks.get("omit_meter_timestamps", False)),
            status_before_boot=bool(quirks.get("status_before_boot", False)),
            duplicate_stop=bool(quirks.get("duplicate_stop", False)),
            late_stop_s=float(quirks.get("late_stop_s", 0.0)),
            late_event_s=float(quirks.get("late_event_s", 0.0)),
            transaction_id_after_reset=int(after_reset) if after_reset is not None else None,
            ignores_charging_profiles=bool(quirks.get("ignores_charging_profiles", False)),
            ignores_remote_start=bool(quirks.get("ignores_remote_start", False)),
            no_reconnect_after_reset=bool(quirks.get("no_reconnect_after_reset", False)),
            vendor_errors=errors,
            data_transfer=transfer,
            sign_meter_values=bool(quirks.get("sign_meter_values", False)),
            tamper_signed_reading=bool(quirks.get("tamper_signed_reading", False)),
        )
    except (TypeError, ValueError) as exc:
        raise ProfileError(f"{source}: {exc}") from exc
    _check_against_schemas(profile, source)
    return profile


def _check_against_schemas(profile: QuirkProfile, source: str) -> None:
    """Reject values the firmware could never have sent (the quirks above are deliberate, typos are not)."""
    schemas = schemas_for(OcppVersion.V16)
    try:
        schemas.validate_request(
            "BootNotification", {"chargePointVendor": profile.vendor, "chargePointModel": profile.model}
        )
        for error in profile.vendor_errors:
            status = {"connectorId": 1, "status": "Faulted", "errorCode": error.error_code}
            status |= {"vendorErrorCode": error.vendor_error_code, "info": error.info}
            schemas.validate_request("StatusNotification", status)
        if profile.data_transfer is not None:
            transfer = profile.data_transfer
            payload = {"vendorId": transfer.vendor_id, "messageId": transfer.message_id, "data": transfer.data}
            schemas.validate_request("DataTransfer", payload)
    except OcppError as exc:
        raise ProfileError(f"{source}: {exc.description}") from exc


def load_profile(path: Path) -> QuirkProfile:
    """Load a profile from a TOML file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{path.name}: {exc}") from exc
    return parse_profile(data, source=path.name)


def builtin_profile_names() -> list[str]:
    folder = resources.files("chargebridge.sim") / "profiles"
    return sorted(entry.name.removesuffix(".toml") for entry in folder.iterdir() if entry.name.endswith(".toml"))


def builtin_profile(name: str) -> QuirkProfile:
    """A profile shipped with chargebridge, by file name without ``.toml``."""
    entry = resources.files("chargebridge.sim") / "profiles" / f"{name}.toml"
    if not entry.is_file():
        raise ProfileError(f"no built-in profile {name!r}; known: {', '.join(builtin_profile_names())}")
    return parse_profile(tomllib.loads(entry.read_text(encoding="utf-8")), source=f"{name}.toml")
