"""The gateway's config file (``chargebridge gateway --config FILE``, TOML).

::

    [gateway]                      # translation choices and timings (all optional)
    id_token_type = "ISO14443"     # the 2.0.1 idToken type of a 1.6 idTag
    answer_wait_s = 10             # how long a queued message waits for the upstream's answer

    [upstream]                     # credentials towards the upstream CSMS, for every station
    password_env = "UPSTREAM_PASSWORD"
    ca_file = "upstream-ca.pem"    # to check a wss:// upstream (default: the system's CAs)

    [stations."CP-001"]            # per station: its own upstream credentials and choices
    password = "..."
    client_cert_file = "cp-001.pem"
    client_key_file = "cp-001.key"

    [metrics]
    path = "/metrics"
    bearer_token_env = "METRICS_TOKEN"

Unknown keys are errors, each named by its dotted key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from chargebridge.integrations.base import check_env, resolve_secret
from chargebridge.integrations.config import ConfigError, _describe
from chargebridge.translate.translations import TranslationOptions


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Credentials(_Strict):
    """How the gateway logs in to the upstream in a station's name: HTTP Basic (security profiles
    1 and 2, user name = the station id) and/or a client certificate (profile 3)."""

    password: SecretStr | None = None
    password_env: str | None = None
    client_cert_file: Path | None = None
    client_key_file: Path | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Credentials:
        check_env(self.password_env, "password_env")
        if (self.client_cert_file is None) != (self.client_key_file is None):
            raise ValueError("give both client_cert_file and client_key_file")
        return self

    def resolved_password(self) -> str | None:
        return resolve_secret(self.password, self.password_env)


class UpstreamSection(Credentials):
    ca_file: Path | None = None  # CAs that sign the upstream's server certificate (wss://)


class StationSection(Credentials):
    id_token_type: str | None = None
    anonymous_id_tag: str | None = Field(default=None, max_length=20)


class GatewaySection(_Strict):
    id_token_type: str = "ISO14443"
    anonymous_id_tag: str = Field(default="NoAuthorization", min_length=1, max_length=20)
    call_timeout_s: float = Field(default=30.0, gt=0)  # an upstream or station CALL without answer
    answer_wait_s: float = Field(default=10.0, gt=0)  # a queued message's wait for the upstream's answer
    max_attempts: int = Field(default=5, ge=1)  # a queued message the upstream refuses this often is set aside
    reconnect_min_s: float = Field(default=1.0, gt=0)
    reconnect_max_s: float = Field(default=30.0, gt=0)
    boot_retry_interval_s: int = Field(default=60, ge=1)
    remote_start_ttl_s: float = Field(default=600.0, gt=0)
    auth_cache_ttl_s: float = Field(default=3600.0, ge=0)
    get_variables_batch: int = Field(default=16, ge=1)

    @field_validator("id_token_type")
    @classmethod
    def _token_type(cls, value: str) -> str:
        allowed = {"Central", "eMAID", "ISO14443", "ISO15693", "KeyCode", "Local", "MacAddress", "NoAuthorization"}
        if value not in allowed:
            raise ValueError(f"must be one of {sorted(allowed)}")
        return value


class MetricsSection(_Strict):
    path: str = "/metrics"
    bearer_token: SecretStr | None = None
    bearer_token_env: str | None = None

    @model_validator(mode="after")
    def _env(self) -> MetricsSection:
        check_env(self.bearer_token_env, "bearer_token_env")
        if self.token() == "":
            # "Bearer " with nothing after it would match an empty token: refuse it at load time
            raise ValueError("the bearer token is empty: give a token, or leave both keys out")
        if not self.path.startswith("/"):
            raise ValueError("path must start with '/'")
        return self

    def token(self) -> str | None:
        return resolve_secret(self.bearer_token, self.bearer_token_env)


class TranslatorConfig(_Strict):
    gateway: GatewaySection = GatewaySection()
    upstream: UpstreamSection = UpstreamSection()
    stations: dict[str, StationSection] = Field(default_factory=dict)
    metrics: MetricsSection = MetricsSection()

    def credentials(self, station_id: str) -> Credentials:
        """The station's own credentials where it has them, else the [upstream] ones."""
        station = self.stations.get(station_id)
        if station is None:
            return self.upstream
        password = station.password if station.password or station.password_env else self.upstream.password
        password_env = station.password_env if station.password or station.password_env else self.upstream.password_env
        has_cert = station.client_cert_file is not None
        return Credentials(
            password=password,
            password_env=password_env,
            client_cert_file=station.client_cert_file if has_cert else self.upstream.client_cert_file,
            client_key_file=station.client_key_file if has_cert else self.upstream.client_key_file,
        )

    def options(self, station_id: str) -> TranslationOptions:
        g = self.gateway
        station = self.stations.get(station_id)
        return TranslationOptions(
            id_token_type=(station.id_token_type if station and station.id_token_type else g.id_token_type),
            anonymous_id_tag=(station.anonymous_id_tag if station and station.anonymous_id_tag else g.anonymous_id_tag),
            boot_retry_interval_s=g.boot_retry_interval_s,
            remote_start_ttl_s=g.remote_start_ttl_s,
            auth_cache_ttl_s=g.auth_cache_ttl_s,
            get_variables_batch=g.get_variables_batch,
        )


def parse_translator_config(text: str, source: str = "<config>") -> TranslatorConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    try:
        return TranslatorConfig.model_validate(data)
    except ValidationError as exc:
        problems = "\n".join(f"  {_describe(error)}" for error in exc.errors())
        raise ConfigError(f"{source}: invalid configuration:\n{problems}") from exc


def load_translator_config(path: Path | None) -> TranslatorConfig:
    if path is None:
        return TranslatorConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror or exc}") from exc
    return parse_translator_config(text, str(path))
