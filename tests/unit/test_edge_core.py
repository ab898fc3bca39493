"""Edge pieces without hardware or network: the outbox, the wire format, site.toml, commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from chargebridge.edge.commands import CommandHandler, Limits
from chargebridge.edge.config import EdgeCanDevice, EdgeConfigError, EdgeModbusDevice, parse_edge_config
from chargebridge.edge.outbox import Outbox
from chargebridge.edge.protocol import Batch, Command
from chargebridge.services.clock import SystemClock


async def test_outbox_orders_acks_and_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    box = Outbox(path)
    await box.open()
    outbox_id = box.outbox_id
    seqs = [await box.append("sample", "m", f"2030-01-01T00:00:0{i}Z", {"i": i}) for i in range(5)]
    assert seqs == [1, 2, 3, 4, 5]
    assert [r.seq for r in await box.pending(3)] == [1, 2, 3]
    assert await box.ack(3) == 3
    assert [r.data["i"] for r in await box.pending(10)] == [3, 4]
    await box.put_state("limits", {"site": {"value": 1}})
    await box.close()

    again = Outbox(path)
    await again.open()
    try:
        assert again.outbox_id == outbox_id
        assert (again.acked_seq, again.last_seq, again.depth) == (3, 5, 2)
        assert [r.seq for r in await again.pending(10)] == [4, 5]
        assert await again.get_state("limits") == {"site": {"value": 1}}
        await again.ack(5)
        assert await again.pending(10) == []
        # sequence numbers are never reused, not even once every row was deleted
        assert await again.append("fault", "m", "2030-01-01T00:00:09Z", {"code": "Timeout"}) == 6
        assert await again.ack(2) == 0  # an old acknowledgement changes nothing
    finally:
        await again.close()


async def test_outbox_bound_sheds_oldest_samples_but_keeps_faults(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db", max_records=100)
    await box.open()
    try:
        await box.append("fault", "m", "2030-01-01T00:00:00Z", {"code": "Timeout"})
        for i in range(150):
            await box.append("sample", "m", "2030-01-01T00:00:01Z", {"i": i})
        records = await box.pending(1000)
        assert len(records) <= 100 and box.depth == len(records)
        assert box.dropped == 151 - len(records)
        assert records[0].kind == "fault"  # the fault is still there
        assert records[-1].data == {"i": 149}  # and the newest samples
        assert [r.seq for r in records] == sorted(r.seq for r in records)
    finally:
        await box.close()


async def test_outbox_batches_by_bytes(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db")
    await box.open()
    try:
        for _ in range(10):
            await box.append("sample", "m", "t", {"pad": "x" * 1000})
        assert len(await box.pending(100, max_bytes=3500)) == 3
        assert len(await box.pending(100, max_bytes=10)) == 1  # one record always goes
    finally:
        await box.close()


def record(seq: int, **extra: Any) -> dict[str, Any]:
    return {
        "seq": seq,
        "kind": "sample",
        "device": "meter",
        "at": "2030-01-01T00:00:00Z",
        "data": {"values": [{"measurand": "Voltage", "value": 230.0, "unit": "V"}]},
        **extra,
    }


def test_batch_rules() -> None:
    ok = Batch.model_validate({"edge_id": "depot-7", "outbox_id": "o", "records": [record(1), record(2)]})
    assert ok.records[1].values()[0].value == 230.0
    with pytest.raises(ValidationError, match="increasing seq"):
        Batch.model_validate({"edge_id": "depot-7", "outbox_id": "o", "records": [record(2), record(2)]})
    with pytest.raises(ValidationError, match="edge id"):
        Batch.model_validate({"edge_id": "depot 7", "outbox_id": "o"})
    with pytest.raises(ValidationError, match="time zone"):
        Batch.model_validate({"edge_id": "e", "outbox_id": "o", "records": [record(1, at="2030-01-01T00:00:00")]})
    with pytest.raises(ValidationError):
        Batch.model_validate({"edge_id": "e", "outbox_id": "o", "records": [record(0)]})
    broken = Batch.model_validate({"edge_id": "e", "outbox_id": "o", "records": [record(1, data={"values": 3})]})
    with pytest.raises(ValueError, match="values"):
        broken.records[0].values()
    fault = Batch.model_validate({"edge_id": "e", "outbox_id": "o", "records": [record(1, kind="fault", data={})]})
    with pytest.raises(ValueError, match="code"):
        fault.records[0].code()


SITE = """
[edge]
id = "depot-7"

[[devices]]
name = "grid-meter"
transport = "rtu"
map = "eastron-sdm630"
serial_port = "/dev/serial/by-id/usb-FTDI_FT232R-if00-port0"
baudrate = 19200
parity = "E"

[[devices]]
name = "dc-module"
transport = "can"
interface = "virtual"
channel = "vcan-test"
"""


def test_site_toml() -> None:
    config = parse_edge_config(SITE, upstream="nats://10.0.0.1:4222")
    assert config.uplink.url == "nats://10.0.0.1:4222"
    meter, module = config.devices
    assert isinstance(meter, EdgeModbusDevice) and meter.baudrate == 19200 and meter.parity == "E"
    assert isinstance(module, EdgeCanDevice) and module.transport == "can"
    with pytest.raises(EdgeConfigError, match=r"devices\[0\]\.bogus: unknown key"):
        parse_edge_config(SITE.replace('name = "grid-meter"', 'name = "grid-meter"\nbogus = 1'))
    with pytest.raises(EdgeConfigError, match="no built-in register map"):
        parse_edge_config(SITE.replace("eastron-sdm630", "no-such-map"))
    with pytest.raises(EdgeConfigError, match="unique"):
        parse_edge_config(SITE.replace('"dc-module"', '"grid-meter"'))
    with pytest.raises(EdgeConfigError, match="needs serial_port"):
        parse_edge_config(SITE.replace('serial_port = "/dev/serial/by-id/usb-FTDI_FT232R-if00-port0"', ""))
    with pytest.raises(EdgeConfigError, match="upstream"):
        parse_edge_config(SITE, upstream="ftp://somewhere")
    with pytest.raises(EdgeConfigError, match="device name"):
        parse_edge_config(SITE.replace('"grid-meter"', '"grid meter"'))
    with pytest.raises(EdgeConfigError, match="not valid TOML"):
        parse_edge_config("[edge")


async def test_commands_answer_once_and_refuse_clearly(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db")
    await box.open()
    try:
        limits = Limits(box)
        handler = CommandHandler({}, limits, SystemClock(), lambda: {"ok": True})
        command = Command(id="c1", type="set_limit", params={"name": "site", "value": 11000})
        first = await handler.handle(command)
        assert first.status == "ok" and limits.values["site"]["value"] == 11000
        # delivered again: the first answer, not a second run
        limits.values.clear()
        assert await handler.handle(command) == first and limits.values == {}
        bad = await handler.handle(Command(id="c2", type="set_limit", params={"value": "lots"}))
        assert bad.status == "error" and "bad params" in (bad.error or "")
        unknown = await handler.handle(Command(id="c3", type="reboot"))
        assert unknown.status == "error" and "unknown command type" in (unknown.error or "")
        missing = await handler.handle(Command(id="c4", type="read_register", params={"device": "x", "address": 0}))
        assert missing.status == "error" and "no device 'x'" in (missing.error or "")
        expired = await handler.handle(
            Command(id="c5", type="ping", expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        assert expired.status == "error" and "expired" in (expired.error or "")
        assert (await handler.handle(Command(id="c6", type="status"))).result == {"ok": True}
        restored = Limits(box)
        await restored.restore()
        assert restored.values["site"]["value"] == 11000
    finally:
        await box.close()
