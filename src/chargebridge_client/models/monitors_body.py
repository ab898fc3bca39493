from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.monitor_body import MonitorBody





T = TypeVar("T", bound="MonitorsBody")



@_attrs_define
class MonitorsBody:
    """ 
        Attributes:
            monitors (list[MonitorBody]):
     """

    monitors: list[MonitorBody]





    def to_dict(self) -> dict[str, Any]:
        from ..models.monitor_body import MonitorBody # noqa: PLC0415
        monitors = []
        for monitors_item_data in self.monitors:
            monitors_item = monitors_item_data.to_dict()
            monitors.append(monitors_item)




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "monitors": monitors,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.monitor_body import MonitorBody # noqa: PLC0415
        d = dict(src_dict)
        monitors = []
        _monitors = d.pop("monitors")
        for monitors_item_data in (_monitors):
            monitors_item = MonitorBody.from_dict(monitors_item_data)



            monitors.append(monitors_item)


        monitors_body = cls(
            monitors=monitors,
        )

        return monitors_body

