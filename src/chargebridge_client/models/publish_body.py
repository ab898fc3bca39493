from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="PublishBody")



@_attrs_define
class PublishBody:
    """ 
        Attributes:
            image_id (str):
            retries (int | None | Unset):
            retry_interval_s (int | None | Unset):
     """

    image_id: str
    retries: int | None | Unset = UNSET
    retry_interval_s: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        image_id = self.image_id

        retries: int | None | Unset
        if isinstance(self.retries, Unset):
            retries = UNSET
        else:
            retries = self.retries

        retry_interval_s: int | None | Unset
        if isinstance(self.retry_interval_s, Unset):
            retry_interval_s = UNSET
        else:
            retry_interval_s = self.retry_interval_s


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "image_id": image_id,
        })
        if retries is not UNSET:
            field_dict["retries"] = retries
        if retry_interval_s is not UNSET:
            field_dict["retry_interval_s"] = retry_interval_s

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        image_id = d.pop("image_id")

        def _parse_retries(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        retries = _parse_retries(d.pop("retries", UNSET))


        def _parse_retry_interval_s(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        retry_interval_s = _parse_retry_interval_s(d.pop("retry_interval_s", UNSET))


        publish_body = cls(
            image_id=image_id,
            retries=retries,
            retry_interval_s=retry_interval_s,
        )

        return publish_body

