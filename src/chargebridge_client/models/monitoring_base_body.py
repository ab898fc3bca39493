from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.monitoring_base_body_monitoring_base import MonitoringBaseBodyMonitoringBase






T = TypeVar("T", bound="MonitoringBaseBody")



@_attrs_define
class MonitoringBaseBody:
    """ 
        Attributes:
            monitoring_base (MonitoringBaseBodyMonitoringBase):
     """

    monitoring_base: MonitoringBaseBodyMonitoringBase





    def to_dict(self) -> dict[str, Any]:
        monitoring_base = self.monitoring_base.value


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "monitoring_base": monitoring_base,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        monitoring_base = MonitoringBaseBodyMonitoringBase(d.pop("monitoring_base"))




        monitoring_base_body = cls(
            monitoring_base=monitoring_base,
        )

        return monitoring_base_body

