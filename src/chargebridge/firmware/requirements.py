"""The procurement vocabulary: requirement names and what proves each of them, pure (no I/O).

A requirement set (``"2.0.1,advanced-security,smart-charging"``) is judged against what the
compatibility matrix knows of one vendor/model/firmware:

- an OCPP version (``1.6``, ``2.0.1``) is met by an OCA certificate of that version;
- an OCA profile (``core``, ``advanced-security``, ``smart-charging``, ``iso15118``) by an OCA
  certificate that certifies it; when the set also names versions, by a certificate of one of them
  (``2.0.1,smart-charging`` asks for a 2.0.1 certificate with Smart Charging, not a 1.6 one);
- a metering approval (``eichrecht``, ``mid``) by a metering approval record of that scheme;
- an integration level (``basic``, ``standard``, ``advanced``) by the level the validation bench
  reached with that firmware (its newest finished run), that level or a higher one.

Each met requirement names its evidence (the certificate, the approval or the validation run).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    VERSION = "version"
    PROFILE = "profile"
    METERING = "metering"
    LEVEL = "level"


OCPP_VERSIONS = ("1.6", "2.0.1")
PROFILES = ("core", "advanced-security", "smart-charging", "iso15118")
METERING_SCHEMES = ("eichrecht", "mid")
LEVELS = ("basic", "standard", "advanced")  # in order: a higher level meets a lower requirement

VOCABULARY: dict[str, Kind] = {
    **dict.fromkeys(OCPP_VERSIONS, Kind.VERSION),
    **dict.fromkeys(PROFILES, Kind.PROFILE),
    **dict.fromkeys(METERING_SCHEMES, Kind.METERING),
    **dict.fromkeys(LEVELS, Kind.LEVEL),
}

# Spellings people use for the same thing (OCA's own names, case and separators aside).
_ALIASES = {
    "16": "1.6",
    "1.6j": "1.6",
    "ocpp1.6": "1.6",
    "201": "2.0.1",
    "ocpp2.0.1": "2.0.1",
    "advancedsecurity": "advanced-security",
    "security": "advanced-security",
    "smartcharging": "smart-charging",
    "iso-15118": "iso15118",
    "iso15118-2": "iso15118",
    "plug-and-charge": "iso15118",
}


class UnknownRequirement(ValueError):
    """A requirement name outside the vocabulary."""

    def __init__(self, names: Sequence[str]):
        self.names = list(names)
        known = ", ".join(VOCABULARY)
        quoted = ", ".join(repr(name) for name in names)
        super().__init__(f"unknown requirement {quoted} (known: {known})")


def normalise(name: str) -> str | None:
    """The vocabulary's spelling of ``name``, or None when it is not a requirement name."""
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    if key in VOCABULARY:
        return key
    squashed = key.replace("-", "")
    return _ALIASES.get(key) or _ALIASES.get(squashed)


def parse_requirements(text: str | Iterable[str]) -> list[str]:
    """``"2.0.1, Advanced-Security"`` (or a list of names) -> ``["2.0.1", "advanced-security"]``:
    normalised, duplicates dropped, order kept. Raises :class:`UnknownRequirement`."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    out: list[str] = []
    unknown: list[str] = []
    for part in parts:
        if not part.strip():
            continue
        name = normalise(part)
        if name is None:
            unknown.append(part.strip())
        elif name not in out:
            out.append(name)
    if unknown:
        raise UnknownRequirement(unknown)
    return out


def profile_of(name: str) -> str:
    """An OCA profile name as the vocabulary spells it (for certificate records); ValueError otherwise."""
    normal = normalise(name)
    if normal is None or VOCABULARY[normal] is not Kind.PROFILE:
        raise ValueError(f"unknown OCA profile {name!r} (known: {', '.join(PROFILES)})")
    return normal


def level_rank(level: str | None) -> int:
    """0 for none/unknown, 1 basic, 2 standard, 3 advanced."""
    return LEVELS.index(level) + 1 if level in LEVELS else 0


@dataclass(frozen=True, slots=True)
class Certificate:
    """An OCA certificate of one vendor/model/firmware."""

    record_id: str
    certificate_id: str
    ocpp_version: str
    profiles: tuple[str, ...]
    issued_on: str | None = None
    link: str | None = None


@dataclass(frozen=True, slots=True)
class MeteringApproval:
    record_id: str
    scheme: str
    certificate_id: str
    issued_on: str | None = None
    link: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the matrix knows of one vendor/model/firmware."""

    certificates: tuple[Certificate, ...] = ()
    metering: tuple[MeteringApproval, ...] = ()
    validated_level: str | None = None
    validation_run_id: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    meets: bool
    evidence: dict[str, str] = field(default_factory=dict)  # requirement -> what proves it
    missing: list[str] = field(default_factory=list)  # requirement -> not proven

    def as_json(self) -> dict[str, Any]:
        return {"meets": self.meets, "evidence": dict(self.evidence), "missing": list(self.missing)}


def _certificate_text(cert: Certificate) -> str:
    parts = [f"OCA certificate {cert.certificate_id} (OCPP {cert.ocpp_version}"]
    if cert.issued_on:
        parts.append(f", {cert.issued_on}")
    parts.append(")")
    return "".join(parts)


def judge(requirements: Sequence[str], evidence: Evidence) -> Verdict:
    """Which of the (parsed) requirements the evidence proves, and by what."""
    versions = [name for name in requirements if VOCABULARY[name] is Kind.VERSION]
    proven: dict[str, str] = {}
    missing: list[str] = []
    for name in requirements:
        kind = VOCABULARY[name]
        proof: str | None = None
        if kind is Kind.VERSION:
            cert = next((c for c in evidence.certificates if c.ocpp_version == name), None)
            proof = _certificate_text(cert) if cert else None
        elif kind is Kind.PROFILE:
            cert = next(
                (
                    c
                    for c in evidence.certificates
                    if name in c.profiles and (not versions or c.ocpp_version in versions)
                ),
                None,
            )
            proof = _certificate_text(cert) if cert else None
        elif kind is Kind.METERING:
            approval = next((m for m in evidence.metering if m.scheme == name), None)
            if approval is not None:
                proof = f"{name} approval {approval.certificate_id}"
        elif level_rank(evidence.validated_level) >= level_rank(name):
            proof = f"validation run {evidence.validation_run_id}: {evidence.validated_level} reached"
        if proof is None:
            missing.append(name)
        else:
            proven[name] = proof
    return Verdict(meets=not missing, evidence=proven, missing=missing)


def evidence_from(records: Iterable[Mapping[str, Any]], validated: Mapping[str, Any] | None = None) -> Evidence:
    """Evidence from certification record rows (``kind`` oca | metering) and a matrix row's
    ``validated_level`` / ``validation_run_id`` (the validation bench's)."""
    certificates: list[Certificate] = []
    metering: list[MeteringApproval] = []
    for row in records:
        issued: Any = row.get("issued_on")
        issued_text = issued.isoformat() if hasattr(issued, "isoformat") else issued
        if row["kind"] == "oca":
            certificates.append(
                Certificate(
                    record_id=str(row["id"]),
                    certificate_id=str(row["certificate_id"]),
                    ocpp_version=str(row["ocpp_version"]),
                    profiles=tuple(row.get("profiles") or ()),
                    issued_on=issued_text,
                    link=row.get("link"),
                )
            )
        elif row["kind"] == "metering":
            metering.append(
                MeteringApproval(
                    record_id=str(row["id"]),
                    scheme=str(row["scheme"]),
                    certificate_id=str(row["certificate_id"]),
                    issued_on=issued_text,
                    link=row.get("link"),
                )
            )
    validated = validated or {}
    return Evidence(
        certificates=tuple(certificates),
        metering=tuple(metering),
        validated_level=validated.get("validated_level"),
        validation_run_id=validated.get("validation_run_id"),
    )
