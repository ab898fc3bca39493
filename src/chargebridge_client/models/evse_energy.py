from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="EvseEnergy")



@_attrs_define
class EvseEnergy:
    """ 
        Attributes:
            evse_id (int):
            max_current_a (float | None | Unset):
            priority (int | None | Unset):
     """

    evse_id: int
    max_current_a: float | None | Unset = UNSET
    priority: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        evse_id = self.evse_id

        max_current_a: float | None | Unset
        if isinstance(self.max_current_a, Unset):
            max_current_a = UNSET
        else:
            max_current_a = self.max_current_a

        priority: int | None | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        else:
            priority = self.priority


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "evse_id": evse_id,
        })
        if max_current_a is not UNSET:
            field_dict["max_current_a"] = max_current_a
        if priority is not UNSET:
            field_dict["priority"] = priority

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        evse_id = d.pop("evse_id")

        def _parse_max_current_a(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_current_a = _parse_max_current_a(d.pop("max_current_a", UNSET))


        def _parse_priority(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))


        evse_energy = cls(
            evse_id=evse_id,
            max_current_a=max_current_a,
            priority=priority,
        )

        return evse_energy

