from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="TokenScope")



@_attrs_define
class TokenScope:
    """ 
        Attributes:
            stations (list[str] | None): null: every station
     """

    stations: list[str] | None





    def to_dict(self) -> dict[str, Any]:
        stations: list[str] | None
        if isinstance(self.stations, list):
            stations = self.stations


        else:
            stations = self.stations


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "stations": stations,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_stations(data: object) -> list[str] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                stations_type_0 = cast(list[str], data)

                return stations_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None, data)

        stations = _parse_stations(d.pop("stations"))


        token_scope = cls(
            stations=stations,
        )

        return token_scope

