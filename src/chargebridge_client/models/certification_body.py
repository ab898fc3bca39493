from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.certification_body_kind import CertificationBodyKind
from ..models.certification_body_ocpp_version_type_0 import CertificationBodyOcppVersionType0
from ..models.certification_body_scheme_type_0 import CertificationBodySchemeType0
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="CertificationBody")



@_attrs_define
class CertificationBody:
    """ 
        Attributes:
            certificate_id (str):
            firmware_version (str):
            kind (CertificationBodyKind):
            model (str):
            vendor (str):
            issued_on (datetime.date | None | Unset): the certificate's date
            link (None | str | Unset):
            notes (None | str | Unset):
            ocpp_version (CertificationBodyOcppVersionType0 | None | Unset):
            profiles (list[str] | Unset):
            scheme (CertificationBodySchemeType0 | None | Unset):
     """

    certificate_id: str
    firmware_version: str
    kind: CertificationBodyKind
    model: str
    vendor: str
    issued_on: datetime.date | None | Unset = UNSET
    link: None | str | Unset = UNSET
    notes: None | str | Unset = UNSET
    ocpp_version: CertificationBodyOcppVersionType0 | None | Unset = UNSET
    profiles: list[str] | Unset = UNSET
    scheme: CertificationBodySchemeType0 | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        certificate_id = self.certificate_id

        firmware_version = self.firmware_version

        kind = self.kind.value

        model = self.model

        vendor = self.vendor

        issued_on: None | str | Unset
        if isinstance(self.issued_on, Unset):
            issued_on = UNSET
        elif isinstance(self.issued_on, datetime.date):
            issued_on = self.issued_on.isoformat()
        else:
            issued_on = self.issued_on

        link: None | str | Unset
        if isinstance(self.link, Unset):
            link = UNSET
        else:
            link = self.link

        notes: None | str | Unset
        if isinstance(self.notes, Unset):
            notes = UNSET
        else:
            notes = self.notes

        ocpp_version: None | str | Unset
        if isinstance(self.ocpp_version, Unset):
            ocpp_version = UNSET
        elif isinstance(self.ocpp_version, CertificationBodyOcppVersionType0):
            ocpp_version = self.ocpp_version.value
        else:
            ocpp_version = self.ocpp_version

        profiles: list[str] | Unset = UNSET
        if not isinstance(self.profiles, Unset):
            profiles = self.profiles



        scheme: None | str | Unset
        if isinstance(self.scheme, Unset):
            scheme = UNSET
        elif isinstance(self.scheme, CertificationBodySchemeType0):
            scheme = self.scheme.value
        else:
            scheme = self.scheme


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "certificate_id": certificate_id,
            "firmware_version": firmware_version,
            "kind": kind,
            "model": model,
            "vendor": vendor,
        })
        if issued_on is not UNSET:
            field_dict["issued_on"] = issued_on
        if link is not UNSET:
            field_dict["link"] = link
        if notes is not UNSET:
            field_dict["notes"] = notes
        if ocpp_version is not UNSET:
            field_dict["ocpp_version"] = ocpp_version
        if profiles is not UNSET:
            field_dict["profiles"] = profiles
        if scheme is not UNSET:
            field_dict["scheme"] = scheme

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        certificate_id = d.pop("certificate_id")

        firmware_version = d.pop("firmware_version")

        kind = CertificationBodyKind(d.pop("kind"))




        model = d.pop("model")

        vendor = d.pop("vendor")

        def _parse_issued_on(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                issued_on_type_0 = datetime.date.fromisoformat(data)



                return issued_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        issued_on = _parse_issued_on(d.pop("issued_on", UNSET))


        def _parse_link(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        link = _parse_link(d.pop("link", UNSET))


        def _parse_notes(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        notes = _parse_notes(d.pop("notes", UNSET))


        def _parse_ocpp_version(data: object) -> CertificationBodyOcppVersionType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ocpp_version_type_0 = CertificationBodyOcppVersionType0(data)



                return ocpp_version_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CertificationBodyOcppVersionType0 | None | Unset, data)

        ocpp_version = _parse_ocpp_version(d.pop("ocpp_version", UNSET))


        profiles = cast(list[str], d.pop("profiles", UNSET))


        def _parse_scheme(data: object) -> CertificationBodySchemeType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                scheme_type_0 = CertificationBodySchemeType0(data)



                return scheme_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CertificationBodySchemeType0 | None | Unset, data)

        scheme = _parse_scheme(d.pop("scheme", UNSET))


        certification_body = cls(
            certificate_id=certificate_id,
            firmware_version=firmware_version,
            kind=kind,
            model=model,
            vendor=vendor,
            issued_on=issued_on,
            link=link,
            notes=notes,
            ocpp_version=ocpp_version,
            profiles=profiles,
            scheme=scheme,
        )

        return certification_body

