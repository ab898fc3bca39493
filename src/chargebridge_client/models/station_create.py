from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.station_create_registration_status import StationCreateRegistrationStatus
from ..models.station_create_security_profile_type_0 import StationCreateSecurityProfileType0
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="StationCreate")



@_attrs_define
class StationCreate:
    """ 
        Attributes:
            id (str):
            password (None | str | Unset):
            registration_status (StationCreateRegistrationStatus | Unset):  Default:
                StationCreateRegistrationStatus.ACCEPTED.
            security_profile (None | StationCreateSecurityProfileType0 | Unset):
     """

    id: str
    password: None | str | Unset = UNSET
    registration_status: StationCreateRegistrationStatus | Unset = StationCreateRegistrationStatus.ACCEPTED
    security_profile: None | StationCreateSecurityProfileType0 | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        password: None | str | Unset
        if isinstance(self.password, Unset):
            password = UNSET
        else:
            password = self.password

        registration_status: str | Unset = UNSET
        if not isinstance(self.registration_status, Unset):
            registration_status = self.registration_status.value


        security_profile: int | None | Unset
        if isinstance(self.security_profile, Unset):
            security_profile = UNSET
        elif isinstance(self.security_profile, StationCreateSecurityProfileType0):
            security_profile = self.security_profile.value
        else:
            security_profile = self.security_profile


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "id": id,
        })
        if password is not UNSET:
            field_dict["password"] = password
        if registration_status is not UNSET:
            field_dict["registration_status"] = registration_status
        if security_profile is not UNSET:
            field_dict["security_profile"] = security_profile

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        def _parse_password(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        password = _parse_password(d.pop("password", UNSET))


        _registration_status = d.pop("registration_status", UNSET)
        registration_status: StationCreateRegistrationStatus | Unset
        if isinstance(_registration_status,  Unset):
            registration_status = UNSET
        else:
            registration_status = StationCreateRegistrationStatus(_registration_status)




        def _parse_security_profile(data: object) -> None | StationCreateSecurityProfileType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, int):
                    raise TypeError()
                security_profile_type_0 = StationCreateSecurityProfileType0(data)



                return security_profile_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StationCreateSecurityProfileType0 | Unset, data)

        security_profile = _parse_security_profile(d.pop("security_profile", UNSET))


        station_create = cls(
            id=id,
            password=password,
            registration_status=registration_status,
            security_profile=security_profile,
        )

        return station_create

