"""Quirk profiles: the shipped TOML files and the loader's checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from chargebridge.sim.profiles import (
    SERIAL_MAX_LENGTH,
    STANDARD,
    ProfileError,
    builtin_profile,
    builtin_profile_names,
    load_profile,
    parse_profile,
)


def test_at_least_four_quirk_profiles_ship() -> None:
    names = builtin_profile_names()
    quirky = [name for name in names if builtin_profile(name) != STANDARD and name != "standard"]
    assert len(quirky) >= 4


def test_shipped_profiles_cover_the_documented_quirks() -> None:
    profiles = [builtin_profile(name) for name in builtin_profile_names()]
    assert any(p.energy_kwh_labelled_wh for p in profiles)
    assert any(p.omit_meter_timestamps for p in profiles)
    assert any(p.status_before_boot for p in profiles)
    assert any(len(p.serial_for("SIM-0001")) > SERIAL_MAX_LENGTH for p in profiles)
    assert any(p.vendor_errors for p in profiles)
    assert any(p.duplicate_stop for p in profiles)
    assert any(p.late_stop_s > 0 for p in profiles)
    assert any(p.transaction_id_after_reset == -1 for p in profiles)
    assert any(p.data_transfer is not None for p in profiles)


def test_raw_actions_follow_the_quirks() -> None:
    assert STANDARD.raw_actions("SIM-0001") == frozenset()
    assert "BootNotification" in builtin_profile("kelvo-wallbox-fw1.8").raw_actions("SIM-0001")
    assert "MeterValues" in builtin_profile("ampora-ac22-fw2.1").raw_actions("SIM-0001")


def test_load_profile_from_file(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('name = "x"\nvendor = "V"\n[quirks]\nlate_stop_s = 30\n', encoding="utf-8")
    profile = load_profile(path)
    assert profile.vendor == "V" and profile.late_stop_s == 30.0 and not profile.duplicate_stop


@pytest.mark.parametrize(
    "data",
    [
        {"name": "x", "colour": "red"},
        {"quirks": {"teleport": True}},
        {"vendor": "V" * 21},  # 1.6 chargePointVendor is at most 20 characters
        {"quirks": {"vendor_errors": [{"error_code": "Meltdown", "vendor_error_code": "E1"}]}},
        {"quirks": {"vendor_errors": [{"code": "OtherError"}]}},
        {"quirks": {"data_transfer": {"vendor_id": "v", "message_id": "m" * 51}}},
    ],
)
def test_bad_profiles_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(ProfileError):
        parse_profile(data)


def test_unknown_builtin_and_broken_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError):
        builtin_profile("no-such-charger")
    broken = tmp_path / "b.toml"
    broken.write_text("name = ", encoding="utf-8")
    with pytest.raises(ProfileError):
        load_profile(broken)
