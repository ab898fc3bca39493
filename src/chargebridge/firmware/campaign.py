"""OTA campaigns: staged waves per hardware batch, health gates, automatic halt and rollback.

One task per campaign that is not finished looks at it every ``tick_s``: it dispatches the
current wave's stations (inside the maintenance window, never interrupting a transaction),
follows their updates, judges each hardware batch when the wave has settled, writes the
outcome into the compatibility matrix, and halts the campaign when a batch fails its gate —
rolling that batch's updated stations back to their previous version when asked to. A resumed
campaign goes on without the failed batches. All state is in the database, so a restarted
node picks running campaigns up again.

In a cluster one node at a time runs the campaigns: the holder of the ``firmware.campaigns``
lease (:mod:`chargebridge.cluster.leases`). It looks for running campaigns every few seconds
(a campaign created or resumed through another node's API is picked up there), and when it
dies or stops another node takes the lease over and goes on from the database. Operator
actions are written by whichever node gets the API request.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from chargebridge.cluster.leases import Leases, LocalLeases
from chargebridge.firmware.plan import (
    Gates,
    StationOutcome,
    assign_waves,
    evaluate_gates,
    in_window,
    matrix_outcome,
    merge_status,
    validate_waves,
)
from chargebridge.firmware.service import FirmwareService, NeedsOverride, Refused
from chargebridge.firmware.states import (
    SETTLED_TARGET_STATES,
    CampaignEvent,
    CampaignState,
    TargetState,
    UpdateState,
    next_campaign_state,
)
from chargebridge.store.repository import Row
from chargebridge.tasks import cancel_and_wait

log = logging.getLogger(__name__)

_T = TargetState
LEASE = "firmware.campaigns"


def gates_from(spec: dict[str, Any]) -> Gates:
    return Gates(**spec.get("gates", {}))


class CampaignManager:
    def __init__(self, service: FirmwareService, leases: Leases | None = None, *, scan_s: float = 2.0):
        self.service = service
        self.db = service.db
        self.clock = service.clock
        self.leases: Leases = leases or LocalLeases()
        self.scan_s = scan_s  # cluster mode: how often the lease holder looks for campaigns to run
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._owner: asyncio.Task[None] | None = None

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        if self.leases.distributed:
            self._owner = asyncio.create_task(self.leases.run_while_held(LEASE, self._own), name="campaigns-lease")
            return
        await self._pick_up()

    async def _pick_up(self) -> None:
        for row in await self.db.list_campaigns():
            if row["state"] in (CampaignState.RUNNING, CampaignState.PAUSED, CampaignState.HALTED):
                self._ensure_task(row["id"])

    async def _own(self) -> None:
        """While this node holds the lease: run every campaign that needs it (cluster mode)."""
        try:
            while True:
                await self._pick_up()
                await asyncio.sleep(self.scan_s)
        finally:
            await self._stop_tasks()

    async def stop(self) -> None:
        if self._owner is not None:
            await cancel_and_wait(self._owner)
            self._owner = None
        await self._stop_tasks()

    async def _stop_tasks(self) -> None:
        tasks = list(self._tasks.values())
        await asyncio.gather(*(cancel_and_wait(task) for task in tasks))  # each bounded
        self._tasks.clear()

    def _ensure_task(self, campaign_id: str) -> None:
        if not self.leases.held(LEASE):
            return  # another node runs the campaigns; it picks this one up within scan_s
        task = self._tasks.get(campaign_id)
        if task is None or task.done():
            self._tasks[campaign_id] = asyncio.create_task(self._run(campaign_id), name=f"campaign-{campaign_id}")

    async def _run(self, campaign_id: str) -> None:
        while True:
            if not self.leases.held(LEASE):
                self._tasks.pop(campaign_id, None)
                return
            try:
                async with self._locks[campaign_id]:
                    busy = await self.tick(campaign_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("campaign %s: tick failed", campaign_id)
                busy = True
            if not busy:
                self._tasks.pop(campaign_id, None)
                return
            await asyncio.sleep(self.service.options.tick_s)

    # -- creation ---------------------------------------------------------------------------

    async def create(
        self, *, name: str, image_id: str, spec: dict[str, Any], base_url: str, created_by: str | None
    ) -> Row:
        image = await self.db.get_image(image_id)
        if image is None:
            raise Refused(f"no image {image_id!r}")
        validate_waves(spec["waves"])
        gates_from(spec)  # unknown gate names fail here
        stations = await self._select(image, spec["target"])
        if not stations:
            raise Refused("no station matches the target")
        hardware = await self.db.hardware_of([s["id"] for s in stations])
        batches: dict[str, list[str]] = defaultdict(list)
        revision_of: dict[str, str] = {}
        for station in stations:
            row = hardware.get(station["id"])
            revision = (row["hardware_revision"] or "") if row else ""
            revision_of[station["id"]] = revision
            batches[revision].append(station["id"])
        plan = assign_waves(dict(batches), spec["waves"])
        now = self.clock.now()
        campaign_id = secrets.token_hex(8)
        targets = [
            {
                "campaign_id": campaign_id,
                "station_id": station["id"],
                "wave": plan[station["id"]],
                "hardware_revision": revision_of[station["id"]],
                "previous_version": station["firmware_version"],
                "state": _T.PENDING.value,
                "updated_at": now,
            }
            for station in stations
        ]
        values = {
            "id": campaign_id,
            "name": name,
            "image_id": image_id,
            "state": CampaignState.DRAFT.value,
            "spec": spec | {"failed_batches": []},
            "base_url": base_url,
            "current_wave": 0,
            "created_by": created_by,
            "created_at": now,
            "updated_at": now,
        }
        await self.db.add_campaign(values, targets)
        return values

    async def _select(self, image: Row, target: dict[str, Any]) -> list[Row]:
        rows, _total = await self._all_stations()
        wanted_ids = set(target.get("station_ids") or [])
        revisions = set(target.get("hardware_revisions") or [])
        versions = set(target.get("current_versions") or [])
        tags = set(target.get("tags") or [])
        vendor = target.get("vendor") or image["vendor"]
        models = {target["model"]} if target.get("model") else set(image["models"])
        hardware = await self.db.hardware_of() if (revisions or tags) else {}
        selected = []
        for row in rows:
            if wanted_ids and row["id"] not in wanted_ids:
                continue
            if row["vendor"] != vendor or row["model"] not in models:
                continue
            if versions and row["firmware_version"] not in versions:
                continue
            if row["firmware_version"] == image["version"]:
                continue  # already there
            hw = hardware.get(row["id"])
            if revisions and (hw is None or hw["hardware_revision"] not in revisions):
                continue
            if tags and (hw is None or not tags.issubset(set(hw["tags"]))):
                continue
            selected.append(row)
        return sorted(selected, key=lambda r: str(r["id"]))

    async def _all_stations(self) -> tuple[list[Row], int]:
        rows: list[Row] = []
        offset = 0
        while True:
            page, total = await self.service.store.list_stations(limit=1000, offset=offset)
            rows.extend(page)
            offset += len(page)
            if not page or offset >= total:
                return rows, total

    # -- operator actions -------------------------------------------------------------------

    async def act(self, campaign_id: str, event: CampaignEvent, reason: str | None = None) -> Row:
        async with self._locks[campaign_id]:
            row = await self.db.get_campaign(campaign_id)
            if row is None:
                raise Refused(f"no campaign {campaign_id!r}")
            state = next_campaign_state(CampaignState(row["state"]), event)
            values: dict[str, Any] = {"state": state.value, "updated_at": self.clock.now()}
            if event is CampaignEvent.ABORT:
                values["halt_reason"] = reason or "aborted by an operator"
                for target in await self.db.targets(campaign_id):
                    if target["state"] in (_T.PENDING, _T.WAITING_TRANSACTION):
                        await self.db.set_target(campaign_id, target["station_id"], state=_T.SKIPPED, detail="aborted")
            await self.db.set_campaign(campaign_id, **values)
        self._ensure_task(campaign_id)
        updated = await self.db.get_campaign(campaign_id)
        assert updated is not None
        return updated

    async def rollback(self, campaign_id: str, hardware_revision: str | None = None) -> int:
        """Re-flash the previous version on the campaign's updated stations (optionally one batch)."""
        async with self._locks[campaign_id]:
            campaign = await self.db.get_campaign(campaign_id)
            if campaign is None:
                raise Refused(f"no campaign {campaign_id!r}")
            targets = [
                t
                for t in await self.db.targets(campaign_id)
                if hardware_revision is None or t["hardware_revision"] == hardware_revision
            ]
            count = await self._roll_back(campaign, targets)
        self._ensure_task(campaign_id)
        return count

    # -- the tick ---------------------------------------------------------------------------

    async def tick(self, campaign_id: str) -> bool:
        """One look at the campaign; returns whether it still needs looking at."""
        campaign = await self.db.get_campaign(campaign_id)
        if campaign is None:
            return False
        targets = await self.db.targets(campaign_id)
        await self._follow(campaign, targets)
        state = CampaignState(campaign["state"])
        if state is CampaignState.RUNNING:
            targets = await self.db.targets(campaign_id)
            await self._advance(campaign, targets)
            campaign = await self.db.get_campaign(campaign_id) or campaign
            state = CampaignState(campaign["state"])
        targets = await self.db.targets(campaign_id)
        moving = any(t["state"] in (_T.UPDATING, _T.ROLLING_BACK) for t in targets)
        return moving or state in (CampaignState.RUNNING, CampaignState.PAUSED, CampaignState.HALTED)

    async def _follow(self, campaign: Row, targets: list[Row]) -> None:
        """Move updating / rolling-back stations on from their update rows."""
        gates = gates_from(campaign["spec"])
        now = self.clock.now()
        ids = [int(t["update_id"]) for t in targets if t["state"] == _T.UPDATING and t["update_id"]]
        ids += [int(t["rollback_update_id"]) for t in targets if t["state"] == _T.ROLLING_BACK]
        updates = await self.db.updates_by_id(ids)
        deadline = timedelta(seconds=gates.online_deadline_s)
        for target in targets:
            if target["state"] == _T.UPDATING:
                update = updates.get(int(target["update_id"]))
                if update is None:
                    continue
                new_state, detail = self._judge_update(update, gates, now)
                if new_state is None and now - update["requested_at"] > deadline:
                    await self.service.fail_update(update, "not back online on the new version in time")
                    new_state, detail = _T.FAILED, "deadline"
            elif target["state"] == _T.ROLLING_BACK:
                update = updates.get(int(target["rollback_update_id"]))
                if update is None:
                    continue
                new_state, detail = None, None
                if update["state"] == UpdateState.CONFIRMED:
                    new_state, detail = _T.ROLLED_BACK, f"back on {update['target_version']}"
                elif update["state"] in (UpdateState.FAILED, UpdateState.REJECTED):
                    new_state, detail = _T.ROLLBACK_FAILED, update["failure"]
                elif now - update["requested_at"] > deadline:
                    await self.service.fail_update(update, "rollback not confirmed in time")
                    new_state, detail = _T.ROLLBACK_FAILED, "deadline"
            else:
                continue
            if new_state is not None:
                await self.db.set_target(
                    campaign["id"], target["station_id"], state=new_state.value, detail=detail, updated_at=now
                )

    @staticmethod
    def _judge_update(update: Row, gates: Gates, now: datetime) -> tuple[TargetState | None, str | None]:
        state = UpdateState(update["state"])
        if update["boots"] > gates.max_boots:
            return _T.FAILED, "boot_loop"
        if state in (UpdateState.FAILED, UpdateState.REJECTED):
            return _T.FAILED, update["failure"] or state.value
        if state is UpdateState.CONFIRMED and now - update["confirmed_at"] >= timedelta(seconds=gates.soak_s):
            return _T.SUCCEEDED, None
        return None, None

    async def _advance(self, campaign: Row, targets: list[Row]) -> None:
        spec = campaign["spec"]
        wave = int(campaign["current_wave"])
        failed_batches = set(spec.get("failed_batches", []))
        now = self.clock.now()
        window = spec.get("window") or {}
        if in_window(now, window.get("start"), window.get("end")):
            ready = [t for t in targets if t["wave"] <= wave and t["state"] in (_T.PENDING, _T.WAITING_TRANSACTION)]
            await self._dispatch(campaign, ready, failed_batches)
        in_wave = [t for t in targets if t["wave"] == wave]
        if any(t["state"] in (_T.PENDING, _T.UPDATING) for t in in_wave):
            return  # waiting_transaction stations do not hold a wave back; they are judged later
        await self._judge_wave(campaign, in_wave, failed_batches)
        campaign = await self.db.get_campaign(campaign["id"]) or campaign
        if campaign["state"] != CampaignState.RUNNING:
            return
        last_wave = len(spec["waves"]) - 1
        if wave < last_wave:
            await self.db.set_campaign(campaign["id"], current_wave=wave + 1, updated_at=now)
            return
        targets = await self.db.targets(campaign["id"])
        if all(t["state"] in SETTLED_TARGET_STATES for t in targets):
            late = [t for t in targets if t["wave"] != wave and t["detail"] == "after transaction"]
            if late:
                await self._judge_wave(campaign, late, failed_batches)
            campaign = await self.db.get_campaign(campaign["id"]) or campaign
            if campaign["state"] == CampaignState.RUNNING:
                state = next_campaign_state(CampaignState.RUNNING, CampaignEvent.FINISHED)
                await self.db.set_campaign(campaign["id"], state=state.value, updated_at=now)

    async def _dispatch(self, campaign: Row, ready: list[Row], failed_batches: set[str]) -> None:
        if not ready:
            return
        image = await self.db.get_image(campaign["image_id"])
        if image is None:
            return
        spec = campaign["spec"]
        gate = asyncio.Semaphore(self.service.options.dispatch_concurrency)

        async def one(target: Row) -> None:
            async with gate:
                await self._dispatch_one(campaign, image, target, failed_batches, spec)

        await asyncio.gather(*(one(t) for t in ready))

    async def _dispatch_one(
        self, campaign: Row, image: Row, target: Row, failed_batches: set[str], spec: dict[str, Any]
    ) -> None:
        campaign_id, station_id = campaign["id"], target["station_id"]
        now = self.clock.now()
        if target["hardware_revision"] in failed_batches:
            await self.db.set_target(campaign_id, station_id, state=_T.SKIPPED, detail="batch failed a gate")
            return
        if not self.service.gateway.is_connected(station_id):  # on any node of a cluster
            return  # offline: stays pending (the deadline starts at dispatch)
        _, active = await self.service.store.list_transactions(station_id=station_id, active=True, limit=1)
        if active:
            if target["state"] != _T.WAITING_TRANSACTION:
                await self.db.set_target(
                    campaign_id, station_id, state=_T.WAITING_TRANSACTION, detail="transaction in progress"
                )
            return
        try:
            station, hardware_revision = await self.service.station_identity(station_id)
            await self.service.check_allowed(station, hardware_revision, image, spec.get("override_reason"))
            await self.service.check_requirements(
                station,
                image,
                override=bool(spec.get("override")),
                by=campaign["created_by"],
                campaign_id=campaign_id,
            )
        except NeedsOverride as exc:
            await self.db.set_target(campaign_id, station_id, state=_T.SKIPPED, detail=str(exc)[:255], updated_at=now)
            return
        except Refused as exc:
            await self.db.set_target(campaign_id, station_id, state=_T.SKIPPED, detail=str(exc)[:255], updated_at=now)
            return
        update = await self.service.send_update(
            station_id,
            image,
            base_url=campaign["base_url"],
            campaign_id=campaign_id,
            override_reason=spec.get("override_reason"),
            requested_by=campaign["created_by"],
            signed_16=spec.get("signed", True),
        )
        detail = "after transaction" if target["state"] == _T.WAITING_TRANSACTION else None
        state = _T.FAILED if update["state"] in (UpdateState.REJECTED, UpdateState.FAILED) else _T.UPDATING
        await self.db.set_target(
            campaign_id,
            station_id,
            state=state.value,
            update_id=update["id"],
            previous_version=station["firmware_version"],
            detail=detail if state is _T.UPDATING else update["failure"],
            updated_at=now,
        )

    async def _judge_wave(self, campaign: Row, in_wave: Sequence[Row], failed_batches: set[str]) -> None:
        spec = campaign["spec"]
        gates = gates_from(spec)
        image = await self.db.get_image(campaign["image_id"])
        if image is None:
            return
        judged = [t for t in in_wave if t["state"] in (_T.SUCCEEDED, _T.FAILED)]
        updates = await self.db.updates_by_id([int(t["update_id"]) for t in judged if t["update_id"]])
        batches: dict[str, list[StationOutcome]] = defaultdict(list)
        for target in judged:
            if target["hardware_revision"] in failed_batches:
                continue
            update = updates.get(int(target["update_id"])) if target["update_id"] else None
            started = update["requested_at"] if update else self.clock.now()
            span = self.clock.now() - started
            during = self.service.activity(target["station_id"], started)
            before = self.service.activity(target["station_id"], started - span, started)
            batches[target["hardware_revision"] or ""].append(
                StationOutcome(
                    station_id=target["station_id"],
                    succeeded=target["state"] == _T.SUCCEEDED,
                    failure=target["detail"],
                    boots=int(update["boots"]) if update else 0,
                    new_faults=during.faults,
                    baseline_faults=before.faults,
                    security_events=during.security_events,
                )
            )
        failed: dict[str, str] = {}
        now = self.clock.now()
        stations = {t["station_id"]: t for t in judged}
        for revision, outcomes in batches.items():
            result = evaluate_gates(outcomes, gates)
            first = await self.service.store.get_station(outcomes[0].station_id)
            vendor = (first or {}).get("vendor") or image["vendor"]
            model = (first or {}).get("model") or image["models"][0]
            current = await self.db.get_compat(vendor, model, revision, image["version"])
            status = merge_status(current["status"] if current else None, matrix_outcome(result))
            note = f"campaign {campaign['id']} wave {stations[outcomes[0].station_id]['wave']}: " + (
                "; ".join(result.reasons) if result.reasons else f"{len(outcomes)} station(s) updated"
            )
            await self.db.set_compat(
                (vendor, model, revision, image["version"]), status=status.value, notes=note, source="campaign", now=now
            )
            if not result.passed:
                failed[revision] = "; ".join(result.reasons)
        if not failed:
            return
        failed_batches.update(failed)
        reason = "; ".join(f"hardware {rev or '(unknown)'}: {why}" for rev, why in sorted(failed.items()))
        # Skip and roll back first, then halt: whoever sees the halt sees the rollback under way.
        waiting = (_T.PENDING.value, _T.WAITING_TRANSACTION.value)
        await self.db.skip_targets(campaign["id"], list(failed), waiting, "batch failed a gate", now)
        if spec.get("auto_rollback", True):
            targets = await self.db.targets(campaign["id"])
            await self._roll_back(campaign, [t for t in targets if t["hardware_revision"] in failed])
        state = next_campaign_state(CampaignState(campaign["state"]), CampaignEvent.GATE_FAILED)
        await self.db.set_campaign(
            campaign["id"],
            state=state.value,
            halt_reason=reason,
            spec=spec | {"failed_batches": sorted(failed_batches)},
            updated_at=now,
        )

    async def _roll_back(self, campaign: Row, targets: Sequence[Row]) -> int:
        now = self.clock.now()
        count = 0
        for target in targets:
            if target["state"] not in (_T.SUCCEEDED, _T.FAILED, _T.ROLLBACK_FAILED) or not target["update_id"]:
                continue
            station = await self.service.store.get_station(target["station_id"])
            previous = target["previous_version"]
            if station is None or previous is None or station["firmware_version"] == previous:
                continue  # never left its version: nothing to roll back
            image = await self.db.find_image(station["vendor"], station["model"], previous, target["hardware_revision"])
            if image is None:
                await self.db.set_target(
                    campaign["id"],
                    target["station_id"],
                    state=_T.ROLLBACK_FAILED,
                    detail=f"no image of version {previous} in the registry",
                    updated_at=now,
                )
                continue
            update = await self.service.send_update(
                target["station_id"],
                image,
                base_url=campaign["base_url"],
                kind="rollback",
                campaign_id=campaign["id"],
                requested_by=campaign["created_by"],
                signed_16=campaign["spec"].get("signed", True),
            )
            failed = update["state"] in (UpdateState.REJECTED, UpdateState.FAILED)
            await self.db.set_target(
                campaign["id"],
                target["station_id"],
                state=(_T.ROLLBACK_FAILED if failed else _T.ROLLING_BACK).value,
                rollback_update_id=update["id"],
                detail=update["failure"] if failed else f"rolling back to {previous}",
                updated_at=now,
            )
            count += 1
        return count

    # -- progress ---------------------------------------------------------------------------

    async def progress(self, campaign_id: str) -> dict[str, Any] | None:
        campaign = await self.db.get_campaign(campaign_id)
        if campaign is None:
            return None
        targets = await self.db.targets(campaign_id)
        waves: list[dict[str, Any]] = []
        for index, percent in enumerate(campaign["spec"]["waves"]):
            counts: dict[str, int] = defaultdict(int)
            for target in targets:
                if target["wave"] == index:
                    counts[target["state"]] += 1
            waves.append({"wave": index, "percent": percent, "stations": sum(counts.values()), "states": dict(counts)})
        batches: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for target in targets:
            batches[target["hardware_revision"] or ""][target["state"]] += 1
        return {
            "campaign": campaign,
            "waves": waves,
            "batches": {rev: dict(states) for rev, states in batches.items()},
            "stations": targets,
            "gates": asdict(gates_from(campaign["spec"])),
        }
