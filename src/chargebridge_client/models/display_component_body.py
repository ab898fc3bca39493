from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="DisplayComponentBody")



@_attrs_define
class DisplayComponentBody:
    """ 
        Attributes:
            name (str):
            connector_id (int | None | Unset):
            evse_id (int | None | Unset):
            instance (None | str | Unset):
     """

    name: str
    connector_id: int | None | Unset = UNSET
    evse_id: int | None | Unset = UNSET
    instance: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        name = self.name

        connector_id: int | None | Unset
        if isinstance(self.connector_id, Unset):
            connector_id = UNSET
        else:
            connector_id = self.connector_id

        evse_id: int | None | Unset
        if isinstance(self.evse_id, Unset):
            evse_id = UNSET
        else:
            evse_id = self.evse_id

        instance: None | str | Unset
        if isinstance(self.instance, Unset):
            instance = UNSET
        else:
            instance = self.instance


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
        })
        if connector_id is not UNSET:
            field_dict["connector_id"] = connector_id
        if evse_id is not UNSET:
            field_dict["evse_id"] = evse_id
        if instance is not UNSET:
            field_dict["instance"] = instance

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        def _parse_connector_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        connector_id = _parse_connector_id(d.pop("connector_id", UNSET))


        def _parse_evse_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        evse_id = _parse_evse_id(d.pop("evse_id", UNSET))


        def _parse_instance(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        instance = _parse_instance(d.pop("instance", UNSET))


        display_component_body = cls(
            name=name,
            connector_id=connector_id,
            evse_id=evse_id,
            instance=instance,
        )

        return display_component_body

