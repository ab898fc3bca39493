"""Cases of the Standard level: remote start and stop, trigger, configuration, availability,
unlock, clear cache, diagnostics, resets, firmware update, response times (security profile 2
is in :mod:`chargebridge.validation.cases_security`)."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from chargebridge.domain.commands import (
    ChangeAvailability,
    ClearCache,
    RemoteStart,
    RemoteStop,
    Reset,
    ResetType,
    TriggerMessage,
    Unlock,
)
from chargebridge.domain.model import IdToken
from chargebridge.validation.bench import (
    CLOCK_ALIGNED_INTERVAL,
    CONNECTION_TIMEOUT,
    HEARTBEAT_INTERVAL,
    METER_INTERVAL,
    Bench,
    maybe_changed,
)
from chargebridge.validation.evidence import CALL, Frame
from chargebridge.validation.model import STANDARD_P95_MS, Verdict
from chargebridge.validation.readings import notifications
from chargebridge.validation.verdicts import (
    RebootTimes,
    judge_answer,
    judge_availability,
    judge_configuration,
    judge_diagnostics,
    judge_firmware,
    judge_latency,
    judge_remote_start,
    judge_remote_stop,
    judge_reset,
    judge_trigger,
    latency_stats,
)


def new_remote_start_id() -> int:
    return uuid.uuid4().int % 2_147_483_647 + 1


async def remote_start(b: Bench) -> Verdict:
    s = b.settings
    evse = s.evse_id
    cursor = b.log.cursor
    b.prompt(f"The bench starts a session remotely at EVSE {evse}: keep an EV plugged in if the station needs one.")
    sent = await b.execute(
        RemoteStart(IdToken(b.token, "Central"), evse_id=evse, remote_start_id=new_remote_start_id())
    )
    started = None
    if sent.status == "Accepted":
        started = await b.wait_tx(lambda m: m.kind == "started", s.response_timeout_s, cursor)
    else:  # a station that refuses but starts anyway is caught too
        started = await b.wait_tx(lambda m: m.kind == "started", min(2.0, s.response_timeout_s), cursor)
    b.prompt(None)
    if started is not None and started.transaction_id is not None:
        b.restore.transactions.add(started.transaction_id)
    verdict = judge_remote_start(sent.shown(), started, evse_id=evse, token=b.token, waited_s=s.response_timeout_s)
    if verdict.ok and started is not None:
        b.remote_tx = started.transaction_id
    return verdict


async def remote_stop(b: Bench) -> Verdict:
    tx = b.remote_tx
    s = b.settings
    if tx is None:
        return judge_remote_stop(None, None, transaction_id=None, version=b.version, waited_s=s.response_timeout_s)
    cursor = b.log.cursor
    sent = await b.execute(RemoteStop(tx))
    ended = None
    if sent.status == "Accepted":
        ended = await b.wait_tx(lambda m: m.kind == "ended" and m.transaction_id == tx, s.response_timeout_s, cursor)
    if ended is not None:
        b.restore.transactions.discard(tx)
        await b.wait_status(ended.evse_id or s.evse_id, frozenset({"Available"}), s.response_timeout_s, cursor)
    return judge_remote_stop(sent.shown(), ended, transaction_id=tx, version=b.version, waited_s=s.response_timeout_s)


async def trigger_message(b: Bench) -> Verdict:
    s = b.settings
    results: dict[str, tuple[str | None, bool]] = {}
    for message, evse in (("Heartbeat", None), ("StatusNotification", s.evse_id)):
        cursor = b.log.cursor
        sent = await b.execute(TriggerMessage(message, evse_id=evse))
        arrived = False
        if sent.status == "Accepted":
            arrived = await b.wait_call(message, s.response_timeout_s, cursor) is not None
        results[message] = (sent.shown(), arrived)
    return judge_trigger(results, s.response_timeout_s)


async def configuration(b: Bench) -> Verdict:
    """Change a harmless value, read it back, put it back, read it again."""
    candidates = [CONNECTION_TIMEOUT, CLOCK_ALIGNED_INTERVAL, METER_INTERVAL, HEARTBEAT_INTERVAL]
    chosen = None
    original: str | None = None
    for setting in candidates:
        if not setting.available(b.version):
            continue
        value, readonly = await b.read_setting(setting)
        if value is not None and not readonly and value.strip().lstrip("-").isdigit():
            chosen, original = setting, value
            break
    if chosen is None or original is None:
        return Verdict.failed(
            "none of "
            + ", ".join(c.name(b.version) for c in candidates if c.available(b.version))
            + " could be read as a writable number"
        )
    name = chosen.name(b.version)
    new_value = str(int(original.strip()) + 7)
    b.restore.remember(chosen, b.version, original)
    sent = await b.write_setting(chosen, new_value)
    read_back, _ = await b.read_setting(chosen)
    restored = await b.write_setting(chosen, original)
    restored_value, _ = await b.read_setting(chosen)
    if restored_value == original:
        b.restore.config.pop(name, None)
        # Other cases may have remembered it first: it is back anyway.
    return judge_configuration(name, original, new_value, sent.shown(), read_back, restored.shown(), restored_value)


async def change_availability(b: Bench) -> Verdict:
    s = b.settings
    evse = s.evse_id
    answers: list[str | None] = []
    seen: list[list[str]] = []
    expected = [frozenset({"Unavailable"}), frozenset({"Available"})]
    for operational, wanted in ((False, expected[0]), (True, expected[1])):
        cursor = b.log.cursor
        sent = await b.execute(ChangeAvailability(operational, evse_id=evse))
        answers.append(sent.shown())
        if not operational and maybe_changed(sent):
            b.restore.inoperative.add(evse)
        frame = None
        if sent.status in ("Accepted", "Scheduled"):
            frame = await b.wait_status(evse, wanted, s.response_timeout_s, cursor)
        statuses = [
            str(f.payload.get("status" if b.v16 else "connectorStatus"))
            for f in b.log.frames(cursor)
            if f.is_call("StatusNotification", from_station=True) and isinstance(f.payload, dict)
        ]
        seen.append(statuses)
        if operational and frame is not None:
            b.restore.inoperative.discard(evse)
        if sent.status not in ("Accepted", "Scheduled"):
            break
    while len(answers) < 2:
        answers.append(None)
        seen.append([])
    return judge_availability(answers, seen, expected)


async def unlock_connector(b: Bench) -> Verdict:
    sent = await b.execute(Unlock(b.settings.evse_id, 1))
    return judge_answer("UnlockConnector", sent.shown(), frozenset({"Unlocked"}))


async def clear_cache(b: Bench) -> Verdict:
    sent = await b.execute(ClearCache())
    return judge_answer("ClearCache", sent.shown(), frozenset({"Accepted"}))


async def diagnostics(b: Bench) -> Verdict:
    firmware = b.ports.firmware
    s = b.settings
    if firmware is None:
        return Verdict.skipped("the firmware capability (diagnostics uploads) is not running on this node")
    cursor = b.log.cursor
    try:
        row = await firmware.request_diagnostics(
            b.station_id, base_url=b.base_url, requested_by=f"validation run {b.run_id}"
        )
    except Exception as exc:  # not connected is handled by the runner; anything else is the station's answer
        return Verdict.failed(f"the diagnostics request failed: {exc}")
    answer = "Accepted" if row["state"] in ("accepted", "uploading", "uploaded") else (row["last_status"] or "Rejected")
    actions = ("DiagnosticsStatusNotification", "LogStatusNotification")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + s.firmware_timeout_s
    last_progress = loop.time()
    seen = 0
    while answer == "Accepted" and loop.time() < deadline:
        current = await firmware.db.get_diagnostics(int(row["id"]))
        if current is not None and current["stored_name"] is not None:
            row = current
            final = await b.wait_call(
                actions, s.response_timeout_s, cursor, lambda f: f.payload.get("status") == "Uploaded"
            )
            if final is not None or current["state"] == "uploaded":
                break
        statuses_now = notifications(b.log.frames(cursor), actions)
        if len(statuses_now) > seen:
            seen, last_progress = len(statuses_now), loop.time()
        if any(st in ("UploadFailed", "UploadFailure") for _, st in statuses_now):
            break
        if loop.time() - last_progress > s.response_timeout_s:
            break
        await b.wait_for(lambda e: True, min(1.0, max(0.05, deadline - loop.time())))
    current = await firmware.db.get_diagnostics(int(row["id"]))
    uploaded = int(current["size"]) if current is not None and current["size"] is not None else None
    statuses = [st for _, st in notifications(b.log.frames(cursor), actions)]
    return judge_diagnostics(answer, statuses, uploaded, s.firmware_timeout_s)


async def _reset(b: Bench, kind: ResetType) -> Verdict:
    s = b.settings
    async with b.expect_disconnect():
        cursor = b.log.cursor
        started = time.monotonic()
        sent = await b.execute(Reset(kind))
        if sent.status not in ("Accepted", "Scheduled"):
            return judge_reset(
                sent.shown(), RebootTimes(None, None, None), response_s=s.response_timeout_s, bound_s=s.reboot_timeout_s
            )
        times = await b.wait_reboot(cursor, started, s.response_timeout_s, s.reboot_timeout_s)
    return judge_reset(sent.shown(), RebootTimes(*times), response_s=s.response_timeout_s, bound_s=s.reboot_timeout_s)


async def reset_soft(b: Bench) -> Verdict:
    return await _reset(b, ResetType.SOFT)


async def reset_hard(b: Bench) -> Verdict:
    return await _reset(b, ResetType.HARD)


# -- firmware ------------------------------------------------------------------------------------


async def pick_image(b: Bench, *, other_than: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """(the image to install, why there is none). Default: the newest image of the station's
    vendor and model whose version differs from ``other_than``."""
    firmware = b.ports.firmware
    if firmware is None:
        return None, "the firmware capability is not running on this node"
    station, revision = await firmware.station_identity(b.station_id)
    vendor, model = station["vendor"], station["model"]
    if b.settings.firmware_image_id is not None:
        image = await firmware.db.get_image(b.settings.firmware_image_id)
        if image is None:
            return None, f"no firmware image {b.settings.firmware_image_id!r}"
        unfit = firmware.image_fits(image, station, revision)
        return (image, None) if unfit is None else (None, unfit)
    candidates = [
        image
        for image in await firmware.db.list_images(vendor)
        if firmware.image_fits(image, station, revision) is None and image["version"] != other_than
    ]
    if not candidates:
        return None, f"no firmware image of another version than {other_than} is registered for {vendor} {model}"
    candidates.sort(key=lambda image: image["created_at"], reverse=True)
    return candidates[0], None


async def original_image(b: Bench, version: str | None) -> dict[str, Any] | None:
    firmware = b.ports.firmware
    if firmware is None or version is None:
        return None
    station, revision = await firmware.station_identity(b.station_id)
    for image in await firmware.db.list_images(station["vendor"]):
        if image["version"] == version and firmware.image_fits(image, station, revision) is None:
            return image
    return None


async def install(b: Bench, image: dict[str, Any], *, signed: bool) -> Verdict:
    """Send the update and follow it: statuses until Installed (or a failure), then the boot."""
    firmware = b.ports.firmware
    assert firmware is not None
    s = b.settings
    station = await b.ports.store.get_station(b.station_id)
    current = station["firmware_version"] if station is not None else None
    if b.restore.firmware is None:
        b.restore.firmware = (current or "", await original_image(b, current))
    actions = ("FirmwareStatusNotification", "SignedFirmwareStatusNotification")
    target = image["version"]
    loop = asyncio.get_running_loop()
    async with b.expect_disconnect():
        cursor = b.log.cursor
        row = await firmware.send_update(
            b.station_id,
            image,
            base_url=b.base_url,
            override_reason=f"validation run {b.run_id}",
            requested_by=f"validation run {b.run_id}",
            signed_16=signed,
        )
        answer = "Accepted" if row["state"] != "rejected" else (row["failure"] or "Rejected")
        deadline = loop.time() + s.firmware_timeout_s
        last_progress = loop.time()
        progress = 0
        while answer == "Accepted" and loop.time() < deadline:
            statuses = [st for _, st in notifications(b.log.frames(cursor), actions)]
            boots = [e.data.get("firmware_version") for e in b.log.events(cursor, kind="station.booted")]
            if statuses and statuses[-1] in (
                "DownloadFailed",
                "InstallationFailed",
                "InvalidSignature",
                "InstallVerificationFailed",
                "InvalidCertificate",
                "RevokedCertificate",
            ):
                break
            if "Installed" in statuses and target in boots:
                break
            if len(statuses) + len(boots) > progress:
                progress, last_progress = len(statuses) + len(boots), loop.time()
            # The station must show progress within the response time (a reboot: within its bound).
            quiet = s.response_timeout_s if b.connected else s.reboot_timeout_s
            if loop.time() - last_progress > quiet:
                break
            await b.wait_for(lambda e: True, min(1.0, max(0.05, deadline - loop.time())))
    statuses = [st for _, st in notifications(b.log.frames(cursor), actions)]
    boots = [e.data.get("firmware_version") for e in b.log.events(cursor, kind="station.booted")]
    return judge_firmware(answer, statuses, boots, target, signed=signed, waited_s=s.response_timeout_s)


async def firmware_update(b: Bench) -> Verdict:
    station = await b.ports.store.get_station(b.station_id)
    current = station["firmware_version"] if station is not None else None
    image, why = await pick_image(b, other_than=current)
    if image is None:
        return Verdict.skipped(why or "no firmware image")
    return await install(b, image, signed=False)


def latency_verdict(b: Bench, limit_ms: float) -> Verdict:
    verdict = judge_latency(latency_stats(command_round_trips(b)), limit_ms)
    return verdict


def command_round_trips(b: Bench) -> list[tuple[str, float]]:
    """(action, ms) of every CALL the CSMS sent during the run and the station answered, from the
    frames (the bench's commands and those of the services it used)."""
    open_calls: dict[str, Frame] = {}
    out: list[tuple[str, float]] = []
    for frame in b.log.frames(0):
        if frame.message_id is None or frame.message_id in b.probe_ids:
            continue
        if frame.type == CALL and not frame.from_station:
            open_calls[frame.message_id] = frame
        elif frame.from_station and frame.type != CALL:
            call = open_calls.pop(frame.message_id, None)
            if call is not None and call.action is not None:
                out.append((call.action, (frame.mono - call.mono) * 1000.0))
    return out


async def response_time_standard(b: Bench) -> Verdict:
    return latency_verdict(b, STANDARD_P95_MS)
