"""The firmware state machines as transition tables (pure: no I/O, no clock).

*Update* — one station installing one image. Driven by the station's answer to the command,
its FirmwareStatusNotifications (1.6 plain, 1.6 signed, 2.0.1 — one vocabulary) and the version
it reports in its next BootNotification, which is what confirms an update.

*Campaign* — a staged rollout. Operator actions and the orchestrator's findings move it.

A pair that is not in a table is *ignored* (``None``): stations repeat and reorder
notifications, and a late "Installed" after the confirming boot must not undo anything.
Operator actions that are not in the campaign table are refused (:class:`IllegalTransition`).
"""

from __future__ import annotations

from enum import StrEnum


class UpdateState(StrEnum):
    REQUESTED = "requested"  # command being sent
    ACCEPTED = "accepted"  # the station accepted the command
    REJECTED = "rejected"  # the station refused it (terminal)
    DOWNLOADING = "downloading"
    DOWNLOADED = "downloaded"
    VERIFIED = "verified"  # signature verified
    INSTALLING = "installing"
    REBOOTING = "rebooting"
    INSTALLED = "installed"  # installed, waiting for the boot that confirms the version
    CONFIRMED = "confirmed"  # booted with the target version (terminal, success)
    FAILED = "failed"  # terminal; the reason is kept next to the state


class UpdateEvent(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DOWNLOADING = "downloading"
    DOWNLOADED = "downloaded"
    VERIFIED = "verified"
    INSTALLING = "installing"
    REBOOTING = "rebooting"
    INSTALLED = "installed"
    FAILED = "failed"  # any failure status (DownloadFailed, InvalidSignature, ...)
    BOOT_TARGET = "boot_target"  # BootNotification with the target version
    BOOT_OTHER = "boot_other"  # BootNotification with any other version
    TIMEOUT = "timeout"


TERMINAL_UPDATE_STATES = frozenset({UpdateState.REJECTED, UpdateState.CONFIRMED, UpdateState.FAILED})

# OCPP FirmwareStatus (all three message variants) -> event. Idle and the *Scheduled/Paused
# statuses carry no progress and are not listed.
STATUS_EVENTS: dict[str, UpdateEvent] = {
    "Downloading": UpdateEvent.DOWNLOADING,
    "Downloaded": UpdateEvent.DOWNLOADED,
    "SignatureVerified": UpdateEvent.VERIFIED,
    "Installing": UpdateEvent.INSTALLING,
    "InstallRebooting": UpdateEvent.REBOOTING,
    "Installed": UpdateEvent.INSTALLED,
    "DownloadFailed": UpdateEvent.FAILED,
    "InvalidSignature": UpdateEvent.FAILED,
    "InstallVerificationFailed": UpdateEvent.FAILED,
    "InstallationFailed": UpdateEvent.FAILED,
}

_S, _E = UpdateState, UpdateEvent
_IN_PROGRESS = (_S.ACCEPTED, _S.DOWNLOADING, _S.DOWNLOADED, _S.VERIFIED, _S.INSTALLING, _S.REBOOTING, _S.INSTALLED)
# Once installing, a boot tells the outcome; before that a boot is only a reboot (ignored).
_INSTALL_PHASE = (_S.INSTALLING, _S.REBOOTING, _S.INSTALLED)
_ORDER = (_S.ACCEPTED, _S.DOWNLOADING, _S.DOWNLOADED, _S.VERIFIED, _S.INSTALLING, _S.REBOOTING, _S.INSTALLED)
_STEP_TARGET = {
    _E.DOWNLOADING: _S.DOWNLOADING,
    _E.DOWNLOADED: _S.DOWNLOADED,
    _E.VERIFIED: _S.VERIFIED,
    _E.INSTALLING: _S.INSTALLING,
    _E.REBOOTING: _S.REBOOTING,
    _E.INSTALLED: _S.INSTALLED,
}


def _build_update_table() -> dict[UpdateState, dict[UpdateEvent, UpdateState]]:
    table: dict[UpdateState, dict[UpdateEvent, UpdateState]] = {
        _S.REQUESTED: {_E.ACCEPTED: _S.ACCEPTED, _E.REJECTED: _S.REJECTED, _E.TIMEOUT: _S.FAILED},
    }
    for state in _IN_PROGRESS:
        row: dict[UpdateEvent, UpdateState] = {_E.FAILED: _S.FAILED, _E.TIMEOUT: _S.FAILED}
        # Progress only moves forward (a repeated or late status is ignored).
        for event, target in _STEP_TARGET.items():
            if _ORDER.index(target) > _ORDER.index(state):
                row[event] = target
        # A station may boot the new image before reporting anything (1.6 sends Installed after the boot).
        row[_E.BOOT_TARGET] = _S.CONFIRMED
        if state in _INSTALL_PHASE:
            row[_E.BOOT_OTHER] = _S.FAILED
        table[state] = row
    # Status from a station we sent no command to yet (1.6 has no requestId): the command's answer decides.
    table[_S.REQUESTED].update({_E.DOWNLOADING: _S.DOWNLOADING, _E.FAILED: _S.FAILED})
    return table


UPDATE_TRANSITIONS = _build_update_table()


def next_update_state(state: UpdateState, event: UpdateEvent) -> UpdateState | None:
    """The state after ``event``, or None when the event is ignored in ``state``."""
    return UPDATE_TRANSITIONS.get(state, {}).get(event)


# -- campaigns --------------------------------------------------------------------------------


class CampaignState(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    PAUSED = "paused"
    HALTED = "halted"  # a health gate failed; resume continues without the failed batches
    COMPLETED = "completed"
    ABORTED = "aborted"


class CampaignEvent(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    ABORT = "abort"
    GATE_FAILED = "gate_failed"
    FINISHED = "finished"


_C, _CE = CampaignState, CampaignEvent
CAMPAIGN_TRANSITIONS: dict[CampaignState, dict[CampaignEvent, CampaignState]] = {
    _C.DRAFT: {_CE.START: _C.RUNNING, _CE.ABORT: _C.ABORTED},
    _C.RUNNING: {_CE.PAUSE: _C.PAUSED, _CE.ABORT: _C.ABORTED, _CE.GATE_FAILED: _C.HALTED, _CE.FINISHED: _C.COMPLETED},
    _C.PAUSED: {_CE.RESUME: _C.RUNNING, _CE.ABORT: _C.ABORTED},
    _C.HALTED: {_CE.RESUME: _C.RUNNING, _CE.ABORT: _C.ABORTED},
    _C.COMPLETED: {},
    _C.ABORTED: {},
}


class IllegalTransition(Exception):
    def __init__(self, state: CampaignState, event: CampaignEvent):
        super().__init__(f"a {state.value} campaign cannot {event.value}")
        self.state = state
        self.event = event


def next_campaign_state(state: CampaignState, event: CampaignEvent) -> CampaignState:
    target = CAMPAIGN_TRANSITIONS[state].get(event)
    if target is None:
        raise IllegalTransition(state, event)
    return target


class TargetState(StrEnum):
    """One station inside a campaign."""

    PENDING = "pending"
    WAITING_TRANSACTION = "waiting_transaction"  # not interrupted: dispatched once idle
    UPDATING = "updating"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"  # refused by the matrix / image, or its batch failed a gate
    ROLLING_BACK = "rolling_back"
    ROLLED_BACK = "rolled_back"
    ROLLBACK_FAILED = "rollback_failed"


SETTLED_TARGET_STATES = frozenset(
    {
        TargetState.SUCCEEDED,
        TargetState.FAILED,
        TargetState.SKIPPED,
        TargetState.ROLLED_BACK,
        TargetState.ROLLBACK_FAILED,
    }
)
