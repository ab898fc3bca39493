"""The load generator: many OCPP 1.6 stations on raw ``websockets`` with prebuilt JSON frames.

It runs as its own process (``python -m bench.loadgen``) and is driven by the orchestrator over
stdin/stdout, one JSON object per line, so the orchestrator can read /proc of the server at the
exact moments a measurement window opens and closes:

- ``{"op": "connect", "url", "prefix", "count", "concurrency"}``: connect ``count`` more stations,
  each sends BootNotification and StatusNotification; answers ``{"connected", "failed", "elapsed_s"}``.
- ``{"op": "start_tx", "stations": N}``: StartTransaction on the first N stations.
- ``{"op": "load", "stations": N, "rate": R, "warmup_s", "duration_s", "sampled": S}``: the first N
  stations send MeterValues (S sampled values, 3 unless given, at most 10) at R messages/s in total,
  evenly phased. Emits ``{"event": "window_start"}`` and ``{"event": "window_end"}`` around the
  measured window, then the result (latency percentiles of CALL round trips answered inside the
  window, counts, own CPU).
- ``{"op": "saturate", "stations": N, "warmup_s", "duration_s", "sampled": S}``: closed loop: each of
  the first N stations sends its next MeterValues as soon as the previous one is answered, so the
  server runs flat out; the same events and result (``achieved_rate`` is the saturation throughput).
- ``{"op": "close"}`` closes every connection; ``{"op": "quit"}`` exits.

CALLs from the server (e.g. RemoteStartTransaction sent by a REST command) are answered at once
with a valid CALLRESULT. Frames are parsed only as far as needed (the message type and id).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

CALL_ANSWERS: dict[str, str] = {
    "RemoteStartTransaction": '{"status":"Accepted"}',
    "RemoteStopTransaction": '{"status":"Accepted"}',
    "Reset": '{"status":"Accepted"}',
    "ClearCache": '{"status":"Accepted"}',
    "ChangeAvailability": '{"status":"Accepted"}',
    "TriggerMessage": '{"status":"Accepted"}',
    "ChangeConfiguration": '{"status":"Accepted"}',
    "UnlockConnector": '{"status":"Unlocked"}',
    "DataTransfer": '{"status":"Accepted"}',
}

BOOT = '{"chargePointVendor":"Bench","chargePointModel":"LoadGen","firmwareVersion":"1.0"}'
STATUS = '{"connectorId":1,"errorCode":"NoError","status":"Available"}'
# Sampled values of a MeterValues, in the order they are added (the first three are the default load).
SAMPLES = (
    '{{"value":"{wh}","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","unit":"Wh"}}',
    '{{"value":"7360","context":"Sample.Periodic","measurand":"Power.Active.Import","unit":"W"}}',
    '{{"value":"32.0","context":"Sample.Periodic","measurand":"Current.Import","unit":"A"}}',
    '{{"value":"230.1","context":"Sample.Periodic","measurand":"Voltage","phase":"L1-N","unit":"V"}}',
    '{{"value":"57","context":"Sample.Periodic","measurand":"SoC","location":"EV","unit":"Percent"}}',
    '{{"value":"32","context":"Sample.Periodic","measurand":"Current.Offered","unit":"A"}}',
    '{{"value":"41.5","context":"Sample.Periodic","measurand":"Temperature","location":"Body","unit":"Celsius"}}',
    '{{"value":"11000","context":"Sample.Periodic","measurand":"Power.Offered","unit":"W"}}',
    '{{"value":"31.8","context":"Sample.Periodic","measurand":"Current.Import","phase":"L2","unit":"A"}}',
    '{{"value":"31.9","context":"Sample.Periodic","measurand":"Current.Import","phase":"L3","unit":"A"}}',
)


def meter_template(sampled: int = 3) -> str:
    """The MeterValues payload template with ``sampled`` sampled values (1-10)."""
    if not 1 <= sampled <= len(SAMPLES):
        raise ValueError(f"sampled values: 1-{len(SAMPLES)}")
    return (
        '{{"connectorId":1,"transactionId":{tx},"meterValue":[{{"timestamp":"{ts}","sampledValue":['
        + ",".join(SAMPLES[:sampled])
        + "]}}]}}"
    )


METER = meter_template(3)


# OCPP 2.0.1 (the gateway benchmark's direct path): the same samples as METER, as a TransactionEvent.
BOOT201 = '{"chargingStation":{"vendorName":"Bench","model":"LoadGen","firmwareVersion":"1.0"},"reason":"PowerUp"}'
STATUS201 = '{{"timestamp":"{ts}","connectorStatus":"Available","evseId":1,"connectorId":1}}'
STARTED201 = (
    '{{"eventType":"Started","timestamp":"{ts}","triggerReason":"Authorized","seqNo":{seq},'
    '"transactionInfo":{{"transactionId":"{tx}"}},"evse":{{"id":1,"connectorId":1}},'
    '"idToken":{{"idToken":"{tag}","type":"ISO14443"}},"meterValue":[{{"timestamp":"{ts}","sampledValue":['
    '{{"value":{wh},"context":"Transaction.Begin","measurand":"Energy.Active.Import.Register",'
    '"unitOfMeasure":{{"unit":"Wh"}}}}]}}]}}'
)
UPDATED201 = (
    '{{"eventType":"Updated","timestamp":"{ts}","triggerReason":"MeterValuePeriodic","seqNo":{seq},'
    '"transactionInfo":{{"transactionId":"{tx}"}},"meterValue":[{{"timestamp":"{ts}","sampledValue":['
    '{{"value":{wh},"context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","unitOfMeasure":{{"unit":"Wh"}}}},'
    '{{"value":7360,"context":"Sample.Periodic","measurand":"Power.Active.Import","unitOfMeasure":{{"unit":"W"}}}},'
    '{{"value":32.0,"context":"Sample.Periodic","measurand":"Current.Import","unitOfMeasure":{{"unit":"A"}}}}]}}]}}'
)


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def cpu_seconds_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass(slots=True)
class Window:
    """What the current measurement collects (round trips in ms)."""

    open: bool = False
    latencies: list[float] = field(default_factory=list)
    answered: int = 0
    errors: int = 0


class Station:
    __slots__ = (
        "energy_wh",
        "fut",
        "index",
        "meter_pending",
        "mid",
        "next_id",
        "pending_id",
        "sent_at",
        "seq",
        "station_id",
        "tx",
        "tx_text",
        "version",
        "ws",
    )

    def __init__(self, index: int, station_id: str, ws: ClientConnection, version: str = "1.6"):
        self.index = index
        self.station_id = station_id
        self.ws = ws
        self.next_id = 0
        self.pending_id: str | None = None
        self.sent_at = 0.0
        self.fut: asyncio.Future[str] | None = None
        self.tx = 0
        self.energy_wh = 1000
        self.mid = ""
        self.version = version
        self.seq = 0
        self.tx_text = f"BENCH-TX-{index}"
        self.meter_pending = False  # the outstanding CALL is a 1.6 MeterValues

    def new_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)


class LoadGen:
    def __init__(self) -> None:
        self.stations: list[Station] = []
        self.readers: set[asyncio.Task[None]] = set()
        self.window = Window()
        self.timestamp = now_text()
        self.calls_answered = 0
        self.closed_unexpectedly = 0
        self.meter_values_answered = 0  # 1.6 MeterValues CALLRESULTs over the whole run (all phases)

    # -- wire ------------------------------------------------------------------------------

    async def _read(self, station: Station) -> None:
        ws = station.ws
        try:
            async for message in ws:
                text = message if isinstance(message, str) else message.decode()
                kind = text[1:2]
                if kind == "3" or kind == "4":
                    received = time.perf_counter()
                    end = text.index('"', 4)
                    if text[4:end] != station.pending_id:
                        continue
                    station.pending_id = None
                    if kind == "3" and station.meter_pending:
                        self.meter_values_answered += 1
                    station.meter_pending = False
                    if station.fut is not None and not station.fut.done():
                        station.fut.set_result(text)
                    if self.window.open:
                        if kind == "3":
                            self.window.latencies.append((received - station.sent_at) * 1000.0)
                            self.window.answered += 1
                        else:
                            self.window.errors += 1
                elif kind == "2":
                    frame = json.loads(text)
                    answer = CALL_ANSWERS.get(frame[2])
                    if answer is None:
                        reply = json.dumps([4, frame[1], "NotImplemented", "not simulated", {}])
                    else:
                        reply = f'[3,"{frame[1]}",{answer}]'
                    self.calls_answered += 1
                    await ws.send(reply)
        except ConnectionClosed:
            pass
        finally:
            if station.fut is not None and not station.fut.done():
                station.fut.set_exception(ConnectionError("closed"))
            if station in self.stations:
                self.closed_unexpectedly += 1

    async def call(self, station: Station, action: str, payload: str, wait_s: float = 60.0) -> str:
        mid = station.new_id()
        station.fut = asyncio.get_running_loop().create_future()
        station.pending_id = mid
        station.sent_at = time.perf_counter()
        await station.ws.send(f'[2,"{mid}","{action}",{payload}]')
        return await asyncio.wait_for(station.fut, wait_s)

    # -- operations ------------------------------------------------------------------------

    async def connect(
        self, url: str, prefix: str, count: int, concurrency: int, version: str = "1.6"
    ) -> dict[str, Any]:
        base = len(self.stations)
        gate = asyncio.Semaphore(concurrency)
        failed = 0

        async def one(index: int) -> None:
            nonlocal failed
            station_id = f"{prefix}{index:06d}"
            async with gate:
                try:
                    ws = await connect(
                        f"{url.rstrip('/')}/{station_id}",
                        subprotocols=[Subprotocol(f"ocpp{version}")],
                        compression=None,  # like most chargers; deflate costs ~100 KiB per socket on each side
                        ping_interval=None,
                        open_timeout=120,
                        close_timeout=2,
                        max_queue=4,
                        proxy=None,
                    )
                    station = Station(index, station_id, ws, version)
                    self.stations.append(station)
                    task = asyncio.create_task(self._read(station))
                    self.readers.add(task)
                    task.add_done_callback(self.readers.discard)
                    if version == "1.6":
                        await self.call(station, "BootNotification", BOOT)
                        await self.call(station, "StatusNotification", STATUS)
                    else:
                        await self.call(station, "BootNotification", BOOT201)
                        await self.call(station, "StatusNotification", STATUS201.format(ts=now_text()))
                except (OSError, TimeoutError, ConnectionError, ConnectionClosed) as exc:
                    failed += 1
                    if failed <= 3:
                        print(f"connect {station_id} failed: {exc!r}", file=sys.stderr, flush=True)

        started = time.perf_counter()
        await asyncio.gather(*(one(base + i) for i in range(count)))
        elapsed = time.perf_counter() - started
        self.stations.sort(key=lambda s: s.index)
        return {"connected": len(self.stations) - base, "failed": failed, "elapsed_s": elapsed}

    async def start_tx(self, count: int) -> dict[str, Any]:
        gate = asyncio.Semaphore(100)

        async def one(station: Station) -> None:
            async with gate:
                if station.version != "1.6":
                    started = STARTED201.format(
                        ts=now_text(),
                        seq=station.seq,
                        tx=station.tx_text,
                        tag=f"BENCH{station.index % 1000}",
                        wh=station.energy_wh,
                    )
                    station.seq += 1
                    await self.call(station, "TransactionEvent", started)
                    return
                payload = (
                    f'{{"connectorId":1,"idTag":"BENCH{station.index % 1000}","meterStart":{station.energy_wh},'
                    f'"timestamp":"{now_text()}"}}'
                )
                answer = json.loads(await self.call(station, "StartTransaction", payload))
                station.tx = int(answer[2]["transactionId"])

        await asyncio.gather(*(one(s) for s in self.stations[:count]))
        return {"started": min(count, len(self.stations))}

    async def _tick_timestamp(self) -> None:
        while True:
            self.timestamp = now_text()
            await asyncio.sleep(0.25)

    async def load(
        self,
        count: int,
        rate: float,
        warmup_s: float,
        duration_s: float,
        emit: Emit,
        sampled: int = 3,
        closed: bool = False,
    ) -> dict[str, Any]:
        """Open loop at ``rate`` messages/s in total; ``closed``: every station sends its next message
        as soon as the previous one is answered (``rate`` ignored), the server's saturation."""
        stations = self.stations[:count]
        if not stations or (rate <= 0 and not closed):
            return {"error": "no stations or rate"}
        meter = meter_template(sampled)
        loop = asyncio.get_running_loop()
        period = len(stations) / rate if not closed else 0.0  # each station's interval between messages
        begin = loop.time() + 0.05
        window_start = begin + warmup_s
        end = window_start + duration_s
        sent = 0
        skipped = 0

        async def drive(position: int, station: Station) -> None:
            nonlocal sent, skipped
            due = begin + period * position / len(stations)
            if closed:
                await asyncio.sleep(max(0.0, begin - loop.time()))
            while due < end:
                if closed:
                    due = loop.time()
                else:
                    delay = due - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    due += period
                if station.pending_id is not None:  # one CALL at a time (OCPP-J): the server is behind
                    skipped += 1
                    continue
                station.energy_wh += 2
                mid = station.new_id()
                station.pending_id = mid
                station.fut = loop.create_future() if closed else None
                if station.version == "1.6":
                    action, frame = "MeterValues", meter.format(tx=station.tx, ts=self.timestamp, wh=station.energy_wh)
                    station.meter_pending = True
                else:
                    action = "TransactionEvent"
                    frame = UPDATED201.format(
                        ts=self.timestamp, seq=station.seq, tx=station.tx_text, wh=station.energy_wh
                    )
                    station.seq += 1
                station.sent_at = time.perf_counter()
                try:
                    await station.ws.send(f'[2,"{mid}","{action}",{frame}]')
                except ConnectionClosed:
                    return
                sent += 1
                if station.fut is not None:
                    try:
                        await asyncio.wait_for(station.fut, 30.0)
                    except (TimeoutError, ConnectionError):
                        return

        self.window = Window()
        ticker = asyncio.create_task(self._tick_timestamp())
        drivers = [asyncio.create_task(drive(i, s)) for i, s in enumerate(stations)]
        await asyncio.sleep(max(0.0, window_start - loop.time()))
        cpu0 = cpu_seconds_self()
        sent0, skipped0 = sent, skipped
        self.window.open = True
        emit({"event": "window_start"})
        await asyncio.sleep(max(0.0, end - loop.time()))
        self.window.open = False
        emit({"event": "window_end"})
        cpu = cpu_seconds_self() - cpu0
        sent_in_window, skipped_in_window = sent - sent0, skipped - skipped0
        await asyncio.gather(*drivers)
        # let the last answers arrive so the next phase starts clean
        drain_until = loop.time() + 5.0
        while any(s.pending_id is not None for s in stations) and loop.time() < drain_until:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        ticker.cancel()
        latencies = sorted(self.window.latencies)
        return {
            "stations": len(stations),
            "offered_rate": rate,
            "sent": sent_in_window,
            "answered": self.window.answered,
            "errors": self.window.errors,
            "skipped_busy": skipped_in_window,
            "achieved_rate": self.window.answered / duration_s,
            "p50_ms": percentile(latencies, 0.50),
            "p95_ms": percentile(latencies, 0.95),
            "p99_ms": percentile(latencies, 0.99),
            "max_ms": latencies[-1] if latencies else None,
            "loadgen_cpu_share": cpu / duration_s,
        }

    async def close(self) -> dict[str, Any]:
        stations, self.stations = self.stations, []
        gate = asyncio.Semaphore(500)

        async def one(station: Station) -> None:
            async with gate:
                with contextlib.suppress(Exception):
                    await station.ws.close()

        await asyncio.gather(*(one(s) for s in stations))
        return {
            "closed": len(stations),
            "dropped_by_server": self.closed_unexpectedly,
            "meter_values_answered": self.meter_values_answered,
        }


class Emit:
    def __call__(self, obj: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def serve_stdin() -> None:
    emit = Emit()
    gen = LoadGen()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    emit({"event": "ready", "pid": os.getpid()})
    while True:
        line = await reader.readline()
        if not line:
            break
        command = json.loads(line)
        op = command.pop("op")
        try:
            if op == "connect":
                result = await gen.connect(**command)
            elif op == "start_tx":
                result = await gen.start_tx(command["stations"])
            elif op in ("load", "saturate"):
                result = await gen.load(
                    command["stations"],
                    command.get("rate", 0.0),
                    command["warmup_s"],
                    command["duration_s"],
                    emit,
                    sampled=command.get("sampled", 3),
                    closed=op == "saturate",
                )
            elif op == "close":
                result = await gen.close()
            elif op == "quit":
                await gen.close()
                emit({"event": "result", "op": op})
                return
            else:
                result = {"error": f"unknown op {op}"}
        except Exception as exc:  # report, never hang the orchestrator
            result = {"error": repr(exc)}
        emit({"event": "result", "op": op, **result})


def main() -> None:
    raise_fd_limit()
    try:
        import uvloop  # a lean event loop keeps the generator from being the bottleneck

        uvloop.run(serve_stdin())
    except ImportError:
        asyncio.run(serve_stdin())


if __name__ == "__main__":
    main()
