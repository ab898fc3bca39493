"""OCPP 1.6J adapter: 1.6 payloads <-> version-neutral requests and commands."""
