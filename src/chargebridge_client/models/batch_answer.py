from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="BatchAnswer")



@_attrs_define
class BatchAnswer:
    """ 
        Attributes:
            acked_seq (int):
            applied (int):
            duplicates (int):
     """

    acked_seq: int
    applied: int
    duplicates: int





    def to_dict(self) -> dict[str, Any]:
        acked_seq = self.acked_seq

        applied = self.applied

        duplicates = self.duplicates


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "acked_seq": acked_seq,
            "applied": applied,
            "duplicates": duplicates,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        acked_seq = d.pop("acked_seq")

        applied = d.pop("applied")

        duplicates = d.pop("duplicates")

        batch_answer = cls(
            acked_seq=acked_seq,
            applied=applied,
            duplicates=duplicates,
        )

        return batch_answer

