from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="AssignmentBody")



@_attrs_define
class AssignmentBody:
    """ 
        Attributes:
            tariff_id (None | str | Unset):
     """

    tariff_id: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        tariff_id: None | str | Unset
        if isinstance(self.tariff_id, Unset):
            tariff_id = UNSET
        else:
            tariff_id = self.tariff_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if tariff_id is not UNSET:
            field_dict["tariff_id"] = tariff_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_tariff_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tariff_id = _parse_tariff_id(d.pop("tariff_id", UNSET))


        assignment_body = cls(
            tariff_id=tariff_id,
        )

        return assignment_body

