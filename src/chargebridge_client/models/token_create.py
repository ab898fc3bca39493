from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.token_create_role import TokenCreateRole
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="TokenCreate")



@_attrs_define
class TokenCreate:
    """ 
        Attributes:
            role (TokenCreateRole):
            expires_in_days (int | None | Unset):
            name (None | str | Unset):
            stations (list[str] | None | Unset):
     """

    role: TokenCreateRole
    expires_in_days: int | None | Unset = UNSET
    name: None | str | Unset = UNSET
    stations: list[str] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        role = self.role.value

        expires_in_days: int | None | Unset
        if isinstance(self.expires_in_days, Unset):
            expires_in_days = UNSET
        else:
            expires_in_days = self.expires_in_days

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        stations: list[str] | None | Unset
        if isinstance(self.stations, Unset):
            stations = UNSET
        elif isinstance(self.stations, list):
            stations = self.stations


        else:
            stations = self.stations


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "role": role,
        })
        if expires_in_days is not UNSET:
            field_dict["expires_in_days"] = expires_in_days
        if name is not UNSET:
            field_dict["name"] = name
        if stations is not UNSET:
            field_dict["stations"] = stations

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        role = TokenCreateRole(d.pop("role"))




        def _parse_expires_in_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expires_in_days = _parse_expires_in_days(d.pop("expires_in_days", UNSET))


        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))


        def _parse_stations(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                stations_type_0 = cast(list[str], data)

                return stations_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        stations = _parse_stations(d.pop("stations", UNSET))


        token_create = cls(
            role=role,
            expires_in_days=expires_in_days,
            name=name,
            stations=stations,
        )

        return token_create

