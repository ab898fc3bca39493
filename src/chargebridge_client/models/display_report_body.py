from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.display_report_body_priority_type_0 import DisplayReportBodyPriorityType0
from ..models.display_report_body_state_type_0 import DisplayReportBodyStateType0
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="DisplayReportBody")



@_attrs_define
class DisplayReportBody:
    """ 
        Attributes:
            ids (list[int] | Unset):
            priority (DisplayReportBodyPriorityType0 | None | Unset):
            state (DisplayReportBodyStateType0 | None | Unset):
     """

    ids: list[int] | Unset = UNSET
    priority: DisplayReportBodyPriorityType0 | None | Unset = UNSET
    state: DisplayReportBodyStateType0 | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        ids: list[int] | Unset = UNSET
        if not isinstance(self.ids, Unset):
            ids = self.ids



        priority: None | str | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        elif isinstance(self.priority, DisplayReportBodyPriorityType0):
            priority = self.priority.value
        else:
            priority = self.priority

        state: None | str | Unset
        if isinstance(self.state, Unset):
            state = UNSET
        elif isinstance(self.state, DisplayReportBodyStateType0):
            state = self.state.value
        else:
            state = self.state


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if ids is not UNSET:
            field_dict["ids"] = ids
        if priority is not UNSET:
            field_dict["priority"] = priority
        if state is not UNSET:
            field_dict["state"] = state

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ids = cast(list[int], d.pop("ids", UNSET))


        def _parse_priority(data: object) -> DisplayReportBodyPriorityType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                priority_type_0 = DisplayReportBodyPriorityType0(data)



                return priority_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DisplayReportBodyPriorityType0 | None | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))


        def _parse_state(data: object) -> DisplayReportBodyStateType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                state_type_0 = DisplayReportBodyStateType0(data)



                return state_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DisplayReportBodyStateType0 | None | Unset, data)

        state = _parse_state(d.pop("state", UNSET))


        display_report_body = cls(
            ids=ids,
            priority=priority,
            state=state,
        )

        return display_report_body

