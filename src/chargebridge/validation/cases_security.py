"""Security profile cases: the bench makes the station reconnect at profile 2 (TLS + HTTP Basic)
and 3 (TLS + a client certificate our CA signed through SignCertificate / CertificateSigned) and
judges the connection it comes back with.

How the station is told (OCPP 1.6 security whitepaper, OCPP 2.0.1 A05):

- 1.6: ChangeConfiguration ``SecurityProfile``; the station reconnects with the new profile;
- 2.0.1: SetNetworkProfile into a free slot (the wss URL, the new profile), SetVariables
  ``OCPPCommCtrlr.NetworkConfigurationPriority`` with that slot first, then Reset.

Before that the station gets what the profile needs: the CSMS root certificate (InstallCertificate,
so it can check our TLS server), a password (profile 2, through the password rotation of
:mod:`chargebridge.gateway.passwords` when it has none), its certificate (profile 3). The CSMS
record is raised first so the new connection is admitted. A station does not go back to a lower
profile (both specifications forbid it), so a successful upgrade is kept and the report says so;
a failed one is undone on the CSMS side (and in 2.0.1 the slot priority put back).
"""

from __future__ import annotations

import hashlib
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from chargebridge.domain.commands import InstallCertificate, Reset, ResetType, TriggerMessage
from chargebridge.domain.devicemodel import NetworkProfile, SetNetworkProfile
from chargebridge.gateway.passwords import RotationRefused, rotate_password
from chargebridge.security.csr import is_self_signed, load_chain
from chargebridge.security.profiles import effective_profile
from chargebridge.security.secrets import WeakPassword
from chargebridge.validation.bench import NETWORK_PRIORITY, SECURITY_PROFILE_16, Bench, connection_facts
from chargebridge.validation.evidence import CALL, CALLRESULT, Frame
from chargebridge.validation.model import Verdict
from chargebridge.validation.verdicts import judge_security_profile

_SECURITY_COLUMNS = ("security_profile", "password_hash", "pending_password_hash", "password_changed_at")


def tls_url(b: Bench) -> str | None:
    """The wss:// URL stations reach the TLS port at (without the station id)."""
    configured = b.ports.settings.validation_tls_url
    if configured:
        return str(configured).rstrip("/")
    port = b.ports.gateway.tls_port
    if port is None:
        return None
    host = b.ports.settings.host
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"wss://{host}:{port}/ocpp"
    if address.is_unspecified:
        return None
    return f"wss://[{host}]:{port}/ocpp" if address.version == 6 else f"wss://{host}:{port}/ocpp"


def csms_root_pem(b: Bench) -> str | None:
    """The self-signed root of our TLS server certificate (from its chain file or the CA file)."""
    settings = b.ports.settings
    chain: list[x509.Certificate] = []
    anchors: list[x509.Certificate] = []
    for path, into in ((settings.tls_cert_file, chain), (settings.tls_ca_file, anchors)):
        if path is None:
            continue
        try:
            into.extend(load_chain(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    if not chain:
        return None
    last = chain[-1]
    root = (
        last
        if is_self_signed(last)
        else next((a for a in anchors if a.subject == last.issuer and is_self_signed(a)), None)
    )
    return root.public_bytes(serialization.Encoding.PEM).decode("ascii") if root is not None else None


def _preconditions(b: Bench, profile: int) -> str | None:
    if not b.settings.security_upgrade:
        return "the run does not allow raising the station's security profile (security_upgrade is false)"
    if b.ports.gateway.tls_port is None:
        return "the node has no TLS port configured (ocpp_tls_port, tls_cert_file, tls_key_file)"
    if tls_url(b) is None:
        return "the node listens on every address: set validation_tls_url to the wss:// URL stations use"
    if profile == 3 and b.ports.requests.certificates.ca is None:
        return "the node has no CA to sign station certificates (tls_ca_file and ca_key_file)"
    return None


async def _reconnected(b: Bench, cursor: int) -> bool:
    s = b.settings
    gone = await b.wait_event("station.disconnected", s.response_timeout_s, cursor)
    if gone is None:
        return False
    back = await b.wait_event("station.connected", s.reboot_timeout_s, gone.seq)
    return back is not None


async def _install_root(b: Bench) -> None:
    pem = csms_root_pem(b)
    if pem is None:
        b.log.note("bench.security", {"note": "no self-signed root of the TLS server certificate to install"})
        return
    sent = await b.execute(InstallCertificate("CSMSRootCertificate", pem))
    b.log.note("bench.security", {"install_csms_root": sent.shown()})
    if sent.status == "Accepted":
        b.restore.kept.append("the CSMS root certificate stays installed (the station needs it for TLS)")


async def _give_password(b: Bench, current: int) -> str | None:
    """Why the station has no password now, or None when it has one."""
    row = await b.ports.store.get_station(b.station_id)
    if row is None:
        return "the station is not registered"
    if row["password_hash"]:
        return None
    store = b.ports.store
    if current == 0:
        await store.update_station(b.station_id, security_profile=1)  # rotation is for profiles 1 and 2
    async with b.expect_disconnect():
        cursor = b.log.cursor
        try:
            await rotate_password(b.ports.gateway, b.station_id, actor=f"validation run {b.run_id}")
        except (RotationRefused, WeakPassword) as exc:
            return f"the station did not take a password: {exc}"
        # A station may reconnect with its new password right away (2.0.1 A01 asks it to).
        if await b.wait_event("station.disconnected", min(3.0, b.settings.response_timeout_s), cursor):
            await b.wait_event("station.connected", b.settings.reboot_timeout_s, cursor)
    return None


async def _certificate(b: Bench) -> tuple[str | None, str | None]:
    """(sha256 of the certificate signed for the station, why there is none)."""
    s = b.settings
    cursor = b.log.cursor
    sent = await b.execute(TriggerMessage("SignChargingStationCertificate"))
    if sent.status != "Accepted":
        return None, f"the certificate signing trigger was answered {sent.shown()}"
    request = await b.wait_call("SignCertificate", s.response_timeout_s, cursor)
    if request is None:
        return None, f"no SignCertificate within {s.response_timeout_s:g} s"

    def signed(entry: object) -> bool:
        return (
            isinstance(entry, Frame)
            and entry.type == CALL
            and not entry.from_station
            and entry.action == "CertificateSigned"
        )

    delivered = await b.wait_for(signed, s.response_timeout_s, request.seq)
    if not isinstance(delivered, Frame):
        return None, "the CSMS refused the CSR (see the SignCertificate answer)"

    def answer(entry: object) -> bool:
        return isinstance(entry, Frame) and entry.from_station and entry.message_id == delivered.message_id

    reply = await b.wait_for(answer, s.response_timeout_s, delivered.seq)
    if not isinstance(reply, Frame) or reply.type != CALLRESULT or reply.payload.get("status") != "Accepted":
        shown = reply.payload if isinstance(reply, Frame) else "no answer"
        return None, f"CertificateSigned was answered {shown}"
    chain = delivered.payload.get("certificateChain") if isinstance(delivered.payload, dict) else None
    try:
        leaf = load_chain(str(chain))[0]
    except ValueError:
        return None, "CertificateSigned carried no certificate"
    digest = hashlib.sha256(leaf.public_bytes(serialization.Encoding.DER)).hexdigest()
    b.signed_certificate_sha256 = digest
    return digest, None


async def _switch(b: Bench, profile: int) -> tuple[bool, str | None]:
    """Tell the station to reconnect at ``profile``; (reconnected, why not)."""
    s = b.settings
    url = tls_url(b)
    assert url is not None
    async with b.expect_disconnect():
        cursor = b.log.cursor
        if b.v16:
            sent = await b.write_setting(SECURITY_PROFILE_16, str(profile))
            if sent.status not in ("Accepted", "RebootRequired"):
                return False, f"ChangeConfiguration SecurityProfile={profile} was answered {sent.shown()}"
            if sent.status == "RebootRequired":
                await b.execute(Reset(ResetType.HARD))
            return await _reconnected(b, cursor), None
        priority, _ = await b.read_setting(NETWORK_PRIORITY)
        slots = [int(p) for p in (priority or "").replace(" ", "").split(",") if p.isdigit()]
        slot = next((n for n in range(1, 8) if n not in slots), None)
        if slot is None:
            return False, "no free network connection profile slot"
        network = NetworkProfile(
            csms_url=url, security_profile=profile, ocpp_interface="Wired0", message_timeout_s=int(s.response_timeout_s)
        )
        sent = await b.execute(SetNetworkProfile(slot, network))
        if sent.status != "Accepted":
            return False, f"SetNetworkProfile was answered {sent.shown()}"
        order = ",".join(str(n) for n in [slot, *slots])
        sent = await b.write_setting(NETWORK_PRIORITY, order)
        if sent.status not in ("Accepted", "RebootRequired"):
            return False, f"NetworkConfigurationPriority={order} was answered {sent.shown()}"
        b.log.note("bench.security", {"network_slot": slot, "priority_before": priority, "priority": order})
        cursor = b.log.cursor
        reset = await b.execute(Reset(ResetType.HARD))
        if reset.status not in ("Accepted", "Scheduled"):
            if priority is not None:
                await b.write_setting(NETWORK_PRIORITY, priority)
            return False, f"the Reset that applies the new network profile was answered {reset.shown()}"
        back = await _reconnected(b, cursor)
        if not back and priority is not None and b.connected:
            await b.write_setting(NETWORK_PRIORITY, priority)
        return back, None


async def _upgrade(b: Bench, profile: int) -> Verdict:
    why = _preconditions(b, profile)
    if why is not None:
        return Verdict.skipped(why)
    store = b.ports.store
    row = await store.get_station(b.station_id)
    if row is None:
        return Verdict.failed("the station is not registered")
    current = effective_profile(row["security_profile"], row["password_hash"])
    facts = connection_facts(b.connection())
    if current >= profile and facts.tls:
        verdict = judge_security_profile(profile, b.station_id, facts, reconnected=True)
        if verdict.ok:
            return Verdict.passed(f"already connected at security profile {current}: {verdict.reason}", **verdict.facts)
    before = {column: row[column] for column in _SECURITY_COLUMNS}
    if b.restore.security is None:
        b.restore.security = before
    await _install_root(b)
    expected_certificate = None
    if profile == 2:
        missing = await _give_password(b, current)
        if missing is not None:
            await store.update_station(b.station_id, **before)
            return Verdict.failed(missing)
    else:
        expected_certificate, missing = await _certificate(b)
        if missing is not None:
            return Verdict.failed(missing)
    await store.update_station(b.station_id, security_profile=profile)
    reconnected, refused = await _switch(b, profile)
    if refused is not None:
        await store.update_station(b.station_id, security_profile=before["security_profile"])
        return Verdict.failed(refused)
    conn = b.ports.gateway.connections.get(b.station_id)
    after = connection_facts(conn) if conn is not None else None
    verdict = judge_security_profile(
        profile, b.station_id, after, reconnected=reconnected, expected_certificate_sha256=expected_certificate
    )
    if verdict.ok:
        b.restore.kept.append(
            f"security profile {current} -> {profile}: a station does not go back to a lower profile "
            "(OCPP 1.6 security whitepaper, 2.0.1 A05); the CSMS record says {profile}".replace(
                "{profile}", str(profile)
            )
        )
    else:
        # Undo on the CSMS side so the station, falling back to its old profile, can connect.
        await store.update_station(b.station_id, security_profile=before["security_profile"])
    return verdict


async def security_profile_2(b: Bench) -> Verdict:
    return await _upgrade(b, 2)


async def security_profile_3(b: Bench) -> Verdict:
    return await _upgrade(b, 3)
