from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.site_update_phases_type_0 import SiteUpdatePhasesType0
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.schedule_item import ScheduleItem





T = TypeVar("T", bound="SiteUpdate")



@_attrs_define
class SiteUpdate:
    """ 
        Attributes:
            fallback_limit_a (float | None | Unset):
            grid_limit_a (float | None | Unset):
            meter (None | str | Unset):
            meter_includes_charging (bool | None | Unset):
            min_current_a (float | None | Unset):
            name (None | str | Unset):
            parent_id (None | str | Unset):
            phases (None | SiteUpdatePhasesType0 | Unset):
            safety_margin_a (float | None | Unset):
            schedule (list[ScheduleItem] | None | Unset):
            timezone (None | str | Unset):
            voltage_v (float | None | Unset):
     """

    fallback_limit_a: float | None | Unset = UNSET
    grid_limit_a: float | None | Unset = UNSET
    meter: None | str | Unset = UNSET
    meter_includes_charging: bool | None | Unset = UNSET
    min_current_a: float | None | Unset = UNSET
    name: None | str | Unset = UNSET
    parent_id: None | str | Unset = UNSET
    phases: None | SiteUpdatePhasesType0 | Unset = UNSET
    safety_margin_a: float | None | Unset = UNSET
    schedule: list[ScheduleItem] | None | Unset = UNSET
    timezone: None | str | Unset = UNSET
    voltage_v: float | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.schedule_item import ScheduleItem # noqa: PLC0415
        fallback_limit_a: float | None | Unset
        if isinstance(self.fallback_limit_a, Unset):
            fallback_limit_a = UNSET
        else:
            fallback_limit_a = self.fallback_limit_a

        grid_limit_a: float | None | Unset
        if isinstance(self.grid_limit_a, Unset):
            grid_limit_a = UNSET
        else:
            grid_limit_a = self.grid_limit_a

        meter: None | str | Unset
        if isinstance(self.meter, Unset):
            meter = UNSET
        else:
            meter = self.meter

        meter_includes_charging: bool | None | Unset
        if isinstance(self.meter_includes_charging, Unset):
            meter_includes_charging = UNSET
        else:
            meter_includes_charging = self.meter_includes_charging

        min_current_a: float | None | Unset
        if isinstance(self.min_current_a, Unset):
            min_current_a = UNSET
        else:
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

        phases: int | None | Unset
        if isinstance(self.phases, Unset):
            phases = UNSET
        elif isinstance(self.phases, SiteUpdatePhasesType0):
            phases = self.phases.value
        else:
            phases = self.phases

        safety_margin_a: float | None | Unset
        if isinstance(self.safety_margin_a, Unset):
            safety_margin_a = UNSET
        else:
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

        timezone: None | str | Unset
        if isinstance(self.timezone, Unset):
            timezone = UNSET
        else:
            timezone = self.timezone

        voltage_v: float | None | Unset
        if isinstance(self.voltage_v, Unset):
            voltage_v = UNSET
        else:
            voltage_v = self.voltage_v


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if fallback_limit_a is not UNSET:
            field_dict["fallback_limit_a"] = fallback_limit_a
        if grid_limit_a is not UNSET:
            field_dict["grid_limit_a"] = grid_limit_a
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
        def _parse_fallback_limit_a(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        fallback_limit_a = _parse_fallback_limit_a(d.pop("fallback_limit_a", UNSET))


        def _parse_grid_limit_a(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        grid_limit_a = _parse_grid_limit_a(d.pop("grid_limit_a", UNSET))


        def _parse_meter(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        meter = _parse_meter(d.pop("meter", UNSET))


        def _parse_meter_includes_charging(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        meter_includes_charging = _parse_meter_includes_charging(d.pop("meter_includes_charging", UNSET))


        def _parse_min_current_a(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        min_current_a = _parse_min_current_a(d.pop("min_current_a", UNSET))


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


        def _parse_phases(data: object) -> None | SiteUpdatePhasesType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, int):
                    raise TypeError()
                phases_type_0 = SiteUpdatePhasesType0(data)



                return phases_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SiteUpdatePhasesType0 | Unset, data)

        phases = _parse_phases(d.pop("phases", UNSET))


        def _parse_safety_margin_a(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        safety_margin_a = _parse_safety_margin_a(d.pop("safety_margin_a", UNSET))


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


        def _parse_timezone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timezone = _parse_timezone(d.pop("timezone", UNSET))


        def _parse_voltage_v(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        voltage_v = _parse_voltage_v(d.pop("voltage_v", UNSET))


        site_update = cls(
            fallback_limit_a=fallback_limit_a,
            grid_limit_a=grid_limit_a,
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

        return site_update

