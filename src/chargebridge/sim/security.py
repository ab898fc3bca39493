"""Security profiles of a simulated station: where and how it connects (pure decisions plus the
TLS context it builds for profiles 2 and 3).

- Profile 0/1 connect to the configured ``ws://`` URL (1 with HTTP Basic credentials); 2 and 3
  connect over TLS and check the CSMS's server certificate against the CSMS root certificates the
  CSMS installed (InstallCertificate) and the CA the station was provisioned with; 3 presents the
  certificate the CSMS signed for it (SignCertificate / CertificateSigned) with its key.
- OCPP 1.6 (security whitepaper): ChangeConfiguration ``SecurityProfile`` raises the profile (never
  lowers it); the station reconnects with it at its provisioned ``wss://`` URL and, when that first
  connection fails, falls back to the profile it had.
- OCPP 2.0.1 (A05, B10): connection profiles in slots (SetNetworkProfile; slot 0 is the one the
  station was provisioned with) tried in the order of ``OCPPCommCtrlr.NetworkConfigurationPriority``
  when the station boots, skipping slots of a lower profile than it has used; a slot that has
  never worked is left for the next one when it fails.
"""

from __future__ import annotations

import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization

if TYPE_CHECKING:
    from chargebridge.sim.state import StationState

ROOT_TYPES = frozenset({"CentralSystemRootCertificate", "CSMSRootCertificate"})
PRIORITY = ("OCPPCommCtrlr", "NetworkConfigurationPriority")


@dataclass(slots=True)
class SecurityState:
    profile: int = 0  # the profile of the connection the station makes now
    base_url: str = ""  # the ws:// (or wss://) URL the station was provisioned with
    tls_url: str | None = None  # 1.6: the wss:// URL used from profile 2 on
    ca_pem: str | None = None  # a CA the station trusts besides the CSMS roots it was given
    has_password: bool = False
    previous: int | None = None  # 1.6: the profile before an unconfirmed change
    confirmed: bool = True  # the current target has connected at least once
    slot_index: int = 0  # 2.0.1: which entry of the priority list is tried


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    profile: int
    slot: int | None = None  # 2.0.1


def change_profile_16(state: StationState, value: str) -> str:
    """The answer to ChangeConfiguration SecurityProfile (the change applies on reconnecting)."""
    security = state.security
    try:
        wanted = int(value)
    except ValueError:
        return "Rejected"
    if wanted == security.profile:
        return "Accepted"
    if not security.profile < wanted <= 3:
        return "Rejected"  # never lower, only 0-3
    if wanted in (1, 2) and not security.has_password:
        return "Rejected"
    if wanted >= 2 and (security.tls_url is None or not trusted_roots(state)):
        return "Rejected"
    if wanted == 3 and (state.station_certificate is None or state.station_key is None):
        return "Rejected"
    security.previous, security.profile, security.confirmed = security.profile, wanted, False
    return "Accepted"


def priority(state: StationState) -> list[int]:
    raw = state.device_model.values.get(PRIORITY, "0")
    out = [int(part) for part in raw.replace(" ", "").split(",") if part.isdigit()]
    return out or [0]


def candidates(state: StationState, initial_profile: int) -> list[Target]:
    """2.0.1: the slots to try, in priority order, none below the profile already used."""
    security = state.security
    used = state.device_model.security_profile
    out: list[Target] = []
    for slot in priority(state):
        if slot == 0 and 0 not in state.device_model.network_profiles:
            url, profile = security.base_url, initial_profile
        else:
            data = state.device_model.network_profiles.get(slot)
            if data is None or not isinstance(data.get("ocppCsmsUrl"), str):
                continue
            url, profile = data["ocppCsmsUrl"], int(data.get("securityProfile", 0))
        if profile >= used:
            out.append(Target(url, profile, slot))
    return out or [Target(security.base_url, initial_profile, 0)]


def target(state: StationState, *, v16: bool, initial_profile: int) -> Target:
    security = state.security
    if v16:
        url = security.tls_url if security.profile >= 2 and security.tls_url else security.base_url
        return Target(url, security.profile)
    options = candidates(state, initial_profile)
    return options[security.slot_index % len(options)]


def connect_failed(state: StationState, *, v16: bool) -> None:
    """A connection attempt failed: an unconfirmed change falls back."""
    security = state.security
    if security.confirmed:
        return
    if v16:
        if security.previous is not None:
            security.profile, security.previous = security.previous, None
        security.confirmed = True
    else:
        security.slot_index += 1


def connected(state: StationState, chosen: Target) -> None:
    security = state.security
    security.confirmed = True
    security.previous = None
    security.profile = chosen.profile
    state.device_model.security_profile = max(state.device_model.security_profile, chosen.profile)


def rebooted(state: StationState, *, v16: bool) -> None:
    """2.0.1: a boot starts again from the first slot of the priority list."""
    if not v16:
        state.security.slot_index = 0
        state.security.confirmed = False


def trusted_roots(state: StationState) -> list[str]:
    roots = [c.pem for c in state.certificates if c.certificate_type in ROOT_TYPES]
    if state.security.ca_pem:
        roots.append(state.security.ca_pem)
    return roots


def ssl_context(state: StationState, profile: int) -> ssl.SSLContext:
    """The client TLS context of a profile 2/3 connection. Raises ValueError when the station
    has nothing to check the server with (or, for 3, no certificate of its own)."""
    roots = trusted_roots(state)
    if not roots:
        raise ValueError("no CSMS root certificate to check the server with")
    context = ssl.create_default_context(cadata="\n".join(roots))
    if profile >= 3:
        if state.station_certificate is None or state.station_key is None:
            raise ValueError("no client certificate for security profile 3")
        key = state.station_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        with tempfile.TemporaryDirectory() as folder:  # ssl loads certificates from files only
            cert_file, key_file = Path(folder) / "cert.pem", Path(folder) / "key.pem"
            cert_file.write_text(state.station_certificate, encoding="ascii")
            key_file.write_bytes(key)
            context.load_cert_chain(cert_file, key_file)
    return context
