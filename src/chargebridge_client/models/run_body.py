from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.run_body_level import RunBodyLevel
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="RunBody")



@_attrs_define
class RunBody:
    """ How the run behaves; every field is optional (see docs/validation.md for the defaults).

        Attributes:
            evse_id (int | Unset):  Default: 1.
            firmware_image_id (None | str | Unset):
            firmware_timeout_s (float | Unset):  Default: 600.0.
            heartbeat_interval_s (int | Unset):  Default: 10.
            heartbeat_window_s (float | None | Unset):
            id_token (None | str | Unset):
            level (RunBodyLevel | Unset):  Default: RunBodyLevel.ADVANCED.
            manual_step_timeout_s (float | Unset):  Default: 300.0.
            meter_interval_s (int | Unset):  Default: 10.
            meter_samples (int | Unset):  Default: 3.
            offline_s (float | None | Unset):
            power_margin_w (float | Unset):  Default: 100.0.
            power_tolerance (float | Unset):  Default: 0.1.
            reboot_timeout_s (float | Unset):  Default: 180.0.
            response_timeout_s (float | Unset):  Default: 30.0.
            security_upgrade (bool | Unset):  Default: True.
     """

    evse_id: int | Unset = 1
    firmware_image_id: None | str | Unset = UNSET
    firmware_timeout_s: float | Unset = 600.0
    heartbeat_interval_s: int | Unset = 10
    heartbeat_window_s: float | None | Unset = UNSET
    id_token: None | str | Unset = UNSET
    level: RunBodyLevel | Unset = RunBodyLevel.ADVANCED
    manual_step_timeout_s: float | Unset = 300.0
    meter_interval_s: int | Unset = 10
    meter_samples: int | Unset = 3
    offline_s: float | None | Unset = UNSET
    power_margin_w: float | Unset = 100.0
    power_tolerance: float | Unset = 0.1
    reboot_timeout_s: float | Unset = 180.0
    response_timeout_s: float | Unset = 30.0
    security_upgrade: bool | Unset = True





    def to_dict(self) -> dict[str, Any]:
        evse_id = self.evse_id

        firmware_image_id: None | str | Unset
        if isinstance(self.firmware_image_id, Unset):
            firmware_image_id = UNSET
        else:
            firmware_image_id = self.firmware_image_id

        firmware_timeout_s = self.firmware_timeout_s

        heartbeat_interval_s = self.heartbeat_interval_s

        heartbeat_window_s: float | None | Unset
        if isinstance(self.heartbeat_window_s, Unset):
            heartbeat_window_s = UNSET
        else:
            heartbeat_window_s = self.heartbeat_window_s

        id_token: None | str | Unset
        if isinstance(self.id_token, Unset):
            id_token = UNSET
        else:
            id_token = self.id_token

        level: str | Unset = UNSET
        if not isinstance(self.level, Unset):
            level = self.level.value


        manual_step_timeout_s = self.manual_step_timeout_s

        meter_interval_s = self.meter_interval_s

        meter_samples = self.meter_samples

        offline_s: float | None | Unset
        if isinstance(self.offline_s, Unset):
            offline_s = UNSET
        else:
            offline_s = self.offline_s

        power_margin_w = self.power_margin_w

        power_tolerance = self.power_tolerance

        reboot_timeout_s = self.reboot_timeout_s

        response_timeout_s = self.response_timeout_s

        security_upgrade = self.security_upgrade


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if evse_id is not UNSET:
            field_dict["evse_id"] = evse_id
        if firmware_image_id is not UNSET:
            field_dict["firmware_image_id"] = firmware_image_id
        if firmware_timeout_s is not UNSET:
            field_dict["firmware_timeout_s"] = firmware_timeout_s
        if heartbeat_interval_s is not UNSET:
            field_dict["heartbeat_interval_s"] = heartbeat_interval_s
        if heartbeat_window_s is not UNSET:
            field_dict["heartbeat_window_s"] = heartbeat_window_s
        if id_token is not UNSET:
            field_dict["id_token"] = id_token
        if level is not UNSET:
            field_dict["level"] = level
        if manual_step_timeout_s is not UNSET:
            field_dict["manual_step_timeout_s"] = manual_step_timeout_s
        if meter_interval_s is not UNSET:
            field_dict["meter_interval_s"] = meter_interval_s
        if meter_samples is not UNSET:
            field_dict["meter_samples"] = meter_samples
        if offline_s is not UNSET:
            field_dict["offline_s"] = offline_s
        if power_margin_w is not UNSET:
            field_dict["power_margin_w"] = power_margin_w
        if power_tolerance is not UNSET:
            field_dict["power_tolerance"] = power_tolerance
        if reboot_timeout_s is not UNSET:
            field_dict["reboot_timeout_s"] = reboot_timeout_s
        if response_timeout_s is not UNSET:
            field_dict["response_timeout_s"] = response_timeout_s
        if security_upgrade is not UNSET:
            field_dict["security_upgrade"] = security_upgrade

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        evse_id = d.pop("evse_id", UNSET)

        def _parse_firmware_image_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        firmware_image_id = _parse_firmware_image_id(d.pop("firmware_image_id", UNSET))


        firmware_timeout_s = d.pop("firmware_timeout_s", UNSET)

        heartbeat_interval_s = d.pop("heartbeat_interval_s", UNSET)

        def _parse_heartbeat_window_s(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        heartbeat_window_s = _parse_heartbeat_window_s(d.pop("heartbeat_window_s", UNSET))


        def _parse_id_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id_token = _parse_id_token(d.pop("id_token", UNSET))


        _level = d.pop("level", UNSET)
        level: RunBodyLevel | Unset
        if isinstance(_level,  Unset):
            level = UNSET
        else:
            level = RunBodyLevel(_level)




        manual_step_timeout_s = d.pop("manual_step_timeout_s", UNSET)

        meter_interval_s = d.pop("meter_interval_s", UNSET)

        meter_samples = d.pop("meter_samples", UNSET)

        def _parse_offline_s(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        offline_s = _parse_offline_s(d.pop("offline_s", UNSET))


        power_margin_w = d.pop("power_margin_w", UNSET)

        power_tolerance = d.pop("power_tolerance", UNSET)

        reboot_timeout_s = d.pop("reboot_timeout_s", UNSET)

        response_timeout_s = d.pop("response_timeout_s", UNSET)

        security_upgrade = d.pop("security_upgrade", UNSET)

        run_body = cls(
            evse_id=evse_id,
            firmware_image_id=firmware_image_id,
            firmware_timeout_s=firmware_timeout_s,
            heartbeat_interval_s=heartbeat_interval_s,
            heartbeat_window_s=heartbeat_window_s,
            id_token=id_token,
            level=level,
            manual_step_timeout_s=manual_step_timeout_s,
            meter_interval_s=meter_interval_s,
            meter_samples=meter_samples,
            offline_s=offline_s,
            power_margin_w=power_margin_w,
            power_tolerance=power_tolerance,
            reboot_timeout_s=reboot_timeout_s,
            response_timeout_s=response_timeout_s,
            security_upgrade=security_upgrade,
        )

        return run_body

