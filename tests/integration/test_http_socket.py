"""The REST API's sockets send small writes at once (Nagle off).

uvicorn writes a response's headers and body separately. With Nagle's algorithm on, the body
waited for the client's delayed ACK of the headers: about 40 ms per request for a client that
sends one request every 50 ms (the benchmark's REST probe). asyncio only turns Nagle off for
sockets created with the TCP protocol number, which ``socket.create_server`` does not set."""

from __future__ import annotations

import asyncio
import socket

from tests.conftest import Node


async def test_api_connections_have_nagle_off(sqlite_node: Node) -> None:
    listener = sqlite_node.app._http_socket
    assert listener is not None
    assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    # An accepted connection inherits it: find the server side of a live connection by its peer.
    host, port = sqlite_node.http_url.split("//")[1].split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        await reader.readuntil(b"\r\n\r\n")
        client_address = writer.get_extra_info("sockname")
        server_side = [t for t in _http_transports(sqlite_node) if t.get_extra_info("peername") == client_address]
        assert len(server_side) == 1
        accepted: socket.socket = server_side[0].get_extra_info("socket")
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        writer.close()
        await writer.wait_closed()


def _http_transports(node: Node) -> list[asyncio.BaseTransport]:
    http = node.app._http
    assert http is not None
    return [connection.transport for connection in http.server_state.connections]  # type: ignore[attr-defined]
