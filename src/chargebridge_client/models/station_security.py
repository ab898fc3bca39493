from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.station_security_profile import StationSecurityProfile
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="StationSecurity")



@_attrs_define
class StationSecurity:
    """ 
        Attributes:
            profile (StationSecurityProfile):
            allow_downgrade (bool | Unset): permit 3 -> 2 (no other downgrade is possible) Default: False.
            password (None | str | Unset): HTTP Basic password (profiles 1 and 2), 16-40 characters
     """

    profile: StationSecurityProfile
    allow_downgrade: bool | Unset = False
    password: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        profile = self.profile.value

        allow_downgrade = self.allow_downgrade

        password: None | str | Unset
        if isinstance(self.password, Unset):
            password = UNSET
        else:
            password = self.password


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "profile": profile,
        })
        if allow_downgrade is not UNSET:
            field_dict["allow_downgrade"] = allow_downgrade
        if password is not UNSET:
            field_dict["password"] = password

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        profile = StationSecurityProfile(d.pop("profile"))




        allow_downgrade = d.pop("allow_downgrade", UNSET)

        def _parse_password(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        password = _parse_password(d.pop("password", UNSET))


        station_security = cls(
            profile=profile,
            allow_downgrade=allow_downgrade,
            password=password,
        )

        return station_security

