from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.wire_device_status_active_faults import WireDeviceStatusActiveFaults
  from ..models.wire_device_status_counters import WireDeviceStatusCounters





T = TypeVar("T", bound="WireDeviceStatus")



@_attrs_define
class WireDeviceStatus:
    """ What an edge reports of one device with each batch (state, not events: the latest wins).

        Attributes:
            name (str):
            transport (str):
            active_faults (WireDeviceStatusActiveFaults | Unset):
            counters (WireDeviceStatusCounters | Unset):
            evse_id (int | Unset):  Default: 0.
            last_error (None | str | Unset):
            last_good_read_at (datetime.datetime | None | Unset):
            reachable (bool | None | Unset):
            site_id (None | str | Unset):
            station_id (None | str | Unset):
     """

    name: str
    transport: str
    active_faults: WireDeviceStatusActiveFaults | Unset = UNSET
    counters: WireDeviceStatusCounters | Unset = UNSET
    evse_id: int | Unset = 0
    last_error: None | str | Unset = UNSET
    last_good_read_at: datetime.datetime | None | Unset = UNSET
    reachable: bool | None | Unset = UNSET
    site_id: None | str | Unset = UNSET
    station_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.wire_device_status_active_faults import WireDeviceStatusActiveFaults # noqa: PLC0415
        from ..models.wire_device_status_counters import WireDeviceStatusCounters # noqa: PLC0415
        name = self.name

        transport = self.transport

        active_faults: dict[str, Any] | Unset = UNSET
        if not isinstance(self.active_faults, Unset):
            active_faults = self.active_faults.to_dict()

        counters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.counters, Unset):
            counters = self.counters.to_dict()

        evse_id = self.evse_id

        last_error: None | str | Unset
        if isinstance(self.last_error, Unset):
            last_error = UNSET
        else:
            last_error = self.last_error

        last_good_read_at: None | str | Unset
        if isinstance(self.last_good_read_at, Unset):
            last_good_read_at = UNSET
        elif isinstance(self.last_good_read_at, datetime.datetime):
            last_good_read_at = self.last_good_read_at.isoformat()
        else:
            last_good_read_at = self.last_good_read_at

        reachable: bool | None | Unset
        if isinstance(self.reachable, Unset):
            reachable = UNSET
        else:
            reachable = self.reachable

        site_id: None | str | Unset
        if isinstance(self.site_id, Unset):
            site_id = UNSET
        else:
            site_id = self.site_id

        station_id: None | str | Unset
        if isinstance(self.station_id, Unset):
            station_id = UNSET
        else:
            station_id = self.station_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "name": name,
            "transport": transport,
        })
        if active_faults is not UNSET:
            field_dict["active_faults"] = active_faults
        if counters is not UNSET:
            field_dict["counters"] = counters
        if evse_id is not UNSET:
            field_dict["evse_id"] = evse_id
        if last_error is not UNSET:
            field_dict["last_error"] = last_error
        if last_good_read_at is not UNSET:
            field_dict["last_good_read_at"] = last_good_read_at
        if reachable is not UNSET:
            field_dict["reachable"] = reachable
        if site_id is not UNSET:
            field_dict["site_id"] = site_id
        if station_id is not UNSET:
            field_dict["station_id"] = station_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.wire_device_status_active_faults import WireDeviceStatusActiveFaults # noqa: PLC0415
        from ..models.wire_device_status_counters import WireDeviceStatusCounters # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        transport = d.pop("transport")

        _active_faults = d.pop("active_faults", UNSET)
        active_faults: WireDeviceStatusActiveFaults | Unset
        if isinstance(_active_faults,  Unset):
            active_faults = UNSET
        else:
            active_faults = WireDeviceStatusActiveFaults.from_dict(_active_faults)




        _counters = d.pop("counters", UNSET)
        counters: WireDeviceStatusCounters | Unset
        if isinstance(_counters,  Unset):
            counters = UNSET
        else:
            counters = WireDeviceStatusCounters.from_dict(_counters)




        evse_id = d.pop("evse_id", UNSET)

        def _parse_last_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_error = _parse_last_error(d.pop("last_error", UNSET))


        def _parse_last_good_read_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_good_read_at_type_0 = datetime.datetime.fromisoformat(data)



                return last_good_read_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_good_read_at = _parse_last_good_read_at(d.pop("last_good_read_at", UNSET))


        def _parse_reachable(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        reachable = _parse_reachable(d.pop("reachable", UNSET))


        def _parse_site_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_id = _parse_site_id(d.pop("site_id", UNSET))


        def _parse_station_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        station_id = _parse_station_id(d.pop("station_id", UNSET))


        wire_device_status = cls(
            name=name,
            transport=transport,
            active_faults=active_faults,
            counters=counters,
            evse_id=evse_id,
            last_error=last_error,
            last_good_read_at=last_good_read_at,
            reachable=reachable,
            site_id=site_id,
            station_id=station_id,
        )


        wire_device_status.additional_properties = d
        return wire_device_status

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
