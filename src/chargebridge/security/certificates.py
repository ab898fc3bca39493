"""Station certificates: what the CSMS knows each station holds (table ``station_certificates``),
and the node's signing CA.

Origins: ``signed`` (our CA signed the station's CSR), ``client_tls`` (seen as the client
certificate of a profile-3 connection), ``installed`` (sent with InstallCertificate),
``reported`` (listed by GetInstalledCertificateIds). Statuses: ``pending`` (signed, the station
has not accepted it yet), ``active``, ``rejected`` (the station refused the signed chain),
``superseded`` (a newer certificate of the same type became active), ``deleted`` (deleted with
DeleteCertificate, or no longer listed by the station).

Writes go through the store's group-commit writer and return after COMMIT.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.config import Settings
from chargebridge.domain import commands as cmd
from chargebridge.domain.commands import STATION_CERTIFICATE, CertificateHashData, InstalledCertificate
from chargebridge.security.ca import Issued, load_ca
from chargebridge.security.csr import certificate_hash_data, fingerprint, is_self_signed, load_chain, serial_hex
from chargebridge.security.tables import station_certificates
from chargebridge.store.repository import Row, Store

SIGNED, CLIENT_TLS, INSTALLED, REPORTED = "signed", "client_tls", "installed", "reported"
PENDING, ACTIVE, REJECTED, SUPERSEDED, DELETED = "pending", "active", "rejected", "superseded", "deleted"

_table = station_certificates


def signing_ca(settings: Settings) -> Issued | None:
    """The CA that signs station CSRs: the first certificate of ``tls_ca_file`` with ``ca_key_file``.

    None when no key is configured (SignCertificate is then answered Rejected). Raises
    ValueError when the key is given without the CA file or does not belong to it, so a
    misconfigured node refuses to start instead of signing certificates nobody trusts."""
    if settings.ca_key_file is None:
        return None
    if settings.tls_ca_file is None:
        raise ValueError("ca_key_file needs tls_ca_file (the CA certificate the key belongs to)")
    ca = load_ca(settings.tls_ca_file, settings.ca_key_file)
    ours = ca.key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    theirs = ca.cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if ours != theirs:
        raise ValueError("the CA key file does not hold the key of the first certificate in the TLS CA file")
    basic = ca.cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    if not basic.ca:
        raise ValueError("the first certificate of the TLS CA file is not a CA certificate")
    return ca


def normal_serial(serial: str) -> str:
    """A serial number as stored: lower-case hex without leading zeros."""
    return serial.strip().lower().lstrip("0") or "0"


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def certificate_values(cert: x509.Certificate, issuer: x509.Certificate | None) -> dict[str, Any]:
    """The columns that describe one certificate (hash data only when its issuer is known)."""
    return {
        "serial_number": serial_hex(cert.serial_number),
        "subject": cert.subject.rfc4514_string()[:255],
        "issuer": cert.issuer.rfc4514_string()[:255],
        "fingerprint": fingerprint(cert),
        "hash_data": certificate_hash_data(cert, issuer).to_json() if issuer is not None else None,
        "not_before": cert.not_valid_before_utc,
        "not_after": cert.not_valid_after_utc,
        "pem": _pem(cert),
    }


def _issuer_in(chain: Sequence[x509.Certificate]) -> x509.Certificate | None:
    if len(chain) > 1:
        return chain[1]
    return chain[0] if is_self_signed(chain[0]) else None


async def _supersede_older(
    conn: AsyncConnection, station_id: str, certificate_type: str, row_id: int, not_before: datetime | None
) -> None:
    """A certificate that became active replaces the active ones of its type not issued after it
    (X.509 times have whole seconds: two certificates of the same second count as older)."""
    query = update(_table).where(
        _table.c.station_id == station_id,
        _table.c.certificate_type == certificate_type,
        _table.c.status == ACTIVE,
        _table.c.id != row_id,
    )
    if not_before is not None:
        query = query.where((_table.c.not_before <= not_before) | _table.c.not_before.is_(None))
    await conn.execute(query.values(status=SUPERSEDED))


async def _insert(conn: AsyncConnection, values: dict[str, Any]) -> int:
    result = await conn.execute(insert(_table).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


# -- signed by our CA ----------------------------------------------------------------------


async def add_signed_certificate(
    store: Store,
    station_id: str,
    certificate_type: str,
    cert: x509.Certificate,
    ca_cert: x509.Certificate,
    now: datetime,
) -> int:
    """Record a certificate our CA just signed (status ``pending``); returns its row id."""
    values = {
        "station_id": station_id,
        "certificate_type": certificate_type,
        "origin": SIGNED,
        "status": PENDING,
        **certificate_values(cert, ca_cert),
        "created_at": now,
        "updated_at": now,
    }

    async def op(conn: AsyncConnection) -> int:
        return await _insert(conn, values)

    return await store.writer.run(op)


async def settle_signed_certificate(store: Store, row_id: int, accepted: bool, now: datetime) -> None:
    """The station's answer to CertificateSigned: Accepted -> active (older ones superseded), else rejected."""

    async def op(conn: AsyncConnection) -> None:
        row = (await conn.execute(select(_table).where(_table.c.id == row_id))).mappings().first()
        if row is None:
            return
        status = ACTIVE if accepted else REJECTED
        await conn.execute(update(_table).where(_table.c.id == row_id).values(status=status, updated_at=now))
        if accepted:
            await _supersede_older(conn, row["station_id"], row["certificate_type"], row_id, row["not_before"])

    await store.writer.run(op)


# -- seen on a TLS connection --------------------------------------------------------------


async def record_client_certificate(store: Store, station_id: str, cert_der: bytes, now: datetime) -> None:
    """The client certificate a station presented (profile 3): upserted as ``client_tls``/``active``
    by fingerprint. A known row (e.g. one we signed) becomes active unless a newer certificate of the
    station superseded it; older active certificates of the station are superseded."""
    cert = x509.load_der_x509_certificate(cert_der)
    values = certificate_values(cert, None)

    async def op(conn: AsyncConnection) -> None:
        found = await conn.execute(
            select(_table.c.id, _table.c.status, _table.c.certificate_type).where(
                _table.c.station_id == station_id, _table.c.fingerprint == values["fingerprint"]
            )
        )
        row = found.mappings().first()
        if row is None:
            row_id = await _insert(
                conn,
                {
                    "station_id": station_id,
                    "certificate_type": STATION_CERTIFICATE,
                    "origin": CLIENT_TLS,
                    "status": ACTIVE,
                    **values,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            certificate_type = STATION_CERTIFICATE
        else:
            row_id, certificate_type = row["id"], row["certificate_type"]
            status = row["status"] if row["status"] == SUPERSEDED else ACTIVE
            await conn.execute(update(_table).where(_table.c.id == row_id).values(status=status, updated_at=now))
            if status != ACTIVE:
                return
        await _supersede_older(conn, station_id, certificate_type, row_id, values["not_before"])

    await store.writer.run(op)


# -- results of operator commands ----------------------------------------------------------


async def record_installed(store: Store, station_id: str, certificate_type: str, pem: str, now: datetime) -> None:
    """An InstallCertificate the station accepted: ``installed``/``active`` (upserted by fingerprint).

    Hash data is stored when the issuer is known: the certificate is self-signed (a root) or
    the PEM holds its issuer after it."""
    chain = load_chain(pem)
    values = certificate_values(chain[0], _issuer_in(chain))

    async def op(conn: AsyncConnection) -> None:
        found = await conn.execute(
            select(_table.c.id).where(_table.c.station_id == station_id, _table.c.fingerprint == values["fingerprint"])
        )
        row_id = found.scalar()
        if row_id is None:
            await _insert(
                conn,
                {
                    "station_id": station_id,
                    "certificate_type": certificate_type,
                    "origin": INSTALLED,
                    "status": ACTIVE,
                    **values,
                    "created_at": now,
                    "updated_at": now,
                },
            )
        else:
            await conn.execute(
                update(_table)
                .where(_table.c.id == row_id)
                .values(status=ACTIVE, certificate_type=certificate_type, updated_at=now)
            )

    await store.writer.run(op)


def _matches(row: Any, hash_data: CertificateHashData) -> bool:
    stored = row["hash_data"]
    return stored is not None and CertificateHashData.from_json(stored).same_certificate(hash_data)


async def mark_deleted(store: Store, station_id: str, hash_data: CertificateHashData, now: datetime) -> int:
    """A DeleteCertificate the station accepted: rows with that hash data -> ``deleted``; returns how many."""
    serial = normal_serial(hash_data.serial_number)

    async def op(conn: AsyncConnection) -> int:
        rows = (
            await conn.execute(
                select(_table.c.id, _table.c.hash_data).where(
                    _table.c.station_id == station_id, _table.c.serial_number == serial, _table.c.status != DELETED
                )
            )
        ).mappings()
        ids = [row["id"] for row in rows if _matches(row, hash_data)]
        if ids:
            await conn.execute(update(_table).where(_table.c.id.in_(ids)).values(status=DELETED, updated_at=now))
        return len(ids)

    return await store.writer.run(op)


async def record_reported(
    store: Store,
    station_id: str,
    asked_types: Collection[str],
    reported: Sequence[tuple[str, CertificateHashData]],
    now: datetime,
) -> None:
    """A GetInstalledCertificateIds answer: each listed certificate is upserted by (station, type,
    serial) as ``reported``/``active`` (a known row keeps its origin); installed or reported rows
    of the asked types (every type when none was asked) that the station no longer lists -> ``deleted``."""

    async def op(conn: AsyncConnection) -> None:
        seen: set[int] = set()
        for certificate_type, hash_data in reported:
            serial = normal_serial(hash_data.serial_number)
            found = await conn.execute(
                select(_table.c.id, _table.c.hash_data).where(
                    _table.c.station_id == station_id,
                    _table.c.certificate_type == certificate_type,
                    _table.c.serial_number == serial,
                )
            )
            row = found.mappings().first()
            if row is None:
                seen.add(
                    await _insert(
                        conn,
                        {
                            "station_id": station_id,
                            "certificate_type": certificate_type,
                            "origin": REPORTED,
                            "status": ACTIVE,
                            "serial_number": serial,
                            "hash_data": hash_data.to_json(),
                            "created_at": now,
                            "updated_at": now,
                        },
                    )
                )
            else:
                seen.add(row["id"])
                values: dict[str, Any] = {"status": ACTIVE, "updated_at": now}
                if row["hash_data"] is None:
                    values["hash_data"] = hash_data.to_json()
                await conn.execute(update(_table).where(_table.c.id == row["id"]).values(**values))
        gone = update(_table).where(
            _table.c.station_id == station_id,
            _table.c.origin.in_((INSTALLED, REPORTED)),
            _table.c.status == ACTIVE,
        )
        if asked_types:
            gone = gone.where(_table.c.certificate_type.in_(list(asked_types)))
        if seen:
            gone = gone.where(_table.c.id.not_in(seen))
        await conn.execute(gone.values(status=DELETED, updated_at=now))

    await store.writer.run(op)


def reported_types(
    asked_types: Sequence[str], certificates: Sequence[InstalledCertificate]
) -> list[tuple[str, CertificateHashData]]:
    """(type, hash data) of each listed certificate; a 1.6 answer names no type: it is the one asked for."""
    fallback = asked_types[0] if len(asked_types) == 1 else None
    out = []
    for item in certificates:
        certificate_type = item.certificate_type or fallback
        if certificate_type is not None:
            out.append((certificate_type, item.hash_data))
    return out


async def record_command_outcome(
    store: Store, station_id: str, command: cmd.Command, outcome: cmd.CommandOutcome, now: datetime
) -> None:
    """Keep the table in step with an operator's certificate command (other commands: nothing)."""
    match command:
        case cmd.InstallCertificate() if outcome.status == "Accepted":
            await record_installed(store, station_id, command.certificate_type, command.certificate, now)
        case cmd.DeleteCertificate() if outcome.status == "Accepted":
            await mark_deleted(store, station_id, command.hash_data, now)
        case cmd.GetInstalledCertificateIds() if outcome.status in ("Accepted", "NotFound"):
            listed = reported_types(command.certificate_types, outcome.certificates)
            await record_reported(store, station_id, command.certificate_types, listed, now)


# -- reads ---------------------------------------------------------------------------------


async def list_certificates(
    store: Store,
    *,
    station_id: str | None = None,
    only: Collection[str] | None = None,
    expiring_before: datetime | None = None,
    statuses: Collection[str] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Row]:
    """Certificates, soonest expiry first (unknown expiry last). ``only``: a scoped token's stations."""
    query = select(_table)
    conditions = []
    if station_id is not None:
        conditions.append(_table.c.station_id == station_id)
    if only is not None:
        conditions.append(_table.c.station_id.in_(sorted(only)))
    if expiring_before is not None:
        conditions.append(_table.c.not_after <= expiring_before)
    if statuses:
        conditions.append(_table.c.status.in_(sorted(statuses)))
    if conditions:
        query = query.where(and_(*conditions))
    query = query.order_by(_table.c.not_after.is_(None), _table.c.not_after, _table.c.id.desc())
    return await store._fetch_all(query.limit(limit).offset(offset))
