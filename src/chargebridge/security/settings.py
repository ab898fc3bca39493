"""Translate the node's security settings into gateway settings (used by the composition root)."""

from __future__ import annotations

from typing import Any

from chargebridge.config import Settings


def gateway_security_settings(settings: Settings) -> dict[str, Any]:
    chains: list[tuple[str, str]] = []
    for cert, key in (
        (settings.tls_cert_file, settings.tls_key_file),
        (settings.tls_rsa_cert_file, settings.tls_rsa_key_file),
    ):
        if (cert is None) != (key is None):
            raise ValueError("give both a TLS certificate file and its key file")
        if cert is not None and key is not None:
            chains.append((str(cert), str(key)))
    if settings.ocpp_tls_port is not None and not chains:
        raise ValueError("--ocpp-tls-port needs --tls-cert-file and --tls-key-file")
    if settings.proxy_protocol and not settings.trusted_proxies:
        raise ValueError("--proxy-protocol needs --trusted-proxy (the load balancers that send the header)")
    return {
        "tls_port": settings.ocpp_tls_port,
        "tls_chains": tuple(chains),
        "tls_ca_file": str(settings.tls_ca_file) if settings.tls_ca_file else None,
        "require_security": settings.require_security,
        "auth_failure_limit": settings.auth_failure_limit,
        "auth_failure_window_s": settings.auth_failure_window_s,
        "auth_lockout_s": settings.auth_lockout_s,
        "probe_limit": settings.probe_limit,
        "probe_window_s": settings.probe_window_s,
        "probe_lockout_s": settings.probe_lockout_s,
        "replacement_limit": settings.replacement_limit,
        "replacement_window_s": settings.replacement_window_s,
        "trusted_proxies": tuple(settings.trusted_proxies),
        "proxy_protocol": settings.proxy_protocol,
    }
