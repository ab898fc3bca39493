"""Settings: one pydantic-settings class, read from flags and CHARGEBRIDGE_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    # The writer waits this long after a batch's first write for more, so one commit carries many (<= 2 ms).
    store_linger_ms: float = Field(default=1.0, ge=0, le=2.0)
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
    # Handshakes read station registration rows from a per-node cache (invalidated by this node's
    # writes; other nodes' and other processes' writes are seen after at most this long; 0: off),
    # and skip argon2 for a password verified against the same hash within password_verify_cache_s.
    station_cache_ttl_s: float = Field(default=10.0, ge=0)
    password_verify_cache_s: float = Field(default=300.0, ge=0)
    # The event loop (chosen at start-up): uvloop where installed, plain asyncio otherwise.
    event_loop: Literal["auto", "uvloop", "asyncio"] = "auto"
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
    # Bad credentials per (source address, station id) within the window -> that pair locked out.
    auth_failure_limit: int = Field(default=10, ge=1)
    auth_failure_window_s: float = Field(default=60.0, gt=0)
    auth_lockout_s: float = Field(default=60.0, ge=0)
    # Handshakes naming no known station (unknown ids, failed TLS) per source address -> its unknown ids get 429.
    probe_limit: int = Field(default=10, ge=1)
    probe_window_s: float = Field(default=60.0, gt=0)
    probe_lockout_s: float = Field(default=60.0, ge=0)
    # Replacements of a live connection per (station, source address) within the window.
    replacement_limit: int = Field(default=10, ge=1)
    replacement_window_s: float = Field(default=60.0, gt=0)
    # Load balancers whose X-Forwarded-For / PROXY protocol header names the client (addresses or networks).
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    proxy_protocol: bool = False
    # Refused API bearer tokens per source address (see docs/security.md#operator-access).
    api_auth_failure_limit: int = Field(default=10, ge=1)
    api_auth_failure_window_s: float = Field(default=60.0, gt=0)
    api_auth_lockout_s: float = Field(default=60.0, ge=0)
    # Integrations (metrics, MQTT, webhooks, exports, ...): one TOML file, see docs/integrations.md.
    config_file: Path | None = None
    # Firmware: base URL stations use to reach the HTTP port for downloads/uploads (default: the API request's URL).
    firmware_base_url: str | None = None
    # Validation bench (docs/validation.md): the wss:// URL (without the station id) stations reach the
    # TLS port at, for the security profile cases; default wss://HOST:OCPP_TLS_PORT/ocpp.
    validation_tls_url: str | None = None
    # Local authorization lists (docs/authorization.md): "all" stations unless opted out, or only "flagged" ones.
    local_list_policy: Literal["all", "flagged"] = "flagged"

    # ISO 15118 Plug & Charge (see docs/certificates.md#iso-15118-plug--charge).
    v2g_sub_ca_file: Path | None = None  # PEM: the V2G sub-CA that signs SECC certificates, then its intermediates
    v2g_sub_ca_key_file: Path | None = None
    v2g_certificate_days: int = Field(default=60, ge=1, le=730)
    v2g_ocsp_url: str | None = None  # OCSP responder written into signed SECC certificates
    ocsp_timeout_s: float = Field(default=5.0, gt=0, le=60)
    ocsp_cache_size: int = Field(default=10_000, ge=0)
    ocsp_max_cache_s: float = Field(default=24 * 3600.0, ge=0)
    # OCSP responders that may be asked although they are not public addresses (host names or addresses).
    ocsp_allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Contract authorization when the OCSP responder cannot be reached: reject (default) or accept.
    pnc_ocsp_unreachable: Literal["reject", "accept"] = "reject"
    contract_certificate_provider: str = "none"  # none | local (test only) | package.module:factory
    contract_provider_timeout_s: float = Field(default=20.0, gt=0, le=120)
    contract_ocsp_url: str | None = None  # local test provider: OCSP URL written into contract certificates
    # Transactions: an ended transaction with missing seqNos waits this long for them (GetTransactionStatus).
    transaction_gap_wait_s: float = Field(default=600.0, ge=0)
    # After the station says it has no queued messages, events already on the wire get this long to arrive.
    transaction_gap_grace_s: float = Field(default=10.0, ge=0)

    # A client that has not finished its WebSocket handshake within this time is dropped (slowloris).
    handshake_timeout_s: float = Field(default=10.0, gt=0)

    # Station clocks (docs/operations.md): a station timestamp further than this from the server's
    # clock is recorded as a clock_skew station event (once an hour per station at most), and a
    # transaction starting this far in the future is flagged start_in_future.
    clock_skew_limit_s: float = Field(default=300.0, gt=0)
    # Meter sample retention (docs/operations.md): raw samples older than this many days are folded into
    # per-session, per-hour aggregates and deleted by a background job (0: keep raw samples forever).
    meter_retention_days: int = Field(default=90, ge=0)
    retention_interval_s: float = Field(default=3600.0, gt=0)
    retention_batch_size: int = Field(default=2000, ge=10, le=100_000)
    # Station events (boots, statuses, connects, faults, security events...) older than this many days
    # are deleted by the same job (0: kept forever). The audit log is a table of its own, never pruned.
    station_event_retention_days: int = Field(default=365, ge=0)
    # Energy management (docs/energy.md): at most one re-plan per site tree this often; a site meter
    # silent this long makes its site fall back (None: 3 x the meter's poll interval + its timeout);
    # the maximum assumed for a station or EVSE without one; the answer to the balancer's profiles;
    # the stack level of its profiles; how soon an unresponsive station is tried again; how often a
    # station's lowered limit is checked with GetCompositeSchedule (0: every lowering).
    energy_replan_interval_s: float = Field(default=1.0, gt=0, le=60)
    energy_meter_timeout_s: float | None = Field(default=None, gt=0)
    energy_default_max_current_a: float = Field(default=32.0, gt=0, le=10_000)
    energy_profile_timeout_s: float = Field(default=10.0, gt=0, le=120)
    energy_stack_level: int = Field(default=1, ge=0, le=100)
    energy_retry_s: float = Field(default=60.0, gt=0)
    energy_verify_interval_s: float = Field(default=60.0, ge=0)

    @field_validator("ocsp_allowed_hosts", mode="before")
    @classmethod
    def _host_list(cls, value: Any) -> Any:
        """``CHARGEBRIDGE_OCSP_ALLOWED_HOSTS=ocsp.example.org,10.0.0.5`` (commas or spaces) or a list."""
        if isinstance(value, str):
            value = [part for part in value.replace(",", " ").split() if part]
        return value

    # Cluster mode (docs/scaling.md): several nodes on one PostgreSQL database and one NATS
    # JetStream server. Off (one process, in-process bus) unless nats_url is set.
    nats_url: str | None = None
    node_id: str | None = None  # default: the host name (must be unique among running nodes)
    cluster_prefix: str = "chargebridge"  # names of the NATS subjects, streams and buckets of this network
    # A node that has not refreshed its heartbeat for this long is dead: its stations are released.
    cluster_node_ttl_s: float = Field(default=6.0, ge=1.0, le=300.0)
    # A station's presence entry lives this long unless its node rewrites it (it does every third of it).
    cluster_presence_ttl_s: float = Field(default=600.0, ge=30.0, le=86_400.0)
    # Background work once per network (campaigns, sweeps): a lease lapses this long after its holder stopped renewing.
    cluster_lease_ttl_s: float = Field(default=10.0, ge=3.0, le=600.0)

    @field_validator("node_id", mode="before")
    @classmethod
    def _node_id(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        from chargebridge.cluster.names import validate_node_id

        return validate_node_id(str(value))

    @field_validator("cluster_prefix", mode="before")
    @classmethod
    def _prefix(cls, value: Any) -> Any:
        from chargebridge.cluster.names import validate_prefix

        return validate_prefix(str(value))

    @field_validator("nats_url", mode="before")
    @classmethod
    def _nats_url(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        from chargebridge.cluster.names import validate_nats_url

        return validate_nats_url(str(value))

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: Any) -> Any:
        """``CHARGEBRIDGE_TRUSTED_PROXIES=10.0.0.0/8,192.0.2.7`` (commas or spaces) or a list; each
        entry must be an IP address or network."""
        if isinstance(value, str):
            value = [part for part in value.replace(",", " ").split() if part]
        if isinstance(value, list | tuple):
            from chargebridge.gateway.proxy import parse_networks

            parse_networks(str(item) for item in value)  # ValueError names the bad entry
        return value

    # HTTP request bodies (see docs/security.md, "Hostile input"): the cap of every route that does
    # not stream its body (413 beyond), and the shape JSON bodies may have (422 beyond).
    api_max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    api_max_json_depth: int = Field(default=32, ge=2, le=1000)
    api_max_json_items: int = Field(default=10_000, ge=10)
    # Streamed uploads: a firmware image (POST /api/v1/firmware/images) and a station's diagnostics file.
    firmware_max_image_bytes: int = Field(default=256 * 1024 * 1024, ge=1024)
    diagnostics_max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)

    @property
    def clustered(self) -> bool:
        return self.nats_url is not None

    def cluster_problem(self) -> str | None:
        """Why these settings cannot run in cluster mode (None when they can or it is off)."""
        if self.nats_url is None:
            return None
        url = self.database_url or ""
        if not url.startswith("postgresql"):
            return (
                "cluster mode (--nats-url) needs a PostgreSQL database shared by every node "
                "(--database-url postgresql+asyncpg://...); SQLite is one process's file"
            )
        return None

    def resolved_node_id(self) -> str:
        if self.node_id:
            return self.node_id
        from chargebridge.cluster.names import default_node_id

        return default_node_id()

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return sqlite_url(self.data_dir.resolve())
