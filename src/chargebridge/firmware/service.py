"""The firmware service: image registry, single updates, the update state of each station,
the compatibility matrix and diagnostics requests.

Station notifications arrive as bus events and are applied by one consumer task, in order;
per-station locks keep that task and the command senders from racing on an update row.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from chargebridge.bus.memory import EventBus, Subscription
from chargebridge.domain.commands import CommandNotSupported
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.firmware import orders
from chargebridge.firmware.plan import allowed
from chargebridge.firmware.procurement import Procurement
from chargebridge.firmware.signing import BadToken, FirmwareSigner, Grant, TokenIssuer, verify_digest
from chargebridge.firmware.states import (
    STATUS_EVENTS,
    TERMINAL_UPDATE_STATES,
    UpdateEvent,
    UpdateState,
    next_update_state,
)
from chargebridge.firmware.store import FirmwareStore
from chargebridge.firmware.uploads import Spooled, file_sha256
from chargebridge.gateway.server import Gateway
from chargebridge.rpc import CallRejected, CallTimeout, OcppError, OcppVersion, StationNotConnected
from chargebridge.security.store import AuditEntry, SecurityStore
from chargebridge.services.clock import Clock
from chargebridge.store.repository import Row, Store
from chargebridge.tasks import cancel_and_wait

log = logging.getLogger(__name__)

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_LOG_FAILED = frozenset(
    {"UploadFailed", "UploadFailure", "BadMessage", "NotSupportedOperation", "PermissionDenied", "AcceptedCanceled"}
)


@dataclass(frozen=True, slots=True)
class FirmwareOptions:
    download_ttl_s: float = 6 * 3600.0
    upload_ttl_s: float = 6 * 3600.0
    max_image_bytes: int = 256 * 1024 * 1024
    max_upload_bytes: int = 50 * 1024 * 1024
    tick_s: float = 0.25  # how often running campaigns are looked at
    dispatch_concurrency: int = 50
    boot_window_s: float = 6 * 3600.0  # boots after an update count towards boot-loop detection this long


class Refused(Exception):
    """A request the firmware service will not carry out (the API answers 409 / 422)."""


class NeedsOverride(Refused):
    pass


class RequirementsUnmet(NeedsOverride):
    """The firmware's certification records do not prove what the station requires (its
    ``required_profiles``); an admin may override (``override``), which is audited."""


def safe_filename(name: str, fallback: str) -> str:
    cleaned = _SAFE_NAME.sub("_", Path(name).name).strip("._")
    return cleaned[:200] or fallback


@dataclass(frozen=True, slots=True)
class Activity:
    """What happened on a station since the node started (for the fault / security gates)."""

    faults: int
    security_events: int


def duplicate_of(images: Iterable[Row], models: Iterable[str], version: str, revisions: Iterable[str]) -> Row | None:
    """An existing image (of one vendor) with this version for one of these models and hardware
    revisions (an empty list of revisions means any)."""
    wanted_models, wanted_revisions = set(models), set(revisions)
    for image in images:
        if image["version"] != version or not wanted_models & set(image["models"]):
            continue
        theirs = set(image["hardware_revisions"] or [])
        if not theirs or not wanted_revisions or theirs & wanted_revisions:
            return image
    return None


async def store_image(
    db: FirmwareStore,
    signer: FirmwareSigner,
    images_dir: Path,
    now: datetime,
    image: Spooled,
    options: FirmwareOptions,
    *,
    vendor: str,
    models: list[str],
    version: str,
    hardware_revisions: Iterable[str] = (),
    notes: str | None = None,
    filename: str | None = None,
    signature: str | None = None,
    signing_certificate: str | None = None,
    replace: bool = False,
) -> Row:
    """Keep a spooled image (moved into ``images_dir``) with its sha256 and sign it (unless an OEM
    signature is given: recorded as is). The spooled file is moved or deleted, never left behind.

    An image of the same vendor and version for one of the same models and hardware revisions is
    refused (:class:`NeedsOverride`) unless ``replace``: then the new image takes its place (the
    newest image of a version is the one used, e.g. to roll back) and the old one stays for the
    updates and campaigns that name it."""
    try:
        if image.size == 0:
            raise Refused("the image is empty")
        if image.size > options.max_image_bytes:
            raise Refused(f"the image is larger than {options.max_image_bytes} bytes")
        if not models:
            raise Refused("at least one model is needed")
        if (signature is None) != (signing_certificate is None):
            raise Refused("an OEM signature needs its signing certificate, and the other way round")
        if not replace:
            clash = duplicate_of(await db.list_images(vendor), models, version, hardware_revisions)
            if clash is not None:
                raise NeedsOverride(
                    f"image {clash['id']} is already {vendor} {version} for {', '.join(clash['models'])}: "
                    "replace it explicitly (CLI --replace, API ?replace=true) or give the new one another version"
                )
    except Refused:
        image.discard()
        raise
    image_id = secrets.token_hex(8)
    target = images_dir / image_id
    os.replace(image.path, target)  # same file system: the spool directory is in the data directory
    if signature is None:
        signature, signing_certificate, signed_by = (
            signer.sign_digest(image.sha256),
            signer.certificate_pem,
            "chargebridge",
        )
    else:
        signed_by = "oem"
    row = {
        "id": image_id,
        "vendor": vendor,
        "models": list(models),
        "hardware_revisions": sorted(set(hardware_revisions)),
        "version": version,
        "notes": notes,
        "filename": safe_filename(filename or f"{vendor}-{version}.bin", f"{image_id}.bin"),
        "size": image.size,
        "sha256": image.sha256,
        "signature": signature,
        "signing_certificate": signing_certificate,
        "signed_by": signed_by,
        "created_at": now,
    }
    try:
        await db.add_image(row)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return row


# Another capability's columns of the compatibility matrix (the validation bench's validated level):
# called with the rows a matrix read returns, adds keys to them.
MatrixAnnotator = Callable[[list[Row]], Awaitable[None]]


class FirmwareService:
    def __init__(
        self,
        store: Store,
        gateway: Gateway,
        bus: EventBus,
        clock: Clock,
        data_dir: Path,
        options: FirmwareOptions | None = None,
        *,
        base_url: str | None = None,
        node_id: str | None = None,
    ):
        self.db = FirmwareStore(store)
        self.store = store
        self.gateway = gateway
        self.bus = bus
        self.clock = clock
        self.options = options or FirmwareOptions()
        self.base_url = base_url
        self.root = data_dir / "firmware"
        self.images_dir = self.root / "images"
        self.uploads_dir = self.root / "diagnostics"
        # Uploads being received (spooled), see uploads.py. In cluster mode the data directory is
        # shared by every node (docs/scaling.md) and each node spools (and cleans up) its own.
        self.incoming_dir = self.root / "incoming" / node_id if node_id else self.root / "incoming"
        self.images_dir.mkdir(parents=True, exist_ok=True)
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        self.incoming_dir.mkdir(parents=True, exist_ok=True)
        for leftover in self.incoming_dir.iterdir():  # from a node that stopped mid-upload
            if leftover.is_file():
                leftover.unlink(missing_ok=True)
        self.signer = FirmwareSigner(self.root / "keys", now=clock.now())
        self.tokens = TokenIssuer(self.root / "keys")
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._event_locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._pending: set[asyncio.Task[None]] = set()
        self._faults: dict[str, deque[datetime]] = defaultdict(lambda: deque(maxlen=256))
        self._security: dict[str, deque[datetime]] = defaultdict(lambda: deque(maxlen=256))
        self._subscription: Subscription | None = None
        self._activity: Subscription | None = None
        self._consumers: list[asyncio.Task[None]] = []
        self.matrix_annotators: list[MatrixAnnotator] = []
        self.procurement = Procurement(self.db, self.matrix_annotators)

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        # What changes update rows is applied once per network: by the node whose station sent it
        # (local_only; in a cluster every node sees every event). What feeds the campaigns' fault
        # and security gates is counted from the whole network (the lease holder judges them).
        writes = {EventKind.FIRMWARE_STATUS, EventKind.LOG_STATUS, EventKind.STATION_BOOTED}
        self._subscription = self.bus.subscribe("firmware", writes, local_only=True)
        self._activity = self.bus.subscribe("firmware-activity", {EventKind.SECURITY_EVENT, EventKind.FAULT_RAISED})
        self._consumers = [
            asyncio.create_task(self._consume(self._subscription), name="firmware-events"),
            asyncio.create_task(self._consume(self._activity), name="firmware-activity"),
        ]

    async def stop(self) -> None:
        for subscription in (self._subscription, self._activity):
            if subscription is not None:
                self.bus.unsubscribe(subscription)
        for consumer in self._consumers:
            await cancel_and_wait(consumer)
        self._consumers = []
        await asyncio.gather(*(cancel_and_wait(task) for task in list(self._pending)))  # each bounded

    async def _consume(self, subscription: Subscription) -> None:
        """Events of one station are applied in order, different stations' in parallel (each
        write waits for a commit; one queue for the whole fleet would make a wave crawl)."""
        while True:
            event = await subscription.get()
            task = asyncio.create_task(self._apply_in_order(event))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _apply_in_order(self, event: DomainEvent) -> None:
        async with self._event_locks[event.station_id]:  # asyncio locks are FIFO: arrival order is kept
            try:
                await self.apply_event(event)
            except Exception:
                log.exception("firmware: could not apply %s from %s", event.kind, event.station_id)

    # -- registry ---------------------------------------------------------------------------

    async def add_image(self, image: Spooled, **meta: Any) -> Row:
        """Keep a spooled image with its sha256 and sign it (unless an OEM signature is given: recorded as is)."""
        now = self.clock.now()
        return await store_image(self.db, self.signer, self.images_dir, now, image, self.options, **meta)

    async def set_oem_signature(self, image_id: str, signature: str, certificate: str) -> bool:
        return await self.db.set_image_signature(image_id, signature, certificate, "oem")

    def image_path(self, image_id: str) -> Path:
        return self.images_dir / image_id

    async def signature_valid(self, image: Row) -> bool:
        """Whether the stored file (hashed again, in a worker thread) matches its signature."""
        if not image["signature"] or not image["signing_certificate"]:
            return False
        path = self.image_path(image["id"])
        if not path.exists():
            return False
        digest = await asyncio.to_thread(file_sha256, path)
        return verify_digest(digest, image["signature"], image["signing_certificate"])

    def download_url(self, base_url: str, image: Row, station_id: str) -> str:
        expires = self.clock.now() + timedelta(seconds=self.options.download_ttl_s)
        token = self.tokens.issue(Grant("image", image["id"], station_id, expires))
        return f"{base_url.rstrip('/')}/ocpp-files/firmware/{token}/{image['filename']}"

    async def open_download(self, token: str, remote: str | None) -> tuple[Row, Path]:
        """Check a download token, log the download; raises BadToken / Refused."""
        now = self.clock.now()
        try:
            grant = self.tokens.check(token, "image", now)
        except BadToken as exc:
            await self.db.log_download(
                {"image_id": "", "station_id": "", "at": now, "remote": remote, "outcome": exc.reason, "bytes": 0}
            )
            raise
        image = await self.db.get_image(grant.subject)
        if image is None or not self.image_path(grant.subject).exists():
            raise Refused("the image is gone")
        await self.db.log_download(
            {
                "image_id": image["id"],
                "station_id": grant.station_id,
                "at": now,
                "remote": remote,
                "outcome": "served",
                "bytes": image["size"],
            }
        )
        return image, self.image_path(image["id"])

    # -- compatibility ----------------------------------------------------------------------

    async def station_identity(self, station_id: str) -> tuple[Row, str]:
        """The station row and its hardware revision ("" when nobody told us)."""
        station = await self.store.get_station(station_id)
        if station is None:
            raise Refused(f"station {station_id!r} is not registered")
        hardware = (await self.db.hardware_of([station_id])).get(station_id)
        return station, (hardware["hardware_revision"] or "") if hardware else ""

    def image_fits(self, image: Row, station: Row, hardware_revision: str) -> str | None:
        """Why the image cannot go to this station at all, or None."""
        if station["vendor"] is not None and station["vendor"] != image["vendor"]:
            return f"image is for vendor {image['vendor']!r}, station is {station['vendor']!r}"
        if station["model"] is not None and station["model"] not in image["models"]:
            return f"image is not for model {station['model']!r}"
        if image["hardware_revisions"] and hardware_revision not in image["hardware_revisions"]:
            return f"image is not for hardware revision {hardware_revision or '(unknown)'!r}"
        return None

    async def matrix(self, **filters: str | None) -> list[Row]:
        """The compatibility matrix's rows with the columns other capabilities add."""
        rows = await self.db.list_compat(**filters)
        for annotate in self.matrix_annotators:
            await annotate(rows)
        return rows

    async def compatibility_of(self, station: Row, hardware_revision: str, version: str) -> str | None:
        row = await self.db.get_compat(station["vendor"] or "", station["model"] or "", hardware_revision, version)
        return row["status"] if row else None

    async def check_allowed(self, station: Row, hardware_revision: str, image: Row, override_reason: str | None) -> str:
        """The matrix status; raises NeedsOverride for blocked/unknown without an override reason."""
        unfit = self.image_fits(image, station, hardware_revision)
        if unfit is not None:
            raise Refused(unfit)
        status = await self.compatibility_of(station, hardware_revision, image["version"])
        if not allowed(status) and not override_reason:
            combination = f"{station['vendor']}/{station['model']}/{hardware_revision or '(unknown hw)'}"
            raise NeedsOverride(
                f"{combination} with firmware {image['version']} is {status or 'unknown'} in the compatibility matrix"
            )
        return status or "unknown"

    async def check_requirements(
        self,
        station: Row,
        image: Row,
        *,
        override: bool = False,
        by: str | None = None,
        campaign_id: str | None = None,
    ) -> list[str]:
        """The station's required profiles that the image's firmware does not meet (by the
        certification records and validated level of its vendor/model/version). Raises
        :class:`RequirementsUnmet` unless ``override``; an override that is used goes to the audit
        log and the station's events."""
        station_id = str(station["id"])
        requires = await self.db.requirements_of(station_id)
        if not requires:
            return []
        vendor, model = station["vendor"] or image["vendor"], station["model"] or ""
        verdict = await self.procurement.judge_firmware(vendor, model, image["version"], requires)
        if verdict.meets:
            return []
        missing = ", ".join(verdict.missing)
        if not override:
            raise RequirementsUnmet(
                f"station {station_id} requires {', '.join(requires)}: no certification record of "
                f"{vendor}/{model} firmware {image['version']} proves {missing} "
                "(an admin may override with override=true)"
            )
        now = self.clock.now()
        details = {
            "image_id": image["id"],
            "version": image["version"],
            "requires": requires,
            "missing": verdict.missing,
            "campaign_id": campaign_id,
            "by": by,
        }
        await self.store.add_station_event(station_id, "firmware_requirements_override", now, details)
        await SecurityStore(self.store).append_audit(
            AuditEntry(
                at=now,
                action="firmware_requirements_override",
                method="POST",
                path="/api/v1/firmware/campaigns" if campaign_id else "/api/v1/firmware/stations/{station_id}/update",
                result="ok",
                status_code=200,
                actor_name=by,
                role="admin",
                station_id=station_id,
                parameters=details,
                detail=f"firmware {image['version']} rolled onto {station_id} without {missing} (admin override)",
            )
        )
        return verdict.missing

    # -- updates ----------------------------------------------------------------------------

    async def send_update(
        self,
        station_id: str,
        image: Row,
        *,
        base_url: str,
        kind: str = "update",
        campaign_id: str | None = None,
        override_reason: str | None = None,
        requested_by: str | None = None,
        signed_16: bool = True,
        install_at: datetime | None = None,
    ) -> Row:
        """Create the update and send the version's UpdateFirmware; returns the update row."""
        station = await self.store.get_station(station_id)
        if station is None:
            raise Refused(f"station {station_id!r} is not registered")
        now = self.clock.now()
        async with self._locks[station_id]:
            update_id = await self.db.add_update(
                {
                    "station_id": station_id,
                    "image_id": image["id"],
                    "kind": kind,
                    "campaign_id": campaign_id,
                    "target_version": image["version"],
                    "previous_version": station["firmware_version"],
                    "state": UpdateState.REQUESTED.value,
                    "boots": 0,
                    "override_reason": override_reason,
                    "requested_by": requested_by,
                    "requested_at": now,
                    "updated_at": now,
                }
            )
        if override_reason:
            await self.store.add_station_event(
                station_id,
                "firmware_override",
                now,
                {"update_id": update_id, "version": image["version"], "reason": override_reason, "by": requested_by},
            )
        try:
            command = orders.update_command(
                self.gateway.version_of(station_id),
                request_id=update_id,
                location=self.download_url(base_url, image, station_id),
                retrieve_at=now,
                install_at=install_at,
                signature=image["signature"],
                signing_certificate=image["signing_certificate"],
                signed_16=signed_16,
            )
            answer = await self.gateway.execute(station_id, command)
        except (StationNotConnected, CommandNotSupported, CallRejected, CallTimeout, OcppError) as exc:
            await self._apply(station_id, update_id, UpdateEvent.REJECTED, status=None, failure=type(exc).__name__)
            row = await self.db.get_update(update_id)
            assert row is not None
            return row
        await self.db.set_update(update_id, action=answer.action)
        ok = orders.accepted(answer.outcome)
        event = UpdateEvent.ACCEPTED if ok else UpdateEvent.REJECTED
        failure = None if ok else answer.outcome.status
        await self._apply(station_id, update_id, event, status=None, failure=failure)
        row = await self.db.get_update(update_id)
        assert row is not None
        return row

    async def fail_update(self, update: Row, reason: str) -> None:
        await self._apply(update["station_id"], int(update["id"]), UpdateEvent.TIMEOUT, status=None, failure=reason)

    async def _apply(
        self, station_id: str, update_id: int, event: UpdateEvent, *, status: str | None, failure: str | None = None
    ) -> UpdateState | None:
        async with self._locks[station_id]:
            row = await self.db.get_update(update_id)
            if row is None:
                return None
            current = UpdateState(row["state"])
            target = next_update_state(current, event)
            now = self.clock.now()
            values: dict[str, Any] = {"updated_at": now}
            if status is not None:
                values["last_status"] = status
            if target is None:
                if status is not None:
                    await self.db.set_update(update_id, **values)
                return None
            values["state"] = target.value
            if target is UpdateState.CONFIRMED:
                values["confirmed_at"] = now
            if target in (UpdateState.FAILED, UpdateState.REJECTED):
                values["failure"] = failure or status or event.value
            await self.db.set_update(update_id, **values)
            return target

    # -- bus events -------------------------------------------------------------------------

    async def apply_event(self, event: DomainEvent) -> None:
        match event.kind:
            case EventKind.FIRMWARE_STATUS:
                await self._firmware_status(event)
            case EventKind.STATION_BOOTED:
                await self._booted(event)
            case EventKind.FAULT_RAISED:
                self._faults[event.station_id].append(event.at)
            case EventKind.SECURITY_EVENT:
                self._security[event.station_id].append(event.at)
            case EventKind.LOG_STATUS:
                await self._log_status(event)

    def activity(self, station_id: str, since: datetime, until: datetime | None = None) -> Activity:
        def count(times: Iterable[datetime]) -> int:
            return sum(1 for t in times if t >= since and (until is None or t < until))

        return Activity(count(self._faults.get(station_id, ())), count(self._security.get(station_id, ())))

    async def _firmware_status(self, event: DomainEvent) -> None:
        status = str(event.data.get("status"))
        request_id = event.data.get("request_id")
        update: Row | None = None
        if request_id is not None:
            update = await self.db.get_update(int(request_id))
            if update is not None and update["station_id"] != event.station_id:
                update = None
        if update is None:
            update = await self.db.open_update(event.station_id)  # 1.6 notifications have no requestId
        if update is None:
            return
        mapped = STATUS_EVENTS.get(status)
        if mapped is None:
            await self.db.set_update(int(update["id"]), last_status=status, updated_at=self.clock.now())
            return
        await self._apply(event.station_id, int(update["id"]), mapped, status=status)

    async def _booted(self, event: DomainEvent) -> None:
        version = event.data.get("firmware_version")
        vendor, model = event.data.get("vendor"), event.data.get("model")
        station_id = event.station_id
        recent = await self.db.record_boot(station_id, vendor, model, version, event.at)
        if recent is None or recent["state"] == UpdateState.REJECTED:
            return
        if event.at - recent["requested_at"] > timedelta(seconds=self.options.boot_window_s):
            return
        await self.db.count_boot(int(recent["id"]), event.at)
        if UpdateState(recent["state"]) in TERMINAL_UPDATE_STATES:
            return
        booted_target = version is not None and version == recent["target_version"]
        mapped = UpdateEvent.BOOT_TARGET if booted_target else UpdateEvent.BOOT_OTHER
        await self._apply(station_id, int(recent["id"]), mapped, status=None, failure="version_unchanged")

    # -- diagnostics ------------------------------------------------------------------------

    async def request_diagnostics(
        self,
        station_id: str,
        *,
        base_url: str,
        log_type: str = "DiagnosticsLog",
        since: datetime | None = None,
        until: datetime | None = None,
        requested_by: str | None = None,
        use_get_log_16: bool = False,
    ) -> Row:
        version = self.gateway.version_of(station_id)  # raises StationNotConnected
        kind = "diagnostics" if version is OcppVersion.V16 and not use_get_log_16 else "log"
        now = self.clock.now()
        request_id = await self.db.add_diagnostics(
            {
                "station_id": station_id,
                "kind": kind,
                "log_type": None if kind == "diagnostics" else log_type,
                "state": "requested",
                "requested_by": requested_by,
                "requested_at": now,
                "updated_at": now,
            }
        )
        expires = now + timedelta(seconds=self.options.upload_ttl_s)
        token = self.tokens.issue(Grant("upload", str(request_id), station_id, expires))
        location = f"{base_url.rstrip('/')}/ocpp-files/diagnostics/{token}"
        command = orders.log_command(
            version, request_id, location, log_type=log_type, since=since, until=until, use_get_log_16=use_get_log_16
        )
        try:
            answer = await self.gateway.execute(station_id, command)
        except (CommandNotSupported, CallRejected, CallTimeout, OcppError) as exc:
            await self.db.set_diagnostics(request_id, state="rejected", last_status=type(exc).__name__, updated_at=now)
        else:
            response = answer.outcome.response  # 1.6 GetDiagnostics: a fileName and no status
            filename = response.get("fileName" if answer.action == "GetDiagnostics" else "filename")
            values: dict[str, Any] = {"filename": filename, "updated_at": self.clock.now()}
            current = await self.db.get_diagnostics(request_id)
            if current is not None and current["state"] == "requested":  # a fast station may already be uploading
                ok = orders.accepted(answer.outcome)
                values |= {"state": "accepted" if ok else "rejected", "last_status": response.get("status")}
            await self.db.set_diagnostics(request_id, **values)
        row = await self.db.get_diagnostics(request_id)
        assert row is not None
        return row

    async def store_upload(self, token: str, filename: str | None, upload: Spooled) -> Row:
        """Keep an uploaded diagnostics file (the token names the request); raises BadToken / Refused.
        The spooled file is moved into place or deleted."""
        try:
            grant = self.tokens.check(token, "upload", self.clock.now())
            request = await self.db.get_diagnostics(int(grant.subject))
            if request is None or request["station_id"] != grant.station_id:
                raise Refused("unknown diagnostics request")
            if request["stored_name"] is not None:
                raise Refused("this request already has its file")
        except BaseException:
            upload.discard()
            raise
        stored = f"{request['id']}-{secrets.token_hex(4)}"
        os.replace(upload.path, self.uploads_dir / stored)
        name = safe_filename(filename or request["filename"] or "", f"{grant.station_id}-{request['id']}.log")
        now = self.clock.now()
        await self.db.set_diagnostics(
            int(request["id"]),
            stored_name=stored,
            filename=name,
            size=upload.size,
            sha256=upload.sha256,
            uploaded_at=now,
            updated_at=now,
        )
        row = await self.db.get_diagnostics(int(request["id"]))
        assert row is not None
        return row

    def upload_path(self, row: Row) -> Path | None:
        return self.uploads_dir / row["stored_name"] if row["stored_name"] else None

    async def _log_status(self, event: DomainEvent) -> None:
        status = str(event.data.get("status"))
        if status == "Idle":
            return
        request_id = event.data.get("request_id")
        row: Row | None = None
        if request_id is not None:
            row = await self.db.get_diagnostics(int(request_id))
        if row is None:
            rows = [r for r in await self.db.list_diagnostics(event.station_id, limit=5) if r["state"] != "rejected"]
            row = rows[0] if rows else None
        if row is None or row["station_id"] != event.station_id:
            return
        state = {"Uploading": "uploading", "Uploaded": "uploaded"}.get(
            status, "failed" if status in _LOG_FAILED else None
        )
        values: dict[str, Any] = {"last_status": status, "updated_at": self.clock.now()}
        if state is not None:
            values["state"] = state
        await self.db.set_diagnostics(int(row["id"]), **values)
