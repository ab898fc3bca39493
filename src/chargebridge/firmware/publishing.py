"""Firmware publishing through a local controller (OCPP 2.0.1 L03 PublishFirmware, L04 UnpublishFirmware).

The CSMS asks a local controller (a 2.0.1 station that serves firmware to the stations behind it)
to download an image of the registry and publish it: PublishFirmware carries a one-station
download URL of chargebridge (the same signed links UpdateFirmware uses) and the image's MD5.
The controller reports progress with PublishFirmwareStatusNotification; each publication is a row
of ``firmware_publications`` (its id is the OCPP requestId) driven by :data:`TRANSITIONS`.
UnpublishFirmware stops the controller serving it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.publishing import PublishFirmware, PublishFirmwareStatusRequest, UnpublishFirmware
from chargebridge.domain.requests import Ack
from chargebridge.firmware.tables import firmware_publications
from chargebridge.store.repository import Row, Store

log = logging.getLogger(__name__)

# PublishFirmwareStatusEnumType -> the publication's state. Progress only moves forward; the
# failures and Published are where a publication ends (until it is unpublished).
STATUS_STATES: dict[str, str] = {
    "DownloadScheduled": "download_scheduled",
    "Downloading": "downloading",
    "DownloadPaused": "download_paused",
    "Downloaded": "downloaded",
    "ChecksumVerified": "checksum_verified",
    "Published": "published",
    "DownloadFailed": "download_failed",
    "InvalidChecksum": "invalid_checksum",
    "PublishFailed": "publish_failed",
}
_ORDER = ("requested", "accepted", "download_scheduled", "downloading", "download_paused", "downloaded",
          "checksum_verified", "published")  # fmt: skip
FAILED = frozenset({"download_failed", "invalid_checksum", "publish_failed"})
TERMINAL = FAILED | {"rejected", "unpublished"}


def next_state(state: str, status: str) -> str | None:
    """The state after a status notification, or None when it is ignored (repeated, late, unknown, Idle)."""
    target = STATUS_STATES.get(status)
    if target is None or state in TERMINAL or state == "published":
        return None
    if target in FAILED:
        return target
    if state == "download_paused" and target in ("downloading", "download_scheduled"):
        return target  # a paused download resumes
    if _ORDER.index(target) <= _ORDER.index(state):
        return None
    return target


def md5_of(path: Path) -> str:
    """MD5 of a file, hex (PublishFirmware's checksum; read in chunks)."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def publication_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "station_id": row["station_id"],
        "image_id": row["image_id"],
        "checksum": row["checksum"],
        "state": row["state"],
        "last_status": row["last_status"],
        "locations": row["locations"] or [],
        "requested_by": row["requested_by"],
        "requested_at": row["requested_at"],
        "updated_at": row["updated_at"],
        "published_at": row["published_at"],
        "unpublished_at": row["unpublished_at"],
    }


class Publisher:
    """PublishFirmware / UnpublishFirmware for one node, and the status notifications that follow."""

    def __init__(self, service: Any):  # FirmwareService (not imported: it imports the gateway)
        self.service = service
        self.store: Store = service.store
        self._checksums: dict[str, str] = {}  # image id -> MD5 (images never change)

    async def checksum(self, image: Row) -> str:
        cached = self._checksums.get(image["id"])
        if cached is None:
            cached = await asyncio.to_thread(md5_of, self.service.image_path(image["id"]))
            self._checksums[image["id"]] = cached
        return cached

    async def _insert(self, values: dict[str, Any]) -> int:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(insert(firmware_publications).values(**values))
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

        return int(await self.store.writer.run(op))

    async def _set(self, publication_id: int, **values: Any) -> None:
        async def op(conn: AsyncConnection) -> None:
            await conn.execute(
                update(firmware_publications).where(firmware_publications.c.id == publication_id).values(**values)
            )

        await self.store.writer.run(op)

    async def get(self, publication_id: int) -> Row | None:
        return await self.store._fetch_one(
            select(firmware_publications).where(firmware_publications.c.id == publication_id)
        )

    async def list(self, station_id: str, limit: int = 50) -> list[Row]:
        return await self.store._fetch_all(
            select(firmware_publications)
            .where(firmware_publications.c.station_id == station_id)
            .order_by(firmware_publications.c.id.desc())
            .limit(limit)
        )

    async def publish(
        self,
        station_id: str,
        image: Row,
        *,
        base_url: str,
        retries: int | None = None,
        retry_interval_s: int | None = None,
        requested_by: str | None = None,
    ) -> tuple[Row, Any]:
        """Record the publication and send PublishFirmware; returns (row, the station's answer).
        Raises what gateway.execute raises (the row is then ``rejected``)."""
        now = self.service.clock.now()
        checksum = await self.checksum(image)
        publication_id = await self._insert(
            {
                "station_id": station_id,
                "image_id": image["id"],
                "checksum": checksum,
                "state": "requested",
                "requested_by": requested_by,
                "requested_at": now,
                "updated_at": now,
            }
        )
        command = PublishFirmware(
            location=self.service.download_url(base_url, image, station_id),
            checksum=checksum,
            request_id=publication_id,
            retries=retries,
            retry_interval_s=retry_interval_s,
        )
        try:
            answer = await self.service.gateway.execute(station_id, command)
        except Exception as exc:
            await self._set(publication_id, state="rejected", last_status=type(exc).__name__[:32], updated_at=now)
            raise
        accepted = answer.outcome.status == "Accepted"
        await self._set(
            publication_id,
            state="accepted" if accepted else "rejected",
            last_status=None if accepted else answer.outcome.status[:32],
            updated_at=self.service.clock.now(),
        )
        row = await self.get(publication_id)
        assert row is not None
        return row, answer

    async def unpublish(self, station_id: str, checksum: str) -> Any:
        """Send UnpublishFirmware; Unpublished / NoFirmware mark the station's publications of that
        image ``unpublished``. Raises what gateway.execute raises."""
        answer = await self.service.gateway.execute(station_id, UnpublishFirmware(checksum))
        if answer.outcome.status in ("Unpublished", "NoFirmware"):
            now = self.service.clock.now()

            async def op(conn: AsyncConnection) -> None:
                await conn.execute(
                    update(firmware_publications)
                    .where(
                        firmware_publications.c.station_id == station_id,
                        firmware_publications.c.checksum == checksum,
                        firmware_publications.c.state.not_in(["rejected", "unpublished"]),
                    )
                    .values(state="unpublished", unpublished_at=now, updated_at=now)
                )

            await self.store.writer.run(op)
        return answer

    async def status_notification(
        self, station_id: str, version: str, request: PublishFirmwareStatusRequest, now: Any
    ) -> Ack:
        """A PublishFirmwareStatusNotification: stored as a station event, applied to its publication
        (by requestId, else the station's latest open one), published on the bus."""
        data = {"status": request.status, "request_id": request.request_id, "locations": list(request.locations)}
        await self.store.add_station_event(station_id, "publish_firmware_status", now, data)
        row = await self.get(request.request_id) if request.request_id is not None else None
        if row is not None and row["station_id"] != station_id:
            row = None  # another station's request id: not applied
        if row is None and request.request_id is None:
            rows = [r for r in await self.list(station_id, 5) if r["state"] not in TERMINAL]
            row = rows[0] if rows else None
        state = None
        if row is not None:
            state = next_state(row["state"], request.status)
            values: dict[str, Any] = {"last_status": request.status[:32], "updated_at": now}
            if state is not None:
                values["state"] = state
                if state == "published":
                    values["published_at"] = now
                    values["locations"] = list(request.locations)
            await self._set(row["id"], **values)
        self.service.bus.publish(
            DomainEvent(
                EventKind.FIRMWARE_PUBLISH_STATUS,
                station_id,
                now,
                {**data, "publication_id": row["id"] if row else None, "state": state},
            )
        )
        return Ack()
