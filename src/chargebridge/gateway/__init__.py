"""The OCPP-J WebSocket gateway: sockets, handshakes, keepalive, limits and command routing."""
