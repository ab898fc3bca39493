from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="MonitoringLevelBody")



@_attrs_define
class MonitoringLevelBody:
    """ 
        Attributes:
            severity (int):
     """

    severity: int





    def to_dict(self) -> dict[str, Any]:
        severity = self.severity


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "severity": severity,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        severity = d.pop("severity")

        monitoring_level_body = cls(
            severity=severity,
        )

        return monitoring_level_body

