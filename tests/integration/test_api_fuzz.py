"""Schemathesis fuzzes every operation of the OpenAPI spec against a live node; none may answer 5xx.

Bounded: fuzzing phase only, a few examples per operation, fixed seed (issue 4)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.conftest import Node


async def test_no_operation_answers_with_a_server_error(sqlite_node: Node, tmp_path: Path) -> None:
    schemathesis = Path(sys.executable).with_name("schemathesis")
    process = await asyncio.create_subprocess_exec(
        str(schemathesis),
        "run",
        f"{sqlite_node.http_url}/openapi.json",
        "--checks",
        "not_a_server_error",
        "--phases",
        "fuzzing",
        "--max-examples",
        "4",
        "--seed",
        "20261123",
        "--request-timeout",
        "10",
        "--exclude-path",
        "/api/v1/events/stream",  # a live stream never ends, by design
        "--header",
        f"Authorization: Bearer {sqlite_node.admin_token}",
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 300)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-4000:]
    assert "Tested:" in text
