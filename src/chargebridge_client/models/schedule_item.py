from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ScheduleItem")



@_attrs_define
class ScheduleItem:
    """ 
        Attributes:
            day (str): mon, tue, wed, thu, fri, sat or sun
            start (str): local time HH:MM
            limit_a (float | None | Unset): null: no schedule limit from then on
     """

    day: str
    start: str
    limit_a: float | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        day = self.day

        start = self.start

        limit_a: float | None | Unset
        if isinstance(self.limit_a, Unset):
            limit_a = UNSET
        else:
            limit_a = self.limit_a


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "day": day,
            "start": start,
        })
        if limit_a is not UNSET:
            field_dict["limit_a"] = limit_a

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        day = d.pop("day")

        start = d.pop("start")

        def _parse_limit_a(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        limit_a = _parse_limit_a(d.pop("limit_a", UNSET))


        schedule_item = cls(
            day=day,
            start=start,
            limit_a=limit_a,
        )

        return schedule_item

