from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="CreditBody")



@_attrs_define
class CreditBody:
    """ 
        Attributes:
            remark (None | str | Unset):
     """

    remark: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        remark: None | str | Unset
        if isinstance(self.remark, Unset):
            remark = UNSET
        else:
            remark = self.remark


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if remark is not UNSET:
            field_dict["remark"] = remark

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_remark(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        remark = _parse_remark(d.pop("remark", UNSET))


        credit_body = cls(
            remark=remark,
        )

        return credit_body

