from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.station_update_registration_status_type_0 import StationUpdateRegistrationStatusType0
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="StationUpdate")



@_attrs_define
class StationUpdate:
    """ 
        Attributes:
            max_current_a (float | None | Unset):
            password (None | str | Unset):
            priority (int | None | Unset):
            registration_status (None | StationUpdateRegistrationStatusType0 | Unset):
            required_profiles (list[str] | None | Unset):
            site_id (None | str | Unset):
            tariff_id (None | str | Unset):
     """

    max_current_a: float | None | Unset = UNSET
    password: None | str | Unset = UNSET
    priority: int | None | Unset = UNSET
    registration_status: None | StationUpdateRegistrationStatusType0 | Unset = UNSET
    required_profiles: list[str] | None | Unset = UNSET
    site_id: None | str | Unset = UNSET
    tariff_id: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        max_current_a: float | None | Unset
        if isinstance(self.max_current_a, Unset):
            max_current_a = UNSET
        else:
            max_current_a = self.max_current_a

        password: None | str | Unset
        if isinstance(self.password, Unset):
            password = UNSET
        else:
            password = self.password

        priority: int | None | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        else:
            priority = self.priority

        registration_status: None | str | Unset
        if isinstance(self.registration_status, Unset):
            registration_status = UNSET
        elif isinstance(self.registration_status, StationUpdateRegistrationStatusType0):
            registration_status = self.registration_status.value
        else:
            registration_status = self.registration_status

        required_profiles: list[str] | None | Unset
        if isinstance(self.required_profiles, Unset):
            required_profiles = UNSET
        elif isinstance(self.required_profiles, list):
            required_profiles = self.required_profiles


        else:
            required_profiles = self.required_profiles

        site_id: None | str | Unset
        if isinstance(self.site_id, Unset):
            site_id = UNSET
        else:
            site_id = self.site_id

        tariff_id: None | str | Unset
        if isinstance(self.tariff_id, Unset):
            tariff_id = UNSET
        else:
            tariff_id = self.tariff_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if max_current_a is not UNSET:
            field_dict["max_current_a"] = max_current_a
        if password is not UNSET:
            field_dict["password"] = password
        if priority is not UNSET:
            field_dict["priority"] = priority
        if registration_status is not UNSET:
            field_dict["registration_status"] = registration_status
        if required_profiles is not UNSET:
            field_dict["required_profiles"] = required_profiles
        if site_id is not UNSET:
            field_dict["site_id"] = site_id
        if tariff_id is not UNSET:
            field_dict["tariff_id"] = tariff_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_max_current_a(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_current_a = _parse_max_current_a(d.pop("max_current_a", UNSET))


        def _parse_password(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        password = _parse_password(d.pop("password", UNSET))


        def _parse_priority(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))


        def _parse_registration_status(data: object) -> None | StationUpdateRegistrationStatusType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                registration_status_type_0 = StationUpdateRegistrationStatusType0(data)



                return registration_status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StationUpdateRegistrationStatusType0 | Unset, data)

        registration_status = _parse_registration_status(d.pop("registration_status", UNSET))


        def _parse_required_profiles(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                required_profiles_type_0 = cast(list[str], data)

                return required_profiles_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        required_profiles = _parse_required_profiles(d.pop("required_profiles", UNSET))


        def _parse_site_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        site_id = _parse_site_id(d.pop("site_id", UNSET))


        def _parse_tariff_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tariff_id = _parse_tariff_id(d.pop("tariff_id", UNSET))


        station_update = cls(
            max_current_a=max_current_a,
            password=password,
            priority=priority,
            registration_status=registration_status,
            required_profiles=required_profiles,
            site_id=site_id,
            tariff_id=tariff_id,
        )

        return station_update

