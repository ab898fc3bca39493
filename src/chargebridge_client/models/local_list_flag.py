from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="LocalListFlag")



@_attrs_define
class LocalListFlag:
    """ 
        Attributes:
            enabled (bool | None): true: gets a list; false: never; null: the node's policy decides
     """

    enabled: bool | None





    def to_dict(self) -> dict[str, Any]:
        enabled: bool | None
        enabled = self.enabled


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "enabled": enabled,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_enabled(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        enabled = _parse_enabled(d.pop("enabled"))


        local_list_flag = cls(
            enabled=enabled,
        )

        return local_list_flag

