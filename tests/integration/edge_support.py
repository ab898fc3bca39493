"""Field hardware for edge tests: a pseudo-terminal pair (socat) as the RS-485 line, pymodbus's async
serial server on one end as the simulated meter, a line that answers garbage, and waiting helpers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pymodbus import FramerType
from pymodbus.server import ModbusSerialServer
from pymodbus.simulator import DataType, SimData, SimDevice

from chargebridge.edge.config import EdgeConfig, parse_edge_config
from tests.conftest import REQUIRE_SERVICES
from tests.integration.test_integrations_modbus import FakeMeter, sdm630

T = TypeVar("T")


@contextlib.asynccontextmanager
async def pty_pair() -> AsyncIterator[tuple[str, str]]:
    """Two linked pseudo-terminals: what one end writes, the other reads (a serial cable)."""
    if shutil.which("socat") is None:
        if REQUIRE_SERVICES:
            pytest.fail("socat is required (CHARGEBRIDGE_REQUIRE_SERVICES=1)")
        pytest.skip("socat is not installed")
    proc = await asyncio.create_subprocess_exec(
        "socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0", stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    ptys: list[str] = []
    async with asyncio.timeout(10):
        while len(ptys) < 2:
            line = (await proc.stderr.readline()).decode()
            found = re.search(r"PTY is (\S+)", line)
            if found:
                ptys.append(found.group(1))
    try:
        yield ptys[0], ptys[1]
    finally:
        proc.terminate()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(5):
                await proc.wait()


class RtuMeter:
    """An SDM630 on the far end of the line (pymodbus's async serial server, RTU framing, 9600 8N1:
    a pseudo-terminal does not model parity).

    ``stop()`` is a meter that went quiet (power cut, broken wire); ``garbage()`` a line that answers
    every request with noise (wrong baud rate, a second master, EMI); ``start()`` brings it back."""

    def __init__(self, port: str, baudrate: int = 9600, parity: str = "N"):
        self.port = port
        self.baudrate = baudrate
        self.parity = parity
        self.fake = FakeMeter()
        sdm630(self.fake)
        self.server: ModbusSerialServer | None = None
        self._noise_fd: int | None = None
        self.requests_seen_by_noise = 0

    async def start(self) -> None:
        self._stop_noise()

        def block(start: int, count: int) -> list[SimData]:
            return [SimData(start, count=count, values=0, datatype=DataType.REGISTERS)]

        bits = [SimData(0, count=16, values=False, datatype=DataType.BITS)]
        device = SimDevice(id=1, simdata=(bits, bits, block(40000, 200), block(0, 400)), action=self.fake.action)
        self.server = ModbusSerialServer(
            device, port=self.port, framer=FramerType.RTU, baudrate=self.baudrate, parity=self.parity, stopbits=1
        )
        await self.server.serve_forever(background=True)

    async def stop(self) -> None:
        if self.server is not None:
            server, self.server = self.server, None
            await server.shutdown()
        self._stop_noise()

    async def garbage(self) -> None:
        """Answer every request with bytes that are no Modbus frame."""
        await self.stop()
        fd = os.open(self.port, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        self._noise_fd = fd

        def on_request() -> None:
            with contextlib.suppress(BlockingIOError, OSError):
                if os.read(fd, 512):
                    self.requests_seen_by_noise += 1
                    os.write(fd, bytes([0x01, 0x04, 0xFF, 0x13, 0x37, 0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x55]))

        asyncio.get_running_loop().add_reader(fd, on_request)

    def _stop_noise(self) -> None:
        if self._noise_fd is not None:
            asyncio.get_running_loop().remove_reader(self._noise_fd)
            with contextlib.suppress(OSError):
                os.close(self._noise_fd)
            self._noise_fd = None


def rtu_device_toml(name: str, port: str, **labels: Any) -> str:
    extra = "".join(f"{k} = {v!r}\n" if isinstance(v, str) else f"{k} = {v}\n" for k, v in labels.items())
    return (
        "[[devices]]\n"
        f'name = "{name}"\ntransport = "rtu"\nmap = "eastron-sdm630"\nserial_port = "{port}"\n'
        'baudrate = 9600\nparity = "N"\nstopbits = 1\nbytesize = 8\ndevice_id = 1\n'
        "timeout_s = 0.5\npoll_interval_s = 0.3\n" + extra.replace("'", '"')
    )


def edge_config(
    tmp_path: Path,
    edge_id: str,
    *,
    upstream: str | None,
    devices: str = "",
    uplink: str = "",
    heartbeat_s: float = 1.0,
    data_dir: Path | None = None,
) -> EdgeConfig:
    text = (
        f'[edge]\nid = "{edge_id}"\ndata_dir = "{data_dir or tmp_path / "edge"}"\nstatus_port = 0\n'
        f"heartbeat_s = {heartbeat_s}\n\n[uplink]\nretry_max_s = 0.5\ntimeout_s = 5\ncommand_wait_s = 2\n{uplink}\n"
        + devices
    )
    return parse_edge_config(text, "site.toml", upstream)


async def wait_for(check: Callable[[], Awaitable[T | None]], timeout: float = 20.0, what: str = "condition") -> T:
    """Poll ``check`` until it returns something truthy (bounded)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last: T | None = None
    while loop.time() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")
