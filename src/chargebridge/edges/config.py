"""``[edges]`` of the integrations file: take edges' batches from a broker too (the https route is
always on). Both consumers may run at once.

::

    [edges]
    enabled = true
    mqtt_url = "mqtts://broker.example.com:8883"   # subscribes {topic_prefix}/+/batches and /+/answers
    mqtt_username = "chargebridge"
    mqtt_password_env = "EDGES_MQTT_PASSWORD"
    nats_url = "nats://nats.example.com:4222"       # a durable JetStream consumer of the batches
    nats_token_env = "EDGES_NATS_TOKEN"
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator

from chargebridge.integrations.base import Section, check_env, resolve_secret


class EdgesConfig(Section):
    mqtt_url: str | None = None  # mqtt://host:port or mqtts://host:port
    mqtt_client_id: str = Field(default="chargebridge-edges", min_length=1, max_length=128)
    mqtt_username: str | None = None
    mqtt_password: SecretStr | None = None
    mqtt_password_env: str | None = None
    topic_prefix: str = "chargebridge/edges"
    nats_url: str | None = None  # nats://host:port or tls://host:port
    nats_token: SecretStr | None = None
    nats_token_env: str | None = None
    subject_prefix: str = "chargebridge.edges"
    stream: str = "CHARGEBRIDGE_EDGES"
    durable: str = "chargebridge-edges"
    ca_file: Path | None = None  # TLS to the broker: its CA, and this server's client certificate
    cert_file: Path | None = None
    key_file: Path | None = None
    command_timeout_s: float = Field(default=15.0, gt=0, le=120)  # NATS: wait for an edge's reply
    reconnect_max_s: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _check(self) -> EdgesConfig:
        check_env(self.mqtt_password_env, "edges.mqtt_password_env")
        check_env(self.nats_token_env, "edges.nats_token_env")
        if self.mqtt_url is not None and urlsplit(self.mqtt_url).scheme not in ("mqtt", "mqtts"):
            raise ValueError("edges.mqtt_url: use mqtt://host:port or mqtts://host:port")
        if self.nats_url is not None and urlsplit(self.nats_url).scheme not in ("nats", "tls"):
            raise ValueError("edges.nats_url: use nats://host:port or tls://host:port")
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("edges: cert_file and key_file go together")
        return self

    def mqtt_secret(self) -> str | None:
        return resolve_secret(self.mqtt_password, self.mqtt_password_env)

    def nats_secret(self) -> str | None:
        return resolve_secret(self.nats_token, self.nats_token_env)
