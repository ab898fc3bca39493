from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.vpn_body_type import VpnBodyType
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="VpnBody")



@_attrs_define
class VpnBody:
    """ 
        Attributes:
            password (str):
            secret (str): the VPN shared key (OCPP `key`)
            server (str):
            type_ (VpnBodyType):
            user (str):
            group (None | str | Unset):
     """

    password: str
    secret: str
    server: str
    type_: VpnBodyType
    user: str
    group: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        password = self.password

        secret = self.secret

        server = self.server

        type_ = self.type_.value

        user = self.user

        group: None | str | Unset
        if isinstance(self.group, Unset):
            group = UNSET
        else:
            group = self.group


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "password": password,
            "secret": secret,
            "server": server,
            "type": type_,
            "user": user,
        })
        if group is not UNSET:
            field_dict["group"] = group

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        password = d.pop("password")

        secret = d.pop("secret")

        server = d.pop("server")

        type_ = VpnBodyType(d.pop("type"))




        user = d.pop("user")

        def _parse_group(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        group = _parse_group(d.pop("group", UNSET))


        vpn_body = cls(
            password=password,
            secret=secret,
            server=server,
            type_=type_,
            user=user,
            group=group,
        )

        return vpn_body

