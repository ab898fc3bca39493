from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="UpdateBody")



@_attrs_define
class UpdateBody:
    """ 
        Attributes:
            image_id (str):
            override (bool | Unset):  Default: False.
            override_reason (None | str | Unset):
            signed (bool | Unset):  Default: True.
     """

    image_id: str
    override: bool | Unset = False
    override_reason: None | str | Unset = UNSET
    signed: bool | Unset = True





    def to_dict(self) -> dict[str, Any]:
        image_id = self.image_id

        override = self.override

        override_reason: None | str | Unset
        if isinstance(self.override_reason, Unset):
            override_reason = UNSET
        else:
            override_reason = self.override_reason

        signed = self.signed


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "image_id": image_id,
        })
        if override is not UNSET:
            field_dict["override"] = override
        if override_reason is not UNSET:
            field_dict["override_reason"] = override_reason
        if signed is not UNSET:
            field_dict["signed"] = signed

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        image_id = d.pop("image_id")

        override = d.pop("override", UNSET)

        def _parse_override_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        override_reason = _parse_override_reason(d.pop("override_reason", UNSET))


        signed = d.pop("signed", UNSET)

        update_body = cls(
            image_id=image_id,
            override=override,
            override_reason=override_reason,
            signed=signed,
        )

        return update_body

