"""OCPP 2.0.1 adapter: 2.0.1 payloads <-> version-neutral requests and commands."""
