from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.read_register_body_register_type import ReadRegisterBodyRegisterType
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ReadRegisterBody")



@_attrs_define
class ReadRegisterBody:
    """ 
        Attributes:
            address (int):
            device (str):
            count (int | Unset):  Default: 1.
            device_id (int | None | Unset):
            register_type (ReadRegisterBodyRegisterType | Unset):  Default: ReadRegisterBodyRegisterType.HOLDING.
            timeout_s (float | Unset):  Default: 15.0.
     """

    address: int
    device: str
    count: int | Unset = 1
    device_id: int | None | Unset = UNSET
    register_type: ReadRegisterBodyRegisterType | Unset = ReadRegisterBodyRegisterType.HOLDING
    timeout_s: float | Unset = 15.0





    def to_dict(self) -> dict[str, Any]:
        address = self.address

        device = self.device

        count = self.count

        device_id: int | None | Unset
        if isinstance(self.device_id, Unset):
            device_id = UNSET
        else:
            device_id = self.device_id

        register_type: str | Unset = UNSET
        if not isinstance(self.register_type, Unset):
            register_type = self.register_type.value


        timeout_s = self.timeout_s


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "address": address,
            "device": device,
        })
        if count is not UNSET:
            field_dict["count"] = count
        if device_id is not UNSET:
            field_dict["device_id"] = device_id
        if register_type is not UNSET:
            field_dict["register_type"] = register_type
        if timeout_s is not UNSET:
            field_dict["timeout_s"] = timeout_s

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        address = d.pop("address")

        device = d.pop("device")

        count = d.pop("count", UNSET)

        def _parse_device_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        device_id = _parse_device_id(d.pop("device_id", UNSET))


        _register_type = d.pop("register_type", UNSET)
        register_type: ReadRegisterBodyRegisterType | Unset
        if isinstance(_register_type,  Unset):
            register_type = UNSET
        else:
            register_type = ReadRegisterBodyRegisterType(_register_type)




        timeout_s = d.pop("timeout_s", UNSET)

        read_register_body = cls(
            address=address,
            device=device,
            count=count,
            device_id=device_id,
            register_type=register_type,
            timeout_s=timeout_s,
        )

        return read_register_body

