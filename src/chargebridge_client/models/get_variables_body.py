from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.address_body import AddressBody





T = TypeVar("T", bound="GetVariablesBody")



@_attrs_define
class GetVariablesBody:
    """ 
        Attributes:
            variables (list[AddressBody]):
     """

    variables: list[AddressBody]





    def to_dict(self) -> dict[str, Any]:
        from ..models.address_body import AddressBody # noqa: PLC0415
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
        from ..models.address_body import AddressBody # noqa: PLC0415
        d = dict(src_dict)
        variables = []
        _variables = d.pop("variables")
        for variables_item_data in (_variables):
            variables_item = AddressBody.from_dict(variables_item_data)



            variables.append(variables_item)


        get_variables_body = cls(
            variables=variables,
        )

        return get_variables_body

