from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="ReviewBody")



@_attrs_define
class ReviewBody:
    """ 
        Attributes:
            decision (str): approved: bill it as it is (a wrong CDR gets a credit)
     """

    decision: str





    def to_dict(self) -> dict[str, Any]:
        decision = self.decision


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "decision": decision,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        decision = d.pop("decision")

        review_body = cls(
            decision=decision,
        )

        return review_body

