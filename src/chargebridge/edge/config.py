"""``site.toml``: the edge's own config file (validated at start; every error names its key).

::

    [edge]
    id = "depot-7"                     # how the server knows this box
    data_dir = "/var/lib/chargebridge-edge"
    status_host = "127.0.0.1"          # the technician's status page (loopback by default)
    status_port = 8091
    heartbeat_s = 30                   # status goes upstream at least this often

    [uplink]
    url = "https://cb.example.com"     # https | mqtt(s) | nats(s); --upstream overrides it
    token_env = "CHARGEBRIDGE_EDGE_TOKEN"
    client_cert = "/etc/chargebridge-edge/edge.crt"   # mutual TLS (optional)
    client_key = "/etc/chargebridge-edge/edge.key"
    ca_file = "/etc/chargebridge-edge/ca.pem"

    [[devices]]
    name = "grid-meter"
    transport = "rtu"                  # rtu | tcp | can
    map = "eastron-sdm630"
    serial_port = "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0"
    baudrate = 9600
    parity = "N"
    stopbits = 1
    timeout_s = 1.0
    poll_interval_s = 5
    site_id = "depot-7"

See docs/edge.md for every key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Discriminator, Field, SecretStr, Tag, ValidationError, field_validator, model_validator

from chargebridge.edge.protocol import valid_name
from chargebridge.integrations.base import StrictModel, check_env, resolve_secret
from chargebridge.integrations.canbus import CanLinkConfig
from chargebridge.integrations.modbus import ModbusLinkConfig

UPLINK_SCHEMES = ("https", "http", "mqtt", "mqtts", "nats", "tls")


class EdgeSection(StrictModel):
    id: str
    name: str = ""
    data_dir: Path = Path("chargebridge-edge")
    status_host: str = "127.0.0.1"
    status_port: int = Field(default=8091, ge=0, le=65535)
    heartbeat_s: float = Field(default=30.0, gt=0, le=3600)
    # The outbox keeps at most this many records; past it the oldest samples go first (counted).
    max_buffered_records: int = Field(default=1_000_000, ge=100)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return valid_name(value, "edge id")


class UplinkSection(StrictModel):
    url: str | None = None  # https://..., mqtt://..., nats://...; the --upstream flag overrides it
    token: SecretStr | None = None  # a chargebridge API token (https) or the broker password (mqtt/nats)
    token_env: str | None = None  # better: the name of an environment variable holding it
    username: str | None = None  # mqtt: broker user name
    client_cert: Path | None = None  # mutual TLS: this edge's certificate (PEM) ...
    client_key: Path | None = None  # ... and its key
    ca_file: Path | None = None  # CA that signed the server's certificate (default: the system's)
    batch_records: int = Field(default=500, ge=1, le=1000)
    batch_bytes: int = Field(default=256 * 1024, ge=4096, le=900 * 1024)
    timeout_s: float = Field(default=15.0, gt=0, le=300)
    retry_max_s: float = Field(default=30.0, ge=0.1, le=3600)
    command_wait_s: float = Field(default=20.0, ge=1, le=120)  # https: long poll for commands
    topic_prefix: str = "chargebridge/edges"  # mqtt: {prefix}/{edge_id}/batches|commands|answers
    subject_prefix: str = "chargebridge.edges"  # nats: {prefix}.{edge_id}.batches|commands
    stream: str = "CHARGEBRIDGE_EDGES"  # nats: the JetStream stream of the batches

    @model_validator(mode="after")
    def _check(self) -> UplinkSection:
        check_env(self.token_env, "uplink.token_env")
        if (self.client_cert is None) != (self.client_key is None):
            raise ValueError("uplink: client_cert and client_key go together")
        for key in ("client_cert", "client_key", "ca_file"):
            path = getattr(self, key)
            if path is not None and not Path(path).is_file():
                raise ValueError(f"uplink.{key}: no file {path}")
        return self

    def secret(self) -> str | None:
        return resolve_secret(self.token, self.token_env)


class _Labels(StrictModel):
    """Where the server files a device's readings (all optional)."""

    station_id: str | None = None  # readings and faults also become this registered station's
    site_id: str | None = None  # the site (energy management) the device measures
    evse_id: int = Field(default=0, ge=0)
    enabled: bool = True

    @field_validator("name", check_fields=False)
    @classmethod
    def _name(cls, value: str) -> str:
        return valid_name(value, "device name")


class EdgeModbusDevice(ModbusLinkConfig, _Labels):
    """A Modbus meter, inverter or charger: ``transport = "rtu"`` (serial) or ``"tcp"``."""

    transport: Literal["tcp", "rtu"] = "rtu"


class EdgeCanDevice(CanLinkConfig, _Labels):
    """A CAN interface read through python-can (``socketcan``, ``virtual``, ``slcan`` ...) and a DBC."""

    transport: Literal["can"] = "can"


def _device_kind(value: Any) -> str:
    transport = value.get("transport", "rtu") if isinstance(value, dict) else getattr(value, "transport", "rtu")
    return "can" if transport == "can" else "modbus"


EdgeDevice = Annotated[
    Annotated[EdgeModbusDevice, Tag("modbus")] | Annotated[EdgeCanDevice, Tag("can")], Discriminator(_device_kind)
]


class EdgeConfig(StrictModel):
    edge: EdgeSection
    uplink: UplinkSection = UplinkSection()
    devices: list[EdgeDevice] = []

    @model_validator(mode="after")
    def _unique(self) -> EdgeConfig:
        names = [d.name for d in self.devices]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"device names must be unique: {duplicates}")
        return self

    def device(self, name: str) -> EdgeModbusDevice | EdgeCanDevice | None:
        return next((d for d in self.devices if d.name == name), None)


class EdgeConfigError(ValueError):
    """site.toml cannot be used; the message names the file and each bad key."""


def check_upstream(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in UPLINK_SCHEMES or not parts.hostname:
        raise EdgeConfigError(
            f"upstream {url!r}: give https://host[:port], mqtt(s)://host[:port] or nats://host[:port]"
        )
    return url


def _key(loc: tuple[int | str, ...]) -> str:
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        elif part in ("modbus", "can"):  # the union's tags say nothing to the user
            continue
        else:
            key += f".{part}" if key else str(part)
    return key or "(top level)"


def parse_edge_config(text: str, source: str = "<site.toml>", upstream: str | None = None) -> EdgeConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise EdgeConfigError(f"{source}: not valid TOML: {exc}") from exc
    if upstream is not None:
        data.setdefault("uplink", {})["url"] = check_upstream(upstream)
    try:
        config = EdgeConfig.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            what = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
            problems.append(f"  {_key(tuple(error['loc']))}: {what}")
        raise EdgeConfigError(f"{source}: invalid configuration:\n" + "\n".join(problems)) from exc
    if config.uplink.url is not None:
        check_upstream(config.uplink.url)
    return config


def load_edge_config(path: Path, upstream: str | None = None) -> EdgeConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EdgeConfigError(f"{path}: cannot read the config file: {exc.strerror or exc}") from exc
    return parse_edge_config(text, str(path), upstream)
