"""CPU time and resident memory of a process, read from /proc (Linux).

CPU-seconds are what the process itself spent (user + system), so figures stay comparable
on a noisy machine where wall-clock throughput would not.
"""

from __future__ import annotations

import asyncio
import os
import platform
import shutil
import sys
from pathlib import Path
from typing import Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` in seconds."""
    data = Path(f"/proc/{pid}/stat").read_text()
    fields = data[data.rindex(")") + 2 :].split()  # fields[0] is field 3 (state) of proc(5)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def postgres_cpu_seconds() -> float:
    """utime + stime of every PostgreSQL server process on this machine (its backends, the
    WAL writer, the checkpointer...): the database's own CPU, which a benchmark on PostgreSQL
    reports next to the server's. Processes that end between listing and reading are skipped."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            total += cpu_seconds(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return total


def rss_bytes(pid: int) -> int:
    """VmRSS of ``pid`` in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def machine_info() -> dict[str, Any]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_kib = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    return {
        "cpu_model": model,
        "cpus": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
    }


async def start_profile(pid: int, path: Path, seconds: float) -> asyncio.subprocess.Process:
    """``py-spy record`` of ``pid`` for ``seconds`` (samples holding the GIL, raw collapsed stacks to
    ``path``); py-spy comes with the ``bench`` extra."""
    path.parent.mkdir(parents=True, exist_ok=True)
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    args = ["record", "--pid", str(pid), "--duration", str(max(1, int(seconds))), "--gil", "--rate", "250"]
    return await asyncio.create_subprocess_exec(
        spy,
        *args,
        "--format",
        "raw",
        "--output",
        str(path),
        "--nonblocking",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
