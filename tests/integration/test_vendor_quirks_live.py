"""Vendor quirk profiles on live connections: the gateway relaxes named violations for the named
vendor/model/firmware only, normalises the message, and counts every violation."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import start_node
from tests.integration.helpers import RawStation

LONG_SERIAL = "KLV-WBS-" + "0" * 32  # 40 characters; both OCPP versions allow 25


async def test_kelvo_quirks_accepted_others_refused(tmp_path: Path) -> None:
    config = tmp_path / "chargebridge.toml"
    config.write_text("[vendors]\nenabled = true\n")
    node = await start_node(tmp_path, auto_register=True, config_file=config)
    try:
        kelvo = await RawStation.open(node.ocpp_url, "KELVO-1", "1.6")
        boot = {
            "chargePointVendor": "Kelvo",
            "chargePointModel": "Wallbox-S",
            "firmwareVersion": "1.8.2",
            "chargePointSerialNumber": LONG_SERIAL,
        }
        answer = await kelvo.call("BootNotification", boot)
        assert answer[0] == 3 and answer[2]["status"] == "Accepted"
        status = {"connectorId": 1, "errorCode": "E_OVERHEAT", "status": "Faulted"}
        assert (await kelvo.call("StatusNotification", status))[0] == 3

        other = await RawStation.open(node.ocpp_url, "OTHER-1", "1.6")
        strict = await other.call("BootNotification", dict(boot, chargePointVendor="Elsewhere"))
        assert strict[0] == 4 and strict[2] == "PropertyConstraintViolation"

        async with node.client() as http:
            station = (await http.get("/api/v1/stations/KELVO-1")).json()
            assert station["serial_number"] == LONG_SERIAL[:25]
            assert [(f["code"], f["vendor_code"]) for f in station["faults"]] == [("OtherError", "E_OVERHEAT")]
            violations = (await http.get("/api/v1/integrations/vendors/violations")).json()
        text = str(violations)
        assert "Kelvo" in text and "maxLength" in text and "relaxed" in text and "rejected" in text
        await kelvo.close()
        await other.close()
    finally:
        await node.app.stop()
