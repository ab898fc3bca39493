from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.site_create_phases import SiteCreatePhases
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.schedule_item import ScheduleItem





T = TypeVar("T", bound="SiteCreate")



@_attrs_define
class SiteCreate:
    """ 
        Attributes:
            grid_limit_a (float):
            id (str):
            fallback_limit_a (float | None | Unset):
            meter (None | str | Unset):
            meter_includes_charging (bool | Unset):  Default: False.
            min_current_a (float | Unset):  Default: 6.0.
            name (None | str | Unset):
            parent_id (None | str | Unset):
            phases (SiteCreatePhases | Unset):  Default: SiteCreatePhases.VALUE_3.
            safety_margin_a (float | Unset):  Default: 0.0.
            schedule (list[ScheduleItem] | None | Unset):
            timezone (str | Unset):  Default: 'UTC'.
            voltage_v (float | Unset):  Default: 230.0.
     """

    grid_limit_a: float
    id: str
    fallback_limit_a: float | None | Unset = UNSET
    meter: None | str | Unset = UNSET
    meter_includes_charging: bool | Unset = False
    min_current_a: float | Unset = 6.0
    name: None | str | Unset = UNSET
    parent_id: None | str | Unset = UNSET
    phases: SiteCreatePhases | Unset = SiteCreatePhases.VALUE_3
    safety_margin_a: float | Unset = 0.0
    schedule: list[ScheduleItem] | None | Unset = UNSET
    timezone: str | Unset = 'UTC'
    voltage_v: float | Unset = 230.0





    def to_dict(self) -> dict[str, Any]:
        from ..models.schedule_item import ScheduleItem # noqa: PLC0415
        grid_limit_a = self.grid_limit_a

        id = self.id

        fallback_limit_a: float | None | Unset
        if isinstance(self.fallback_limit_a, Unset):
            fallback_limit_a = UNSET
        else:
            fallback_limit_a = self.fallback_limit_a

        meter: None | str | Unset
        if isinstance(self.meter, Unset):
            meter = UNSET
        else:
            meter = self.meter

        meter_includes_charging = self.meter_includes_charging

        min_current_a = self.min_current_a

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        parent_id: None | str | Unset
        if isinstance(self.parent_id, Unset):
            parent_id = UNSET
        else:
            parent_id = self.parent_id

        phases: int | Unset = UNSET
        if not isinstance(self.phases, Unset):
            phases = self.phases.value


        safety_margin_a = self.safety_margin_a

        schedule: list[dict[str, Any]] | None | Unset
        if isinstance(self.schedule, Unset):
            schedule = UNSET
        elif isinstance(self.schedule, list):
            schedule = []
            for schedule_type_0_item_data in self.schedule:
                schedule_type_0_item = schedule_type_0_item_data.to_dict()
                schedule.append(schedule_type_0_item)


        else:
            schedule = self.schedule

        timezone = self.timezone

        voltage_v = self.voltage_v


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "grid_limit_a": grid_limit_a,
            "id": id,
        })
        if fallback_limit_a is not UNSET:
            field_dict["fallback_limit_a"] = fallback_limit_a
        if meter is not UNSET:
            field_dict["meter"] = meter
        if meter_includes_charging is not UNSET:
            field_dict["meter_includes_charging"] = meter_includes_charging
        if min_current_a is not UNSET:
            field_dict["min_current_a"] = min_current_a
        if name is not UNSET:
            field_dict["name"] = name
        if parent_id is not UNSET:
            field_dict["parent_id"] = parent_id
        if phases is not UNSET:
            field_dict["phases"] = phases
        if safety_margin_a is not UNSET:
            field_dict["safety_margin_a"] = safety_margin_a
        if schedule is not UNSET:
            field_dict["schedule"] = schedule
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if voltage_v is not UNSET:
            field_dict["voltage_v"] = voltage_v

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.schedule_item import ScheduleItem # noqa: PLC0415
        d = dict(src_dict)
        grid_limit_a = d.pop("grid_limit_a")

        id = d.pop("id")

        def _parse_fallback_limit_a(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        fallback_limit_a = _parse_fallback_limit_a(d.pop("fallback_limit_a", UNSET))


        def _parse_meter(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        meter = _parse_meter(d.pop("meter", UNSET))


        meter_includes_charging = d.pop("meter_includes_charging", UNSET)

        min_current_a = d.pop("min_current_a", UNSET)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))


        def _parse_parent_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        parent_id = _parse_parent_id(d.pop("parent_id", UNSET))


        _phases = d.pop("phases", UNSET)
        phases: SiteCreatePhases | Unset
        if isinstance(_phases,  Unset):
            phases = UNSET
        else:
            phases = SiteCreatePhases(_phases)




        safety_margin_a = d.pop("safety_margin_a", UNSET)

        def _parse_schedule(data: object) -> list[ScheduleItem] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                schedule_type_0 = []
                _schedule_type_0 = data
                for schedule_type_0_item_data in (_schedule_type_0):
                    schedule_type_0_item = ScheduleItem.from_dict(schedule_type_0_item_data)



                    schedule_type_0.append(schedule_type_0_item)

                return schedule_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ScheduleItem] | None | Unset, data)

        schedule = _parse_schedule(d.pop("schedule", UNSET))


        timezone = d.pop("timezone", UNSET)

        voltage_v = d.pop("voltage_v", UNSET)

        site_create = cls(
            grid_limit_a=grid_limit_a,
            id=id,
            fallback_limit_a=fallback_limit_a,
            meter=meter,
            meter_includes_charging=meter_includes_charging,
            min_current_a=min_current_a,
            name=name,
            parent_id=parent_id,
            phases=phases,
            safety_margin_a=safety_margin_a,
            schedule=schedule,
            timezone=timezone,
            voltage_v=voltage_v,
        )

        return site_create

