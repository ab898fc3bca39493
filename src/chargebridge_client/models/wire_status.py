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
  from ..models.wire_device_status import WireDeviceStatus
  from ..models.wire_status_limits import WireStatusLimits





T = TypeVar("T", bound="WireStatus")



@_attrs_define
class WireStatus:
    """ 
        Attributes:
            at (datetime.datetime):
            devices (list[WireDeviceStatus] | Unset):
            heartbeat_s (float | Unset):  Default: 30.0.
            limits (WireStatusLimits | Unset):
            outbox_depth (int | Unset):  Default: 0.
            outbox_dropped (int | Unset):  Default: 0.
            started_at (datetime.datetime | None | Unset):
            version (str | Unset):  Default: ''.
     """

    at: datetime.datetime
    devices: list[WireDeviceStatus] | Unset = UNSET
    heartbeat_s: float | Unset = 30.0
    limits: WireStatusLimits | Unset = UNSET
    outbox_depth: int | Unset = 0
    outbox_dropped: int | Unset = 0
    started_at: datetime.datetime | None | Unset = UNSET
    version: str | Unset = ''
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.wire_device_status import WireDeviceStatus # noqa: PLC0415
        from ..models.wire_status_limits import WireStatusLimits # noqa: PLC0415
        at = self.at.isoformat()

        devices: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.devices, Unset):
            devices = []
            for devices_item_data in self.devices:
                devices_item = devices_item_data.to_dict()
                devices.append(devices_item)



        heartbeat_s = self.heartbeat_s

        limits: dict[str, Any] | Unset = UNSET
        if not isinstance(self.limits, Unset):
            limits = self.limits.to_dict()

        outbox_depth = self.outbox_depth

        outbox_dropped = self.outbox_dropped

        started_at: None | str | Unset
        if isinstance(self.started_at, Unset):
            started_at = UNSET
        elif isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        version = self.version


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "at": at,
        })
        if devices is not UNSET:
            field_dict["devices"] = devices
        if heartbeat_s is not UNSET:
            field_dict["heartbeat_s"] = heartbeat_s
        if limits is not UNSET:
            field_dict["limits"] = limits
        if outbox_depth is not UNSET:
            field_dict["outbox_depth"] = outbox_depth
        if outbox_dropped is not UNSET:
            field_dict["outbox_dropped"] = outbox_dropped
        if started_at is not UNSET:
            field_dict["started_at"] = started_at
        if version is not UNSET:
            field_dict["version"] = version

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.wire_device_status import WireDeviceStatus # noqa: PLC0415
        from ..models.wire_status_limits import WireStatusLimits # noqa: PLC0415
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))




        _devices = d.pop("devices", UNSET)
        devices: list[WireDeviceStatus] | Unset = UNSET
        if _devices is not UNSET:
            devices = []
            for devices_item_data in _devices:
                devices_item = WireDeviceStatus.from_dict(devices_item_data)



                devices.append(devices_item)


        heartbeat_s = d.pop("heartbeat_s", UNSET)

        _limits = d.pop("limits", UNSET)
        limits: WireStatusLimits | Unset
        if isinstance(_limits,  Unset):
            limits = UNSET
        else:
            limits = WireStatusLimits.from_dict(_limits)




        outbox_depth = d.pop("outbox_depth", UNSET)

        outbox_dropped = d.pop("outbox_dropped", UNSET)

        def _parse_started_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)



                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        started_at = _parse_started_at(d.pop("started_at", UNSET))


        version = d.pop("version", UNSET)

        wire_status = cls(
            at=at,
            devices=devices,
            heartbeat_s=heartbeat_s,
            limits=limits,
            outbox_depth=outbox_depth,
            outbox_dropped=outbox_dropped,
            started_at=started_at,
            version=version,
        )


        wire_status.additional_properties = d
        return wire_status

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
