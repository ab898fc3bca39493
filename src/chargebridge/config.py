"""Settings: one pydantic-settings class, read from flags and CHARGEBRIDGE_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from chargebridge.store.database import sqlite_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHARGEBRIDGE_", extra="ignore")

    data_dir: Path = Path("chargebridge-data")
    database_url: str | None = None
    host: str = "127.0.0.1"
    ocpp_port: int = Field(default=9000, ge=0, le=65535)
    http_port: int = Field(default=8000, ge=0, le=65535)
    auto_register: bool = False
    heartbeat_interval_s: int = Field(default=300, ge=1)
    boot_retry_interval_s: int = Field(default=60, ge=1)
    call_timeout_s: float = Field(default=30.0, gt=0)
    ping_interval_s: float = Field(default=30.0, gt=0)
    max_frame_bytes: int = Field(default=256 * 1024, ge=1024)
    store_retry_window_s: float = Field(default=20.0, ge=0)
    # A hung database becomes an error within these limits, never silence (PostgreSQL; see docs/architecture.md).
    db_connect_timeout_s: float = Field(default=5.0, gt=0)
    db_statement_timeout_s: float = Field(default=15.0, gt=0)
    db_pool_timeout_s: float = Field(default=5.0, gt=0)
    # Authorize while the database is away: recently seen token statuses, and the answer for unknown ones.
    authorize_cache_size: int = Field(default=10_000, ge=0)
    authorize_cache_max_age_s: float = Field(default=86_400.0, gt=0)
    authorize_offline_unknown: Literal["Invalid", "Accepted"] = "Invalid"
    # SIGTERM: drain (stop accepting, answer what is in flight, close sockets with 1001) within this time.
    shutdown_timeout_s: float = Field(default=10.0, gt=0, le=600)
    log_level: str = "info"
    # Security (see docs/security.md): TLS listener for profiles 2/3, client CA, policy, lockout.
    ocpp_tls_port: int | None = Field(default=None, ge=0, le=65535)
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    tls_rsa_cert_file: Path | None = None
    tls_rsa_key_file: Path | None = None
    tls_ca_file: Path | None = None
    # Key of the first CA in tls_ca_file: signs station CSRs (SignCertificate), see docs/certificates.md.
    ca_key_file: Path | None = None
    station_certificate_days: int = Field(default=365, ge=1, le=3650)
    require_security: bool = False
    auth_failure_limit: int = Field(default=10, ge=1)
    auth_lockout_s: float = Field(default=60.0, ge=0)
    # Integrations (metrics, MQTT, webhooks, exports, ...): one TOML file, see docs/integrations.md.
    config_file: Path | None = None
    # Firmware: base URL stations use to reach the HTTP port for downloads/uploads (default: the API request's URL).
    firmware_base_url: str | None = None

    # A client that has not finished its WebSocket handshake within this time is dropped (slowloris).
    handshake_timeout_s: float = Field(default=10.0, gt=0)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return sqlite_url(self.data_dir.resolve())
