"""Edge mode end to end: a simulated SDM630 on a pseudo-terminal (Modbus RTU), the edge process, and a
real chargebridge node as its upstream (https uplink)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from chargebridge.edge.runner import EdgeNode
from tests.conftest import Node, random_id, start_node
from tests.integration.edge_support import RtuMeter, edge_config, pty_pair, rtu_device_toml, wait_for
from tests.integration.tcp_proxy import TcpProxy


@pytest.fixture
async def line() -> AsyncIterator[tuple[RtuMeter, str]]:
    """(the meter on one end of a serial line, the device path of the other end)."""
    async with pty_pair() as (meter_end, edge_end):
        meter = RtuMeter(meter_end)
        await meter.start()
        try:
            yield meter, edge_end
        finally:
            await meter.stop()


async def edge_token(node: Node) -> str:
    return await node.token("operator")


async def edge_state(client: httpx.AsyncClient, edge_id: str) -> dict[str, Any] | None:
    response = await client.get(f"/api/v1/edges/{edge_id}")
    return response.json() if response.status_code == 200 else None


def device_of(state: dict[str, Any] | None, name: str) -> dict[str, Any]:
    assert state is not None
    return next(d for d in state["devices"] if d["device"] == name)


async def test_rtu_meter_reaches_the_server_over_https(
    sqlite_node: Node, line: tuple[RtuMeter, str], tmp_path: Path
) -> None:
    _, port = line
    node = sqlite_node
    assert node.app.store is not None
    station_id = random_id()
    await node.app.store.add_station(station_id, now=node.app.clock.now())
    edge_id = random_id("edge")
    token = await edge_token(node)
    events = node.app.bus.subscribe("edge-test")
    config = edge_config(
        tmp_path,
        edge_id,
        upstream=node.http_url,
        uplink=f'token = "{token}"\n',
        devices=rtu_device_toml("grid-meter", port, station_id=station_id, evse_id=1),
    )
    edge = EdgeNode(config)
    await edge.start()
    try:
        async with node.client() as client:

            async def sampled() -> dict[str, Any] | None:
                state = await edge_state(client, edge_id)
                if state is None or not state["devices"] or device_of(state, "grid-meter")["last_sample_at"] is None:
                    return None
                return state

            state = await wait_for(sampled, what="the meter's first sample at the server")
            device = device_of(state, "grid-meter")
            assert device["transport"] == "rtu"
            assert device["station_id"] == station_id
            assert device["reachable"] is True
            assert device["last_good_read_at"] is not None
            assert device["counters"]["polls"] >= 1
            assert device["active_faults"] == {}
            assert state["online"] is True and state["uplink"] == "https"

            listed = (await client.get("/api/v1/edges")).json()
            assert [e["id"] for e in listed if e["id"] == edge_id] == [edge_id]

            samples = (await client.get(f"/api/v1/edges/{edge_id}/samples", params={"limit": 1})).json()
            values = {(v["measurand"], v["phase"]): v["value"] for v in samples[0]["values"]}
            assert values[("Voltage", "L1-N")] == pytest.approx(230.5)
            assert values[("Energy.Active.Import.Register", None)] == pytest.approx(1234500.0)

            # The station's own meter values carry the readings too (like a [modbus] meter of a node).
            meter_values = (await client.get(f"/api/v1/stations/{station_id}/meter-values")).json()
            assert any(v["measurand"] == "Frequency" and v["evse_id"] == 1 for v in _rows(meter_values))
    finally:
        await edge.stop()
    # and on the bus, as meter.sampled for the station
    seen = []
    while not events.queue.empty():
        seen.append(events.queue.get_nowait())
    sampled_events = [e for e in seen if e.kind.value == "meter.sampled" and e.station_id == station_id]
    assert sampled_events and sampled_events[0].data["source"] == "edge"
    assert sampled_events[0].data["device"] == "grid-meter" and sampled_events[0].data["edge_id"] == edge_id


def _rows(answer: Any) -> list[dict[str, Any]]:
    if isinstance(answer, dict):
        for key in ("items", "samples", "meter_values"):
            if key in answer:
                return list(answer[key])
    return list(answer)


async def start_edge(config: Any) -> EdgeNode:
    edge = EdgeNode(config)
    await edge.start()
    return edge


async def test_serial_timeouts_garbage_and_recovery(
    sqlite_node: Node, line: tuple[RtuMeter, str], tmp_path: Path
) -> None:
    meter, port = line
    node = sqlite_node
    edge_id = random_id("edge")
    token = await edge_token(node)
    config = edge_config(
        tmp_path,
        edge_id,
        upstream=node.http_url,
        uplink=f'token = "{token}"\n',
        devices=rtu_device_toml("meter", port, site_id="depot"),
    )
    edge = await start_edge(config)
    device = edge.devices["meter"]
    assert device.modbus is not None
    try:
        async with node.client() as client:

            async def server_device(check: Any) -> Any:
                async def probe() -> dict[str, Any] | None:
                    state = await edge_state(client, edge_id)
                    if state is None or not state["devices"]:
                        return None
                    d = device_of(state, "meter")
                    return d if check(d) else None

                return probe

            await wait_for(await server_device(lambda d: d["reachable"] is True), what="a reachable meter")

            # The meter goes quiet: every poll times out; one Timeout fault, the device unreachable.
            await meter.stop()
            d = await wait_for(
                await server_device(lambda d: "Timeout" in d["active_faults"] and d["reachable"] is False),
                what="the Timeout fault at the server",
            )
            assert d["counters"]["timeouts"] >= 1
            assert d["last_good_read_at"] is not None  # the last good read is kept

            # Noise on the line: answers that are no Modbus frame are never taken for readings.
            samples_before = device.sink.samples
            await meter.garbage()
            polls = device.modbus.polls
            await wait_for(
                lambda: asyncio.sleep(0, result=meter.requests_seen_by_noise >= 3 and device.modbus.polls >= polls + 3),
                what="polls answered with noise",
            )
            assert device.sink.samples == samples_before
            assert device.modbus.failures >= 3
            assert {"Timeout", "CommunicationError"} & device.sink.active_faults.keys()

            # The meter is back: faults clear, readings flow again.
            await meter.start()
            d = await wait_for(
                await server_device(lambda d: d["reachable"] is True and d["active_faults"] == {}),
                what="recovery",
            )
            assert device.sink.samples > samples_before
            state = await edge_state(client, edge_id)
            assert state is not None and state["active_faults"] == 0
            # the bus saw the fault raised and cleared for the site
    finally:
        await edge.stop()


async def server_seqs(node: Node, edge_id: str) -> list[int]:
    from sqlalchemy import select

    from chargebridge.edges.tables import edge_samples

    assert node.app.store is not None
    async with node.app.store.reading() as conn:
        rows = await conn.execute(
            select(edge_samples.c.seq).where(edge_samples.c.edge_id == edge_id).order_by(edge_samples.c.id)
        )
        return [int(r[0]) for r in rows]


async def test_uplink_loss_restart_and_ordered_replay_without_duplicates(
    sqlite_node: Node, line: tuple[RtuMeter, str], tmp_path: Path
) -> None:
    meter, port = line
    node = sqlite_node
    edge_id = random_id("edge")
    token = await edge_token(node)
    http_port = int(node.http_url.rsplit(":", 1)[1])
    proxy = TcpProxy("127.0.0.1", http_port)
    await proxy.start()
    config = edge_config(
        tmp_path,
        edge_id,
        upstream=f"http://127.0.0.1:{proxy.port}",
        uplink=f'token = "{token}"\n',
        devices=rtu_device_toml("meter", port),
    )
    edge = await start_edge(config)
    try:
        async with node.client() as client:

            async def edge_row() -> dict[str, Any] | None:
                state = await edge_state(client, edge_id)
                return state if state and state["last_seq"] > 0 else None

            await wait_for(edge_row, what="the first batch")

            # The server goes away: the edge keeps reading and buffers on disk.
            await proxy.cut()
            await wait_for(lambda: asyncio.sleep(0, result=not edge.uplink_state.connected), what="uplink down")
            depth = edge.outbox.depth
            await wait_for(lambda: asyncio.sleep(0, result=edge.outbox.depth >= depth + 5), what="buffering")
            await meter.stop()  # a fault while the uplink is down is buffered too
            await wait_for(lambda: asyncio.sleep(0, result="Timeout" in edge.devices["meter"].sink.active_faults))
            await meter.start()
            await wait_for(lambda: asyncio.sleep(0, result=not edge.devices["meter"].sink.active_faults))

            # The edge restarts while the uplink is still down: nothing buffered is lost.
            await edge.stop()
            buffered_before_restart = edge.outbox.last_seq
            edge = await start_edge(config)
            assert edge.outbox.last_seq == buffered_before_restart
            assert edge.outbox.depth > 0
            await wait_for(
                lambda: asyncio.sleep(0, result=edge.outbox.last_seq >= buffered_before_restart + 3),
                what="readings after the restart",
            )

            # The server is back: everything is replayed, in order, once.
            await proxy.start()

            async def drained() -> dict[str, Any] | None:
                state = await edge_state(client, edge_id)
                done = state is not None and edge.outbox.depth == 0 and state["last_seq"] == edge.outbox.acked_seq
                return state if done and edge.outbox.acked_seq >= buffered_before_restart + 3 else None

            state = await wait_for(drained, timeout=30, what="the replay")
            seqs = await server_seqs(node, edge_id)
            assert seqs == sorted(seqs), "applied out of order"
            assert len(seqs) == len(set(seqs)), "a record was applied twice"
            # every record the edge ever wrote was applied (samples plus the fault and its clear)
            assert state["records_total"] == state["last_seq"]
            assert max(seqs) <= state["last_seq"]
            assert state["active_faults"] == 0

            # A batch sent again (an answer lost on the way) is acknowledged and not applied again.
            from sqlalchemy import select

            from chargebridge.edges.tables import edge_samples

            assert node.app.store is not None
            async with node.app.store.reading() as conn:
                row = (
                    (await conn.execute(select(edge_samples).where(edge_samples.c.edge_id == edge_id).limit(1)))
                    .mappings()
                    .first()
                )
            assert row is not None
            replay = {
                "edge_id": edge_id,
                "outbox_id": edge.outbox.outbox_id,
                "records": [
                    {
                        "seq": row["seq"],
                        "kind": "sample",
                        "device": "meter",
                        "at": "2030-01-01T00:00:00Z",
                        "data": {"values": row["sampled_values"]},
                    }
                ],
            }
            again = await client.post(
                f"/api/v1/edges/{edge_id}/batches", json=replay, headers={"Authorization": f"Bearer {token}"}
            )
            assert again.status_code == 200, again.text
            assert again.json() == {"acked_seq": state["last_seq"], "applied": 0, "duplicates": 1}
            assert await server_seqs(node, edge_id) == seqs
    finally:
        await edge.stop()
        await proxy.cut()


CAN_DEVICE = """
[[devices]]
name = "dc-module"
transport = "can"
interface = "virtual"
channel = "{channel}"
dbc = "dc-power-module"
sample_interval_s = 0.1
stale_after_s = 30
station_id = "{station_id}"
evse_id = 2

[[devices.signals]]
signal = "PM_OutputVoltage"
measurand = "Voltage"
unit = "V"
location = "Outlet"

[[devices.signals]]
signal = "PM_OutputCurrent"
measurand = "Current.Import"
negative_measurand = "Current.Export"
unit = "A"
location = "Outlet"

[[devices.faults]]
signal = "PM_FaultOverTemp"
code = "HighTemperature"
vendor_code_signal = "PM_VendorErrorCode"
"""


async def test_can_virtual_bus_through_the_edge(sqlite_node: Node, tmp_path: Path) -> None:
    import can

    from tests.integration.test_integrations_canbus import output_frame, status_frame

    node = sqlite_node
    assert node.app.store is not None
    station_id = random_id()
    await node.app.store.add_station(station_id, now=node.app.clock.now())
    edge_id = random_id("edge")
    channel = f"edge-{edge_id}"
    token = await edge_token(node)
    config = edge_config(
        tmp_path,
        edge_id,
        upstream=node.http_url,
        uplink=f'token = "{token}"\n',
        devices=CAN_DEVICE.format(channel=channel, station_id=station_id),
    )
    edge = await start_edge(config)
    sender = can.Bus(interface="virtual", channel=channel)
    try:
        async with node.client() as client:

            async def sample_with_voltage() -> list[dict[str, Any]] | None:
                sender.send(output_frame(812.3, -42.0, -34000))
                response = await client.get(f"/api/v1/edges/{edge_id}/samples")
                rows = response.json() if response.status_code == 200 else []
                return rows if any(v["measurand"] == "Voltage" for r in rows for v in r["values"]) else None

            rows = await wait_for(sample_with_voltage, what="a CAN sample at the server")
            values = {v["measurand"]: v["value"] for v in rows[0]["values"]}
            assert values["Voltage"] == pytest.approx(812.3)
            assert values["Current.Export"] == pytest.approx(42.0)  # negative current: V2G, as a magnitude

            sender.send(status_frame(95, vendor_code=0x2A, PM_FaultOverTemp=1))

            async def fault() -> dict[str, Any] | None:
                d = device_of(await edge_state(client, edge_id), "dc-module")
                return d if "HighTemperature" in d["active_faults"] else None

            d = await wait_for(fault, what="the over-temperature fault")
            assert d["transport"] == "can" and d["reachable"] is True
            assert d["counters"]["frames"] >= 2
            station_faults = (await client.get(f"/api/v1/stations/{station_id}/faults")).json()["items"]
            assert [(f["code"], f["vendor_code"], f["evse_id"]) for f in station_faults] == [
                ("HighTemperature", "0x002a", 2)
            ]

            sender.send(status_frame(60))

            async def cleared() -> bool:
                d = device_of(await edge_state(client, edge_id), "dc-module")
                faults = (await client.get(f"/api/v1/stations/{station_id}/faults")).json()["items"]
                return not d["active_faults"] and not faults

            await wait_for(cleared, what="the fault cleared at the edge and the station")
    finally:
        sender.shutdown()
        await edge.stop()


async def test_diagnostics_commands_status_page_and_cli(
    sqlite_node: Node, line: tuple[RtuMeter, str], tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from chargebridge.cli import app

    _, port = line
    node = sqlite_node
    edge_id = random_id("edge")
    token = await edge_token(node)
    config = edge_config(
        tmp_path,
        edge_id,
        upstream=node.http_url,
        uplink=f'token = "{token}"\n',
        devices=rtu_device_toml("meter", port),
    )
    edge = await start_edge(config)
    try:
        async with node.client() as client:
            await wait_for(lambda: edge_state(client, edge_id), what="the edge at the server")

            # A raw register read, relayed to the edge and answered: the SDM630's L1 voltage (float32 230.5).
            read = await client.post(
                f"/api/v1/edges/{edge_id}/diagnostics/read-register",
                json={"device": "meter", "register_type": "input", "address": 0, "count": 2},
            )
            assert read.status_code == 200, read.text
            assert read.json()["registers"] == [0x4366, 0x8000]

            bad = await client.post(
                f"/api/v1/edges/{edge_id}/diagnostics/read-register",
                json={"device": "no-such-meter", "address": 0},
            )
            assert bad.status_code == 502 and "no device" in bad.json()["detail"]

            # A limit for the energy manager, answered and kept by the edge.
            limit = await client.post(
                f"/api/v1/edges/{edge_id}/commands",
                json={"type": "set_limit", "params": {"name": "site", "value": 63000, "unit": "W"}, "wait_s": 10},
            )
            assert limit.status_code == 200, limit.text
            assert limit.json()["state"] == "answered"
            assert limit.json()["answer"]["status"] == "ok"
            assert edge.limits.values["site"]["value"] == 63000

            ping = await client.post(f"/api/v1/edges/{edge_id}/commands", json={"type": "ping", "wait_s": 10})
            assert ping.json()["answer"]["result"]["pong"] is True
            history = (await client.get(f"/api/v1/edges/{edge_id}/commands")).json()
            assert [c["type"] for c in history][:3] == ["ping", "set_limit", "read_register"]

            # The technician's view: the loopback page and `chargebridge edge status`.
            page = f"http://127.0.0.1:{edge.status_page.port}"
            async with httpx.AsyncClient(base_url=page) as local:
                html = (await local.get("/")).text
                assert edge_id in html and "meter" in html
                assert (await local.get("/limits")).json()["site"]["value"] == 63000
                assert (await local.post("/status")).status_code == 405
            result = await asyncio.to_thread(CliRunner().invoke, app, ["edge", "status", "--url", page])
            assert result.exit_code == 0, result.output
            assert "meter" in result.output and "connected" in result.output and "site: 63000" in result.output

        # The limit survives a restart of the edge.
        await edge.stop()
        edge = await start_edge(config)
        assert edge.limits.values["site"]["value"] == 63000
        await edge.stop()
        # With the edge gone, a diagnostic gets 504 in its time limit.
        async with node.client() as client:
            late = await client.post(
                f"/api/v1/edges/{edge_id}/diagnostics/read-register",
                json={"device": "meter", "address": 0, "timeout_s": 1},
            )
            assert late.status_code == 504
    finally:
        await edge.stop()


async def test_uplink_token_rules(node: Node, tmp_path: Path) -> None:
    """The ingest route wants an operator token; an edge is pinned to the token of its first batch
    (on SQLite and PostgreSQL)."""
    edge_id = random_id("edge")
    batch = {
        "edge_id": edge_id,
        "outbox_id": "o1",
        "records": [
            {
                "seq": 1,
                "kind": "sample",
                "device": "m",
                "at": "2030-01-01T00:00:00Z",
                "data": {"values": [{"measurand": "Voltage", "value": 230.0, "unit": "V"}]},
            }
        ],
    }
    url = f"{node.http_url}/api/v1/edges/{edge_id}/batches"
    first, second, viewer = await node.token("operator"), await node.token("operator"), await node.token("viewer")
    async with httpx.AsyncClient() as http:
        assert (await http.post(url, json=batch)).status_code == 401
        assert (await http.post(url, json=batch, headers={"Authorization": "Bearer nope"})).status_code == 401
        assert (await http.post(url, json=batch, headers={"Authorization": f"Bearer {viewer}"})).status_code == 403
        ok = await http.post(url, json=batch, headers={"Authorization": f"Bearer {first}"})
        assert ok.status_code == 200 and ok.json() == {"acked_seq": 1, "applied": 1, "duplicates": 0}
        again = await http.post(url, json=batch, headers={"Authorization": f"Bearer {first}"})
        assert again.json() == {"acked_seq": 1, "applied": 0, "duplicates": 1}
        more = {
            **batch,
            "records": [
                batch["records"][0],
                {**batch["records"][0], "seq": 2, "kind": "fault", "data": {"code": "Timeout", "info": "silent"}},
            ],
        }
        both = await http.post(url, json=more, headers={"Authorization": f"Bearer {first}"})
        assert both.json() == {"acked_seq": 2, "applied": 1, "duplicates": 1}
        state = (
            await http.get(f"{node.http_url}/api/v1/edges/{edge_id}", headers={"Authorization": f"Bearer {viewer}"})
        ).json()
        assert state["devices"][0]["active_faults"] == {"Timeout": "silent"} and state["records_total"] == 2
        other = await http.post(url, json=batch, headers={"Authorization": f"Bearer {second}"})
        assert other.status_code == 403 and "another token" in other.json()["detail"]
        # bad input is refused with a reason, and nothing is applied
        broken = {**batch, "records": [{**batch["records"][0], "seq": 3}, {**batch["records"][0], "seq": 2}]}
        refused = await http.post(url, json=broken, headers={"Authorization": f"Bearer {first}"})
        assert refused.status_code == 422 and "increasing seq" in refused.text
        wrong_path = await http.post(
            url.replace(edge_id, "someone-else"), json=batch, headers={"Authorization": f"Bearer {first}"}
        )
        assert wrong_path.status_code == 422

    # An edge with no token never gets its records in; it says why on its status.
    config = edge_config(tmp_path, random_id("edge"), upstream=node.http_url)
    edge = await start_edge(config)
    try:
        await wait_for(lambda: asyncio.sleep(0, result=edge.uplink_state.failures >= 1), what="a refused batch")
        assert "401" in (edge.uplink_state.last_error or "")
        assert edge.uplink_state.connected is False or edge.uplink_state.batches == 0
    finally:
        await edge.stop()


class TlsTerminator:
    """A reverse proxy that terminates TLS and insists on a client certificate from its CA (mTLS),
    in front of the node's plain HTTP port, as a deployment would put nginx or haproxy there."""

    def __init__(self, upstream_port: int, context: Any):
        self.upstream_port = upstream_port
        self.context = context
        self.server: asyncio.Server | None = None
        self.port = 0
        self.peers: list[str] = []

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self.context)
        self.port = int(self.server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        cert = writer.get_extra_info("peercert") or {}
        self.peers.append(dict(x[0] for x in cert.get("subject", ())).get("commonName", ""))
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))


async def test_mutual_tls_uplink(sqlite_node: Node, tmp_path: Path) -> None:
    import ssl

    from chargebridge.security.ca import create_ca, issue_server_certificate, issue_station_certificate

    node = sqlite_node
    ca = create_ca("edge test CA")
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(ca.cert_pem())
    server = issue_server_certificate(ca, ["127.0.0.1"])
    server.write(tmp_path / "server.pem", tmp_path / "server.key")
    client_cert = issue_station_certificate(ca, "edge-depot-7")  # a client-auth certificate
    client_cert.write(tmp_path / "edge.pem", tmp_path / "edge.key")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(ca_file))
    context.load_cert_chain(tmp_path / "server.pem", tmp_path / "server.key")
    context.verify_mode = ssl.CERT_REQUIRED
    proxy = TlsTerminator(int(node.http_url.rsplit(":", 1)[1]), context)
    await proxy.start()
    token = await edge_token(node)
    edge_id = random_id("edge")
    tls = f'ca_file = "{ca_file}"\n'
    with_cert = tls + f'client_cert = "{tmp_path / "edge.pem"}"\nclient_key = "{tmp_path / "edge.key"}"\n'
    try:
        # Without a client certificate the proxy refuses the handshake: nothing gets through.
        refused = await start_edge(
            edge_config(
                tmp_path, edge_id, upstream=f"https://127.0.0.1:{proxy.port}", uplink=tls + f'token = "{token}"\n'
            )
        )
        try:
            await wait_for(lambda: asyncio.sleep(0, result=refused.uplink_state.failures >= 1), what="a refusal")
            assert refused.uplink_state.batches == 0
        finally:
            await refused.stop()
        edge = await start_edge(
            edge_config(
                tmp_path,
                edge_id,
                upstream=f"https://127.0.0.1:{proxy.port}",
                uplink=with_cert + f'token = "{token}"\n',
                data_dir=tmp_path / "edge2",
            )
        )
        try:
            async with node.client() as client:
                state = await wait_for(lambda: edge_state(client, edge_id), what="a batch over mTLS")
            assert state["uplink"] == "https"
            assert "edge-depot-7" in proxy.peers
        finally:
            await edge.stop()
    finally:
        await proxy.stop()


async def test_a_long_poll_is_answered_at_once_when_the_node_stops(tmp_path: Path) -> None:
    node = await start_node(tmp_path, None)
    stopped = False
    try:
        token = await edge_token(node)
        edge_id = random_id("edge")
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=node.http_url, headers=headers, timeout=90) as http:
            batch = {"edge_id": edge_id, "outbox_id": "o", "records": []}
            assert (await http.post(f"/api/v1/edges/{edge_id}/batches", json=batch)).status_code == 200
            poll = asyncio.create_task(
                http.get(f"/api/v1/edges/{edge_id}/commands", params={"state": "pending", "wait_s": 60})
            )
            await asyncio.sleep(0.5)
            assert not poll.done()
            loop = asyncio.get_running_loop()
            started = loop.time()
            await node.app.stop()
            stopped = True
            assert loop.time() - started < 8, "the node waited for the long poll"
            with contextlib.suppress(httpx.HTTPError):
                answer = await asyncio.wait_for(poll, 5)
                assert answer.json() == []
    finally:
        if not stopped:
            await node.app.stop()
