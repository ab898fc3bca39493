"""Local authorization lists: one versioned list derived from the id-token store, kept on the
stations that get one, by full and differential SendLocalList updates.

- **Derivation.** Every few seconds a cheap fingerprint of the id-token store (count, newest
  change, Accepted tokens past their expiry) is compared; when it moves, after a short quiet
  period (debounce) the list is rebuilt and the differences written as a new version (see
  :mod:`.locallist` for the version rule). Tokens added, changed, blocked, expired or deleted
  through the API, the CLI or another process are all seen this way.
- **Which stations.** The node's policy (``local_list_policy``): ``all`` gives every registered
  station a list unless it is opted out, ``flagged`` only the stations opted in
  (``PUT /api/v1/stations/{id}/local-list``).
- **Sync.** When a station boots, its capabilities are read (1.6 LocalAuthListEnabled,
  LocalAuthListMaxLength, SendLocalListMaxLength; 2.0.1 LocalAuthListCtrlr Enabled,
  ItemsPerMessage, BytesPerMessage) and GetLocalListVersion tells what it holds. A station
  whose version is the one recorded gets the changes since then as Differential updates; any
  other gets the full list (Full, then Differential parts when it is larger than one message).
  A VersionMismatch (or Failed) answer to a differential update triggers a full resend. When
  the list changes, every eligible connected station is updated, at most ``concurrency`` at a time.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from chargebridge.authorization import locallist
from chargebridge.authorization.store import AuthorizationStore, VersionConflict
from chargebridge.bus.memory import EventBus, Subscription
from chargebridge.domain.authorization import (
    LIST_VERSION_UNSUPPORTED,
    AuthorizationEntry,
    GetLocalListVersion,
    SendLocalList,
    UpdateType,
    list_version_of,
)
from chargebridge.domain.commands import GetConfiguration, VariableRef
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.model import AuthorizationStatus, IdToken, IdTokenInfo
from chargebridge.domain.timeutil import format_datetime
from chargebridge.gateway.server import Gateway
from chargebridge.ocpp16 import authorization as v16
from chargebridge.ocpp201 import authorization as v201
from chargebridge.rpc import CallRejected, CallTimeout, OcppVersion, StationNotConnected
from chargebridge.services.clock import Clock
from chargebridge.store.repository import Row, Store
from chargebridge.tasks import BackgroundTasks, cancel_and_wait

log = logging.getLogger(__name__)

Policy = Literal["all", "flagged"]
SyncMode = Literal["auto", "full", "differential"]

# Station states (local_list_stations.state).
UNKNOWN = "unknown"
SYNCING = "syncing"
IN_SYNC = "in_sync"
FAILED = "failed"
UNSUPPORTED = "unsupported"
DISABLED = "disabled"  # the station has its local list switched off
TOO_LARGE = "too_large"

_V16_KEYS = ("LocalAuthListEnabled", "LocalAuthListMaxLength", "SendLocalListMaxLength")
_V201_VARIABLES = ("Enabled", "ItemsPerMessage", "BytesPerMessage")
_CTRLR = "LocalAuthListCtrlr"
_ENTRY_CACHE_SIZE = 8
# Boots looked at with one eligibility query (see LocalListService._consume).
BOOT_BATCH = 500


@dataclass(frozen=True, slots=True)
class LocalListOptions:
    policy: Policy = "flagged"
    poll_s: float = 2.0  # how often the id-token store's fingerprint is read
    debounce_s: float = 1.0  # quiet time after a change before the list is rebuilt
    concurrency: int = 20  # stations updated at once


@dataclass(frozen=True, slots=True)
class Capabilities:
    station_enabled: bool | None = None
    max_entries: int | None = None
    items_per_message: int | None = None
    bytes_per_message: int | None = None


class SyncRefused(Exception):
    """A sync that cannot be done as asked (e.g. differential without a known station version)."""


def _int(text: Any) -> int | None:
    try:
        return int(str(text).strip())
    except ValueError:
        return None


def _bool(text: Any) -> bool | None:
    value = str(text).strip().lower()
    return True if value == "true" else False if value == "false" else None


def capabilities_16(response: dict[str, Any]) -> Capabilities:
    values = {item.get("key"): item.get("value") for item in response.get("configurationKey") or ()}
    return Capabilities(
        station_enabled=_bool(values["LocalAuthListEnabled"]) if "LocalAuthListEnabled" in values else None,
        max_entries=_int(values.get("LocalAuthListMaxLength")),
        items_per_message=_int(values.get("SendLocalListMaxLength")),
    )


def capabilities_201(response: dict[str, Any]) -> Capabilities:
    values: dict[str, Any] = {}
    for result in response.get("getVariableResult") or ():
        if result.get("component", {}).get("name") == _CTRLR and result.get("attributeStatus") == "Accepted":
            values[result.get("variable", {}).get("name")] = result.get("attributeValue")
    return Capabilities(
        station_enabled=_bool(values["Enabled"]) if "Enabled" in values else None,
        items_per_message=_int(values.get("ItemsPerMessage")),
        bytes_per_message=_int(values.get("BytesPerMessage")),
    )


def station_view(row: Row | None, station_id: str, *, eligible: bool, list_version: int) -> dict[str, Any]:
    row = row or {}
    version = row.get("version")
    return {
        "station_id": station_id,
        "enabled": row.get("enabled"),
        "gets_list": eligible,
        "state": row.get("state", UNKNOWN),
        "version": version,
        "list_version": list_version,
        "in_sync": version == list_version and row.get("state") == IN_SYNC,
        "reported_version": row.get("reported_version"),
        "reported_at": format_datetime(row["reported_at"]) if row.get("reported_at") else None,
        "supported": row.get("supported"),
        "station_enabled": row.get("station_enabled"),
        "max_entries": row.get("max_entries"),
        "items_per_message": row.get("items_per_message"),
        "bytes_per_message": row.get("bytes_per_message"),
        "last_update_type": row.get("last_update_type"),
        "last_status": row.get("last_status"),
        "last_error": row.get("last_error"),
        "messages": row.get("messages", 0),
        "synced_at": format_datetime(row["synced_at"]) if row.get("synced_at") else None,
    }


def entry_view(row: Row) -> dict[str, Any]:
    return {
        "id_token": row["id_token"],
        "type": row["type"],
        "status": row["status"],
        "expires_at": format_datetime(row["expires_at"]) if row["expires_at"] else None,
        "group_id": row["group_id"],
        "version": row["version"],
    }


class LocalListService:
    def __init__(
        self, store: Store, gateway: Gateway, bus: EventBus, clock: Clock, options: LocalListOptions | None = None
    ):
        self.db = AuthorizationStore(store)
        self.store = store
        self.gateway = gateway
        self.bus = bus
        self.clock = clock
        self.options = options or LocalListOptions()
        self.offline = LocalListPolicy()
        self._refresh_lock = asyncio.Lock()
        self._station_locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._queued: dict[str, bool] = {}  # station -> read its capabilities first
        self._semaphore = asyncio.Semaphore(max(1, self.options.concurrency))
        self._tasks = BackgroundTasks(log, "local list update failed")
        self._watcher: asyncio.Task[None] | None = None
        self._consumer: asyncio.Task[None] | None = None
        self._subscription: Subscription | None = None
        self._fingerprint: tuple[Any, ...] | None = None
        # Entries read for a sync, by (full list at version | changes after version, list version):
        # a fleet booting at once asks for the same few lists thousands of times.
        self._entry_cache: dict[tuple[str, int, int], list[locallist.ListEntry]] = {}

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        self._fingerprint = await self.db.token_fingerprint(self.clock.now())
        await self.refresh()
        self._subscription = self.bus.subscribe("local-list", {EventKind.STATION_BOOTED})
        self._consumer = asyncio.create_task(self._consume(self._subscription), name="local-list-boots")
        self._watcher = asyncio.create_task(self._watch(), name="local-list-tokens")

    async def stop(self) -> None:
        if self._subscription is not None:
            self.bus.unsubscribe(self._subscription)
        for task in (self._watcher, self._consumer):
            if task is not None:
                await cancel_and_wait(task)
        await self._tasks.wait()

    # -- the list ---------------------------------------------------------------------------

    async def refresh(self) -> tuple[int, int]:
        """Bring the list in line with the id-token store now; returns (version, entries changed)."""
        async with self._refresh_lock:
            now = self.clock.now()
            tokens = await self.db.all_id_tokens()
            version = await self.db.list_version()
            current = await self.db.entries()
            desired = locallist.desired_list(tokens, now)
            self.offline.entries = desired  # what Authorize answers from while the database is away
            changed = locallist.changes(current, desired)
            if not changed:
                return version, 0
            new_version = locallist.next_version(version, len(changed))
            try:
                await self.db.append_changes(version, new_version, changed, now)
            except VersionConflict:
                log.warning("local list changed under the rebuild; the next look catches up")
                return await self.db.list_version(), 0
            data = {"type": "local_list", "version": new_version, "changed": len(changed)}
            self.bus.publish(DomainEvent(EventKind.STATION_EVENT, "", now, data))
            return new_version, len(changed)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.options.poll_s)
            try:
                fingerprint = await self.db.token_fingerprint(self.clock.now())
                if fingerprint == self._fingerprint:
                    continue
                await asyncio.sleep(self.options.debounce_s)  # let a burst of changes settle
                self._fingerprint = await self.db.token_fingerprint(self.clock.now())
                _, changed = await self.refresh()
                if changed:
                    await self.push_all("tokens changed")
            except Exception:
                log.exception("could not rebuild the local list")

    async def push_all(self, reason: str) -> int:
        """Schedule an update of every eligible connected station; returns how many."""
        connected = set(self.gateway.connections)
        stations = [s for s in await self.db.eligible_stations(self.options.policy == "all") if s in connected]
        for station_id in stations:
            self.schedule(station_id, reason)
        return len(stations)

    # -- stations ---------------------------------------------------------------------------

    async def eligible(self, station_id: str) -> bool:
        return bool(await self.eligible_among([station_id]))

    async def eligible_among(self, station_ids: list[str]) -> list[str]:
        """Those of ``station_ids`` that get a list under the policy (one query)."""
        return await self.db.eligible_stations(self.options.policy == "all", station_ids)

    async def view(self, station_id: str) -> dict[str, Any]:
        row = await self.db.station_state(station_id)
        return station_view(
            row, station_id, eligible=await self.eligible(station_id), list_version=await self.db.list_version()
        )

    async def station_entries(self, station_id: str, *, limit: int, offset: int) -> tuple[list[Row], int]:
        """What the station holds: the list at its recorded version (nothing when unknown)."""
        row = await self.db.station_state(station_id)
        version = row["version"] if row is not None else None
        if version is None:
            return [], 0
        return await self.db.entry_rows(version, limit=limit, offset=offset), await self.db.count_entries(version)

    async def set_enabled(self, station_id: str, enabled: bool | None) -> dict[str, Any]:
        await self.db.set_station_state(station_id, {"enabled": enabled}, self.clock.now())
        if enabled is not False and station_id in self.gateway.connections and await self.eligible(station_id):
            self.schedule(station_id, "enabled", discover=True)
        return await self.view(station_id)

    def schedule(self, station_id: str, reason: str, *, discover: bool = False) -> None:
        """Update a station in the background (coalesced: one queued update per station)."""
        if station_id in self._queued:
            self._queued[station_id] = self._queued[station_id] or discover
            return
        self._queued[station_id] = discover
        self._tasks.spawn(self._scheduled(station_id, reason))

    async def _scheduled(self, station_id: str, reason: str) -> None:
        async with self._semaphore:
            discover = self._queued.pop(station_id, False)
            try:
                await self.sync(station_id, "auto", reason=reason, discover=discover)
            except StationNotConnected:
                pass  # it gets its update when it boots again
            except (CallTimeout, CallRejected, ConnectionError) as exc:  # recorded on the station's row
                log.warning("%s: local list update failed: %s", station_id, exc)
            except Exception:
                log.exception("%s: local list update failed", station_id)

    async def _consume(self, subscription: Subscription) -> None:
        """Boots are looked at in bursts: one eligibility query for every boot queued (a reconnect
        wave of thousands of stations costs a few queries, not one per station)."""
        while True:
            first = await subscription.get()
            booted = list(dict.fromkeys(e.station_id for e in (first, *subscription.drain(BOOT_BATCH - 1))))
            try:
                for station_id in await self.eligible_among(booted):
                    self.schedule(station_id, "boot", discover=True)
            except Exception:
                log.exception("could not look at %d booted station(s) (first %s)", len(booted), booted[0])

    async def get_version(self, station_id: str) -> int:
        """Ask the station (GetLocalListVersion) and record the answer."""
        answer = await self.gateway.execute(station_id, GetLocalListVersion())
        version = list_version_of(answer.outcome)
        values: dict[str, Any] = {"reported_version": version, "reported_at": self.clock.now()}
        if version == LIST_VERSION_UNSUPPORTED:
            values.update(supported=False, state=UNSUPPORTED)
        else:
            values["supported"] = True
        await self.db.set_station_state(station_id, values, self.clock.now())
        return version

    async def _discover(self, station_id: str, version: OcppVersion) -> Capabilities:
        if version is OcppVersion.V16:
            command = GetConfiguration(keys=_V16_KEYS)
        else:
            command = GetConfiguration(variables=tuple(VariableRef(_CTRLR, name) for name in _V201_VARIABLES))
        try:
            answer = await self.gateway.execute(station_id, command)
        except StationNotConnected:
            raise
        except Exception as exc:  # a station that cannot say: go by GetLocalListVersion alone
            log.info("%s: could not read local list settings: %s", station_id, exc)
            return Capabilities()
        response = answer.outcome.response
        caps = capabilities_16(response) if version is OcppVersion.V16 else capabilities_201(response)
        values = {
            "station_enabled": caps.station_enabled,
            "max_entries": caps.max_entries,
            "items_per_message": caps.items_per_message,
            "bytes_per_message": caps.bytes_per_message,
        }
        await self.db.set_station_state(station_id, values, self.clock.now())
        return caps

    async def sync(
        self, station_id: str, mode: SyncMode = "auto", *, reason: str = "api", discover: bool = False
    ) -> dict[str, Any]:
        """Bring one connected station's list to the current version; returns the outcome.

        ``auto``: differential when the station holds the version recorded for it, else full;
        ``full`` / ``differential`` force the kind (differential raises SyncRefused when the
        station's version is not known to match the history)."""
        async with self._station_locks[station_id]:
            return await self._sync(station_id, mode, reason, discover)

    async def _sync(self, station_id: str, mode: SyncMode, reason: str, discover: bool) -> dict[str, Any]:
        version = self.gateway.version_of(station_id)  # StationNotConnected when offline
        row = await self.db.station_state(station_id)
        if discover or row is None or row["supported"] is None:
            caps = await self._discover(station_id, version)
        else:
            caps = Capabilities(
                row["station_enabled"], row["max_entries"], row["items_per_message"], row["bytes_per_message"]
            )
        now = self.clock.now()
        if caps.station_enabled is False:
            await self.db.set_station_state(station_id, {"state": DISABLED}, now)
            return {"state": DISABLED, "messages": 0, "reason": reason}
        reported = await self.get_version(station_id)
        if reported == LIST_VERSION_UNSUPPORTED:
            return {"state": UNSUPPORTED, "messages": 0, "reason": reason}
        target = await self.db.list_version()
        known = row["version"] if row is not None else None
        consistent = known is not None and reported == known and reported <= target
        if mode == "differential" and not consistent:
            raise SyncRefused(
                f"the station holds version {reported}, which is not the version recorded for it ({known}); "
                "send a full list"
            )
        full = mode == "full" or not consistent
        if target == 0 and reported == 0:  # both empty
            await self.db.set_station_state(station_id, {"state": IN_SYNC, "version": 0}, now)
            return {"state": IN_SYNC, "messages": 0, "version": 0, "reason": reason}
        if target == 0:
            # Nothing was ever on the list and 2.0.1 has no version 0 to send (D01.FR.18).
            return await self._failed(station_id, "the list is empty and has no version yet", reason)
        if not full and reported == target:
            await self.db.set_station_state(station_id, {"state": IN_SYNC, "version": target}, now)
            return {"state": IN_SYNC, "messages": 0, "version": target, "reason": reason}
        return await self._send(station_id, version, caps, target, reported, full, reason)

    def _fits(self, version: OcppVersion) -> Any:
        return v16.fits if version is OcppVersion.V16 else v201.fits

    async def _entries(
        self, version: OcppVersion, target: int, since: int | None
    ) -> tuple[list[AuthorizationEntry], int]:
        """The entries to send (full list at ``target``, or the changes after ``since``), in this
        version's reach; returns them and how many could not be said in this version."""
        key = ("full", target, target) if since is None else ("since", since, target)
        wanted = self._entry_cache.get(key)
        if wanted is None:
            if since is None:
                wanted = [e for e in (await self.db.entries(target)).values() if e.present]
            else:
                wanted = await self.db.changes_since(since, target)
            if len(self._entry_cache) >= _ENTRY_CACHE_SIZE:
                self._entry_cache.pop(next(iter(self._entry_cache)))
            self._entry_cache[key] = wanted
        fits = self._fits(version)
        entries = [e.authorization() for e in wanted]
        kept = [e for e in entries if fits(e)]
        return kept, len(entries) - len(kept)

    def _sizes(self, station_id: str, version: OcppVersion) -> tuple[Any, int]:
        adapter = self.gateway.connection(station_id).adapter

        def entry_size(entry: AuthorizationEntry) -> int:
            _, payload = adapter.encode_command(SendLocalList(1, UpdateType.DIFFERENTIAL, (entry,)))
            return len(json.dumps(payload["localAuthorizationList"][0], separators=(",", ":"), ensure_ascii=False))

        _, empty = adapter.encode_command(SendLocalList(2**31 - 1, UpdateType.DIFFERENTIAL, ()))
        # The OCPP-J frame around the payload: [2,"<36-char id>","SendLocalList",{...}] plus the list's key.
        base = len(json.dumps(empty, separators=(",", ":"))) + len(',"localAuthorizationList":[]') + 60
        return entry_size, base

    async def _send(
        self,
        station_id: str,
        version: OcppVersion,
        caps: Capabilities,
        target: int,
        reported: int,
        full: bool,
        reason: str,
    ) -> dict[str, Any]:
        entries, dropped = await self._entries(version, target, None if full else reported)
        present = len(entries) if full else await self.db.count_entries(target)
        if caps.max_entries is not None and present > caps.max_entries:
            now = self.clock.now()
            error = f"the list has {present} entries; the station holds at most {caps.max_entries}"
            await self.db.set_station_state(station_id, {"state": TOO_LARGE, "last_error": error, "version": None}, now)
            return {"state": TOO_LARGE, "messages": 0, "error": error, "reason": reason}
        limits = locallist.Limits(caps.items_per_message, caps.bytes_per_message)
        entry_size, base = self._sizes(station_id, version)
        try:
            messages = locallist.plan(
                locallist.split(entries, limits, entry_size, base),
                full=full,
                target_version=target,
                station_version=reported,
            )
        except locallist.CannotSplit as exc:
            return await self._failed(station_id, str(exc), reason)
        await self.db.set_station_state(station_id, {"state": SYNCING, "version": None}, self.clock.now())
        sent = 0
        for message in messages:
            try:
                answer = await self.gateway.execute(station_id, message)
            except Exception as exc:
                await self._failed(station_id, f"{type(exc).__name__}: {exc}", reason, message, sent)
                raise
            sent += 1
            status = answer.outcome.status
            if status == "Accepted":
                continue
            if message.update_type is UpdateType.DIFFERENTIAL and not full and status in ("VersionMismatch", "Failed"):
                # The station's list is not what the history says: resend it whole.
                log.info("%s: differential local list answered %s; sending the full list", station_id, status)
                return await self._send(station_id, version, caps, target, reported, True, reason)
            if status == "NotSupported":
                values = {"state": UNSUPPORTED, "supported": False, "last_status": status, "version": None}
                await self.db.set_station_state(station_id, values, self.clock.now())
                return {"state": UNSUPPORTED, "messages": sent, "status": status, "reason": reason}
            return await self._failed(station_id, f"SendLocalList answered {status}", reason, message, sent, status)
        now = self.clock.now()
        update_type = UpdateType.FULL if full else UpdateType.DIFFERENTIAL
        values = {
            "state": IN_SYNC,
            "version": target,
            "reported_version": target,
            "reported_at": now,
            "last_update_type": update_type.value,
            "last_status": "Accepted",
            "last_error": f"{dropped} tokens do not fit this OCPP version and were left out" if dropped else None,
            "messages": sent,
            "synced_at": now,
        }
        await self.db.set_station_state(station_id, values, now)
        data = {"type": "local_list_sync", "version": target, "update_type": update_type.value, "messages": sent}
        self.bus.publish(DomainEvent(EventKind.STATION_EVENT, station_id, now, {**data, "reason": reason}))
        await self.store.add_station_event(station_id, "local_list_sync", now, {**data, "reason": reason})
        return {
            "state": IN_SYNC,
            "version": target,
            "update_type": update_type.value,
            "messages": sent,
            "reason": reason,
        }

    async def _failed(
        self,
        station_id: str,
        error: str,
        reason: str,
        message: SendLocalList | None = None,
        sent: int = 0,
        status: str | None = None,
    ) -> dict[str, Any]:
        values: dict[str, Any] = {"state": FAILED, "last_error": error[:1000], "version": None, "messages": sent}
        if status is not None:
            values["last_status"] = status
        if message is not None:
            values["last_update_type"] = message.update_type.value
        await self.db.set_station_state(station_id, values, self.clock.now())
        return {"state": FAILED, "messages": sent, "error": error, "reason": reason}


class LocalListPolicy:
    """Authorize while the database is unreachable from the local list (an offline policy of
    :class:`~chargebridge.services.authorization.Authorization`): the node's copy of the list as
    last rebuilt, every token of the id-token store with its status, expiry and group. Between
    the recently-seen cache and the answer for unknown tokens, so a card on the list that this
    node has not seen lately is still judged as the stations holding the list would judge it."""

    name = "local_list"

    def __init__(self) -> None:
        self.entries: dict[str, locallist.ListEntry] = {}

    def decide(self, token: IdToken, now: datetime) -> tuple[IdTokenInfo, datetime | None] | None:
        entry = self.entries.get(token.value)
        if entry is None or not entry.present:
            return None
        info = entry.authorization().info
        assert info is not None  # present entries carry a status
        if info.status is AuthorizationStatus.ACCEPTED and info.expires_at is not None and info.expires_at <= now:
            info = IdTokenInfo(AuthorizationStatus.EXPIRED, expires_at=info.expires_at, group_id=info.group_id)
        return info, None
