from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.apn_body_authentication import ApnBodyAuthentication
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ApnBody")



@_attrs_define
class ApnBody:
    """ 
        Attributes:
            apn (str):
            authentication (ApnBodyAuthentication):
            password (None | str | Unset):
            preferred_network (None | str | Unset):
            sim_pin (int | None | Unset):
            use_only_preferred_network (bool | None | Unset):
            user_name (None | str | Unset):
     """

    apn: str
    authentication: ApnBodyAuthentication
    password: None | str | Unset = UNSET
    preferred_network: None | str | Unset = UNSET
    sim_pin: int | None | Unset = UNSET
    use_only_preferred_network: bool | None | Unset = UNSET
    user_name: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        apn = self.apn

        authentication = self.authentication.value

        password: None | str | Unset
        if isinstance(self.password, Unset):
            password = UNSET
        else:
            password = self.password

        preferred_network: None | str | Unset
        if isinstance(self.preferred_network, Unset):
            preferred_network = UNSET
        else:
            preferred_network = self.preferred_network

        sim_pin: int | None | Unset
        if isinstance(self.sim_pin, Unset):
            sim_pin = UNSET
        else:
            sim_pin = self.sim_pin

        use_only_preferred_network: bool | None | Unset
        if isinstance(self.use_only_preferred_network, Unset):
            use_only_preferred_network = UNSET
        else:
            use_only_preferred_network = self.use_only_preferred_network

        user_name: None | str | Unset
        if isinstance(self.user_name, Unset):
            user_name = UNSET
        else:
            user_name = self.user_name


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "apn": apn,
            "authentication": authentication,
        })
        if password is not UNSET:
            field_dict["password"] = password
        if preferred_network is not UNSET:
            field_dict["preferred_network"] = preferred_network
        if sim_pin is not UNSET:
            field_dict["sim_pin"] = sim_pin
        if use_only_preferred_network is not UNSET:
            field_dict["use_only_preferred_network"] = use_only_preferred_network
        if user_name is not UNSET:
            field_dict["user_name"] = user_name

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        apn = d.pop("apn")

        authentication = ApnBodyAuthentication(d.pop("authentication"))




        def _parse_password(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        password = _parse_password(d.pop("password", UNSET))


        def _parse_preferred_network(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        preferred_network = _parse_preferred_network(d.pop("preferred_network", UNSET))


        def _parse_sim_pin(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        sim_pin = _parse_sim_pin(d.pop("sim_pin", UNSET))


        def _parse_use_only_preferred_network(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        use_only_preferred_network = _parse_use_only_preferred_network(d.pop("use_only_preferred_network", UNSET))


        def _parse_user_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_name = _parse_user_name(d.pop("user_name", UNSET))


        apn_body = cls(
            apn=apn,
            authentication=authentication,
            password=password,
            preferred_network=preferred_network,
            sim_pin=sim_pin,
            use_only_preferred_network=use_only_preferred_network,
            user_name=user_name,
        )

        return apn_body

