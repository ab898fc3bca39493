"""What the station's own frames say, read per OCPP version (pure): meter readings exactly as sent
(value, unit, multiplier, timestamp), connector statuses, transaction messages, firmware and log
statuses. The judges decide on these, not on what the CSMS made of them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chargebridge.domain.timeutil import parse_datetime
from chargebridge.rpc import OcppVersion
from chargebridge.validation.evidence import CALL, CALLRESULT, Frame

ENERGY_REGISTER = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
CURRENT = "Current.Import"

# Units each measurand may carry (both versions use the 1.6 unit names).
VALID_UNITS: dict[str, frozenset[str]] = {
    ENERGY_REGISTER: frozenset({"Wh", "kWh"}),
    "Energy.Active.Export.Register": frozenset({"Wh", "kWh"}),
    "Energy.Active.Import.Interval": frozenset({"Wh", "kWh"}),
    POWER: frozenset({"W", "kW"}),
    "Power.Active.Export": frozenset({"W", "kW"}),
    "Power.Offered": frozenset({"W", "kW"}),
    CURRENT: frozenset({"A"}),
    "Current.Offered": frozenset({"A"}),
    "Current.Export": frozenset({"A"}),
    "Voltage": frozenset({"V"}),
    "SoC": frozenset({"Percent"}),
    "Temperature": frozenset({"Celsius", "Fahrenheit", "K"}),
    "Frequency": frozenset({"Hz", ""}),
}
_SCALE = {"Wh": 1.0, "kWh": 1000.0, "W": 1.0, "kW": 1000.0}


@dataclass(frozen=True, slots=True)
class Reading:
    """One sampled value as the station sent it. ``unit`` None: not given (the default applies)."""

    seq: int  # of the frame
    received: float  # monotonic time the frame arrived
    timestamp: datetime | None  # the meter value's own timestamp; None when missing or unreadable
    timestamp_text: str | None
    measurand: str
    value: float
    unit: str | None
    multiplier: int
    context: str | None
    phase: str | None
    transaction_id: str | None
    action: str

    @property
    def effective_unit(self) -> str:
        """The unit as labelled, or the specification's default (Wh for energy, W for power...)."""
        if self.unit is not None:
            return self.unit
        if self.measurand.startswith("Energy"):
            return "Wh"
        if self.measurand.startswith("Power"):
            return "W"
        return ""

    @property
    def base_value(self) -> float:
        """In Wh / W (what the label claims), other measurands as sent; 2.0.1 multiplier applied."""
        return self.value * _SCALE.get(self.effective_unit, 1.0) * (10.0**self.multiplier)


def _float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return parse_datetime(text)
    except ValueError:
        return None


def _meter_values(
    frame: Frame, version: OcppVersion, meter_values: Any, transaction_id: str | None
) -> Iterator[Reading]:
    if not isinstance(meter_values, list):
        return
    for meter_value in meter_values:
        if not isinstance(meter_value, dict):
            continue
        stamp = meter_value.get("timestamp")
        for item in meter_value.get("sampledValue") or ():
            if not isinstance(item, dict):
                continue
            value = _float(item.get("value"))
            if value is None:
                continue
            if version is OcppVersion.V16:
                unit = item.get("unit")
                multiplier = 0
            else:
                measure = item.get("unitOfMeasure") or {}
                unit = measure.get("unit") if isinstance(measure, dict) else None
                raw = measure.get("multiplier", 0) if isinstance(measure, dict) else 0
                multiplier = raw if isinstance(raw, int) and not isinstance(raw, bool) else 0
            yield Reading(
                seq=frame.seq,
                received=frame.mono,
                timestamp=_time(stamp),
                timestamp_text=stamp if isinstance(stamp, str) else None,
                measurand=str(item.get("measurand") or ENERGY_REGISTER),
                value=value,
                unit=unit if isinstance(unit, str) else None,
                multiplier=multiplier,
                context=item.get("context") if isinstance(item.get("context"), str) else None,
                phase=item.get("phase") if isinstance(item.get("phase"), str) else None,
                transaction_id=transaction_id,
                action=frame.action or "",
            )


def readings(version: OcppVersion, frames: Iterable[Frame]) -> list[Reading]:
    """Every sampled value in the station's MeterValues / StopTransaction / TransactionEvent CALLs."""
    out: list[Reading] = []
    for frame in frames:
        if frame.type != CALL or not frame.from_station or not isinstance(frame.payload, dict):
            continue
        payload = frame.payload
        if frame.action == "MeterValues":
            tx = payload.get("transactionId")
            out.extend(_meter_values(frame, version, payload.get("meterValue"), str(tx) if tx is not None else None))
        elif frame.action == "StopTransaction":
            tx = payload.get("transactionId")
            out.extend(
                _meter_values(frame, version, payload.get("transactionData"), str(tx) if tx is not None else None)
            )
        elif frame.action == "TransactionEvent":
            info = payload.get("transactionInfo") or {}
            tx = info.get("transactionId") if isinstance(info, dict) else None
            out.extend(_meter_values(frame, version, payload.get("meterValue"), str(tx) if tx is not None else None))
    return out


@dataclass(frozen=True, slots=True)
class StatusReport:
    seq: int
    received: float
    evse_id: int  # 1.6: the connectorId
    connector_id: int
    status: str
    timestamp: datetime | None
    has_timestamp: bool


def statuses(version: OcppVersion, frames: Iterable[Frame]) -> list[StatusReport]:
    out: list[StatusReport] = []
    for frame in frames:
        if not frame.is_call("StatusNotification", from_station=True) or not isinstance(frame.payload, dict):
            continue
        p = frame.payload
        if version is OcppVersion.V16:
            evse, connector, status = p.get("connectorId"), p.get("connectorId"), p.get("status")
        else:
            evse, connector, status = p.get("evseId"), p.get("connectorId"), p.get("connectorStatus")
        if not isinstance(evse, int) or not isinstance(status, str):
            continue
        out.append(
            StatusReport(
                frame.seq,
                frame.mono,
                evse,
                connector if isinstance(connector, int) else evse,
                status,
                _time(p.get("timestamp")),
                "timestamp" in p,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class TxMessage:
    """One transaction message of the station: 1.6 StartTransaction / StopTransaction, 2.0.1
    TransactionEvent. ``answered``: the CSMS sent a CALLRESULT for it."""

    seq: int
    received: float
    message_id: str | None
    kind: str  # started | updated | ended
    transaction_id: str | None
    evse_id: int | None
    id_token: str | None
    meter_wh: float | None  # 1.6 meterStart / meterStop (Wh); 2.0.1: the register in this event, if any
    seq_no: int | None  # 2.0.1
    offline: bool
    stop_reason: str | None
    timestamp: datetime | None
    answered: bool


def _register_in(version: OcppVersion, frame: Frame) -> float | None:
    values = [r for r in readings(version, [frame]) if r.measurand == ENERGY_REGISTER and r.phase is None]
    return values[-1].base_value if values else None


def transaction_messages(version: OcppVersion, frames: Iterable[Frame]) -> list[TxMessage]:
    """The station's transaction messages in arrival order, 1.6 start ids taken from our answers."""
    frames = list(frames)
    results = {f.message_id: f for f in frames if f.type == CALLRESULT and not f.from_station}
    out: list[TxMessage] = []
    for frame in frames:
        if frame.type != CALL or not frame.from_station or not isinstance(frame.payload, dict):
            continue
        p = frame.payload
        answer = results.get(frame.message_id)
        if frame.action == "StartTransaction":
            tx = answer.payload.get("transactionId") if answer and isinstance(answer.payload, dict) else None
            out.append(
                TxMessage(
                    frame.seq,
                    frame.mono,
                    frame.message_id,
                    "started",
                    str(tx) if tx is not None else None,
                    p.get("connectorId") if isinstance(p.get("connectorId"), int) else None,
                    p.get("idTag") if isinstance(p.get("idTag"), str) else None,
                    _float(p.get("meterStart")),
                    None,
                    False,
                    None,
                    _time(p.get("timestamp")),
                    answer is not None,
                )
            )
        elif frame.action == "StopTransaction":
            tx = p.get("transactionId")
            out.append(
                TxMessage(
                    frame.seq,
                    frame.mono,
                    frame.message_id,
                    "ended",
                    str(tx) if tx is not None else None,
                    None,
                    p.get("idTag") if isinstance(p.get("idTag"), str) else None,
                    _float(p.get("meterStop")),
                    None,
                    False,
                    p.get("reason") if isinstance(p.get("reason"), str) else "Local",
                    _time(p.get("timestamp")),
                    answer is not None,
                )
            )
        elif frame.action == "TransactionEvent":
            info: dict[str, Any] = _object(p.get("transactionInfo"))
            evse: dict[str, Any] = _object(p.get("evse"))
            token: dict[str, Any] = _object(p.get("idToken"))
            event_type = str(p.get("eventType", "")).lower()
            out.append(
                TxMessage(
                    frame.seq,
                    frame.mono,
                    frame.message_id,
                    event_type if event_type in ("started", "updated", "ended") else "updated",
                    str(info["transactionId"]) if info.get("transactionId") is not None else None,
                    evse.get("id") if isinstance(evse.get("id"), int) else None,
                    token.get("idToken") if isinstance(token.get("idToken"), str) else None,
                    _register_in(version, frame),
                    p.get("seqNo") if isinstance(p.get("seqNo"), int) else None,
                    p.get("offline") is True,
                    info.get("stoppedReason") if isinstance(info.get("stoppedReason"), str) else None,
                    _time(p.get("timestamp")),
                    answer is not None,
                )
            )
    return out


def notifications(frames: Iterable[Frame], actions: Iterable[str]) -> list[tuple[Frame, str]]:
    """(frame, status) of the station's status notifications of ``actions`` (firmware, log, ...)."""
    wanted = set(actions)
    out: list[tuple[Frame, str]] = []
    for frame in frames:
        if frame.type == CALL and frame.from_station and frame.action in wanted and isinstance(frame.payload, dict):
            status = frame.payload.get("status")
            if isinstance(status, str):
                out.append((frame, status))
    return out
