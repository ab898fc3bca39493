"""Reservations and local authorization lists (OCPP 2.0.1 blocks H and D, OCPP 1.6 Reservation
and Local Auth List Management): tables, store, services, routes and the extension that wires
them into a node. See docs/authorization.md."""
