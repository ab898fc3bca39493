from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ProfileBody")



@_attrs_define
class ProfileBody:
    """ 
        Attributes:
            max_power_kw (float | None | Unset):
            require_signed (bool | None | Unset):
            running_cost (bool | None | Unset):
            site_id (None | str | Unset):
            time_zone (None | str | Unset):
     """

    max_power_kw: float | None | Unset = UNSET
    require_signed: bool | None | Unset = UNSET
    running_cost: bool | None | Unset = UNSET
    site_id: None | str | Unset = UNSET
    time_zone: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        max_power_kw: float | None | Unset
        if isinstance(self.max_power_kw, Unset):
            max_power_kw = UNSET
        else:
            max_power_kw = self.max_power_kw

        require_signed: bool | None | Unset
        if isinstance(self.require_signed, Unset):
            require_signed = UNSET
        else:
            require_signed = self.require_signed

        running_cost: bool | None | Unset
        if isinstance(self.running_cost, Unset):
            running_cost = UNSET
        else:
            running_cost = self.running_cost

        site_id: None | str | Unset
        if isinstance(self.site_id, Unset):
            site_id = UNSET
        else:
            site_id = self.site_id

        time_zone: None | str | Unset
        if isinstance(self.time_zone, Unset):
            time_zone = UNSET
        else:
            time_zone = self.time_zone


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if max_power_kw is not UNSET:
            field_dict["max_power_kw"] = max_power_kw
        if require_signed is not UNSET:
            field_dict["require_signed"] = require_signed
        if running_cost is not UNSET:
            field_dict["running_cost"] = running_cost
        if site_id is not UNSET:
            field_dict["site_id"] = site_id
        if time_zone is not UNSET:
            field_dict["time_zone"] = time_zone

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_max_power_kw(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_power_kw = _parse_max_power_kw(d.pop("max_power_kw", UNSET))


        def _parse_require_signed(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        require_signed = _parse_require_signed(d.pop("require_signed", UNSET))


        def _parse_running_cost(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        running_cost = _parse_running_cost(d.pop("running_cost", UNSET))


        def _parse_site_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_id = _parse_site_id(d.pop("site_id", UNSET))


        def _parse_time_zone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        time_zone = _parse_time_zone(d.pop("time_zone", UNSET))


        profile_body = cls(
            max_power_kw=max_power_kw,
            require_signed=require_signed,
            running_cost=running_cost,
            site_id=site_id,
            time_zone=time_zone,
        )

        return profile_body

