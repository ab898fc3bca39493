from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="TargetBody")



@_attrs_define
class TargetBody:
    """ 
        Attributes:
            current_versions (list[str] | Unset):
            hardware_revisions (list[str] | Unset):
            model (None | str | Unset):
            station_ids (list[str] | Unset):
            tags (list[str] | Unset):
            vendor (None | str | Unset):
     """

    current_versions: list[str] | Unset = UNSET
    hardware_revisions: list[str] | Unset = UNSET
    model: None | str | Unset = UNSET
    station_ids: list[str] | Unset = UNSET
    tags: list[str] | Unset = UNSET
    vendor: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        current_versions: list[str] | Unset = UNSET
        if not isinstance(self.current_versions, Unset):
            current_versions = self.current_versions



        hardware_revisions: list[str] | Unset = UNSET
        if not isinstance(self.hardware_revisions, Unset):
            hardware_revisions = self.hardware_revisions



        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        station_ids: list[str] | Unset = UNSET
        if not isinstance(self.station_ids, Unset):
            station_ids = self.station_ids



        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags



        vendor: None | str | Unset
        if isinstance(self.vendor, Unset):
            vendor = UNSET
        else:
            vendor = self.vendor


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if current_versions is not UNSET:
            field_dict["current_versions"] = current_versions
        if hardware_revisions is not UNSET:
            field_dict["hardware_revisions"] = hardware_revisions
        if model is not UNSET:
            field_dict["model"] = model
        if station_ids is not UNSET:
            field_dict["station_ids"] = station_ids
        if tags is not UNSET:
            field_dict["tags"] = tags
        if vendor is not UNSET:
            field_dict["vendor"] = vendor

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        current_versions = cast(list[str], d.pop("current_versions", UNSET))


        hardware_revisions = cast(list[str], d.pop("hardware_revisions", UNSET))


        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))


        station_ids = cast(list[str], d.pop("station_ids", UNSET))


        tags = cast(list[str], d.pop("tags", UNSET))


        def _parse_vendor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        vendor = _parse_vendor(d.pop("vendor", UNSET))


        target_body = cls(
            current_versions=current_versions,
            hardware_revisions=hardware_revisions,
            model=model,
            station_ids=station_ids,
            tags=tags,
            vendor=vendor,
        )

        return target_body

