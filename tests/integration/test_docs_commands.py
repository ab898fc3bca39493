"""Every command block of the README and docs/*.md marked ```bash runnable works as written
(issue #19, item 11), against a node seeded like the demo: its data dir ``chargebridge-demo``,
stations DEMO-0001 and DEMO-0002 connected (simulated), the demo's id tokens registered and
``$TOKEN`` an admin token. The blocks run in order, each with bash ``-euo pipefail`` and a
bounded time, in a directory where ``.venv`` is the project's; the demo's ports (8000, 9000)
are replaced by the node's (free ports: other tests run beside this one)."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from chargebridge.demo import DEMO_PREFIX, DEMO_TOKENS
from chargebridge.sim.fleet import SimConfig, run_fleet
from tests.conftest import Node, start_node

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```(?:bash|sh) runnable[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
BLOCK_TIMEOUT_S = 120.0
# Fails a curl on an HTTP error (showing the answer) and bounds it; the block itself is unchanged.
PREAMBLE = 'curl() { command curl --fail-with-body --max-time 30 "$@"; }\n'


@dataclass(frozen=True)
class Block:
    source: str  # file:line
    text: str


def runnable_blocks() -> list[Block]:
    blocks = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text()
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            blocks.append(Block(f"{path.relative_to(ROOT)}:{line}", match.group(1)))
    return blocks


def test_the_fence_rule() -> None:
    sample = "x\n```bash runnable\necho one\n```\n```bash\necho two\n```\n```sh runnable\necho three\n```\n"
    assert [m.group(1) for m in FENCE.finditer(sample)] == ["echo one\n", "echo three\n"]
    sources = [b.source for b in runnable_blocks()]
    assert any(s.startswith("README.md") for s in sources) and any(s.startswith("docs/operations.md") for s in sources)


@pytest.fixture
async def demo_like(tmp_path: Path) -> AsyncIterator[Node]:
    node = await start_node(tmp_path, None, data_dir=tmp_path / "chargebridge-demo", auto_register=True)
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    assert node.app.store is not None
    for value in DEMO_TOKENS:
        await node.app.store.upsert_id_token(value, status="Accepted", now=node.app.clock.now())
    stop = asyncio.Event()
    config = SimConfig(
        url=node.ocpp_url,
        stations=2,
        version="mixed",
        scenario="idle",
        id_prefix=DEMO_PREFIX,
        id_tokens=DEMO_TOKENS,
        meter_interval_s=5.0,
        ramp_up_s=0.0,
        shutdown_timeout_s=5.0,
    )
    fleet = asyncio.create_task(run_fleet(config, stop))
    try:
        deadline = time.monotonic() + 30
        while node.app.gateway is None or len(node.app.gateway.connections) < 2:
            assert time.monotonic() < deadline, "the simulated stations did not connect"
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # their BootNotifications and first statuses
        yield node
    finally:
        stop.set()
        await asyncio.wait_for(fleet, 60)
        await node.app.stop()


@pytest.mark.timeout(900)
async def test_every_runnable_block_works_as_written(demo_like: Node, tmp_path: Path) -> None:
    node = demo_like
    http_port = node.http_url.rsplit(":", 1)[1]
    ocpp_port = node.ocpp_url.split(":")[2].split("/")[0]
    blocks = runnable_blocks()
    assert len(blocks) >= 5, [b.source for b in blocks]
    env = {**os.environ, "TOKEN": node.admin_token, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("CHARGEBRIDGE_DATA_DIR", None)
    failures, outputs = [], {}
    for block in blocks:
        script = block.text.replace("127.0.0.1:8000", f"127.0.0.1:{http_port}").replace(
            "127.0.0.1:9000", f"127.0.0.1:{ocpp_port}"
        )
        process = await asyncio.create_subprocess_exec(
            "bash",
            "-euo",
            "pipefail",
            "-c",
            PREAMBLE + script,
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            output, _ = await asyncio.wait_for(process.communicate(), BLOCK_TIMEOUT_S)
        except TimeoutError:
            process.kill()
            await process.wait()
            failures.append(f"{block.source}: still running after {BLOCK_TIMEOUT_S:g} s")
            continue
        text = output.decode(errors="replace")
        outputs[block.source] = text
        if process.returncode != 0:
            failures.append(f"{block.source}: exit {process.returncode}\n{script}\n--- output ---\n{text[-2000:]}")
    assert not failures, "\n\n".join(failures)
    # What the examples promise: remote starts with the demo's tokens are accepted.
    started = [text for text in outputs.values() if "remote-start" in text]
    assert started and all('"status":"Accepted"' in text for text in started), started
