from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.report_body_component_criteria_item import ReportBodyComponentCriteriaItem
from ..models.report_body_report_base_type_0 import ReportBodyReportBaseType0
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.selector_body import SelectorBody





T = TypeVar("T", bound="ReportBody")



@_attrs_define
class ReportBody:
    """ 
        Attributes:
            component_criteria (list[ReportBodyComponentCriteriaItem] | Unset):
            component_variables (list[SelectorBody] | Unset):
            report_base (None | ReportBodyReportBaseType0 | Unset):
     """

    component_criteria: list[ReportBodyComponentCriteriaItem] | Unset = UNSET
    component_variables: list[SelectorBody] | Unset = UNSET
    report_base: None | ReportBodyReportBaseType0 | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.selector_body import SelectorBody # noqa: PLC0415
        component_criteria: list[str] | Unset = UNSET
        if not isinstance(self.component_criteria, Unset):
            component_criteria = []
            for component_criteria_item_data in self.component_criteria:
                component_criteria_item = component_criteria_item_data.value
                component_criteria.append(component_criteria_item)



        component_variables: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.component_variables, Unset):
            component_variables = []
            for component_variables_item_data in self.component_variables:
                component_variables_item = component_variables_item_data.to_dict()
                component_variables.append(component_variables_item)



        report_base: None | str | Unset
        if isinstance(self.report_base, Unset):
            report_base = UNSET
        elif isinstance(self.report_base, ReportBodyReportBaseType0):
            report_base = self.report_base.value
        else:
            report_base = self.report_base


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if component_criteria is not UNSET:
            field_dict["component_criteria"] = component_criteria
        if component_variables is not UNSET:
            field_dict["component_variables"] = component_variables
        if report_base is not UNSET:
            field_dict["report_base"] = report_base

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.selector_body import SelectorBody # noqa: PLC0415
        d = dict(src_dict)
        _component_criteria = d.pop("component_criteria", UNSET)
        component_criteria: list[ReportBodyComponentCriteriaItem] | Unset = UNSET
        if _component_criteria is not UNSET:
            component_criteria = []
            for component_criteria_item_data in _component_criteria:
                component_criteria_item = ReportBodyComponentCriteriaItem(component_criteria_item_data)



                component_criteria.append(component_criteria_item)


        _component_variables = d.pop("component_variables", UNSET)
        component_variables: list[SelectorBody] | Unset = UNSET
        if _component_variables is not UNSET:
            component_variables = []
            for component_variables_item_data in _component_variables:
                component_variables_item = SelectorBody.from_dict(component_variables_item_data)



                component_variables.append(component_variables_item)


        def _parse_report_base(data: object) -> None | ReportBodyReportBaseType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                report_base_type_0 = ReportBodyReportBaseType0(data)



                return report_base_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReportBodyReportBaseType0 | Unset, data)

        report_base = _parse_report_base(d.pop("report_base", UNSET))


        report_body = cls(
            component_criteria=component_criteria,
            component_variables=component_variables,
            report_base=report_base,
        )

        return report_body

