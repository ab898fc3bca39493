from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset






T = TypeVar("T", bound="GatesBody")



@_attrs_define
class GatesBody:
    """ 
        Attributes:
            max_boots (int | Unset):  Default: 2.
            max_new_faults_per_station (float | Unset):  Default: 0.5.
            max_security_events (int | Unset):  Default: 0.
            min_success_rate (float | Unset):  Default: 1.0.
            online_deadline_s (float | Unset):  Default: 900.0.
            soak_s (float | Unset):  Default: 120.0.
     """

    max_boots: int | Unset = 2
    max_new_faults_per_station: float | Unset = 0.5
    max_security_events: int | Unset = 0
    min_success_rate: float | Unset = 1.0
    online_deadline_s: float | Unset = 900.0
    soak_s: float | Unset = 120.0





    def to_dict(self) -> dict[str, Any]:
        max_boots = self.max_boots

        max_new_faults_per_station = self.max_new_faults_per_station

        max_security_events = self.max_security_events

        min_success_rate = self.min_success_rate

        online_deadline_s = self.online_deadline_s

        soak_s = self.soak_s


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if max_boots is not UNSET:
            field_dict["max_boots"] = max_boots
        if max_new_faults_per_station is not UNSET:
            field_dict["max_new_faults_per_station"] = max_new_faults_per_station
        if max_security_events is not UNSET:
            field_dict["max_security_events"] = max_security_events
        if min_success_rate is not UNSET:
            field_dict["min_success_rate"] = min_success_rate
        if online_deadline_s is not UNSET:
            field_dict["online_deadline_s"] = online_deadline_s
        if soak_s is not UNSET:
            field_dict["soak_s"] = soak_s

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        max_boots = d.pop("max_boots", UNSET)

        max_new_faults_per_station = d.pop("max_new_faults_per_station", UNSET)

        max_security_events = d.pop("max_security_events", UNSET)

        min_success_rate = d.pop("min_success_rate", UNSET)

        online_deadline_s = d.pop("online_deadline_s", UNSET)

        soak_s = d.pop("soak_s", UNSET)

        gates_body = cls(
            max_boots=max_boots,
            max_new_faults_per_station=max_new_faults_per_station,
            max_security_events=max_security_events,
            min_success_rate=min_success_rate,
            online_deadline_s=online_deadline_s,
            soak_s=soak_s,
        )

        return gates_body

