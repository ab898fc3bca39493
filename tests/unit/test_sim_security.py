"""The simulator's security profile rules (pure): 1.6 SecurityProfile changes and their fallback,
2.0.1 network connection profiles in priority order, never below the profile already used."""

from __future__ import annotations

import pytest

from chargebridge.security.ca import create_ca
from chargebridge.security.csr import pem_chain
from chargebridge.sim import security as sec
from chargebridge.sim.state import ConfigStore, InstalledCertificate, StationState


def state(*, password: bool = True, tls_url: str | None = "wss://csms/ocpp", root: bool = True) -> StationState:
    s = StationState(connectors={}, config=ConfigStore({}), station_id="CP-1")
    s.security.base_url = "ws://csms/ocpp"
    s.security.tls_url = tls_url
    s.security.has_password = password
    s.security.profile = 1 if password else 0
    if root:
        ca = create_ca()
        s.certificates.append(InstalledCertificate("CentralSystemRootCertificate", pem_chain(ca.cert), {}))
    return s


def test_1_6_security_profile_only_goes_up_with_what_it_needs() -> None:
    s = state()
    assert sec.change_profile_16(s, "0") == "Rejected"  # never lower
    assert sec.change_profile_16(s, "3") == "Rejected"  # no client certificate yet
    assert sec.change_profile_16(state(tls_url=None), "2") == "Rejected"  # nowhere to connect with TLS
    assert sec.change_profile_16(state(root=False), "2") == "Rejected"  # nothing to check the server with
    assert sec.change_profile_16(state(password=False), "2") == "Rejected"  # profile 2 needs a password
    assert sec.change_profile_16(s, "x") == "Rejected"
    assert sec.change_profile_16(s, "2") == "Accepted"
    target = sec.target(s, v16=True, initial_profile=1)
    assert target == sec.Target("wss://csms/ocpp", 2)
    # the first connection with the new profile fails: back to the old one
    sec.connect_failed(s, v16=True)
    assert sec.target(s, v16=True, initial_profile=1) == sec.Target("ws://csms/ocpp", 1)
    # once it worked, a failure does not undo it
    assert sec.change_profile_16(s, "2") == "Accepted"
    sec.connected(s, sec.target(s, v16=True, initial_profile=1))
    sec.connect_failed(s, v16=True)
    assert s.security.profile == 2


def test_2_0_1_slots_in_priority_order_never_below_the_profile_used() -> None:
    s = state()
    s.device_model.network_profiles[3] = {"ocppCsmsUrl": "wss://csms/ocpp", "securityProfile": 2}
    s.device_model.values[sec.PRIORITY] = "3,0"
    sec.rebooted(s, v16=False)
    first = sec.target(s, v16=False, initial_profile=1)
    assert first == sec.Target("wss://csms/ocpp", 2, 3)
    sec.connect_failed(s, v16=False)  # the new slot never worked: the next one
    assert sec.target(s, v16=False, initial_profile=1) == sec.Target("ws://csms/ocpp", 1, 0)
    sec.rebooted(s, v16=False)
    sec.connected(s, sec.target(s, v16=False, initial_profile=1))
    assert s.device_model.security_profile == 2
    # slot 0 (profile 1) is now below what the station used: it is never tried again
    assert sec.candidates(s, 1) == [sec.Target("wss://csms/ocpp", 2, 3)]


def test_the_tls_context_needs_a_root_and_for_profile_3_a_certificate() -> None:
    s = state()
    assert sec.ssl_context(s, 2) is not None
    with pytest.raises(ValueError, match="client certificate"):
        sec.ssl_context(s, 3)
    with pytest.raises(ValueError, match="root"):
        sec.ssl_context(state(root=False), 2)
