"""A small TCP load balancer for the cluster benchmark and tests (what HAProxy does in deploy/).

Round robin over the backends: each accepted connection goes to the next backend that accepts
a TCP connection within ``connect_timeout_s`` (a dead node is skipped), then bytes are piped
both ways until either side closes. Loopback only; it stops with :meth:`stop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Sequence


class Balancer:
    def __init__(self, backends: Sequence[tuple[str, int]], *, host: str = "127.0.0.1", connect_timeout_s: float = 1.0):
        self.backends = list(backends)
        self.host = host
        self.connect_timeout_s = connect_timeout_s
        self.port = 0
        self.connections = 0
        self.by_backend: dict[tuple[str, int], int] = {}
        self._next = itertools.count()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def start(self, port: int = 0) -> int:
        self._server = await asyncio.start_server(self._accept, self.host, port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, tuple[str, int]] | None:
        start = next(self._next)
        for i in range(len(self.backends)):
            backend = self.backends[(start + i) % len(self.backends)]
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(*backend), self.connect_timeout_s)
            except (OSError, TimeoutError):
                continue
            return reader, writer, backend
        return None

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        opened = await self._open()
        if opened is None:
            client_writer.close()
            return
        reader, writer, backend = opened
        self.connections += 1
        self.by_backend[backend] = self.by_backend.get(backend, 0) + 1
        up = asyncio.create_task(_pipe(client_reader, writer))
        down = asyncio.create_task(_pipe(reader, client_writer))
        for task in (up, down):
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)
        await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
        for task in (up, down):
            task.cancel()
        for w in (writer, client_writer):
            with contextlib.suppress(Exception):
                w.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (OSError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


def main() -> None:
    """``python -m bench.balancer PORT HOST:PORT...``: run until stdin closes (the orchestrator)."""
    import sys

    async def run() -> None:
        from bench.loadgen import raise_fd_limit

        raise_fd_limit()
        port = int(sys.argv[1])
        backends = [(hp.rsplit(":", 1)[0], int(hp.rsplit(":", 1)[1])) for hp in sys.argv[2:]]
        balancer = Balancer(backends)
        await balancer.start(port)
        print(f"balancing on {balancer.port}", flush=True)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while await reader.readline():
            pass
        await balancer.stop()

    asyncio.run(run())


if __name__ == "__main__":
    main()
