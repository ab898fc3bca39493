"""Station-side payloads of both OCPP versions, built from plain values (pure, no I/O, no clock).

Statuses are passed in the 1.6 vocabulary (Available, Preparing, Charging, SuspendedEV,
Finishing, Unavailable, Faulted) and mapped to 2.0.1's connector statuses here.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chargebridge.domain.timeutil import format_datetime
from chargebridge.sim.profiles import VendorError

STATUS_201: dict[str, str] = {
    "Available": "Available",
    "Preparing": "Occupied",
    "Charging": "Occupied",
    "SuspendedEV": "Occupied",
    "SuspendedEVSE": "Occupied",
    "Finishing": "Occupied",
    "Reserved": "Reserved",
    "Unavailable": "Unavailable",
    "Faulted": "Faulted",
}

ENERGY = "Energy.Active.Import.Register"


@dataclass(frozen=True, slots=True)
class Sample:
    """One reading of a connector's meter."""

    timestamp: datetime
    energy_wh: int
    power_w: float
    current_a: float
    voltage_v: float
    soc: float | None
    context: str = "Sample.Periodic"
    energy_only: bool = False
    signed: str | None = None  # an OCMF record of the energy register (stations that sign)


@dataclass(frozen=True, slots=True)
class Presentation:
    """How the firmware renders meter values (the quirks that touch payloads)."""

    energy_kwh_labelled_wh: bool = False
    omit_meter_timestamps: bool = False


PLAIN = Presentation()


def _energy_number(sample: Sample, presentation: Presentation) -> float:
    if presentation.energy_kwh_labelled_wh:
        return round(sample.energy_wh / 1000.0, 3)
    return sample.energy_wh


def _measurands(sample: Sample, presentation: Presentation) -> list[tuple[str, float, str]]:
    values = [(ENERGY, _energy_number(sample, presentation), "Wh")]
    if not sample.energy_only:
        values += [
            ("Power.Active.Import", round(sample.power_w, 1), "W"),
            ("Current.Import", round(sample.current_a, 2), "A"),
            ("Voltage", round(sample.voltage_v, 1), "V"),
        ]
        if sample.soc is not None:
            values.append(("SoC", round(sample.soc, 1), "Percent"))
    return values


def _text(value: float) -> str:
    """1.6 carries numbers as text: integers without a decimal point, others in shortest form."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


# -- OCPP 1.6 -----------------------------------------------------------------------------------


def boot_16(vendor: str, model: str, serial: str, firmware: str) -> dict[str, Any]:
    return {
        "chargePointVendor": vendor,
        "chargePointModel": model,
        "chargePointSerialNumber": serial,
        "firmwareVersion": firmware,
    }


def status_16(
    connector_id: int,
    status: str,
    timestamp: datetime | None,
    error: VendorError | None = None,
    *,
    error_code: str = "NoError",
) -> dict[str, Any]:
    payload: dict[str, Any] = {"connectorId": connector_id, "status": status, "errorCode": error_code}
    if error is not None:
        payload["errorCode"] = error.error_code
        payload["vendorErrorCode"] = error.vendor_error_code
        if error.info:
            payload["info"] = error.info[:50]
    if timestamp is not None:
        payload["timestamp"] = format_datetime(timestamp)
    return payload


def meter_value_16(sample: Sample, presentation: Presentation = PLAIN) -> dict[str, Any]:
    sampled = []
    for measurand, value, unit in _measurands(sample, presentation):
        item = {"value": _text(value), "measurand": measurand}
        item |= {"unit": unit, "context": sample.context}
        if measurand == "SoC":
            item["location"] = "EV"
        sampled.append(item)
    if sample.signed is not None:  # the common 1.6 vendor form: the OCMF record as a SignedData value
        sampled.append({"value": sample.signed, "format": "SignedData", "measurand": ENERGY, "context": sample.context})
    meter_value: dict[str, Any] = {"sampledValue": sampled}
    if not presentation.omit_meter_timestamps:
        meter_value["timestamp"] = format_datetime(sample.timestamp)
    return meter_value


def start_transaction_16(connector_id: int, id_tag: str, meter_start: int, timestamp: datetime) -> dict[str, Any]:
    return {
        "connectorId": connector_id,
        "idTag": id_tag,
        "meterStart": meter_start,
        "timestamp": format_datetime(timestamp),
    }


def meter_values_16(
    connector_id: int, transaction_id: int | None, samples: list[Sample], presentation: Presentation = PLAIN
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "connectorId": connector_id,
        "meterValue": [meter_value_16(sample, presentation) for sample in samples],
    }
    if transaction_id is not None:
        payload["transactionId"] = transaction_id
    return payload


def stop_transaction_16(
    transaction_id: int,
    meter_stop: int,
    timestamp: datetime,
    reason: str,
    id_tag: str,
    transaction_data: list[Sample],
    presentation: Presentation = PLAIN,
) -> dict[str, Any]:
    return {
        "transactionId": transaction_id,
        "meterStop": meter_stop,
        "timestamp": format_datetime(timestamp),
        "reason": reason,
        "idTag": id_tag,
        "transactionData": [meter_value_16(sample, presentation) for sample in transaction_data],
    }


# -- OCPP 2.0.1 ---------------------------------------------------------------------------------


def boot_201(vendor: str, model: str, serial: str, firmware: str, reason: str = "PowerUp") -> dict[str, Any]:
    return {
        "chargingStation": {
            "vendorName": vendor,
            "model": model,
            "serialNumber": serial,
            "firmwareVersion": firmware,
        },
        "reason": reason,
    }


def status_201(evse_id: int, status: str, timestamp: datetime) -> dict[str, Any]:
    return {
        "timestamp": format_datetime(timestamp),
        "connectorStatus": STATUS_201[status],
        "evseId": evse_id,
        "connectorId": 1,
    }


def meter_value_201(sample: Sample, presentation: Presentation = PLAIN) -> dict[str, Any]:
    sampled = []
    for measurand, value, unit in _measurands(sample, presentation):
        item: dict[str, Any] = {"value": value, "measurand": measurand, "context": sample.context}
        item["unitOfMeasure"] = {"unit": unit}
        if measurand == ENERGY and sample.signed is not None:
            item["signedMeterValue"] = {
                "signedMeterData": base64.b64encode(sample.signed.encode()).decode(),
                "signingMethod": "ECDSA-secp256r1-SHA256",
                "encodingMethod": "OCMF",
                "publicKey": "",
            }
        if measurand == "SoC":
            item["location"] = "EV"
        sampled.append(item)
    meter_value: dict[str, Any] = {"sampledValue": sampled}
    if not presentation.omit_meter_timestamps:
        meter_value["timestamp"] = format_datetime(sample.timestamp)
    return meter_value


def meter_values_201(evse_id: int, samples: list[Sample], presentation: Presentation = PLAIN) -> dict[str, Any]:
    return {"evseId": evse_id, "meterValue": [meter_value_201(sample, presentation) for sample in samples]}


def id_token_201(token: str, token_type: str = "ISO14443") -> dict[str, Any]:
    return {"idToken": token, "type": token_type}


@dataclass(frozen=True, slots=True)
class TxEvent:
    """The values of one 2.0.1 TransactionEvent."""

    event_type: str  # Started / Updated / Ended
    timestamp: datetime
    trigger_reason: str
    seq_no: int
    transaction_id: str
    evse_id: int
    samples: tuple[Sample, ...] = ()
    id_token: str | None = None
    id_token_type: str = "ISO14443"
    charging_state: str | None = None
    stopped_reason: str | None = None
    remote_start_id: int | None = None
    offline: bool = False


def transaction_event_201(event: TxEvent, presentation: Presentation = PLAIN) -> dict[str, Any]:
    info: dict[str, Any] = {"transactionId": event.transaction_id}
    if event.charging_state is not None:
        info["chargingState"] = event.charging_state
    if event.stopped_reason is not None:
        info["stoppedReason"] = event.stopped_reason
    if event.remote_start_id is not None:
        info["remoteStartId"] = event.remote_start_id
    payload: dict[str, Any] = {
        "eventType": event.event_type,
        "timestamp": format_datetime(event.timestamp),
        "triggerReason": event.trigger_reason,
        "seqNo": event.seq_no,
        "transactionInfo": info,
        "evse": {"id": event.evse_id, "connectorId": 1},
    }
    if event.id_token is not None:
        payload["idToken"] = id_token_201(event.id_token, event.id_token_type)
    if event.samples:
        payload["meterValue"] = [meter_value_201(sample, presentation) for sample in event.samples]
    if event.offline:
        payload["offline"] = True
    return payload


def notify_fault_201(
    timestamp: datetime, event_id: int, evse_id: int, error: VendorError | None, *, cleared: bool = False
) -> dict[str, Any]:
    """A NotifyEvent for a connector fault (2.0.1 has no error code in StatusNotification)."""
    data: dict[str, Any] = {
        "eventId": event_id,
        "timestamp": format_datetime(timestamp),
        "trigger": "Alerting",
        "actualValue": "false" if cleared else "true",
        "eventNotificationType": "HardWiredNotification",
        "component": {"name": "EVSE", "evse": {"id": evse_id}},
        "variable": {"name": "Problem"},
    }
    if cleared:
        data["cleared"] = True
    if error is not None:
        data["techCode"] = error.vendor_error_code[:50]
        if error.info:
            data["techInfo"] = error.info[:500]
    return {"generatedAt": format_datetime(timestamp), "seqNo": 0, "tbc": False, "eventData": [data]}
