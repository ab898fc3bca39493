from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.value_body import ValueBody





T = TypeVar("T", bound="SetVariablesBody")



@_attrs_define
class SetVariablesBody:
    """ 
        Attributes:
            variables (list[ValueBody]):
     """

    variables: list[ValueBody]





    def to_dict(self) -> dict[str, Any]:
        from ..models.value_body import ValueBody # noqa: PLC0415
        variables = []
        for variables_item_data in self.variables:
            variables_item = variables_item_data.to_dict()
            variables.append(variables_item)




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "variables": variables,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.value_body import ValueBody # noqa: PLC0415
        d = dict(src_dict)
        variables = []
        _variables = d.pop("variables")
        for variables_item_data in (_variables):
            variables_item = ValueBody.from_dict(variables_item_data)



            variables.append(variables_item)


        set_variables_body = cls(
            variables=variables,
        )

        return set_variables_body

