"""Pure parts of the firmware lifecycle: state tables, wave plans, windows, gates, commands, signing, tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chargebridge.domain.commands import CommandOutcome
from chargebridge.firmware import orders
from chargebridge.firmware.plan import (
    Gates,
    StationOutcome,
    assign_waves,
    cumulative_counts,
    evaluate_gates,
    in_window,
    matrix_outcome,
    merge_status,
    validate_waves,
)
from chargebridge.firmware.signing import BadToken, FirmwareSigner, Grant, TokenIssuer, verify_signature
from chargebridge.firmware.states import (
    CampaignEvent,
    CampaignState,
    IllegalTransition,
    UpdateEvent,
    UpdateState,
    next_campaign_state,
    next_update_state,
)
from chargebridge.ocpp16.adapter import Ocpp16Adapter
from chargebridge.ocpp201.adapter import Ocpp201Adapter
from chargebridge.rpc import OcppVersion, schemas_for
from chargebridge.sim.firmware import image_version, make_image

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
S, E = UpdateState, UpdateEvent


def run(events: list[UpdateEvent], start: UpdateState = S.REQUESTED) -> UpdateState:
    state = start
    for event in events:
        state = next_update_state(state, event) or state
    return state


def test_a_normal_update_is_confirmed_only_by_the_boot() -> None:
    flow = [E.ACCEPTED, E.DOWNLOADING, E.DOWNLOADED, E.VERIFIED, E.INSTALLING, E.REBOOTING]
    assert run(flow) is S.REBOOTING
    assert run([*flow, E.BOOT_TARGET]) is S.CONFIRMED
    assert run([*flow, E.BOOT_TARGET, E.INSTALLED, E.FAILED]) is S.CONFIRMED  # late statuses change nothing


def test_boots_and_failures() -> None:
    assert run([E.ACCEPTED, E.DOWNLOADING, E.BOOT_OTHER]) is S.DOWNLOADING  # a reboot before installing
    assert run([E.ACCEPTED, E.INSTALLING, E.BOOT_OTHER]) is S.FAILED  # installed but the version did not change
    assert run([E.ACCEPTED, E.DOWNLOADING, E.FAILED]) is S.FAILED
    assert run([E.REJECTED]) is S.REJECTED
    assert next_update_state(S.INSTALLING, E.DOWNLOADING) is None  # progress does not go back
    assert run([E.DOWNLOADING, E.ACCEPTED]) is S.DOWNLOADING  # status overtook the CALLRESULT


def test_campaign_transitions() -> None:
    assert next_campaign_state(CampaignState.DRAFT, CampaignEvent.START) is CampaignState.RUNNING
    assert next_campaign_state(CampaignState.RUNNING, CampaignEvent.GATE_FAILED) is CampaignState.HALTED
    assert next_campaign_state(CampaignState.HALTED, CampaignEvent.RESUME) is CampaignState.RUNNING
    with pytest.raises(IllegalTransition):
        next_campaign_state(CampaignState.COMPLETED, CampaignEvent.RESUME)
    with pytest.raises(IllegalTransition):
        next_campaign_state(CampaignState.DRAFT, CampaignEvent.PAUSE)


def test_waves_are_cut_per_batch_with_every_batch_in_the_canary() -> None:
    assert cumulative_counts(34, [1, 10, 50, 100]) == [1, 4, 17, 34]
    assert cumulative_counts(1, [1, 10, 100]) == [1, 1, 1]
    plan = assign_waves({"A": [f"a{i}" for i in range(90)], "B": [f"b{i}" for i in range(10)]}, [1, 10, 50, 100])
    canary = sorted(sid for sid, wave in plan.items() if wave == 0)
    assert canary == ["a0", "b0"]
    assert sum(1 for wave in plan.values() if wave <= 1) == 9 + 1
    with pytest.raises(ValueError):
        validate_waves([10, 5, 100])
    with pytest.raises(ValueError):
        validate_waves([10, 50])


def test_maintenance_window_may_wrap_midnight() -> None:
    assert in_window(NOW.replace(hour=23), "22:00", "04:00")
    assert in_window(NOW.replace(hour=3, minute=59), "22:00", "04:00")
    assert not in_window(NOW.replace(hour=12), "22:00", "04:00")
    assert in_window(NOW.replace(hour=12), "09:00", "17:00") and in_window(NOW, None, None)


def test_gates() -> None:
    gates = Gates(min_success_rate=0.9, max_boots=2)
    ok = [StationOutcome(f"s{i}", True, boots=1) for i in range(10)]
    assert evaluate_gates(ok, gates).passed
    one_bad = [*ok[:9], StationOutcome("s9", False, failure="InvalidSignature")]
    result = evaluate_gates(one_bad, gates)
    assert result.passed and result.success_rate == 0.9 and matrix_outcome(result).value == "known-issue"
    loop = evaluate_gates([StationOutcome("s", True, boots=4)], gates)
    assert not loop.passed and "boot loop" in loop.reasons[0] and matrix_outcome(loop).value == "blocked"
    faults = evaluate_gates([StationOutcome("s", True, boots=1, new_faults=3, baseline_faults=0)], gates)
    assert not faults.passed
    security = evaluate_gates([StationOutcome("s", True, boots=1, security_events=1)], gates)
    assert not security.passed
    assert merge_status("certified", matrix_outcome(evaluate_gates(ok, gates))).value == "certified"


ADAPTERS = {OcppVersion.V16: Ocpp16Adapter(), OcppVersion.V201: Ocpp201Adapter()}


@pytest.mark.parametrize("version", [OcppVersion.V16, OcppVersion.V201])
@pytest.mark.parametrize("signed", [True, False])
def test_commands_encode_schema_valid(version: OcppVersion, signed: bool) -> None:
    adapter = ADAPTERS[version]
    command = orders.update_command(
        version,
        request_id=7,
        location="http://127.0.0.1:1/ocpp-files/firmware/t/fw.bin",
        retrieve_at=NOW,
        install_at=NOW + timedelta(hours=1),
        signature="c2ln",
        signing_certificate="PEM",
        signed_16=signed,
    )
    action, payload = adapter.encode_command(command)
    schemas_for(version).validate_request(action, payload)
    if version is OcppVersion.V16:
        assert action == ("SignedUpdateFirmware" if signed else "UpdateFirmware")
    for use_get_log in (False, True):
        command = orders.log_command(version, 3, "http://127.0.0.1:1/up", since=NOW, use_get_log_16=use_get_log)
        action, payload = adapter.encode_command(command)
        schemas_for(version).validate_request(action, payload)
    assert orders.accepted(adapter.decode_outcome("UpdateFirmware", {"status": "AcceptedCanceled"}))
    assert not orders.accepted(CommandOutcome("Rejected", {"status": "Rejected"}))


def test_16_update_and_log_payloads() -> None:
    """The exact 1.6 CALLs the firmware service sends: plain UpdateFirmware (no install time, no
    signature) unless signed, GetDiagnostics unless the security extension's GetLog is asked for."""
    v16 = ADAPTERS[OcppVersion.V16]
    image = {"location": "http://h/fw.bin", "retrieve_at": NOW, "install_at": NOW + timedelta(hours=1)}
    signed = {**image, "signature": "c2ln", "signing_certificate": "PEM"}
    assert v16.encode_command(orders.update_command(OcppVersion.V16, request_id=7, **signed, signed_16=False)) == (
        "UpdateFirmware",
        {"location": "http://h/fw.bin", "retrieveDate": "2024-05-01T12:00:00.000Z", "retries": 2, "retryInterval": 30},
    )
    action, payload = v16.encode_command(orders.update_command(OcppVersion.V16, request_id=7, **signed, signed_16=True))
    assert action == "SignedUpdateFirmware" and payload["requestId"] == 7
    assert payload["firmware"]["signature"] == "c2ln" and payload["firmware"]["installDateTime"]
    no_certificate = orders.update_command(OcppVersion.V16, request_id=7, **image, signature="c2ln", signed_16=True)
    assert v16.encode_command(no_certificate)[0] == "UpdateFirmware"
    v201 = orders.update_command(OcppVersion.V201, request_id=7, **signed, signed_16=False)
    assert v201.signature == "c2ln" and v201.signing_certificate == "PEM"  # 2.0.1 always sends the signature
    assert v16.encode_command(orders.log_command(OcppVersion.V16, 3, "http://up", log_type="SecurityLog")) == (
        "GetDiagnostics",
        {"location": "http://up", "retries": 1, "retryInterval": 30},
    )
    action, payload = v16.encode_command(
        orders.log_command(OcppVersion.V16, 3, "http://up", log_type="SecurityLog", use_get_log_16=True)
    )
    assert (action, payload["logType"], payload["requestId"]) == ("GetLog", "SecurityLog", 3)
    assert v16.decode_outcome("UpdateFirmware", {}).status == "Accepted"  # 1.6 answers nothing: it took it


def test_signing_key_persists_and_signatures_verify(tmp_path: Path) -> None:
    signer = FirmwareSigner(tmp_path, now=NOW)
    data = make_image("3.1.4")
    signature = signer.sign(data)
    assert verify_signature(data, signature, signer.certificate_pem)
    assert not verify_signature(data + b"x", signature, signer.certificate_pem)
    assert not verify_signature(data, "not base64!", signer.certificate_pem)
    again = FirmwareSigner(tmp_path)
    assert again.certificate_pem == signer.certificate_pem and verify_signature(
        data, again.sign(data), again.certificate_pem
    )
    assert (tmp_path / "signing-key.pem").stat().st_mode & 0o077 == 0
    assert image_version(data) == "3.1.4" and image_version(b"no version here") is None


def test_tokens_expire_and_cannot_be_forged(tmp_path: Path) -> None:
    issuer = TokenIssuer(tmp_path)
    token = issuer.issue(Grant("image", "img1", "CP-1", NOW + timedelta(minutes=5)))
    assert issuer.check(token, "image", NOW).station_id == "CP-1"
    with pytest.raises(BadToken, match="expired"):
        issuer.check(token, "image", NOW + timedelta(minutes=6))
    with pytest.raises(BadToken, match="invalid"):
        issuer.check(token, "upload", NOW)
    body, mac = token.split(".")
    with pytest.raises(BadToken, match="invalid"):
        issuer.check(f"{body}x.{mac}", "image", NOW)
    with pytest.raises(BadToken, match="invalid"):
        TokenIssuer(tmp_path / "other").check(token, "image", NOW)
