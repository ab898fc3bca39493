from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="RollbackBody")



@_attrs_define
class RollbackBody:
    """ 
        Attributes:
            hardware_revision (None | str | Unset):
     """

    hardware_revision: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        hardware_revision: None | str | Unset
        if isinstance(self.hardware_revision, Unset):
            hardware_revision = UNSET
        else:
            hardware_revision = self.hardware_revision


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if hardware_revision is not UNSET:
            field_dict["hardware_revision"] = hardware_revision

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_hardware_revision(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        hardware_revision = _parse_hardware_revision(d.pop("hardware_revision", UNSET))


        rollback_body = cls(
            hardware_revision=hardware_revision,
        )

        return rollback_body

