from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.monitoring_report_body_monitoring_criteria_item import MonitoringReportBodyMonitoringCriteriaItem
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.selector_body import SelectorBody





T = TypeVar("T", bound="MonitoringReportBody")



@_attrs_define
class MonitoringReportBody:
    """ 
        Attributes:
            component_variables (list[SelectorBody] | Unset):
            monitoring_criteria (list[MonitoringReportBodyMonitoringCriteriaItem] | Unset):
     """

    component_variables: list[SelectorBody] | Unset = UNSET
    monitoring_criteria: list[MonitoringReportBodyMonitoringCriteriaItem] | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.selector_body import SelectorBody # noqa: PLC0415
        component_variables: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.component_variables, Unset):
            component_variables = []
            for component_variables_item_data in self.component_variables:
                component_variables_item = component_variables_item_data.to_dict()
                component_variables.append(component_variables_item)



        monitoring_criteria: list[str] | Unset = UNSET
        if not isinstance(self.monitoring_criteria, Unset):
            monitoring_criteria = []
            for monitoring_criteria_item_data in self.monitoring_criteria:
                monitoring_criteria_item = monitoring_criteria_item_data.value
                monitoring_criteria.append(monitoring_criteria_item)




        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if component_variables is not UNSET:
            field_dict["component_variables"] = component_variables
        if monitoring_criteria is not UNSET:
            field_dict["monitoring_criteria"] = monitoring_criteria

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.selector_body import SelectorBody # noqa: PLC0415
        d = dict(src_dict)
        _component_variables = d.pop("component_variables", UNSET)
        component_variables: list[SelectorBody] | Unset = UNSET
        if _component_variables is not UNSET:
            component_variables = []
            for component_variables_item_data in _component_variables:
                component_variables_item = SelectorBody.from_dict(component_variables_item_data)



                component_variables.append(component_variables_item)


        _monitoring_criteria = d.pop("monitoring_criteria", UNSET)
        monitoring_criteria: list[MonitoringReportBodyMonitoringCriteriaItem] | Unset = UNSET
        if _monitoring_criteria is not UNSET:
            monitoring_criteria = []
            for monitoring_criteria_item_data in _monitoring_criteria:
                monitoring_criteria_item = MonitoringReportBodyMonitoringCriteriaItem(monitoring_criteria_item_data)



                monitoring_criteria.append(monitoring_criteria_item)


        monitoring_report_body = cls(
            component_variables=component_variables,
            monitoring_criteria=monitoring_criteria,
        )

        return monitoring_report_body

