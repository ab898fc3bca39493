"""Local authorization lists end to end over real sockets, with charge points of the public `ocpp`
package on both versions and both databases: the list derived from the id-token store, full
lists split per the station's limits (Full, then Differential, versions strictly increasing),
differential updates pushed when tokens are blocked, expire or are deleted, VersionMismatch
answered with a full resend, GetLocalListVersion, the per-station flag and the audit log."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Cp16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import ChargePoint as Cp201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201

from chargebridge.authorization.local_list_service import LocalListOptions
from chargebridge.domain.events import DomainEvent, EventKind
from tests.conftest import Node, random_id, start_node
from tests.integration.test_ocpp_library_clients import running
from tests.integration.test_reservations import add_token, eventually, extension, iso, now


def speed_up(node: Node) -> None:
    """Look at the id-token store every 0.2 s instead of every 2 s (the loop reads its options each round)."""
    service = extension(node).local_list
    assert service is not None
    service.options = LocalListOptions(policy=service.options.policy, poll_s=0.2, debounce_s=0.2)


class ListHolder:
    """A station's local list as the spec says it keeps one (shared by both versions' test stations)."""

    def __init__(self) -> None:
        self.version = 0
        self.entries: dict[str, dict[str, Any] | None] = {}
        self.messages: list[dict[str, Any]] = []
        self.mismatch_next_differential = False

    def apply(self, version: int, update_type: str, items: list[tuple[str, dict[str, Any] | None]]) -> str:
        self.messages.append({"version": version, "update_type": update_type, "tokens": [t for t, _ in items]})
        if update_type == "Differential":
            if self.mismatch_next_differential:
                self.mismatch_next_differential = False
                return "VersionMismatch"
            if version <= self.version:
                return "VersionMismatch"
        else:
            self.entries = {}
        for token, info in items:
            if info is None:
                self.entries.pop(token, None)
            else:
                self.entries[token] = info
        self.version = version
        return "Accepted"


class List16(Cp16):
    holder: ListHolder
    config: dict[str, str]

    @on(Action16.get_configuration)
    async def on_get_configuration(self, key: list[str] | None = None) -> result16.GetConfiguration:
        known = [{"key": k, "readonly": False, "value": v} for k, v in self.config.items() if not key or k in key]
        return result16.GetConfiguration(configuration_key=known)

    @on(Action16.get_local_list_version)
    async def on_version(self) -> result16.GetLocalListVersion:
        return result16.GetLocalListVersion(list_version=self.holder.version)

    @on(Action16.send_local_list)
    async def on_send(self, list_version: int, update_type: str, **kwargs: Any) -> result16.SendLocalList:
        items = [(item["id_tag"], item.get("id_tag_info")) for item in kwargs.get("local_authorization_list", [])]
        return result16.SendLocalList(status=self.holder.apply(list_version, update_type, items))


class List201(Cp201):
    holder: ListHolder
    variables: dict[str, str]

    @on(Action201.get_variables)
    async def on_get_variables(self, get_variable_data: list[dict[str, Any]]) -> result201.GetVariables:
        results = []
        for item in get_variable_data:
            value = self.variables.get(item["variable"]["name"])
            result = {"component": item["component"], "variable": item["variable"]}
            result["attribute_status"] = "Accepted" if value is not None else "UnknownVariable"
            if value is not None:
                result["attribute_value"] = value
            results.append(result)
        return result201.GetVariables(get_variable_result=results)

    @on(Action201.get_local_list_version)
    async def on_version(self) -> result201.GetLocalListVersion:
        return result201.GetLocalListVersion(version_number=self.holder.version)

    @on(Action201.send_local_list)
    async def on_send(self, version_number: int, update_type: str, **kwargs: Any) -> result201.SendLocalList:
        raw = kwargs.get("local_authorization_list", [])
        items = [(item["id_token"]["id_token"], item.get("id_token_info")) for item in raw]
        return result201.SendLocalList(status=self.holder.apply(version_number, update_type, items))


async def put_token(node: Node, token: str, **body: Any) -> None:
    async with node.client() as http:
        answer = await http.put(f"/api/v1/id-tokens/{token}", json=body)
        assert answer.status_code == 200, answer.text


async def list_holding(node: Node, count: int) -> int:
    """Wait until the node's list holds ``count`` entries (the store is read every 0.2 s); its version."""

    async def holds() -> bool:
        async with node.client() as http:
            return bool((await http.get("/api/v1/local-list")).json()["total"] == count)

    await eventually(holds)
    return await list_version(node)


async def list_version(node: Node) -> int:
    async with node.client() as http:
        return int((await http.get("/api/v1/local-list")).json()["version"])


async def test_ocpp16_local_list_full_split_differential_pushes_and_version_mismatch(node: Node) -> None:
    speed_up(node)
    station_id = random_id("LL16")
    await add_token(node, "CARD-A", group="FLEET")
    await add_token(node, "CARD-B")
    await add_token(node, "CARD-C", status="Blocked")
    await add_token(node, "CARD-D")
    await add_token(node, "CARD-E")
    await add_token(node, "A-TOKEN-LONGER-THAN-TWENTY")  # cannot be a 1.6 idTag: left out
    holder = ListHolder()
    async with websockets.connect(f"{node.ocpp_url}/{station_id}", subprotocols=["ocpp1.6"]) as ws:
        cp = List16(station_id, ws)
        cp.holder = holder
        cp.config = {"LocalAuthListEnabled": "true", "LocalAuthListMaxLength": "50", "SendLocalListMaxLength": "2"}
        async with running(cp), node.client() as http:
            await cp.call(call16.BootNotification(charge_point_model="L1", charge_point_vendor="LibVendor"))
            # Policy "flagged": nothing is sent until the station is opted in.
            await asyncio.sleep(0.5)
            assert holder.messages == []
            state = (await http.get(f"/api/v1/stations/{station_id}/local-list")).json()
            assert state["gets_list"] is False and state["version"] is None
            target = await list_holding(node, 6)
            opted = await http.patch(f"/api/v1/stations/{station_id}/local-list", json={"enabled": True})
            assert opted.status_code == 200 and opted.json()["gets_list"] is True

            async def synced_to(version: int) -> bool:
                row = (await http.get(f"/api/v1/stations/{station_id}/local-list")).json()
                return bool(row["in_sync"] and row["version"] == version and holder.version == version)

            await eventually(lambda: synced_to(target))
            # Five 1.6-sized tokens, at most two per message: Full, then Differential, versions rising to the list's.
            assert [m["update_type"] for m in holder.messages] == ["Full", "Differential", "Differential"]
            versions = [m["version"] for m in holder.messages]
            assert versions == sorted(set(versions)) and versions[-1] == target and versions[0] > 0
            assert all(len(m["tokens"]) <= 2 for m in holder.messages)
            assert set(holder.entries) == {"CARD-A", "CARD-B", "CARD-C", "CARD-D", "CARD-E"}
            assert holder.entries["CARD-A"] == {"status": "Accepted", "parent_id_tag": "FLEET"}
            assert holder.entries["CARD-C"]["status"] == "Blocked"
            row = (await http.get(f"/api/v1/stations/{station_id}/local-list")).json()
            assert row["last_update_type"] == "Full" and row["messages"] == 3
            assert row["max_entries"] == 50 and row["items_per_message"] == 2
            assert "left out" in row["last_error"]  # the long token, said plainly
            assert row["entries"]["total"] == 6  # the list at the station's version, as recorded

            # A token blocked through the API: one differential update, pushed without being asked.
            sent = len(holder.messages)
            await put_token(node, "CARD-B", status="Blocked")
            await eventually(lambda: synced_to(target + 1))
            expected = {"version": target + 1, "update_type": "Differential", "tokens": ["CARD-B"]}
            assert holder.messages[sent:] == [expected]
            assert holder.entries["CARD-B"]["status"] == "Blocked"

            # Deleted: a differential entry without idTagInfo removes it.
            sent = len(holder.messages)
            assert (await http.delete("/api/v1/id-tokens/CARD-D")).status_code == 204
            await eventually(lambda: synced_to(target + 2))
            assert holder.messages[sent:][0]["tokens"] == ["CARD-D"] and "CARD-D" not in holder.entries

            # Expiry: an Accepted token whose expiry passes goes out as Expired.
            await put_token(node, "CARD-E", status="Accepted", expires_at=iso(now() + timedelta(seconds=1)))
            await eventually(lambda: synced_to(target + 3))
            await eventually(lambda: synced_to(target + 4))
            assert holder.entries["CARD-E"]["status"] == "Expired"

            # VersionMismatch to a differential: the full list is sent again.
            sent = len(holder.messages)
            holder.mismatch_next_differential = True
            await add_token(node, "CARD-F")
            version = target + 5
            await eventually(lambda: synced_to(version))
            kinds = [m["update_type"] for m in holder.messages[sent:]]
            assert kinds[0] == "Differential" and kinds[1] == "Full"
            assert "CARD-F" in holder.entries and len(holder.entries) == 5

            # GetLocalListVersion from the API (audited although it is a GET).
            asked = await http.get(f"/api/v1/stations/{station_id}/local-list/version")
            assert asked.status_code == 200 and asked.json()["version"] == version
            assert asked.json()["recorded_version"] == version

            # Forced syncs: differential when in sync sends nothing; full sends the whole list again.
            sent = len(holder.messages)
            quiet = await http.post(f"/api/v1/stations/{station_id}/local-list", json={"update_type": "differential"})
            assert quiet.status_code == 200 and quiet.json()["messages"] == 0 and len(holder.messages) == sent
            full = await http.post(f"/api/v1/stations/{station_id}/local-list", json={"update_type": "full"})
            assert full.status_code == 200, full.text
            assert full.json()["update_type"] == "Full" and holder.messages[sent]["update_type"] == "Full"
            # A station that lost its list (reports another version) cannot get a differential.
            holder.version = 1
            refused = await http.post(f"/api/v1/stations/{station_id}/local-list", json={"update_type": "differential"})
            assert refused.status_code == 409

    async with node.client() as http:
        audit = (await http.get("/api/v1/audit", params={"station_id": station_id})).json()["items"]
        actions = {entry["action"] for entry in audit}
        assert {"get_local_list_version", "sync_station_local_list", "set_station_local_list"} <= actions
        offline = await http.post(f"/api/v1/stations/{station_id}/local-list")
        assert offline.status_code == 409


async def test_ocpp201_local_list_policy_all_items_and_bytes_per_message(tmp_path: Path) -> None:
    node = await start_node(tmp_path, None, auto_register=True, local_list_policy="all")
    try:
        speed_up(node)
        for n in range(4):
            await add_token(node, f"RFID-{n}", group="G-201" if n == 0 else None)
        station_id = random_id("LL201")
        target = await list_holding(node, 4)
        holder = ListHolder()
        async with websockets.connect(f"{node.ocpp_url}/{station_id}", subprotocols=["ocpp2.0.1"]) as ws:
            cp = List201(station_id, ws)
            cp.holder = holder
            # ItemsPerMessage allows 3, BytesPerMessage only about two entries per message.
            cp.variables = {"Enabled": "true", "ItemsPerMessage": "3", "BytesPerMessage": "330"}
            async with running(cp), node.client() as http:
                await cp.call(
                    call201.BootNotification(charging_station={"model": "L2", "vendor_name": "Lib"}, reason="PowerUp")
                )

                async def synced_to(version: int) -> bool:
                    row = (await http.get(f"/api/v1/stations/{station_id}/local-list")).json()
                    return bool(row["in_sync"] and row["version"] == version and holder.version == version)

                # Policy "all": the station gets its list at boot without being opted in.
                await eventually(lambda: synced_to(target))
                assert holder.messages[0]["update_type"] == "Full"
                # Three items would fit a message; the byte limit makes it more messages than that alone.
                assert len(holder.messages) > 2 and all(len(m["tokens"]) <= 3 for m in holder.messages)
                assert holder.entries["RFID-0"] == {
                    "status": "Accepted",
                    "group_id_token": {"id_token": "G-201", "type": "Central"},
                }
                row = (await http.get(f"/api/v1/stations/{station_id}/local-list")).json()
                assert row["items_per_message"] == 3 and row["bytes_per_message"] == 330

                # Opted out: changes no longer reach it.
                await http.patch(f"/api/v1/stations/{station_id}/local-list", json={"enabled": False})
                sent = len(holder.messages)
                await add_token(node, "RFID-9")
                await eventually(lambda: list_version_changed(node, target))
                await asyncio.sleep(1.0)
                assert len(holder.messages) == sent
                # What the station holds is the list at its version, not the newest one.
                behind = (await http.get(f"/api/v1/stations/{station_id}/local-list")).json()
                assert behind["version"] == target and behind["in_sync"] is False
                assert {e["id_token"] for e in behind["entries"]["items"]} == {f"RFID-{n}" for n in range(4)}
                assert (await http.get("/api/v1/local-list")).json()["total"] == 5
                # Back to the policy: the next change catches it up by a differential update.
                await http.patch(f"/api/v1/stations/{station_id}/local-list", json={"enabled": None})
                newest = await list_version(node)
                await eventually(lambda: synced_to(newest))
                assert holder.messages[sent]["update_type"] == "Differential"
                assert "RFID-9" in holder.entries
    finally:
        await node.app.stop()


async def list_version_changed(node: Node, before: int) -> bool:
    return await list_version(node) > before


async def test_a_wave_of_boots_is_looked_at_in_a_few_queries(tmp_path: Path) -> None:
    """A reconnect wave: thousands of boots must not cost one eligibility query each."""
    node = await start_node(tmp_path, None, auto_register=True, local_list_policy="all")
    try:
        service = extension(node).local_list
        assert service is not None
        store = node.app.store
        assert store is not None
        at = now()
        ids = [f"WAVE-{i:03d}" for i in range(120)]
        for station_id in ids:
            await store.add_station(station_id, now=at)
        queries: list[int] = []
        scheduled: list[str] = []
        eligible_stations = service.db.eligible_stations

        async def counted(policy_all: bool, station_ids: Any = None) -> list[str]:
            queries.append(len(station_ids or ()))
            return await eligible_stations(policy_all, station_ids)

        service.db.eligible_stations = counted  # type: ignore[method-assign]
        service.schedule = lambda station_id, reason, discover=False: scheduled.append(station_id)  # type: ignore[method-assign]
        for station_id in ids:  # as the gateway publishes them: one event per boot, in one burst
            node.app.bus.publish(DomainEvent(EventKind.STATION_BOOTED, station_id, at, {}))
        for _ in range(200):
            if len(scheduled) == len(ids):
                break
            await asyncio.sleep(0.02)
        assert sorted(scheduled) == ids  # every booted station looked at, each once
        assert len(queries) <= 2 and sum(queries) == len(ids)
    finally:
        await node.app.stop()
