from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="UnpublishBody")



@_attrs_define
class UnpublishBody:
    """ 
        Attributes:
            checksum (None | str | Unset): MD5, hex
            image_id (None | str | Unset):
     """

    checksum: None | str | Unset = UNSET
    image_id: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        checksum: None | str | Unset
        if isinstance(self.checksum, Unset):
            checksum = UNSET
        else:
            checksum = self.checksum

        image_id: None | str | Unset
        if isinstance(self.image_id, Unset):
            image_id = UNSET
        else:
            image_id = self.image_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if checksum is not UNSET:
            field_dict["checksum"] = checksum
        if image_id is not UNSET:
            field_dict["image_id"] = image_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_checksum(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        checksum = _parse_checksum(d.pop("checksum", UNSET))


        def _parse_image_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        image_id = _parse_image_id(d.pop("image_id", UNSET))


        unpublish_body = cls(
            checksum=checksum,
            image_id=image_id,
        )

        return unpublish_body

