from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.value_body_attribute_type_0 import ValueBodyAttributeType0
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ValueBody")



@_attrs_define
class ValueBody:
    """ 
        Attributes:
            value (str):
            variable (str):
            attribute (None | Unset | ValueBodyAttributeType0):
            component (None | str | Unset):
            component_instance (None | str | Unset):
            connector_id (int | None | Unset):
            evse_id (int | None | Unset):
            variable_instance (None | str | Unset):
     """

    value: str
    variable: str
    attribute: None | Unset | ValueBodyAttributeType0 = UNSET
    component: None | str | Unset = UNSET
    component_instance: None | str | Unset = UNSET
    connector_id: int | None | Unset = UNSET
    evse_id: int | None | Unset = UNSET
    variable_instance: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        value = self.value

        variable = self.variable

        attribute: None | str | Unset
        if isinstance(self.attribute, Unset):
            attribute = UNSET
        elif isinstance(self.attribute, ValueBodyAttributeType0):
            attribute = self.attribute.value
        else:
            attribute = self.attribute

        component: None | str | Unset
        if isinstance(self.component, Unset):
            component = UNSET
        else:
            component = self.component

        component_instance: None | str | Unset
        if isinstance(self.component_instance, Unset):
            component_instance = UNSET
        else:
            component_instance = self.component_instance

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

        variable_instance: None | str | Unset
        if isinstance(self.variable_instance, Unset):
            variable_instance = UNSET
        else:
            variable_instance = self.variable_instance


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "value": value,
            "variable": variable,
        })
        if attribute is not UNSET:
            field_dict["attribute"] = attribute
        if component is not UNSET:
            field_dict["component"] = component
        if component_instance is not UNSET:
            field_dict["component_instance"] = component_instance
        if connector_id is not UNSET:
            field_dict["connector_id"] = connector_id
        if evse_id is not UNSET:
            field_dict["evse_id"] = evse_id
        if variable_instance is not UNSET:
            field_dict["variable_instance"] = variable_instance

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        value = d.pop("value")

        variable = d.pop("variable")

        def _parse_attribute(data: object) -> None | Unset | ValueBodyAttributeType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                attribute_type_0 = ValueBodyAttributeType0(data)



                return attribute_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | ValueBodyAttributeType0, data)

        attribute = _parse_attribute(d.pop("attribute", UNSET))


        def _parse_component(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        component = _parse_component(d.pop("component", UNSET))


        def _parse_component_instance(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        component_instance = _parse_component_instance(d.pop("component_instance", UNSET))


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


        def _parse_variable_instance(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        variable_instance = _parse_variable_instance(d.pop("variable_instance", UNSET))


        value_body = cls(
            value=value,
            variable=variable,
            attribute=attribute,
            component=component,
            component_instance=component_instance,
            connector_id=connector_id,
            evse_id=evse_id,
            variable_instance=variable_instance,
        )

        return value_body

