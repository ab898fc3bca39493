"""A loopback TCP proxy that tests can cut, blackhole and restore, to simulate a database or
broker going away.

- ``cut()``: the service goes away cleanly (connections reset, new ones refused).
- ``blackhole()``: the network hangs: connections stay open and bytes are accepted, but nothing
  is forwarded or answered (new connections are accepted and held too). This is what a hung
  server, a dropped route or a stateful firewall losing its state looks like to a client: no
  error, just silence. ``restore()`` heals it: held bytes are delivered and traffic flows again.
"""

from __future__ import annotations

import asyncio
import contextlib


class TcpProxy:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()
        self.held_connections = 0  # connections accepted while blackholed

    async def start(self) -> int:
        self._flowing.set()
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    @property
    def blackholed(self) -> bool:
        return not self._flowing.is_set()

    def blackhole(self) -> None:
        """Stop forwarding in both directions without closing anything (the database hangs)."""
        self._flowing.clear()

    def restore(self) -> None:
        """End a blackhole: held bytes and held connections go through."""
        self._flowing.set()

    async def cut(self) -> None:
        """Stop listening and drop every open connection (the service 'goes away')."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        self._flowing.set()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        if self.blackholed:
            self.held_connections += 1
            await self._flowing.wait()  # accepted, never answered until restored
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            self._writers.discard(writer)
            return
        self._writers.add(up_writer)

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    await self._flowing.wait()  # blackholed: hold the bytes, answer nothing
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))
        self._writers.difference_update({writer, up_writer})
