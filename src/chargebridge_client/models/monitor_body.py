from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.monitor_body_type import MonitorBodyType
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="MonitorBody")



@_attrs_define
class MonitorBody:
    """ 
        Attributes:
            component (str):
            severity (int):
            type_ (MonitorBodyType):
            value (float):
            variable (str):
            component_instance (None | str | Unset):
            connector_id (int | None | Unset):
            evse_id (int | None | Unset):
            id (int | None | Unset): the station's id of a monitor to replace
            transaction (bool | Unset):  Default: False.
            variable_instance (None | str | Unset):
     """

    component: str
    severity: int
    type_: MonitorBodyType
    value: float
    variable: str
    component_instance: None | str | Unset = UNSET
    connector_id: int | None | Unset = UNSET
    evse_id: int | None | Unset = UNSET
    id: int | None | Unset = UNSET
    transaction: bool | Unset = False
    variable_instance: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        component = self.component

        severity = self.severity

        type_ = self.type_.value

        value = self.value

        variable = self.variable

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

        id: int | None | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        transaction = self.transaction

        variable_instance: None | str | Unset
        if isinstance(self.variable_instance, Unset):
            variable_instance = UNSET
        else:
            variable_instance = self.variable_instance


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "component": component,
            "severity": severity,
            "type": type_,
            "value": value,
            "variable": variable,
        })
        if component_instance is not UNSET:
            field_dict["component_instance"] = component_instance
        if connector_id is not UNSET:
            field_dict["connector_id"] = connector_id
        if evse_id is not UNSET:
            field_dict["evse_id"] = evse_id
        if id is not UNSET:
            field_dict["id"] = id
        if transaction is not UNSET:
            field_dict["transaction"] = transaction
        if variable_instance is not UNSET:
            field_dict["variable_instance"] = variable_instance

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        component = d.pop("component")

        severity = d.pop("severity")

        type_ = MonitorBodyType(d.pop("type"))




        value = d.pop("value")

        variable = d.pop("variable")

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


        def _parse_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        id = _parse_id(d.pop("id", UNSET))


        transaction = d.pop("transaction", UNSET)

        def _parse_variable_instance(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        variable_instance = _parse_variable_instance(d.pop("variable_instance", UNSET))


        monitor_body = cls(
            component=component,
            severity=severity,
            type_=type_,
            value=value,
            variable=variable,
            component_instance=component_instance,
            connector_id=connector_id,
            evse_id=evse_id,
            id=id,
            transaction=transaction,
            variable_instance=variable_instance,
        )

        return monitor_body

