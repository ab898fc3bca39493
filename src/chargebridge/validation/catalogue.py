"""The cases of the validation bench, in the order a run executes them.

Each case has an id, a name, its level, the OCPP messages it uses per version, the rule its
evidence must satisfy (the text docs/validation.md and the report show) and the coroutine that
acts, collects the evidence and asks its judge. The integrity case is a Basic case but runs
last: a secure-boot or integrity failure reported at any time during the run fails it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from chargebridge.rpc import OcppVersion
from chargebridge.validation import cases_advanced as adv
from chargebridge.validation import cases_basic as basic
from chargebridge.validation import cases_security as sec
from chargebridge.validation import cases_standard as std
from chargebridge.validation.bench import Bench
from chargebridge.validation.model import Level, Verdict

V16, V201 = OcppVersion.V16, OcppVersion.V201


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    name: str
    level: Level
    messages: dict[OcppVersion, tuple[str, ...]]
    rule: str
    run: Callable[[Bench], Awaitable[Verdict]]
    # Judged from what was observed, without the station: also run when the run is aborted.
    final: bool = False

    def to_json(self, version: OcppVersion | None = None) -> dict[str, object]:
        out: dict[str, object] = {"id": self.id, "name": self.name, "level": self.level.value, "rule": self.rule}
        if version is not None:
            out["messages"] = list(self.messages.get(version, ()))
        else:
            out["messages"] = {v.value: list(m) for v, m in self.messages.items()}
        return out


def _both(*messages: str) -> dict[OcppVersion, tuple[str, ...]]:
    return {V16: messages, V201: messages}


CASES: tuple[Case, ...] = (
    # -- Basic ---------------------------------------------------------------------------------
    Case(
        "basic.connection",
        "Connects and negotiates a subprotocol",
        Level.BASIC,
        {V16: ("WebSocket ocpp1.6",), V201: ("WebSocket ocpp2.0.1",)},
        "The station holds a WebSocket connection whose negotiated subprotocol is its OCPP version's.",
        basic.connection,
    ),
    Case(
        "basic.boot",
        "BootNotification accepted with a plausible identity",
        Level.BASIC,
        _both("BootNotification"),
        "The last BootNotification was answered Accepted and names a vendor and model that are not empty or "
        'placeholders ("string", "unknown", "test", ...); a missing serial number or firmware version is a quirk.',
        basic.boot,
    ),
    Case(
        "basic.heartbeat",
        "Heartbeats at the interval given",
        Level.BASIC,
        {
            V16: ("ChangeConfiguration HeartbeatInterval", "Heartbeat"),
            V201: ("SetVariables OCPPCommCtrlr.HeartbeatInterval", "Heartbeat"),
        },
        "The bench sets the heartbeat interval (else the boot interval applies) and watches the window: at least "
        "one Heartbeat, never silent for longer than 1.5 intervals + 2 s (other messages count, as the "
        "specification lets a station skip a heartbeat), heartbeats not more than twice as often as asked.",
        basic.heartbeat,
    ),
    Case(
        "basic.callerror",
        "Clean CALLERROR on a malformed request",
        Level.BASIC,
        {V16: ("GetConfiguration (malformed)", "unknown action"), V201: ("GetVariables (malformed)", "unknown action")},
        "A request whose payload breaks the schema and a request of an unknown action each get a CALLERROR with the "
        "request's message id and an error code of the version, within the response time; the station stays "
        "connected and answers the next valid request.",
        basic.callerror,
    ),
    Case(
        "basic.local_transaction",
        "Local transaction (card and cable)",
        Level.BASIC,
        {
            V16: ("ChangeConfiguration MeterValueSampleInterval", "StartTransaction", "StopTransaction"),
            V201: ("SetVariables SampledDataCtrlr.TxUpdatedInterval", "TransactionEvent"),
        },
        "After the prompt (present a card, plug in) a transaction starts within the manual step time and, after "
        "the second prompt (stop, unplug), ends within it. A station that starts a session by itself counts.",
        basic.local_transaction,
    ),
    Case(
        "basic.meter_values",
        "Meter values: monotonic register, valid units, regular interval",
        Level.BASIC,
        {V16: ("MeterValues", "StopTransaction.transactionData"), V201: ("TransactionEvent.meterValue",)},
        "The session's sampled values carry valid units and timestamps; the energy register never goes down, "
        "agrees in magnitude with the meter start and with the energy the sampled power implies (a factor of "
        "1000 is a mislabelled unit), and arrives at the configured interval (+-25 %, at least 1 s) or, where "
        "the station does not expose it, at a consistent interval.",
        basic.meter_values,
    ),
    Case(
        "basic.meter_stop",
        "Consistent meter stop",
        Level.BASIC,
        {V16: ("StopTransaction.meterStop",), V201: ("TransactionEvent Ended",)},
        "The end of the transaction carries a reading not below the meter start, not below the last sampled "
        "register (by more than 1 Wh or 0.5 % of the session's energy) and not more than 10 Wh plus a quarter of "
        "the session's energy above it.",
        basic.meter_stop,
    ),
    Case(
        "basic.authorize",
        "Authorize before a local session",
        Level.BASIC,
        _both("Authorize"),
        "The station sent Authorize for the token of the local session before the session started, and the "
        "CSMS answered Accepted.",
        basic.authorize,
    ),
    Case(
        "basic.status_model",
        "StatusNotification model consistent",
        Level.BASIC,
        _both("StatusNotification"),
        "No connector makes a transition the version's state model forbids; during the local session the "
        "connector reports Charging (1.6; Preparing before it is allowed) or Occupied (2.0.1), and Finishing or "
        "Available (1.6) / Available (2.0.1) after it.",
        basic.status_model,
    ),
    # -- Standard ------------------------------------------------------------------------------
    Case(
        "standard.remote_start",
        "Remote start",
        Level.STANDARD,
        {
            V16: ("RemoteStartTransaction", "StartTransaction"),
            V201: ("RequestStartTransaction", "TransactionEvent Started"),
        },
        "Accepted, and a transaction starts on the EVSE asked for with the bench's token within the response time.",
        std.remote_start,
    ),
    Case(
        "standard.remote_stop",
        "Remote stop",
        Level.STANDARD,
        {V16: ("RemoteStopTransaction", "StopTransaction"), V201: ("RequestStopTransaction", "TransactionEvent Ended")},
        "Accepted, and the remotely started transaction ends within the response time.",
        std.remote_stop,
    ),
    Case(
        "standard.trigger_message",
        "Trigger message",
        Level.STANDARD,
        _both("TriggerMessage Heartbeat", "TriggerMessage StatusNotification"),
        "Each trigger is Accepted and the triggered message arrives within the response time.",
        std.trigger_message,
    ),
    Case(
        "standard.configuration",
        "Get/set configuration with read-back",
        Level.STANDARD,
        {V16: ("GetConfiguration", "ChangeConfiguration"), V201: ("GetVariables", "SetVariables")},
        "A writable numeric setting is read, changed (Accepted), read back with the new value, put back and read "
        "back with the original value.",
        std.configuration,
    ),
    Case(
        "standard.change_availability",
        "Change availability (status follows)",
        Level.STANDARD,
        _both("ChangeAvailability", "StatusNotification"),
        "Inoperative is Accepted and followed by Unavailable for the EVSE; Operative by Available, within the "
        "response time.",
        std.change_availability,
    ),
    Case(
        "standard.unlock_connector",
        "Unlock connector",
        Level.STANDARD,
        _both("UnlockConnector"),
        "Answered Unlocked (unlocking has no other effect visible over OCPP).",
        std.unlock_connector,
    ),
    Case(
        "standard.clear_cache",
        "Clear authorization cache",
        Level.STANDARD,
        _both("ClearCache"),
        "Answered Accepted (clearing the cache has no other effect visible over OCPP).",
        std.clear_cache,
    ),
    Case(
        "standard.diagnostics",
        "Diagnostics / log upload",
        Level.STANDARD,
        {V16: ("GetDiagnostics", "DiagnosticsStatusNotification"), V201: ("GetLog", "LogStatusNotification")},
        "The request is accepted, a file arrives at the upload URL and the station reports Uploaded; each step "
        "within the response time.",
        std.diagnostics,
    ),
    Case(
        "standard.reset_soft",
        "Soft reset with reconnect",
        Level.STANDARD,
        {V16: ("Reset Soft", "BootNotification"), V201: ("Reset OnIdle", "BootNotification")},
        "Accepted, then the station disconnects within the response time, reconnects and its BootNotification is "
        "accepted within the reboot time.",
        std.reset_soft,
    ),
    Case(
        "standard.reset_hard",
        "Hard reset with reconnect",
        Level.STANDARD,
        {V16: ("Reset Hard", "BootNotification"), V201: ("Reset Immediate", "BootNotification")},
        "As the soft reset.",
        std.reset_hard,
    ),
    Case(
        "standard.firmware_update",
        "Firmware update",
        Level.STANDARD,
        {V16: ("UpdateFirmware", "FirmwareStatusNotification"), V201: ("UpdateFirmware", "FirmwareStatusNotification")},
        "An image of another version registered for the model is sent; the status sequence shows no failure and "
        "ends in Installed, and the station boots the image's version, each step within the response time (a "
        "reboot within the reboot time). No image registered: skipped.",
        std.firmware_update,
    ),
    Case(
        "standard.security_profile_2",
        "Security profile 2 (TLS + Basic auth)",
        Level.STANDARD,
        {
            V16: ("InstallCertificate", "ChangeConfiguration AuthorizationKey", "ChangeConfiguration SecurityProfile"),
            V201: ("InstallCertificate", "SetVariables BasicAuthPassword", "SetNetworkProfile", "Reset"),
        },
        "After being told (and given a password when it has none) the station reconnects over TLS with HTTP Basic "
        "credentials. Skipped when the node has no TLS port.",
        sec.security_profile_2,
    ),
    Case(
        "standard.response_time",
        "Response time p95 <= 5 s",
        Level.STANDARD,
        _both("every command of the run"),
        "For every command the station answered during the run, the 95th percentile of the round trip is at most 5 s.",
        std.response_time_standard,
    ),
    # -- Advanced ------------------------------------------------------------------------------
    Case(
        "advanced.local_list",
        "Local authorization list",
        Level.ADVANCED,
        _both("SendLocalList", "GetLocalListVersion"),
        "A full list with the bench's token is Accepted and GetLocalListVersion reports its version.",
        adv.local_list,
    ),
    Case(
        "advanced.reservation",
        "Reservations",
        Level.ADVANCED,
        _both("ReserveNow", "CancelReservation", "StatusNotification"),
        "ReserveNow is Accepted and the EVSE reports Reserved; CancelReservation is Accepted and it reports "
        "Available, each within the response time.",
        adv.reservation,
    ),
    Case(
        "advanced.smart_charging_default",
        "TxDefaultProfile honoured",
        Level.ADVANCED,
        {
            V16: ("SetChargingProfile TxDefaultProfile", "MeterValues"),
            V201: ("SetChargingProfile TxDefaultProfile", "TransactionEvent"),
        },
        "With a TxDefaultProfile at 60 % of what the EV drew before, the next transaction's measured power (or "
        "current) stays within the limit plus the tolerance.",
        adv.smart_charging_default,
    ),
    Case(
        "advanced.smart_charging_tx",
        "TxProfile honoured",
        Level.ADVANCED,
        {
            V16: ("SetChargingProfile TxProfile", "MeterValues"),
            V201: ("SetChargingProfile TxProfile", "TransactionEvent"),
        },
        "A TxProfile at 35 % of the earlier draw lowers the measured power (or current) of the running transaction "
        "to within the limit plus the tolerance after one sample interval.",
        adv.smart_charging_tx,
    ),
    Case(
        "advanced.composite_schedule",
        "GetCompositeSchedule consistent",
        Level.ADVANCED,
        _both("GetCompositeSchedule"),
        "The composite schedule is Accepted, in the unit asked for, and its limit now is the TxProfile's.",
        adv.composite_schedule,
    ),
    Case(
        "advanced.offline",
        "Offline behaviour",
        Level.ADVANCED,
        {V16: ("MeterValues", "StopTransaction"), V201: ("TransactionEvent offline=true",)},
        "The bench drops the socket mid-transaction and refuses reconnects for the offline time. The station comes "
        "back and delivers what it queued (2.0.1: events marked offline; 1.6: meter values of the offline period), "
        "none lost (2.0.1: no seqNo missing from Started to Ended) and none delivered twice after being "
        "acknowledged.",
        adv.offline,
    ),
    Case(
        "advanced.signed_firmware",
        "Signed firmware update",
        Level.ADVANCED,
        {
            V16: ("SignedUpdateFirmware", "SignedFirmwareStatusNotification"),
            V201: ("UpdateFirmware (signed)", "FirmwareStatusNotification"),
        },
        "As the firmware update, with the image's signature and signing certificate; the statuses must include "
        "SignatureVerified. The image of the version the station ran before the run is preferred (it restores it).",
        adv.signed_firmware,
    ),
    Case(
        "advanced.security_profile_3",
        "Security profile 3 (client certificate from our CA)",
        Level.ADVANCED,
        {
            V16: (
                "ExtendedTriggerMessage SignChargePointCertificate",
                "SignCertificate",
                "CertificateSigned",
                "ChangeConfiguration SecurityProfile",
            ),
            V201: (
                "TriggerMessage SignChargingStationCertificate",
                "SignCertificate",
                "CertificateSigned",
                "SetNetworkProfile",
                "Reset",
            ),
        },
        "The station asks for a certificate (SignCertificate), accepts the one our CA signed (CertificateSigned), "
        "and reconnects over TLS presenting exactly that certificate. Skipped without a TLS port and CA key.",
        sec.security_profile_3,
    ),
    Case(
        "advanced.response_time",
        "Response time p95 <= 1 s",
        Level.ADVANCED,
        _both("every command of the run"),
        "For every command the station answered during the run, the 95th percentile of the round trip is at most 1 s.",
        adv.response_time_advanced,
    ),
    # -- last, but Basic: any integrity failure during the run fails the station ----------------
    Case(
        "basic.integrity",
        "No secure-boot or integrity failure",
        Level.BASIC,
        _both("SecurityEventNotification"),
        "No security event the station reported during the run is a firmware, boot or hardware integrity failure "
        "(InvalidFirmwareSignature, InvalidFirmwareSigningCertificate, TamperDetectionActivated, or a type naming "
        "integrity, secure boot or tamper). Such an event also marks the station in the dashboard.",
        basic.integrity,
        final=True,
    ),
)

BY_ID = {case.id: case for case in CASES}


def plan(level: Level) -> list[Case]:
    """The cases a run at ``level`` executes, in order."""
    return [case for case in CASES if case.level.rank <= level.rank]
