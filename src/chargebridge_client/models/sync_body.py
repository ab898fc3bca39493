from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.sync_body_update_type import SyncBodyUpdateType
from ..types import UNSET, Unset






T = TypeVar("T", bound="SyncBody")



@_attrs_define
class SyncBody:
    """ 
        Attributes:
            update_type (SyncBodyUpdateType | Unset):  Default: SyncBodyUpdateType.AUTO.
     """

    update_type: SyncBodyUpdateType | Unset = SyncBodyUpdateType.AUTO





    def to_dict(self) -> dict[str, Any]:
        update_type: str | Unset = UNSET
        if not isinstance(self.update_type, Unset):
            update_type = self.update_type.value



        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if update_type is not UNSET:
            field_dict["update_type"] = update_type

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _update_type = d.pop("update_type", UNSET)
        update_type: SyncBodyUpdateType | Unset
        if isinstance(_update_type,  Unset):
            update_type = UNSET
        else:
            update_type = SyncBodyUpdateType(_update_type)




        sync_body = cls(
            update_type=update_type,
        )

        return sync_body

