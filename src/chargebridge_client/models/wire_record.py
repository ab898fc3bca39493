from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.wire_record_kind import WireRecordKind
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.wire_record_data import WireRecordData





T = TypeVar("T", bound="WireRecord")



@_attrs_define
class WireRecord:
    """ 
        Attributes:
            at (datetime.datetime):
            data (WireRecordData):
            device (str):
            kind (WireRecordKind):
            seq (int):
     """

    at: datetime.datetime
    data: WireRecordData
    device: str
    kind: WireRecordKind
    seq: int





    def to_dict(self) -> dict[str, Any]:
        from ..models.wire_record_data import WireRecordData # noqa: PLC0415
        at = self.at.isoformat()

        data = self.data.to_dict()

        device = self.device

        kind = self.kind.value

        seq = self.seq


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "at": at,
            "data": data,
            "device": device,
            "kind": kind,
            "seq": seq,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.wire_record_data import WireRecordData # noqa: PLC0415
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))




        data = WireRecordData.from_dict(d.pop("data"))




        device = d.pop("device")

        kind = WireRecordKind(d.pop("kind"))




        seq = d.pop("seq")

        wire_record = cls(
            at=at,
            data=data,
            device=device,
            kind=kind,
            seq=seq,
        )

        return wire_record

