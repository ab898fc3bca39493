"""Every row of the gateway's mapping tables says what the code does, and docs/gateway.md shows them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chargebridge.rpc import OcppVersion
from chargebridge.translate import catalogue, docs, keys
from chargebridge.translate.model import CannotTranslate, Delivery, StationState
from chargebridge.translate.translations import Station16Upstream201, Station201Upstream16, Translation

NOW = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
DELIVERY = {"queued": Delivery.DURABLE, "latest": Delivery.STATE, "live": Delivery.LIVE}


def translation_for(rule: catalogue.Rule) -> tuple[Translation, StationState]:
    """The rule's translation, with an open transaction the examples can refer to."""
    state = StationState("CAT-1")
    if rule.direction == catalogue.V16_TO_V201:
        t16 = Station16Upstream201(new_transaction_id=lambda: "00000000-0000-4000-8000-000000000001")
        start = {"connectorId": 1, "idTag": "TAG-0", "meterStart": 0, "timestamp": catalogue.TS}
        t16.station_call(state, "StartTransaction", start, NOW)
        return t16, state
    t201 = Station201Upstream16()
    if "Started" not in rule.source:
        started = {
            "eventType": "Started",
            "timestamp": catalogue.TS,
            "triggerReason": "Authorized",
            "seqNo": 100,
            "transactionInfo": {"transactionId": "tx-1"},
            "idToken": {"idToken": "TAG-0", "type": "ISO14443"},
            "evse": {"id": 1, "connectorId": 1},
        }
        step = t201.station_call(state, "TransactionEvent", started, NOW)
        t201.on_answer(state, step.outbound[0], {"transactionId": 4242, "idTagInfo": {"status": "Accepted"}}, NOW)
    return t201, state


def action_of(rule: catalogue.Rule) -> str:
    return rule.source.split(" (")[0]


@pytest.mark.parametrize("rule", [r for r in catalogue.ALL if not r.command], ids=lambda r: f"{r.direction}:{r.source}")
def test_station_message_rows(rule: catalogue.Rule) -> None:
    translation, state = translation_for(rule)
    action = action_of(rule)
    translation.station_schemas.validate_request(action, rule.example)
    if rule.delivery == "refused":
        with pytest.raises(CannotTranslate):
            translation.station_call(state, action, rule.example, NOW)
        return
    step = translation.station_call(state, action, rule.example, NOW)
    sent = [(out.action, out.delivery) for out in step.outbound]
    assert (rule.target.split(" (")[0], DELIVERY[rule.delivery]) in sent, sent


@pytest.mark.parametrize("rule", [r for r in catalogue.ALL if r.command], ids=lambda r: f"{r.direction}:{r.source}")
def test_command_rows(rule: catalogue.Rule) -> None:
    translation, state = translation_for(rule)
    translation.upstream_schemas.validate_request(rule.source, rule.example)
    if rule.delivery == "refused":
        with pytest.raises(CannotTranslate):
            translation.upstream_command(state, rule.source, rule.example, NOW, 0)
        return
    plan = translation.upstream_command(state, rule.source, rule.example, NOW, 0)
    if rule.delivery == "gateway":
        assert plan.local is not None and not plan.calls
        translation.upstream_schemas.validate_response(rule.source, plan.local)
        return
    assert plan.calls and plan.calls[0].action == rule.target
    for call in plan.calls:
        translation.station_schemas.validate_request(call.action, call.payload)


def test_every_action_of_both_versions_has_a_row_or_a_reason() -> None:
    """A station message or command nobody wrote a row for would be undocumented behaviour."""
    from chargebridge.translate.actions import CSMS_ACTIONS, STATION_ACTIONS

    rows = {(r.direction, action_of(r)) for r in catalogue.ALL}
    assert {a for d, a in rows if d == catalogue.V16_TO_V201 and a in STATION_ACTIONS[OcppVersion.V16]} == set(
        STATION_ACTIONS[OcppVersion.V16]
    )
    handled_16 = {a for d, a in rows if d == catalogue.V201_TO_V16} & CSMS_ACTIONS[OcppVersion.V16]
    # 1.6 commands without a row of their own: the certificate ones and the simple ones, forwarded as they are
    plain = {
        "CertificateSigned",
        "InstallCertificate",
        "DeleteCertificate",
        "GetInstalledCertificateIds",
        "ClearCache",
        "ClearChargingProfile",
        "GetCompositeSchedule",
        "GetLocalListVersion",
        "CancelReservation",
        "DataTransfer",
        "GetLog",
        "SignedUpdateFirmware",
    }
    assert CSMS_ACTIONS[OcppVersion.V16] - handled_16 <= plain


def test_the_page_shows_the_codes_tables() -> None:
    assert docs.current_block() == docs.render(), "run: python -m chargebridge.translate.docs"
    for mapping in keys.CONFIG_KEYS:
        assert f"| {mapping.key} | {mapping.name_201} |" in docs.render()
