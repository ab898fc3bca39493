from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.compatibility import Compatibility
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="CompatibilityBody")



@_attrs_define
class CompatibilityBody:
    """ 
        Attributes:
            firmware_version (str):
            model (str):
            status (Compatibility):
            vendor (str):
            hardware_revision (str | Unset):  Default: ''.
            notes (None | str | Unset):
     """

    firmware_version: str
    model: str
    status: Compatibility
    vendor: str
    hardware_revision: str | Unset = ''
    notes: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        firmware_version = self.firmware_version

        model = self.model

        status = self.status.value

        vendor = self.vendor

        hardware_revision = self.hardware_revision

        notes: None | str | Unset
        if isinstance(self.notes, Unset):
            notes = UNSET
        else:
            notes = self.notes


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "firmware_version": firmware_version,
            "model": model,
            "status": status,
            "vendor": vendor,
        })
        if hardware_revision is not UNSET:
            field_dict["hardware_revision"] = hardware_revision
        if notes is not UNSET:
            field_dict["notes"] = notes

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        firmware_version = d.pop("firmware_version")

        model = d.pop("model")

        status = Compatibility(d.pop("status"))




        vendor = d.pop("vendor")

        hardware_revision = d.pop("hardware_revision", UNSET)

        def _parse_notes(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        notes = _parse_notes(d.pop("notes", UNSET))


        compatibility_body = cls(
            firmware_version=firmware_version,
            model=model,
            status=status,
            vendor=vendor,
            hardware_revision=hardware_revision,
            notes=notes,
        )

        return compatibility_body

