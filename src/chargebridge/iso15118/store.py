"""Reads and writes of the ISO 15118 trust anchors (writes return after COMMIT)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.iso15118.pki import valid_at
from chargebridge.iso15118.tables import trust_anchors
from chargebridge.security.csr import fingerprint, is_self_signed, load_chain, serial_hex
from chargebridge.store.repository import Row, Store

V2G_ROOT, MO_ROOT = "V2GRootCertificate", "MORootCertificate"
ROOT_KINDS = (V2G_ROOT, MO_ROOT)


class BadRoot(ValueError):
    """A certificate that cannot be a trust anchor (not PEM, not self-signed, not a CA, expired)."""


def parse_root(pem: str, now: datetime) -> x509.Certificate:
    """The one self-signed CA certificate of ``pem``, valid now; raises BadRoot with the reason."""
    try:
        certs = load_chain(pem)
    except ValueError as exc:
        raise BadRoot("not a PEM certificate") from exc
    if len(certs) != 1:
        raise BadRoot(f"give exactly one certificate, not {len(certs)}")
    cert = certs[0]
    if not is_self_signed(cert):
        raise BadRoot("a root certificate must be self-signed")
    try:
        basic = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        basic = None
    if basic is None or not basic.ca:
        raise BadRoot("the certificate is not a CA (BasicConstraints CA:TRUE is missing)")
    if not valid_at(cert, now):
        raise BadRoot("the certificate is not valid now")
    return cert


class TrustAnchorStore:
    def __init__(self, store: Store):
        self.store = store

    async def add(self, kind: str, pem: str, now: datetime, added_by: str | None = None) -> tuple[Row, bool]:
        """Import a V2G or MO root; returns (row, created). The same certificate twice is one row."""
        if kind not in ROOT_KINDS:
            raise BadRoot(f"kind must be one of {ROOT_KINDS}")
        cert = parse_root(pem, now)
        values = {
            "kind": kind,
            "subject": cert.subject.rfc4514_string()[:255],
            "serial_number": serial_hex(cert.serial_number)[:40],
            "fingerprint": fingerprint(cert),
            "not_before": cert.not_valid_before_utc,
            "not_after": cert.not_valid_after_utc,
            "pem": cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
            "added_at": now,
            "added_by": added_by,
        }

        async def op(conn: AsyncConnection) -> tuple[int, bool]:
            found = await conn.execute(
                select(trust_anchors.c.id).where(trust_anchors.c.fingerprint == values["fingerprint"])
            )
            row_id = found.scalar()
            if row_id is not None:
                return int(row_id), False
            result = await conn.execute(insert(trust_anchors).values(**values))
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0]), True

        row_id, created = await self.store.writer.run(op)
        row = await self.get(row_id)
        assert row is not None
        return row, created

    async def get(self, row_id: int) -> Row | None:
        return await self.store._fetch_one(select(trust_anchors).where(trust_anchors.c.id == row_id))

    async def rows(self, kind: str | None = None) -> list[Row]:
        query = select(trust_anchors).order_by(trust_anchors.c.id)
        if kind is not None:
            query = query.where(trust_anchors.c.kind == kind)
        return await self.store._fetch_all(query)

    async def remove(self, row_id: int) -> bool:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(delete(trust_anchors).where(trust_anchors.c.id == row_id))
            return int(result.rowcount or 0)

        return bool(await self.store.writer.run(op))


def anchor_view(row: Row, now: datetime) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "subject": row["subject"],
        "serial_number": row["serial_number"],
        "fingerprint": row["fingerprint"],
        "not_before": row["not_before"],
        "not_after": row["not_after"],
        "expired": row["not_after"] <= now,
        "added_at": row["added_at"],
        "added_by": row["added_by"],
        "pem": row["pem"],
    }
