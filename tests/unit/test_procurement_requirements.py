"""The procurement vocabulary and its judge (firmware/requirements.py): pure, no I/O."""

from __future__ import annotations

import pytest

from chargebridge.firmware.requirements import (
    Certificate,
    Evidence,
    MeteringApproval,
    UnknownRequirement,
    evidence_from,
    judge,
    level_rank,
    parse_requirements,
    profile_of,
)

CERT_201 = Certificate("r1", "OCA-201-0042", "2.0.1", ("core", "advanced-security"), issued_on="2025-03-01")
CERT_16 = Certificate("r2", "OCA-16-0007", "1.6", ("core", "smart-charging"))
EICHRECHT = MeteringApproval("r3", "eichrecht", "DE-M-22-001")


def test_names_are_normalised_deduplicated_and_kept_in_order() -> None:
    assert parse_requirements(" 2.0.1, Advanced-Security ,smart_charging,2.0.1,") == [
        "2.0.1",
        "advanced-security",
        "smart-charging",
    ]
    assert parse_requirements(["ISO 15118", "MID", "Standard"]) == ["iso15118", "mid", "standard"]
    assert parse_requirements("ocpp2.0.1,smartcharging,1.6J") == ["2.0.1", "smart-charging", "1.6"]
    assert parse_requirements("") == []


def test_unknown_names_are_rejected_all_at_once() -> None:
    with pytest.raises(UnknownRequirement) as caught:
        parse_requirements("2.0.1,bidirectional,core,v2g")
    assert caught.value.names == ["bidirectional", "v2g"]
    assert "'bidirectional'" in str(caught.value) and "known: 1.6, 2.0.1" in str(caught.value)


def test_profile_of_accepts_only_oca_profiles() -> None:
    assert profile_of("Smart Charging") == "smart-charging"
    with pytest.raises(ValueError, match="unknown OCA profile"):
        profile_of("eichrecht")


def test_levels_are_ordered() -> None:
    assert [level_rank(x) for x in (None, "none", "basic", "standard", "advanced")] == [0, 0, 1, 2, 3]


def test_a_met_set_names_the_evidence_of_each_requirement() -> None:
    evidence = Evidence((CERT_201,), (EICHRECHT,), validated_level="advanced", validation_run_id="run9")
    verdict = judge(["2.0.1", "advanced-security", "eichrecht", "standard"], evidence)
    assert verdict.meets and verdict.missing == []
    assert verdict.evidence["2.0.1"] == "OCA certificate OCA-201-0042 (OCPP 2.0.1, 2025-03-01)"
    assert verdict.evidence["advanced-security"].startswith("OCA certificate OCA-201-0042")
    assert verdict.evidence["eichrecht"] == "eichrecht approval DE-M-22-001"
    assert verdict.evidence["standard"] == "validation run run9: advanced reached"


def test_a_profile_must_be_certified_for_a_required_version() -> None:
    evidence = Evidence((CERT_201, CERT_16))
    # Smart Charging is certified for 1.6 only: with 2.0.1 required it is not proven.
    verdict = judge(["2.0.1", "smart-charging"], evidence)
    assert not verdict.meets and verdict.missing == ["smart-charging"]
    # Without a version, any certificate proves the profile.
    assert judge(["smart-charging"], evidence).evidence["smart-charging"].startswith("OCA certificate OCA-16-0007")


def test_missing_evidence_and_lower_levels() -> None:
    verdict = judge(["mid", "advanced", "iso15118"], Evidence((CERT_201,), (EICHRECHT,), "standard", "run1"))
    assert verdict.missing == ["mid", "advanced", "iso15118"] and verdict.evidence == {}
    assert not judge(["basic"], Evidence()).meets


def test_evidence_from_record_rows_and_a_matrix_item() -> None:
    rows = [
        {"id": "a", "kind": "oca", "certificate_id": "C1", "ocpp_version": "1.6", "profiles": ["core"]},
        {"id": "b", "kind": "metering", "certificate_id": "M1", "scheme": "mid", "issued_on": None},
    ]
    evidence = evidence_from(rows, {"validated_level": "basic", "validation_run_id": "r"})
    assert evidence.certificates[0].certificate_id == "C1" and evidence.metering[0].scheme == "mid"
    assert judge(["1.6", "core", "mid", "basic"], evidence).meets
