from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="CostUpdatedBody")



@_attrs_define
class CostUpdatedBody:
    """ 
        Attributes:
            transaction_id (str):
            total_cost (float | None | str | Unset): default: the running cost computed now
     """

    transaction_id: str
    total_cost: float | None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        transaction_id = self.transaction_id

        total_cost: float | None | str | Unset
        if isinstance(self.total_cost, Unset):
            total_cost = UNSET
        else:
            total_cost = self.total_cost


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "transaction_id": transaction_id,
        })
        if total_cost is not UNSET:
            field_dict["total_cost"] = total_cost

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        transaction_id = d.pop("transaction_id")

        def _parse_total_cost(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        total_cost = _parse_total_cost(d.pop("total_cost", UNSET))


        cost_updated_body = cls(
            transaction_id=transaction_id,
            total_cost=total_cost,
        )

        return cost_updated_body

