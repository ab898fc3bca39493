from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.station_energy_phase_rotation_type_0 import StationEnergyPhaseRotationType0
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.evse_energy import EvseEnergy





T = TypeVar("T", bound="StationEnergy")



@_attrs_define
class StationEnergy:
    """ A station's energy settings; only the fields given change (null clears).

        Attributes:
            evses (list[EvseEnergy] | None | Unset):
            max_current_a (float | None | Unset):
            phase_rotation (None | StationEnergyPhaseRotationType0 | Unset):
            priority (int | None | Unset):
            site_id (None | str | Unset):
     """

    evses: list[EvseEnergy] | None | Unset = UNSET
    max_current_a: float | None | Unset = UNSET
    phase_rotation: None | StationEnergyPhaseRotationType0 | Unset = UNSET
    priority: int | None | Unset = UNSET
    site_id: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.evse_energy import EvseEnergy # noqa: PLC0415
        evses: list[dict[str, Any]] | None | Unset
        if isinstance(self.evses, Unset):
            evses = UNSET
        elif isinstance(self.evses, list):
            evses = []
            for evses_type_0_item_data in self.evses:
                evses_type_0_item = evses_type_0_item_data.to_dict()
                evses.append(evses_type_0_item)


        else:
            evses = self.evses

        max_current_a: float | None | Unset
        if isinstance(self.max_current_a, Unset):
            max_current_a = UNSET
        else:
            max_current_a = self.max_current_a

        phase_rotation: None | str | Unset
        if isinstance(self.phase_rotation, Unset):
            phase_rotation = UNSET
        elif isinstance(self.phase_rotation, StationEnergyPhaseRotationType0):
            phase_rotation = self.phase_rotation.value
        else:
            phase_rotation = self.phase_rotation

        priority: int | None | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        else:
            priority = self.priority

        site_id: None | str | Unset
        if isinstance(self.site_id, Unset):
            site_id = UNSET
        else:
            site_id = self.site_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if evses is not UNSET:
            field_dict["evses"] = evses
        if max_current_a is not UNSET:
            field_dict["max_current_a"] = max_current_a
        if phase_rotation is not UNSET:
            field_dict["phase_rotation"] = phase_rotation
        if priority is not UNSET:
            field_dict["priority"] = priority
        if site_id is not UNSET:
            field_dict["site_id"] = site_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.evse_energy import EvseEnergy # noqa: PLC0415
        d = dict(src_dict)
        def _parse_evses(data: object) -> list[EvseEnergy] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                evses_type_0 = []
                _evses_type_0 = data
                for evses_type_0_item_data in (_evses_type_0):
                    evses_type_0_item = EvseEnergy.from_dict(evses_type_0_item_data)



                    evses_type_0.append(evses_type_0_item)

                return evses_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[EvseEnergy] | None | Unset, data)

        evses = _parse_evses(d.pop("evses", UNSET))


        def _parse_max_current_a(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_current_a = _parse_max_current_a(d.pop("max_current_a", UNSET))


        def _parse_phase_rotation(data: object) -> None | StationEnergyPhaseRotationType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                phase_rotation_type_0 = StationEnergyPhaseRotationType0(data)



                return phase_rotation_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StationEnergyPhaseRotationType0 | Unset, data)

        phase_rotation = _parse_phase_rotation(d.pop("phase_rotation", UNSET))


        def _parse_priority(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))


        def _parse_site_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_id = _parse_site_id(d.pop("site_id", UNSET))


        station_energy = cls(
            evses=evses,
            max_current_a=max_current_a,
            phase_rotation=phase_rotation,
            priority=priority,
            site_id=site_id,
        )

        return station_energy

