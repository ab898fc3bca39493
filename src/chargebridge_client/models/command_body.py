from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.command_body_type import CommandBodyType
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.command_body_params import CommandBodyParams





T = TypeVar("T", bound="CommandBody")



@_attrs_define
class CommandBody:
    """ 
        Attributes:
            type_ (CommandBodyType):
            params (CommandBodyParams | Unset):
            ttl_s (float | Unset):  Default: 300.0.
            wait_s (float | Unset):  Default: 0.0.
     """

    type_: CommandBodyType
    params: CommandBodyParams | Unset = UNSET
    ttl_s: float | Unset = 300.0
    wait_s: float | Unset = 0.0





    def to_dict(self) -> dict[str, Any]:
        from ..models.command_body_params import CommandBodyParams # noqa: PLC0415
        type_ = self.type_.value

        params: dict[str, Any] | Unset = UNSET
        if not isinstance(self.params, Unset):
            params = self.params.to_dict()

        ttl_s = self.ttl_s

        wait_s = self.wait_s


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "type": type_,
        })
        if params is not UNSET:
            field_dict["params"] = params
        if ttl_s is not UNSET:
            field_dict["ttl_s"] = ttl_s
        if wait_s is not UNSET:
            field_dict["wait_s"] = wait_s

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.command_body_params import CommandBodyParams # noqa: PLC0415
        d = dict(src_dict)
        type_ = CommandBodyType(d.pop("type"))




        _params = d.pop("params", UNSET)
        params: CommandBodyParams | Unset
        if isinstance(_params,  Unset):
            params = UNSET
        else:
            params = CommandBodyParams.from_dict(_params)




        ttl_s = d.pop("ttl_s", UNSET)

        wait_s = d.pop("wait_s", UNSET)

        command_body = cls(
            type_=type_,
            params=params,
            ttl_s=ttl_s,
            wait_s=wait_s,
        )

        return command_body

